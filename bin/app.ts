#!/usr/bin/env node
/**
 * The CDK app. Config = defaults (the reference run) + CDK context; invalid config stops here,
 * before any construct exists.
 */
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../lib/config';
import { buildApp } from '../lib/stacks/app';

const app = new App();
buildApp(app, loadConfig(app.node.getAllContext()));
