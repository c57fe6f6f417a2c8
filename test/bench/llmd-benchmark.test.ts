/**
 * `report DIR --format llmd-benchmark`: llm-d-benchmark benchmark reports (v0.2) that validate against
 * the vendored JSON Schema of llm-d-benchmark v0.8.0 and its unit rules, from measured (vLLM's files),
 * inference-perf-normalised and simulated (staged) results, through the library and the CLI entry
 * (in-process); scenario.stack with tensor parallelism (replicas x TP accelerators, the registry's GPU
 * name, the image tags); and the per-stage part of our own report.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadConfig } from '../../lib/config';
import { generateReport } from '../../lib/bench/report';
import { benchmarkReportProblems, writeLlmdBenchmarkReports } from '../../lib/bench/report/llmd-benchmark';
import { extractReportFiles, normaliseInferencePerf } from '../../lib/bench/inference-perf-results';
import { RUN_CONFIG_FILE, runConfigRecord } from '../../lib/bench/result-format';
import { simulate } from '../../lib/sim';
import { writeResultsDir } from '../../lib/sim/output';
import { FIXTURES } from './fakes';
import { tempDir } from '../temp-dir';
import { runCli } from '../run-cli';

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
    // The workload's structure (schema_v0_2.py LoadPrefix, as llm-d-benchmark fills it for shared_prefix):
    // 8 groups x 32 prompts, one 2048-token system prompt per group; random tokens; single-turn.
    expect(s1.scenario.load.standardized.source).toBe('random');
    expect(s1.scenario.load.standardized.prefix).toEqual({ prefix_len: { distribution: 'fixed', value: 2048 }, num_groups: 8, num_users_per_group: 32, num_prefixes: 1 });
    expect(s1.scenario.load.standardized.multi_turn).toBeUndefined();
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

/** The engine and router components of a report's scenario.stack, by kind. */
function stackOf(report: { scenario: { stack?: { standardized: Record<string, any>; native: Record<string, any>; metadata: Record<string, any> }[] } }) {
  const stack = report.scenario.stack ?? [];
  return { engine: stack.find((s) => s.standardized.kind === 'inference_engine'), router: stack.find((s) => s.standardized.kind === 'generic') };
}

