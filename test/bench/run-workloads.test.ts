/**
 * `run` takes the workload and load flags `simulate` takes (issue 9 C5, issue 11): the same option
 * set, the same config keys, the harness chosen from the workload, and every Job it would submit
 * printed by --dry-run; --target measures router profiles. The vllm bench serve Job keeps its
 * reference arguments and renders the random workload and the new load keys exactly.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../lib/config';
import { registerBenchCommands } from '../../lib/bench/cli';
import { registerSimulateCommand } from '../../lib/sim/cli';
import { vllmBenchArgs } from '../../k8s/bench/benchmark-job';
import { FLAG_KEYS } from '../../lib/workload/flags';

const ROOT = path.join(__dirname, '..', '..');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'llmd-bench.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function optionsOf(name: string): Set<string> {
  const program = new Command('llmd-bench');
  registerBenchCommands(program, (extra) => loadConfig(extra ?? {}));
  registerSimulateCommand(program, (extra) => loadConfig(extra ?? {}));
  return new Set(program.commands.find((c) => c.name() === name)!.options.map((o) => o.long!));
}

test('run and simulate take the same workload and load flags', () => {
  const run = optionsOf('run');
  const sim = optionsOf('simulate');
  for (const f of FLAG_KEYS.map((d) => d.flag)) {
    expect([f, run.has(f), sim.has(f)]).toEqual([f, true, true]);
  }
  for (const f of ['--workload', '--stages', '--warmup-stage', '--groups', '--prompts-per-group', '--system-prompt-len', '--question-len', '--output-len', '--conversations', '--turns', '--user-len', '--think-time-s', '--input-len', '--request-rate', '--max-concurrency', '--num-prompts', '--prefix-len', '--suffix-len']) {
    expect(run.has(f)).toBe(true);
  }
});

test('run --dry-run with a shared-prefix staged workload and two router profiles prints inference-perf Jobs for each path', () => {
  const r = cli(['run', '--dry-run', '--run-id', 'd1', '--workload', 'shared-prefix', '--groups', '8', '--stages', '2:30,4:30', '--target', 'rr,approximate', '-c', 'router.profiles=precise,approximate']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^run plan \(2 Jobs, inference-perf, shared-prefix: 8 groups x 32 prompts/);
  const jobs = parseAllDocuments(r.stdout.slice(r.stdout.indexOf('---\n') + 4)).map((d) => d.toJS());
  expect(jobs.map((j) => j.metadata.name)).toEqual(['llmd-bench-rr-main-3-d1', 'llmd-bench-llmd-approximate-main-3-d1']);
  const env = Object.fromEntries(jobs[1].spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
  expect(env.INFERENCE_PERF_CONFIG).toMatch(/num_groups: 8/);
  expect(env.INFERENCE_PERF_CONFIG).toMatch(/base_url: http:\/\/llm-d-router\.llmd-bench\.svc\.cluster\.local:80/);
});

test('run refuses, exit 2, what it cannot run: a profile not deployed, a flag of another workload', () => {
  const notDeployed = cli(['run', '--dry-run', '--target', 'load']);
  expect(notDeployed.code).toBe(2);
  expect(notDeployed.stderr).toMatch(/--target load: router profile "load" is not deployed/);
  const wrong = cli(['run', '--dry-run', '--turns', '3']);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/--turns applies to --workload multi-turn, not prefix-repetition/);
});

describe('the vllm bench serve arguments', () => {
  const run = { label: 'round-robin' as const, requestRate: 'inf' as const, numPrompts: 9000, runId: 't1', phase: 'main' as const };
  const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

  test('prefix-repetition at the defaults: exactly the reference run\'s dataset flags, no burstiness', () => {
    const args = vllmBenchArgs(loadConfig({}), run);
    expect(args.slice(args.indexOf('--dataset-name'), args.indexOf('--num-prompts'))).toEqual([
      '--dataset-name', 'prefix_repetition', '--prefix-repetition-num-prefixes', '150', '--prefix-repetition-prefix-len', '2048',
      '--prefix-repetition-suffix-len', '128', '--prefix-repetition-output-len', '256',
    ]);
    expect(args).not.toContain('--burstiness');
    expect(after(args, '--max-concurrency')).toBe('512');
  });

  test('random with fixed lengths; burstiness at a finite rate; no client limit when none', () => {
    const c = loadConfig({ 'workload.name': 'random', 'workload.random.inputLen': 1000, 'workload.random.outputLen': 128, 'benchmark.burstiness': 0.5, 'benchmark.maxConcurrency': 'none', 'benchmark.requestRate': 10, 'benchmark.numPrompts': 1000 });
    const args = vllmBenchArgs(c, { ...run, requestRate: 10, numPrompts: 1000 });
    expect(args.slice(args.indexOf('--dataset-name'), args.indexOf('--num-prompts'))).toEqual(['--dataset-name', 'random', '--random-input-len', '1000', '--random-output-len', '128', '--random-range-ratio', '0']);
    expect(after(args, '--burstiness')).toBe('0.5');
    expect(args).not.toContain('--max-concurrency');
  });
});
