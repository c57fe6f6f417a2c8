#!/usr/bin/env node
/**
 * The CDK app. Config = defaults (the reference run) + CDK context; invalid config stops here,
 * before any construct exists, with one line per problem (and exit code 1, so `cdk synth` fails).
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '../lib/config';
import { buildApp } from '../lib/stacks/app';

const app = new App();
try {
  buildApp(app, loadConfig(app.node.getAllContext()));
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