function readReports(dir: string, names: string[]) {
  return names.map((f) => ({ f, r: parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

describe('scenario.stack with tensor parallelism: 2 x p5.48xlarge, Qwen3-32B, TP 2 (8 replicas of 2 H100)', () => {
  const c = loadConfig({ 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' });
  // llm-d-benchmark v0.2 (schema_v0_2.py InferenceEngineAccelerator): count = "Total utilized accelerator
  // count" (8 replicas x TP 2), model = "Hardware model name"; tool_version the image tag.
  const engine = {
    kind: 'inference_engine', tool: 'vllm', tool_version: c.vllm.tag, role: 'replica', replicas: 8,
    model: { name: 'Qwen/Qwen3-32B' }, accelerator: { model: 'H100', count: 16, parallelism: { tp: 2 } },
  };

  function expectTpStack(out: string, written: string[]) {
    expect(written.length).toBeGreaterThan(0);
    for (const { f, r } of readReports(out, written)) {
      expect([f, benchmarkReportProblems(r)]).toEqual([f, []]);
      const { engine: e, router } = stackOf(r);
      expect(e?.standardized).toEqual(engine);
      expect(e?.native).toEqual({ config: { image: `${c.vllm.image}:${c.vllm.tag}` } });
      if (/round-robin/.test(f)) expect(router?.standardized).toMatchObject({ tool: 'kubernetes-service', tool_version: 'kube-proxy' });
      else expect(router?.standardized).toMatchObject({ tool: 'llm-d-router', tool_version: c.router.eppTag });
    }
  }

  test('simulated: TP, GPU count and model, image tags from the simulation', () => {
    const dir = tmp();
    writeResultsDir(simulate(c, { routers: ['round-robin', 'llm-d'], overrides: { numPrompts: 300 } }), dir);
    const out = path.join(dir, 'benchmark-report');
    expectTpStack(out, writeLlmdBenchmarkReports(dir, out));
  });

  test('measured: TP, GPU count and model, image tags from the run config file', () => {
    const dir = tmp();
    const ref = path.join(FIXTURES, 'results', 'reference');
    for (const f of fs.readdirSync(ref)) {
      const r = JSON.parse(fs.readFileSync(path.join(ref, f), 'utf8'));
      fs.writeFileSync(path.join(dir, f), JSON.stringify({ ...r, model_id: 'Qwen/Qwen3-32B' }));
    }
    fs.writeFileSync(path.join(dir, RUN_CONFIG_FILE), JSON.stringify(runConfigRecord(c, { runId: 'tp2', target: 'both', ladder: false, warmup: false })));
    const out = path.join(dir, 'benchmark-report');
    expectTpStack(out, writeLlmdBenchmarkReports(dir, out));
  });
});

describe('scenario.load describes the workload\'s structure (prefix, multi_turn, source)', () => {
  /** The load block of every report written for a simulation of `ctx` (checking each validates). */
  function simulatedLoads(ctx: Record<string, unknown>, numPrompts?: number) {
    const dir = tmp();
    writeResultsDir(simulate(loadConfig(ctx), { routers: ['round-robin'], overrides: { replicas: 2, ...(numPrompts ? { numPrompts } : {}) } }), dir);
    const out = path.join(dir, 'br');
    return readReports(out, writeLlmdBenchmarkReports(dir, out)).map(({ f, r }) => {
      expect([f, benchmarkReportProblems(r)]).toEqual([f, []]);
      return r.scenario.load.standardized;
    });
  }

  test('multi-turn: multi_turn with max_turns T, and the system prompt all C conversations share as the prefix', () => {
    const loads = simulatedLoads({ 'workload.name': 'multi-turn', 'workload.multiTurn.conversations': 6, 'workload.multiTurn.turns': 3, 'workload.multiTurn.systemPromptLen': 300, 'benchmark.stages': '2:6' });
    expect(loads).toHaveLength(1);
    expect(loads[0]).toMatchObject({
      source: 'random',
      multi_turn: { enabled: true, max_turns: { distribution: 'fixed', value: 3 } },
      prefix: { prefix_len: { distribution: 'fixed', value: 300 }, num_groups: 1, num_users_per_group: 6, num_prefixes: 1 },
    });
  });

  test('shared-prefix with a distributed system-prompt length: the distribution in the schema\'s terms', () => {
    const [uniform] = simulatedLoads({ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.groups': 3, 'workload.sharedPrefix.promptsPerGroup': 4, 'workload.sharedPrefix.systemPromptLen': '500-700', 'benchmark.stages': '2:6' });
    expect(uniform.prefix).toEqual({ prefix_len: { distribution: 'uniform', value: 600, min: 500, max: 700 }, num_groups: 3, num_users_per_group: 4, num_prefixes: 1 });
    const [normal] = simulatedLoads({ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.groups': 3, 'workload.sharedPrefix.systemPromptLen': 'n:600:50', 'benchmark.stages': '2:6' });
    expect(normal.prefix.prefix_len).toEqual({ distribution: 'gaussian', value: 600, std_dev: 50, min: 450, max: 750 });
  });

  test('random: no prefix, no multi_turn', () => {
    for (const l of simulatedLoads({ 'workload.name': 'random', 'workload.random.inputLen': 200, 'benchmark.stages': '2:6' })) {
      expect(l.source).toBe('random');
      expect(l.prefix).toBeUndefined();
      expect(l.multi_turn).toBeUndefined();
    }
  });

  test('prefix-repetition (vllm bench serve): numPrefixes groups of numPrompts / numPrefixes prompts, simulated and measured', () => {
    const [sim] = simulatedLoads({ 'benchmark.numPrefixes': 10, 'benchmark.prefixLen': 1000 }, 60);
    expect(sim.prefix).toEqual({ prefix_len: { distribution: 'fixed', value: 1000 }, num_groups: 10, num_users_per_group: 6, num_prefixes: 1 });
    // measured: the reference results (9000 prompts each) with the run config of the default configuration (150 x 2048)
    const dir = tmp();
    const ref = path.join(FIXTURES, 'results', 'reference');
    for (const f of fs.readdirSync(ref)) fs.copyFileSync(path.join(ref, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, RUN_CONFIG_FILE), JSON.stringify(runConfigRecord(loadConfig({}), { runId: 'ref', target: 'both', ladder: false, warmup: false })));
    const out = path.join(dir, 'br');
    for (const { f, r } of readReports(out, writeLlmdBenchmarkReports(dir, out))) {
      expect([f, benchmarkReportProblems(r)]).toEqual([f, []]);
      expect(r.scenario.load.standardized.prefix).toEqual({ prefix_len: { distribution: 'fixed', value: 2048 }, num_groups: 150, num_users_per_group: 60, num_prefixes: 1 });
    }
  });

  test('a directory with no side file: the structure is not guessed', () => {
    const out = path.join(tmp(), 'br');
    for (const { r } of readReports(out, writeLlmdBenchmarkReports(path.join(FIXTURES, 'results', 'reference'), out))) {
      expect(r.scenario.load.standardized.source).toBe('random');
      expect(r.scenario.load.standardized.prefix).toBeUndefined();
    }
  });
});

describe('an inference-perf result directory (the normalised result `run --harness inference-perf` writes)', () => {
  const log = fs.readFileSync(path.join(FIXTURES, 'inference-perf', 'pod-log-success.txt'), 'utf8');
  const files = new Map([...extractReportFiles(log)].map(([k, v]) => [k, JSON.parse(v)]));
  const result = normaliseInferencePerf({
    files, label: 'llm-d', requestRate: 5, maxConcurrency: 512, staged: true, modelId: 'Qwen/Qwen2.5-7B-Instruct', date: '20261125-230236',
    stages: [{ rate: 2, durationS: 50 }, { rate: 8, durationS: 50 }], percentiles: [50, 90, 99],
  });
  const resultDir = () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'llm-d_rate-5_t1.json'), JSON.stringify({ ...result, llmd_bench_run_id: 't1', llmd_bench_phase: 'main' }));
    return dir;
  };

  test('with its run config: one valid report per stage, tool inference-perf, the stack from the config file', () => {
    const dir = resultDir();
    const c = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,8:50' });
    fs.writeFileSync(path.join(dir, RUN_CONFIG_FILE), JSON.stringify(runConfigRecord(c, { runId: 't1', target: 'llm-d', ladder: false, warmup: false })));
    const out = path.join(dir, 'br');
    const written = writeLlmdBenchmarkReports(dir, out);
    expect(written).toEqual(['benchmark_report_v0.2,_llm-d_rate-5_t1_stage_0.yaml', 'benchmark_report_v0.2,_llm-d_rate-5_t1_stage_1.yaml']);
    for (const { f, r } of readReports(out, written)) {
      expect([f, benchmarkReportProblems(r)]).toEqual([f, []]);
      expect(r.scenario.load.standardized).toMatchObject({ tool: 'inference-perf', tool_version: c.benchmark.inferencePerfTag });
      // from the run config: the default shared-prefix workload, 32 groups x 32 prompts x 2048-token system prompts
      expect(r.scenario.load.standardized.prefix).toEqual({ prefix_len: { distribution: 'fixed', value: 2048 }, num_groups: 32, num_users_per_group: 32, num_prefixes: 1 });
      expect(stackOf(r).engine?.standardized).toMatchObject({ replicas: 8, accelerator: { model: 'A10G', count: 8, parallelism: { tp: 1 } } });
      expect(stackOf(r).engine?.metadata.description).toBeUndefined();
    }
    const s1 = parse(fs.readFileSync(path.join(out, written[1]), 'utf8'));
    expect(s1.scenario.load.standardized).toMatchObject({ stage: 1, rate_qps: 8 });
  });

  test('without a config file, through the CLI entry: the stack comes from the current configuration, and says so', async () => {
    const dir = resultDir();
    const out = path.join(dir, 'br');
    const r = await runCli(['report', dir, '--format', 'llmd-benchmark', '--out', out, '-c', 'gpuNodes.instanceType=g6e.xlarge']);
    expect(r.stderr).toMatch(/no llmd-bench-run\.config\.json/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote 2 llm-d-benchmark report\(s\) to .*br: benchmark_report_v0\.2,_llm-d_rate-5_t1_stage_0\.yaml, benchmark_report_v0\.2,_llm-d_rate-5_t1_stage_1\.yaml\n$/);
    for (const { f, r: rep } of readReports(out, fs.readdirSync(out))) {
      expect([f, benchmarkReportProblems(rep)]).toEqual([f, []]);
      const { engine, router } = stackOf(rep);
      expect(engine?.standardized).toMatchObject({ replicas: 8, accelerator: { model: 'L40S', count: 8, parallelism: { tp: 1 } } });
      expect(engine?.metadata.description).toMatch(/from the llmd-bench configuration at report time \(cdk\.json and -c\)/);
      expect(router?.standardized).toMatchObject({ tool: 'llm-d-router', path: 'llm-d' });
    }
  });
});

describe('report --format llmd-benchmark through the CLI entry', () => {
  test('the reference results: the reports are written, valid, and the count is printed', async () => {
    const out = path.join(tmp(), 'br');
    const r = await runCli(['report', 'test/fixtures/results/reference', '--format', 'llmd-benchmark', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote 2 llm-d-benchmark report\(s\) to /);
    const names = fs.readdirSync(out).sort();
    expect(names).toHaveLength(2);
    for (const { f, r: rep } of readReports(out, names)) expect([f, benchmarkReportProblems(rep)]).toEqual([f, []]);
  });

  test.each([
    [['--json'], /^llmd-bench report: --json applies to --format llmd-bench \(summary\.json\); --format llmd-benchmark writes its YAML reports to --out$/],
    [['--main-rate', 'inf'], /^llmd-bench report: --main-rate applies to --format llmd-bench; --format llmd-benchmark writes one report per result and stage, every rate$/],
  ])('%j is refused with llmd-benchmark: exit 2, one line and a hint, nothing written', async (extra, message) => {
    const out = path.join(tmp(), 'br');
    const r = await runCli(['report', 'test/fixtures/results/reference', '--format', 'llmd-benchmark', '--out', out, ...extra]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines).toHaveLength(2);
    expect(fs.existsSync(out)).toBe(false);
  });
});
