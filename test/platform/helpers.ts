/**
 * Helpers of the platform tests: synthesize the app once per test file (in-process, or as `cdk synth`
 * would in a child process), read templates, normalize them for snapshots.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BenchConfig, loadConfig } from '../../lib/config';
import { readCdkJsonContext } from '../../lib/config/cli-context';
import { buildApp, type BenchStacks } from '../../lib/stacks/app';
import { tempDir } from '../temp-dir';

export const REPO = resolve(__dirname, '..', '..');

export type CfnTemplate = { Resources: Record<string, CfnResourceJson>; Outputs?: Record<string, unknown>; [k: string]: unknown };
export type CfnResourceJson = { Type: string; Properties?: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string; [k: string]: unknown };

export interface SynthesizedApp {
  readonly app: App;
  readonly config: BenchConfig;
  readonly stacks: BenchStacks;
  /** Template of each of the platform's stacks, by role. */
  readonly templates: { network: Template; cluster: Template; gpuNodes: Template; modelStore: Template; platform: Template; workloads: Template };
}

/**
 * Builds and synthesizes the app in-process with cdk.json's feature flags plus `overrides` (config
 * keys). cdk-nag runs. CloudFormation's built-in template validation (a WebAssembly module that takes
 * seconds to load) is off here: the offline synth test runs the app exactly as `cdk synth` does, with
 * it. Asset staging is off (templates still reference every asset).
 */
export function synthInProcess(overrides: Record<string, unknown> = {}, options: { nag?: boolean; acknowledge?: boolean } = {}): SynthesizedApp {
  const context = {
    ...readCdkJsonContext(REPO),
    '@aws-cdk/core:validateAgainstDefaultRules': false,
    'aws:cdk:disable-asset-staging': true,
    ...overrides,
  };
  const app = new App({ outdir: tempDir('llmd-bench-synth-'), context });
  const config = loadConfig(app.node.getAllContext());
  const stacks = buildApp(app, config, { nag: options.nag ?? true, acknowledge: options.acknowledge });
  app.synth();
  return {
    app, config, stacks,
    templates: {
      network: Template.fromStack(stacks.network),
      cluster: Template.fromStack(stacks.cluster),
      gpuNodes: Template.fromStack(stacks.gpuNodes),
      modelStore: Template.fromStack(stacks.modelStore),
      platform: Template.fromStack(stacks.platform),
      workloads: Template.fromStack(stacks.workloads),
    },
  };
}

/** Environment of a machine with no AWS credentials, region or profile, and an empty home directory. */
export function credentialFreeEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('AWS_') || k.startsWith('CDK_') || k === 'HOME' || k === 'USERPROFILE') continue;
    env[k] = v;
  }
  return { ...env, HOME: home };
}

/**
 * Runs bin/app.ts in a child process the way the CDK CLI does (context from cdk.json through
 * CDK_CONTEXT_JSON, output directory through CDK_OUTDIR), with no AWS_* variables and an empty HOME.
 * Returns the output directory and the process's combined output.
 */
export function synthInChildProcess(): { outdir: string; output: string } {
  const outdir = tempDir('llmd-bench-cdkout-');
  const home = tempDir('llmd-bench-home-');
  const env = {
    ...credentialFreeEnv(home),
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify(readCdkJsonContext(REPO)),
  };
  const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
  const output = execFileSync(tsx, [join(REPO, 'bin', 'app.ts')], { cwd: REPO, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { outdir, output };
}

/** Templates of a cloud assembly directory, by stack name. */
export function readTemplates(outdir: string): Record<string, CfnTemplate> {
  const out: Record<string, CfnTemplate> = {};
  for (const f of readdirSync(outdir).filter((n) => n.endsWith('.template.json'))) {
    out[f.replace(/\.template\.json$/, '')] = JSON.parse(readFileSync(join(outdir, f), 'utf8')) as CfnTemplate;
  }
  return out;
}

/**
 * A template without what churns between dependency bumps: asset hashes (S3 keys, asset paths) and
 * construct metadata. Everything else (properties, dependencies, policies) stays.
 */
export function normalizeTemplate(template: CfnTemplate): CfnTemplate {
  const text = JSON.stringify(template)
    .replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_m, ext: string | undefined) => `<asset-hash>${ext ?? ''}`);
  const t = JSON.parse(text) as CfnTemplate;
  for (const r of Object.values(t.Resources)) delete r.Metadata;
  return t;
}

/** Every resource of a template of a type. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResourceJson][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Walks any JSON value and collects [path, value] of keys named `key`. */
export function findKeys(value: unknown, key: string, path: string[] = []): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findKeys(v, key, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      [...(k === key ? [[[...path, k].join('.'), v] as [string, unknown]] : []), ...findKeys(v, key, [...path, k])]);
  }
  return [];
}
