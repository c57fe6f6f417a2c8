#!/usr/bin/env node
/**
 * The CDK app. Config = defaults (the reference run) + CDK context; invalid config stops here,
 * before any construct exists, with one line per problem (and exit code 2, bad input, so `cdk synth`
 * fails). What the offline tables doubt but cannot know (per-account AZ offerings) is printed as a
 * warning and does not stop the build, and so are the EC2 vCPU quotas the node groups need.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, configWarnings, loadConfig } from '../lib/config';
import { formatQuotaNeed, quotaNeeds } from '../lib/config/quota-needs';
import { buildApp } from '../lib/stacks/app';

const app = new App();
try {
  const config = loadConfig(app.node.getAllContext());
  for (const warning of configWarnings(config)) console.warn(`llmd-bench warning: ${warning}`);
  // The quota arithmetic per family, so a deploy does not find out from a failed node group.
  for (const need of quotaNeeds(config)) console.warn(`llmd-bench quota: ${formatQuotaNeed(need)} in ${config.aws.region}`);
  buildApp(app, config);
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(2);
}
