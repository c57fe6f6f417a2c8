/**
 * `report DIR --format llmd-benchmark`: llm-d-benchmark benchmark reports (v0.2) that validate against
 * the vendored JSON Schema of llm-d-benchmark v0.8.0 and its unit rules, from measured (vLLM's files),
 * inference-perf-normalised and simulated (staged) results; and the per-stage part of our own report.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadConfig } from '../../lib/config';
import { generateReport } from '../../lib/bench/report';
import { benchmarkReportProblems, writeLlmdBenchmarkReports } from '../../lib/bench/report/llmd-benchmark';
import { simulate } from '../../lib/sim';
import { writeResultsDir } from '../../lib/sim/output';
import { FIXTURES } from './fakes';
import { tempDir } from '../temp-dir';

const tmp = () => tempDir('llmd-br-');

describe('from the reference results (vllm bench serve files)', () => {
  const out = tmp();
  const written = writeLlmdBenchmarkReports(path.join(FIXTURES, 'results', 'reference'), out);
  const reports = written.map((f) => parse(fs.readFileSync(path.join(out, f), 'utf8')));

  test('one report per result, named as llm-d-benchmark globs them, each valid', () => {
    expect(written.sort()).toEqual([
      'benchmark_report_v0.2,_llm-d-infqps-concurrency512-Qwen2.5-7B-Instruct-20260615-104011.yaml',
      'benchmark_report_v0.2,_round-robin-infqps-concurrency512-Qwen2.5-7B-Instruct-20260615-101502.yaml',
    ]);
    for (const r of reports) expect(benchmarkReportProblems(r)).toEqual([]);
  });

  test('the numbers are the result\'s, in the schema\'s units', () => {
    const llmd = reports.find((r) => r.results.request_performance.aggregate.requests.total === 9000 && /llm-d/.test(r.run.description))!;
    expect(llmd.version).toBe('0.2');
    expect(llmd.results.request_performance.aggregate.latency.time_to_first_token).toMatchObject({ units: 'ms', mean: 863, p50: 340, p99: 12544 });
    expect(llmd.results.request_performance.aggregate.throughput.request_rate).toEqual({ units: 'queries/s', mean: expect.closeTo(25.09, 1) });
    expect(llmd.scenario.load.standardized).toMatchObject({ tool: 'vllm-benchmark', stage: 0, concurrency: 512 });
    expect(llmd.run.time.end).toBe('2026-06-15T10:40:11Z');
    expect(llmd.run.keywords).toEqual(['llmd-bench', 'source:measurement']);
    expect(llmd.scenario.load.native.config.source).toBe('measurement');
  });
});

describe('from a staged simulation', () => {
  const dir = tmp();
  const sim = simulate(loadConfig({ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.groups': 8, 'benchmark.stages': '2:10,6:10' }), {
    routers: ['round-robin', 'llm-d', 'llm-d-approximate'], overrides: { replicas: 2 },
  });
  writeResultsDir(sim, dir);
  const out = path.join(dir, 'benchmark-report');
  const written = writeLlmdBenchmarkReports(dir, out);

  test('one valid report per path and stage, saying it is simulated, with no invented time', () => {
    expect(written).toHaveLength(6);
    for (const f of written) {
      const r = parse(fs.readFileSync(path.join(out, f), 'utf8'));
      expect([f, benchmarkReportProblems(r)]).toEqual([f, []]);
      expect(r.scenario.load.standardized.tool).toBe('llmd-bench simulate');
      expect(r.run.description).toMatch(/\(simulated\), stage [01]$/);
      // The source, as summary.json words it, in the places the schema leaves free.
      expect(r.run.keywords).toEqual(['llmd-bench', 'source:simulation']);
      expect(r.scenario.load.native.config.source).toBe('simulation');
      expect(r.run.time).toBeUndefined();
    }
    const s1 = parse(fs.readFileSync(path.join(out, written.find((f) => f.includes('round-robin') && f.endsWith('_stage_1.yaml'))!), 'utf8'));
    expect(s1.scenario.load.standardized).toMatchObject({ stage: 1, rate_qps: 6 });
    expect(s1.results.request_performance.aggregate.requests.total).toBe(60);
    expect(s1.results.observability.components[0].aggregate.cache_hit_rate.units).toBe('percent');
  });

  test('the validator can fail: schema and unit rules', () => {
    const r = parse(fs.readFileSync(path.join(out, written[0]), 'utf8'));
    expect(benchmarkReportProblems({ ...r, run: {} }).join('\n')).toMatch(/must have required property 'uid'/);
    expect(benchmarkReportProblems({ ...r, surprise: 1 }).join('\n')).toMatch(/must NOT have additional properties/);
    const badUnits = JSON.parse(JSON.stringify(r));
    badUnits.results.request_performance.aggregate.throughput.request_rate.units = 'tokens/s';
    expect(benchmarkReportProblems(badUnits).join('\n')).toMatch(/request_rate: units "tokens\/s" must be one of queries\/s/);
  });

  test('our report: the per-stage table and the two stage plots, every path', async () => {
    const rep = await generateReport({ resultsDir: dir, outDir: path.join(dir, 'report'), mainRate: 'inf' });
    expect(rep.markdown).toContain('## Load stages (SIMULATED)');
    expect(rep.summary.stages.map((st) => st.source)).toEqual(['simulation', 'simulation']);
    for (const st of rep.summary.stages) for (const p of Object.values(st.paths)) expect(p.source).toBe('simulator');
    const rows = rep.markdown.split('\n').filter((l) => /^\| (2|6) req\/s x 10 s \|/.test(l));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatch(/^\| 2 req\/s x 10 s \| round-robin \| 20 \|/);
    expect(rep.summary.plots).toEqual(expect.arrayContaining(['ttft-vs-stage-rate.svg', 'throughput-vs-stage-rate.svg']));
    const svg = fs.readFileSync(path.join(dir, 'report', 'ttft-vs-stage-rate.svg'), 'utf8');
    for (const t of ['round-robin', 'llm-d', 'llm-d-approximate', 'stage request rate']) expect(svg).toContain(t);
    expect(rep.summary.stages.map((s) => [s.rate, Object.keys(s.paths).sort()])).toEqual([[2, ['llm-d', 'llm-d-approximate', 'round-robin']], [6, ['llm-d', 'llm-d-approximate', 'round-robin']]]);
    // a staged run is no ladder step
    expect(rep.summary.ladder).toEqual([]);
  });
});
