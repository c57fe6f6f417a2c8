import type { App } from 'aws-cdk-lib';
import type { BenchConfig } from '../config';

/** Adds every stack of the benchmark to the app. (Filled by the CDK platform issue.) */
export function buildApp(_app: App, _config: BenchConfig): void {}
