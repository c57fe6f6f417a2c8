/**
 * `llmd-bench tune` end to end with the real simulator, through the real CLI entry (main()) in-process,
 * on a small deterministic space and a small workload: the recommendation passes the config
 * validation `cdk synth` runs, `llmd-bench simulate <best.simulateArgs>` reproduces `best.predicted`,
 * worker threads give the same answer as this thread, and everything says SIMULATED.
 */
import * as fs from 'fs';
import { tempDir } from '../temp-dir';
import * as path from 'path';
import { loadConfig } from '../../lib/config';
import { INTERVAL_KEYS } from '../../lib/sim';
import { runCli } from '../run-cli';

const dir = tempDir('llmd-tune-');

const cli = runCli;

/** A small reference-like workload on 3 replicas and a small lever space (a few seconds of simulation). */
const SMALL = [
  '-c', 'gpuNodes.count=3',
  '--num-prefixes', '12', '--prefix-len', '512', '--suffix-len', '64', '--output-len', '32',
  '--probe-seconds', '20',
  '--routers', 'precise,round-robin', '--kv-cache-dtypes', 'auto,fp8', '--max-num-seqs', '64,256',
  '--max-num-batched-tokens', '2048', '--block-sizes', '64', '--gpu-memory-utilization', '0.9',
  '--prefix-cache-weights', '2', '--kv-cache-utilization-weights', '1', '--queue-weights', '1', '--no-hit-lru-weights', '2', '--speculative-ttls', '10s',
  '--samples', '2', '--no-progress',
];

/** The keys compared between tune's prediction and simulate's, the P10/P90 of every interval key included. */
const KEYS = [
  'request_throughput', 'output_throughput', 'mean_ttft_ms', 'p90_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'p99_tpot_ms', 'completed',
  // tune's intervals (member probes) against the ones simulate computes in one job
  ...INTERVAL_KEYS.flatMap((k) => [`${k}_p10`, `${k}_p90`]),
];

type Entry = { overrides: Record<string, string | number>; simulateArgs: string[]; predicted: Record<string, number>; path: string; meetsSlo: boolean; goodputRps: number };
type Doc = { simulated: boolean; best: Entry; pareto: Entry[]; baseline: Entry; search: Record<string, unknown>; contributions: unknown[] };

function stripTimings(doc: Doc): unknown {
  const { search, ...rest } = doc;
  const { wallS: _w, totalWallS: _t, workers: _k, ...s } = search;
  return { ...rest, search: s };
}

describe('llmd-bench tune, end to end', () => {
  let inProcess: { code: number; stdout: string; stderr: string };
  let doc: Doc;
  const json = path.join(dir, 'tune.json');

  beforeAll(async () => {
    inProcess = await cli(['tune', ...SMALL, '--workers', '0', '--json', json]);
    doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('exits 0 and labels everything SIMULATED (table, JSON, plot)', () => {
    expect(inProcess.stderr).toBe('');
    expect(inProcess.code).toBe(0);
    expect(inProcess.stdout.split('\n')[0]).toMatch(/^SIMULATED: /);
    expect(inProcess.stdout).toMatch(/Pareto front, cost per hour vs SLO-meeting goodput \(SIMULATED\)/);
    expect(inProcess.stdout).toMatch(/Recommended \(goodput-per-dollar: .*\), SIMULATED/);
    expect(doc.simulated).toBe(true);
    const svg = fs.readFileSync(path.join(dir, 'tune.pareto.svg'), 'utf8');
    expect(svg).toContain('Simulated: tune');
    expect(svg).toContain('SIMULATED (llmd-bench simulate), not measured');
  });

  test('--json has best, pareto and baseline, each with overrides, simulateArgs and predicted', () => {
    for (const e of [doc.best, doc.baseline, ...doc.pareto]) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['overrides', 'simulateArgs', 'predicted']));
      expect(e.simulateArgs).toEqual(expect.arrayContaining(['--router', e.path, '--workload', 'prefix-repetition', '--seed', '0', '--max-concurrency', 'none']));
      for (const [k, v] of Object.entries(e.overrides)) expect(e.simulateArgs).toContain(`${k}=${v}`);
    }
    expect(doc.best.meetsSlo).toBe(true);
    expect(doc.pareto.length).toBeGreaterThan(0);
    expect((doc.search.candidatesEvaluated as number)).toBeGreaterThan(3);
  });

  test('the recommended overrides pass the validation cdk synth runs (loadConfig), as do the other entries', () => {
    for (const e of [doc.best, doc.baseline, ...doc.pareto]) expect(() => loadConfig(e.overrides)).not.toThrow();
    // It is a full deployment description: with the user's -c (gpuNodes.count=3) overridden where it says so.
    const c = loadConfig(doc.best.overrides);
    expect(c.vllm.replicas).toBe(Number(doc.best.overrides['vllm.replicas']));
  });

  test('llmd-bench simulate <best.simulateArgs> reproduces best.predicted (within 2%)', async () => {
    for (const [name, e] of [['best', doc.best], ['baseline', doc.baseline]] as const) {
      const out = path.join(dir, `sim-${name}.json`);
      const r = await cli(['simulate', ...e.simulateArgs, '--no-progress', '--json', out]);
      expect(r.code).toBe(0);
      const sim = JSON.parse(fs.readFileSync(out, 'utf8')).results[e.path] as Record<string, number>;
      for (const k of KEYS) expect(Math.abs(sim[k] - e.predicted[k])).toBeLessThanOrEqual(0.02 * Math.abs(e.predicted[k]));
    }
  });

  test('worker threads give the same answer as this thread', async () => {
    const json2 = path.join(dir, 'tune-workers.json');
    const r = await cli(['tune', ...SMALL, '--workers', '2', '--json', json2]);
    expect(r.code).toBe(0);
    const doc2 = JSON.parse(fs.readFileSync(json2, 'utf8')) as Doc;
    expect(doc2.search.workers).toBe(2);
    expect(stripTimings(doc2)).toEqual(stripTimings(doc));
  });
});
