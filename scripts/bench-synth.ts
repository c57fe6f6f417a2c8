/**
 * `npm run bench:synth`: how long synthesizing the app takes, offline.
 *
 *   npm run bench:synth                 3 in-process runs + 1 `cdk synth` run
 *   npm run bench:synth -- --runs 5     5 in-process runs
 *   npm run bench:synth -- --no-cli     skip the `cdk synth` run
 *
 * In-process runs build the app exactly as bin/app.ts does (cdk.json context, cdk-nag, CloudFormation
 * validation) and time the two phases: building the construct tree, and `app.synth()` (templates,
 * asset staging, validation plugins). One more in-process run without CloudFormation's built-in
 * template validation shows what that validation costs. The `cdk synth` run is what a user waits for
 * (CLI start, tsx compile, synth, writing cdk.out), with AWS_* unset and an empty HOME.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../lib/config';
import { readCdkJsonContext } from '../lib/config/cli-context';
import { buildApp } from '../lib/stacks/app';

const REPO = resolve(__dirname, '..');

interface Timing {
  readonly buildMs: number;
  readonly synthMs: number;
}

function inProcess(extraContext: Record<string, unknown> = {}): Timing {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    const t0 = performance.now();
    const app = new App({ outdir, context: { ...readCdkJsonContext(REPO), ...extraContext } });
    buildApp(app, loadConfig(app.node.getAllContext()));
    const t1 = performance.now();
    app.synth();
    const t2 = performance.now();
    return { buildMs: t1 - t0, synthMs: t2 - t1 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function cli(): number {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-cli-'));
  const home = mkdtempSync(join(tmpdir(), 'bench-synth-home-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
  try {
    const t0 = performance.now();
    execFileSync(join(REPO, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', outdir], { cwd: REPO, env, stdio: 'ignore' });
    return performance.now() - t0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const stats = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });

interface ChildTiming extends Timing {
  /** Process start to the first line of main: Node + tsx compiling and loading the modules. */
  readonly loadMs: number;
}

/** One cold run in a fresh process (what `cdk synth` pays every time). */
function coldRun(extraContext: Record<string, unknown> = {}): ChildTiming {
  const out = execFileSync(join(REPO, 'node_modules', '.bin', 'tsx'), [__filename, '--child', JSON.stringify(extraContext)], {
    cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildTiming;
}

function child(extraContext: Record<string, unknown>): void {
  const loadMs = performance.now();
  const t = inProcess(extraContext);
  process.stdout.write(`${JSON.stringify({ loadMs, ...t })}\n`);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(JSON.parse(args[1] ?? '{}') as Record<string, unknown>);
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer, got ${args[runsArg + 1]}`);
  const withCli = !args.includes('--no-cli');

  console.log(`llmd-eks-bench synth benchmark: ${runs} cold run(s) in fresh processes${withCli ? ' + 1 cdk synth' : ''}, Node ${process.version}\n`);
  const timings: ChildTiming[] = [];
  for (let i = 0; i < runs; i++) {
    const t = coldRun();
    timings.push(t);
    console.log(`  run ${i + 1}: load ${s(t.loadMs)}  construct tree ${s(t.buildMs)}  app.synth() ${s(t.synthMs)}  = ${s(t.loadMs + t.buildMs + t.synthMs)}`);
  }
  const total = stats(timings.map((t) => t.loadMs + t.buildMs + t.synthMs));
  const synthOnly = stats(timings.map((t) => t.buildMs + t.synthMs));
  const noCfn = coldRun({ '@aws-cdk/core:validateAgainstDefaultRules': false });
  const noCfnMs = noCfn.buildMs + noCfn.synthMs;
  console.log('');
  console.log(`cold synth, as bin/app.ts (cdk-nag + CloudFormation validation): mean ${s(total.mean)}  min ${s(total.min)}  max ${s(total.max)}`);
  console.log(`  of which construct tree + app.synth(): mean ${s(synthOnly.mean)}  min ${s(synthOnly.min)}`);
  console.log(`  construct tree + app.synth() without CloudFormation's template validation: ${s(noCfnMs)} (the validation costs ~${s(synthOnly.mean - noCfnMs)})`);
  if (withCli) {
    const ms = cli();
    console.log(`cdk synth --quiet end to end (CLI + tsx + synth + cdk.out, no AWS_*, empty HOME): ${s(ms)}`);
  }
}

main();
