/**
 * The CLI reads the same configuration as `cdk synth`: cdk.json "context" overridden by
 * `-c key=value` options, so the benchmark runs what the stacks deployed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BenchConfig, loadConfig } from './index';

/** The "context" object of cdk.json in `dir`, or {} when there is none. */
export function readCdkJsonContext(dir: string = process.cwd()): Record<string, unknown> {
  const file = path.join(dir, 'cdk.json');
  if (!fs.existsSync(file)) return {};
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return json.context ?? {};
}

/** Parses `key=value` pairs as the CDK CLI does for `-c`. */
export function parseContextPairs(pairs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`-c ${pair}: expected key=value, e.g. -c vllm.blockSize=32`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** cdk.json context + `-c` pairs (+ `extra` overrides, e.g. from command flags), validated. */
export function loadCliConfig(pairs: readonly string[] = [], dir?: string, extra: Record<string, unknown> = {}): BenchConfig {
  return loadConfig({ ...readCdkJsonContext(dir), ...parseContextPairs(pairs), ...extra });
}
