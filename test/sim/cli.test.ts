import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { Command } from 'commander';
import { endpointPickerConfig } from '../../k8s/router/endpoint-picker-config';
import { defaultConfig, loadConfig } from '../../lib/config';
import { registerSimulateCommand } from '../../lib/sim/cli';
import { generateReport } from '../../lib/bench/report';
import { loadResultsDir } from '../../lib/bench/results-io';
import { tempDir } from '../temp-dir';

/** The issue's --json contract: vLLM's result keys plus the simulator's. */
const CONTRACT_KEYS = [
  'duration', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens', 'request_throughput',
  'output_throughput', 'total_token_throughput', 'mean_ttft_ms', 'median_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms',
  'median_tpot_ms', 'p99_tpot_ms', 'mean_itl_ms', 'p99_itl_ms', 'request_rate', 'max_concurrency',
  'prefix_cache_hit_rate', 'prefix_cache_hit_rate_first_lookup', 'kv_cache_usage_mean', 'kv_cache_usage_p95', 'max_waiting',
];
const SMALL_FLAGS = ['--num-prompts', '240', '--num-prefixes', '12', '--prefix-len', '512', '--suffix-len', '64', '--output-len', '32', '--replicas', '3', '--max-concurrency', '48', '--no-progress'];

async function run(args: string[]): Promise<{ stdout: string; stderr: string; error?: Error }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  const program = new Command('llmd-bench').exitOverride().configureOutput({ writeErr: (s) => { stderr += s; }, writeOut: (s) => { stdout += s; } });
  registerSimulateCommand(program, (extra) => loadConfig(extra ?? {}));
  for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: (s) => { stderr += s; } });
  try {
    await program.parseAsync(['node', 'llmd-bench', 'simulate', ...args]);
    return { stdout, stderr };
  } catch (error) {
    return { stdout, stderr, error: error as Error };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('llmd-bench simulate', () => {
  const dir = tempDir('llmd-sim-');
  const json = path.join(dir, 'sim.json');
  const out = path.join(dir, 'results');
  let first: { stdout: string; stderr: string; error?: Error };

  beforeAll(async () => {
    first = await run([...SMALL_FLAGS, '--router', 'all', '--json', json, '--out', out]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('prints a short table of both paths on stdout', () => {
    expect(first.error).toBeUndefined();
    expect(first.stdout).toMatch(/request throughput \(req\/s\)/);
    expect(first.stdout).toMatch(/round-robin .*llm-d/);
    expect(first.stdout).toMatch(/Simulated 240 requests/);
    // With --router all the A/B line still compares llm-d with round-robin.
    expect(first.stdout).toMatch(/llm-d vs round-robin: \d+\.\d\dx request throughput/);
  });

  test('--json follows the contract', () => {
    const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(Object.keys(doc).sort()).toEqual(['config', 'results']);
    expect(Object.keys(doc.results).sort()).toEqual(['llm-d', 'llm-d-approximate', 'llm-d-load', 'llm-d-no-speculative', 'llm-d-precise', 'llm-d-random', 'random', 'round-robin']);
    expect(doc.config).toMatchObject({ num_prompts: 240, num_prefixes: 12, replicas: 3, max_concurrency: 48, request_rate: 'inf' });
    for (const result of Object.values(doc.results) as Record<string, unknown>[]) {
      for (const k of CONTRACT_KEYS) expect(result).toHaveProperty(k);
      expect(result.request_rate).toBe('inf');
      expect(result.max_concurrency).toBe(48);
      expect(result.completed).toBe(240);
      for (const k of CONTRACT_KEYS.filter((x) => !['request_rate', 'max_concurrency'].includes(x))) expect(Number.isFinite(result[k])).toBe(true);
      // Issue 12: each interval metric gains <key>_p10 / <key>_p90 around its point value.
      for (const k of ['request_throughput', 'output_throughput', 'mean_ttft_ms', 'p90_ttft_ms', 'mean_tpot_ms']) {
        expect([k, (result[`${k}_p10`] as number) <= (result[k] as number) && (result[k] as number) <= (result[`${k}_p90`] as number)]).toEqual([k, true]);
        expect([k, (result[`${k}_p90`] as number) > (result[`${k}_p10`] as number)]).toEqual([k, true]);
      }
    }
    expect(doc.config.calibration).toMatchObject({ region: expect.stringMatching(/^(inside|near|outside)$/) });
  });

  test('prints, once, how close the configuration is to the anchored space, and the interval source', () => {
    expect(first.stdout.match(/calibration distance \d+\.\d\d/g)).toHaveLength(1);
    expect(first.stdout).toMatch(/\[P10-P90\]: prediction intervals from 8 fitted parameter sets/);
    expect(first.stdout).toMatch(/request throughput \(req\/s\) +\d+\.\d\d \[\d+\.\d\d-\d+\.\d\d\]/);
  });

  test('--no-intervals skips the ensemble', async () => {
    const res = await run([...SMALL_FLAGS, '--no-intervals']);
    expect(res.error).toBeUndefined();
    expect(res.stdout).not.toMatch(/\[P10-P90\]/);
    expect(res.stdout).toMatch(/calibration distance/);
  });

  test('--out writes what `run` writes: the report reads it unchanged', async () => {
    const loaded = loadResultsDir(out);
    expect(loaded.results.map((r) => r.result.label).sort()).toEqual(['llm-d', 'llm-d-approximate', 'llm-d-load', 'llm-d-no-speculative', 'llm-d-precise', 'llm-d-random', 'random', 'round-robin']);
    for (const r of loaded.results) {
      expect(r.timeseries?.source).toBe('simulator');
      expect(Object.keys(r.timeseries?.series ?? {})).toEqual(expect.arrayContaining(['kv_cache_usage', 'num_requests_running', 'num_requests_waiting', 'prefix_cache_hit_rate']));
    }
    expect(loaded.skipped).toEqual([]);
    const report = await generateReport({ resultsDir: out, outDir: path.join(dir, 'report'), mainRate: 'inf' });
    expect(Object.keys(report.summary.main.files).sort()).toEqual(['llm-d', 'llm-d-approximate', 'llm-d-load', 'llm-d-no-speculative', 'llm-d-precise', 'llm-d-random', 'random', 'round-robin']);
    expect(report.mainTableMarkdown.split('\n')[0]).toBe('| metric | round-robin | llm-d | random | llm-d-precise | llm-d-approximate | llm-d-load | llm-d-random | llm-d-no-speculative | advantage |');
  });

  test('--out results say they are simulated everywhere, with the time they were made', async () => {
    const before = Date.now();
    const loaded = loadResultsDir(out);
    for (const r of loaded.results) {
      // Run id and vLLM-style date from the wall clock, never 19700101.
      expect(path.basename(r.file)).toMatch(/_sim-\d{8}-\d{4}\.json$/);
      expect(r.result.date).toMatch(/^\d{8}-\d{6}$/);
      expect(r.result.date).not.toBe('19700101-000000');
      expect(Math.abs(Date.parse(r.timeseries!.started_at) - before)).toBeLessThan(10 * 60_000);
    }
    const reportDir = path.join(dir, 'report-sim');
    const report = await generateReport({ resultsDir: out, outDir: reportDir, mainRate: 'inf' });
    expect(report.summary.source).toBe('simulation');
    expect(report.summary.valid).toBeNull();
    expect(JSON.parse(fs.readFileSync(path.join(reportDir, 'summary.json'), 'utf8')).source).toBe('simulation');
    expect(report.markdown.split('\n')[0]).toBe('# SIMULATED: llm-d vs round-robin, predicted by `llmd-bench simulate` (not a measurement)');
    // Issue 12: the report says once how close the configuration is to the anchored space.
    expect(report.markdown.match(/^calibration distance \d+\.\d\d/gm)).toHaveLength(1);
    expect(report.summary.plots.length).toBeGreaterThan(3);
    for (const plot of report.summary.plots) expect(fs.readFileSync(path.join(reportDir, plot), 'utf8')).toContain('SIMULATED (llmd-bench simulate), not measured');
    expect(first.stdout).toMatch(/^SIMULATED: a prediction of the simulator/);
  });

  test('--out and --json are checked before the simulation runs', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const cases: [string[], RegExp][] = [
      [['--out', file], /--out .*a-file: is a file, not a directory/],
      [['--out', path.join(file, 'below')], /a-file is a file, so the directory cannot be created/],
      [['--json', dir], /--json .*: is a directory, not a file/],
    ];
    for (const [flags, message] of cases) {
      const code = process.exitCode;
      const res = await run([...SMALL_FLAGS, ...flags]);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).not.toMatch(/Simulated/); // nothing was simulated
      expect(process.exitCode).toBe(2);
      process.exitCode = code;
    }
  });

  test('flags are checked', async () => {
    expect((await run(['--router', 'nginx'])).error?.message).toMatch(/not a router/);
    expect((await run(['--request-rate', '-3'])).error?.message).toMatch(/inf.*positive/);
    expect((await run(['--max-concurrency', '0'])).error?.message).toMatch(/positive whole number, or none for no client limit/);
  });

  test('--max-concurrency none runs open loop through the real option parsing (no stall, no client limit)', async () => {
    const file = path.join(dir, 'open-loop.json');
    const flags = SMALL_FLAGS.map((f, i) => (SMALL_FLAGS[i - 1] === '--max-concurrency' ? 'none' : f));
    const res = await run([...flags, '--request-rate', '40', '--router', 'round-robin', '--json', file]);
    expect(res.error).toBeUndefined();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(doc.config.max_concurrency).toBeNull();
    const r = doc.results['round-robin'];
    expect(r).toMatchObject({ completed: 240, max_concurrency: null, request_rate: 40 });
    expect(r.request_throughput).toBeLessThanOrEqual(40);
  });

  test('--epp-config simulates another EndpointPickerConfig and warns when its prefix chain is broken', async () => {
    const cfg = endpointPickerConfig(defaultConfig());
    const broken = { ...cfg, plugins: cfg.plugins.filter((p) => p.type !== 'token-producer') };
    const file = path.join(dir, 'epp.yaml');
    fs.writeFileSync(file, stringify(broken));
    const res = await run([...SMALL_FLAGS, '--router', 'llm-d', '--epp-config', file]);
    expect(res.error).toBeUndefined();
    expect(res.stderr).toMatch(/warning \(llm-d\): no token-producer plugin/);
  });
});
