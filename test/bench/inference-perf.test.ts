/**
 * The inference-perf harness: the rendered Job is schema-valid and shares the client's labels and
 * security with the vllm bench serve Job; its config is what the workload spec says and validates
 * against the vendored v0.6.1 schema (which refuses what upstream would silently ignore); its report
 * files are normalised into the project's result format with per-stage results; and the runner runs it
 * end to end against a fake cluster, through a router profile.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadConfig } from '../../lib/config';
import { extractReportFiles, fillStageCacheFigures, normaliseInferencePerf, stageTimesFromLog } from '../../lib/bench/inference-perf-results';
import { planRun } from '../../lib/bench/plan';
import { BenchmarkRunner, runPlan } from '../../lib/bench/runner';
import { parseResult } from '../../lib/bench/results-io';
import type { TimeSeriesFile } from '../../lib/bench/result-format';
import { benchmarkPodLabels, type BenchmarkRun, renderBenchmarkJob } from '../../k8s/bench/benchmark-job';
import { renderHarnessJob } from '../../k8s/bench/harness-job';
import { inferencePerfConfigs, INFERENCE_PERF_CONTAINER } from '../../k8s/bench/inference-perf-job';
import { inferencePerfConfigProblems } from '../../k8s/bench/inference-perf-schema';
import { formatIssues, validateObjects } from '../../k8s/validate';
import { benchmarkReportProblems } from '../../lib/bench/report/llmd-benchmark';
import { FakeClock, FakeKube, fixture, fixtureText } from './fakes';
import { tempDir } from '../temp-dir';
import { runCli } from '../run-cli';

const shared = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,8:50', 'benchmark.warmupStage': '1:30' });
const multiTurn = loadConfig({ 'workload.name': 'multi-turn', 'benchmark.requestRate': 4, 'benchmark.numPrompts': 480, 'workload.multiTurn.thinkTimeS': 'n:3:1' });
const random = loadConfig({ 'workload.name': 'random', 'workload.random.inputLen': 'ln:800:0.4', 'benchmark.maxConcurrency': 64 });
const run = (label: BenchmarkRun['label'], requestRate: BenchmarkRun['requestRate'], numPrompts: number): BenchmarkRun => ({ label, requestRate, numPrompts, runId: 't1', phase: 'main' });

describe('the Job', () => {
  const jobs = [
    renderHarnessJob(shared, run('round-robin', 5, 500)),
    renderHarnessJob(multiTurn, run('llm-d-approximate', 4, 480)),
    renderHarnessJob(random, run('llm-d', 'inf', 9000)),
  ];

  test('every rendered inference-perf Job is schema-valid (Kubernetes 1.36 OpenAPI, unknown fields refused)', () => {
    expect(formatIssues(validateObjects(jobs))).toBe('');
  });

  test('same labels, node, security and volumes as the vllm bench serve client: the NetworkPolicies select it alike', () => {
    const vllm = renderBenchmarkJob(loadConfig({}), run('round-robin', 'inf', 9000));
    const ip = jobs[0];
    expect(ip.spec.template.metadata.labels).toEqual(benchmarkPodLabels(run('round-robin', 5, 500)));
    expect(ip.spec.template.metadata.labels).toEqual(vllm.spec.template.metadata.labels);
    // The hardened client (main): anti-affinity to the EPP, the results fileset claim, size-limited emptyDirs, read-only root.
    for (const k of ['nodeSelector', 'affinity', 'securityContext', 'automountServiceAccountToken', 'enableServiceLinks', 'volumes', 'restartPolicy']) {
      expect([k, ip.spec.template.spec[k]]).toEqual([k, vllm.spec.template.spec[k]]);
    }
    const c = ip.spec.template.spec.containers[0];
    // Pulled by digest (lib/config/tables/image-digests.ts); the tag stays in the pod annotation.
    expect(c).toMatchObject({ name: INFERENCE_PERF_CONTAINER, image: 'quay.io/inference-perf/inference-perf@sha256:e29328cc223ebae58d9022d60ad651cc3c4cbd534885a78b28f54086aa4b9c9e' });
    expect(ip.spec.template.metadata.annotations).toEqual({ [`llmd-bench/image.${INFERENCE_PERF_CONTAINER}`]: 'quay.io/inference-perf/inference-perf:v0.6.1' });
    expect(c.volumeMounts).toEqual(vllm.spec.template.spec.containers[0].volumeMounts);
    expect(c.securityContext).toEqual(vllm.spec.template.spec.containers[0].securityContext);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'HF_HUB_OFFLINE', value: '1' }]));
  });

  test('the configs ride in env vars: the measured run, and the warm-up stage as its own run before it', () => {
    const env = Object.fromEntries(jobs[0].spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const main = parse(env.INFERENCE_PERF_CONFIG);
    const warm = parse(env.INFERENCE_PERF_WARMUP_CONFIG);
    expect(main.load.stages).toEqual([{ rate: 2, duration: 50 }, { rate: 8, duration: 50 }]);
    expect(warm.load.stages).toEqual([{ rate: 1, duration: 30 }]);
    expect(main.storage.local_storage.path).not.toBe(warm.storage.local_storage.path);
    expect(jobs[0].spec.template.spec.containers[0].command[2]).toMatch(/inference-perf --config_file "\$HOME\/config\/warmup.yaml"[\s\S]*===LLMD-BENCH-MEASURED-RUN===[\s\S]*inference-perf --config_file "\$HOME\/config\/config.yaml"/);
    expect(env.INFERENCE_PERF_WARMUP_CONFIG).toBeDefined();
    expect(jobs[1].spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)).not.toContain('INFERENCE_PERF_WARMUP_CONFIG');
  });
});

describe('the inference-perf config', () => {
  const cfg = (c: typeof shared, r: BenchmarkRun) => inferencePerfConfigs(c, r).main as Record<string, any>;

  test('shared-prefix: groups, prompts, lengths, seed; poisson stages; one worker whose semaphore is the cap; completions streamed', () => {
    const c = cfg(shared, run('round-robin', 5, 500));
    expect(c.data).toEqual({ type: 'shared_prefix', shared_prefix: { num_groups: 32, num_prompts_per_group: 32, system_prompt_len: 2048, question_len: 256, output_len: 256, seed: 0 } });
    expect(c.load).toEqual({ type: 'poisson', interval: 0, stages: [{ rate: 2, duration: 50 }, { rate: 8, duration: 50 }], num_workers: 1, worker_max_concurrency: 512, worker_max_tcp_connections: 2500, base_seed: 0 });
    expect(c.api).toEqual({ type: 'completion', streaming: true });
    expect(c.server).toEqual({ type: 'vllm', model_name: 'Qwen/Qwen2.5-7B-Instruct', base_url: 'http://vllm-round-robin.llmd-bench.svc.cluster.local:8000', ignore_eos: true });
    expect(c.tokenizer).toEqual({ pretrained_model_name_or_path: '/models/Qwen/Qwen2.5-7B-Instruct' });
    expect(c.report.request_lifecycle).toMatchObject({ summary: true, per_stage: true, per_request: false, percentiles: [50, 90, 99] });
  });

  test('multi-turn: conversation_replay with T fixed turns, U and O per turn, think time, max_model_len; a finite rate is one stage', () => {
    const c = cfg(multiTurn, run('llm-d-approximate', 4, 480));
    expect(c.server.base_url).toBe('http://llm-d-router.llmd-bench.svc.cluster.local:80');
    expect(c.data.type).toBe('conversation_replay');
    expect(c.data.conversation_replay).toEqual({
      seed: 0, num_conversations: 64, shared_system_prompt_len: 512,
      turns_per_conversation: { type: 'fixed', min: 8, max: 8, mean: 8, std_dev: 0 },
      input_tokens_per_turn: { type: 'fixed', min: 128, max: 128, mean: 128, std_dev: 0 },
      output_tokens_per_turn: { type: 'fixed', min: 128, max: 128, mean: 128, std_dev: 0 },
      tool_call_latency_sec: { type: 'normal', min: 0, max: 6, mean: 3, std_dev: 1 },
      max_model_len: 4096,
    });
    expect(c.load.stages).toEqual([{ rate: 4, duration: 120 }]);
  });

  test('random at rate inf: a closed loop of maxConcurrency (concurrent); the lognormal shifted for generate_distribution', () => {
    const c = cfg(random, run('llm-d', 'inf', 9000));
    expect(c.load).toMatchObject({ type: 'concurrent', stages: [{ num_requests: 9000, concurrency_level: 64 }] });
    expect(c.data.type).toBe('random');
    expect(c.data.input_distribution).toMatchObject({ type: 'lognormal', min: 241, max: 2656 });
    expect(c.data.input_distribution.mean).toBeCloseTo(241 + 800 * Math.exp(0.08), 4);
  });

  test('every rendered config validates against the vendored v0.6.1 schema', () => {
    for (const [c, r] of [[shared, run('round-robin', 5, 500)], [multiTurn, run('llm-d', 4, 480)], [random, run('llm-d', 'inf', 9000)]] as const) {
      const { main, warmup } = inferencePerfConfigs(c, r);
      expect(inferencePerfConfigProblems(main)).toEqual([]);
      if (warmup) expect(inferencePerfConfigProblems(warmup)).toEqual([]);
    }
  });

  test('the schema refuses what inference-perf would silently ignore or reject', () => {
    const good = cfg(shared, run('round-robin', 5, 500));
    const broken = (mutate: (c: Record<string, any>) => void) => {
      const c = JSON.parse(JSON.stringify(good));
      mutate(c);
      return inferencePerfConfigProblems(c).join('\n');
    };
    expect(broken((c) => { c.data.shared_prefix.num_group = 3; })).toMatch(/shared_prefix must NOT have additional properties "num_group"/);
    expect(broken((c) => { c.load.stages[0].duration = 2.5; })).toMatch(/duration must be integer/);
    expect(broken((c) => { c.load.type = 'concurrent'; })).toMatch(/must have required property 'num_requests'/);
    expect(broken((c) => { c.api.type = 'chat-completion'; })).toMatch(/api\/type must be equal to one of the allowed values/);
    expect(broken((c) => { delete c.server.base_url; })).toMatch(/must have required property 'base_url'/);
  });
});

describe('normalising inference-perf\'s report files', () => {
  const log = fixtureText('inference-perf/pod-log-success.txt');
  const files = new Map([...extractReportFiles(log)].map(([k, v]) => [k, JSON.parse(v)]));
  const result = normaliseInferencePerf({
    files, label: 'round-robin', requestRate: 5, maxConcurrency: 512, staged: true, modelId: 'Qwen/Qwen2.5-7B-Instruct', date: '20261125-230236',
    stages: [{ rate: 2, durationS: 50 }, { rate: 8, durationS: 50 }], percentiles: [50, 90, 99],
  });

  test('the log carries the three report files of the measured run', () => {
    expect([...files.keys()].sort()).toEqual(['stage_0_lifecycle_metrics.json', 'stage_1_lifecycle_metrics.json', 'summary_lifecycle_metrics.json']);
    expect(files.get('stage_1_lifecycle_metrics.json')).toEqual(fixture('inference-perf/stage_1_lifecycle_metrics.json'));
  });

  test('whole-run keys in vLLM\'s names and units (ms), from the summary', () => {
    expect(parseResult(result, 'normalised')).toEqual(result);
    expect(result).toMatchObject({
      label: 'round-robin', request_rate: 5, completed: 500, failed: 0, duration: 117.4, num_prompts: 500,
      total_input_tokens: 1152000, total_output_tokens: 128000, request_throughput: 4.259, output_throughput: 1090.3, total_token_throughput: 10903,
      source: 'inference-perf',
    });
    expect(result.mean_ttft_ms).toBeCloseTo(342, 6);
    expect(result.median_ttft_ms).toBeCloseTo(296, 6);
    expect(result.p99_ttft_ms).toBeCloseTo(880, 6);
    expect(result.p90_tpot_ms).toBeCloseTo(44, 6);
    expect(result.mean_e2el_ms).toBeCloseTo(10000, 6);
  });

  test('one stage result per stage file, in order', () => {
    expect(result.stages).toEqual([
      expect.objectContaining({ rate: 2, duration_s: 50, completed: 100, request_throughput: 1.692, output_throughput: 433.2, prefix_cache_hit_rate: null, elapsed_s: 59.1 }),
      expect.objectContaining({ rate: 8, duration_s: 50, completed: 400, request_throughput: 7.233 }),
    ]);
    expect(result.stages![1].p99_ttft_ms).toBeCloseTo(910, 6);
    expect(result.stages![1].mean_tpot_ms).toBeCloseTo(39, 6);
  });

  test('stage windows from inference-perf\'s log lines after the marker (the warm-up run\'s are ignored)', () => {
    const w = stageTimesFromLog(log);
    expect(w).toEqual([
      { stage: 0, start: Date.parse('2026-11-25T23:00:41.250Z') / 1000, end: Date.parse('2026-11-25T23:01:40.350Z') / 1000 },
      { stage: 1, start: Date.parse('2026-11-25T23:01:40.400Z') / 1000, end: Date.parse('2026-11-25T23:02:35.700Z') / 1000 },
    ]);
  });

  test('each stage gets the hit rate and queue peak of the Prometheus samples inside its window', () => {
    const t0 = Date.parse('2026-11-25T23:00:30Z') / 1000;
    const pts = (f: (t: number) => number) => Array.from({ length: 14 }, (_, i) => [i * 10, f(i * 10)] as [number, number]);
    const ts: TimeSeriesFile = {
      label: 'round-robin', request_rate: 5, started_at: new Date(t0 * 1000).toISOString(), step_s: 10, source: 'prometheus',
      series: {
        prefix_cache_hit_rate: { a: pts((t) => (t < 80 ? 0.2 : 0.8)), b: pts((t) => (t < 80 ? 0.4 : 0.6)) },
        num_requests_waiting: { a: pts((t) => (t === 90 ? 5 : 1)), b: pts(() => 2) },
      },
    };
    const filled = fillStageCacheFigures(result, stageTimesFromLog(log), ts);
    expect(filled.stages![0].prefix_cache_hit_rate).toBeCloseTo(0.3, 9);
    expect(filled.stages![1].prefix_cache_hit_rate).toBeCloseTo(0.7, 9);
    expect(filled.stages![0].max_waiting).toBe(3);
    expect(filled.stages![1].max_waiting).toBe(7);
  });
});

describe('run with the inference-perf harness, through a router profile', () => {
  test('points the EPP at the profile before its restart, runs the Job, writes the normalised result with its stages', async () => {
    // cacheReset=endpoint: the fake cluster has no vLLM Deployment to restart (main's default is restart).
    const cfg = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,8:50', 'router.profiles': 'precise,approximate', 'benchmark.cacheReset': 'endpoint' });
    const kube = new FakeKube();
    kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'complete', log: fixtureText('inference-perf/pod-log-success.txt') });
    const outDir = tempDir('llmd-ip-run-');
    const steps = planRun(cfg, { targets: 'rr,approximate', ladder: false, warmup: false, runId: 't1', outDir });
    expect(steps.map((s) => [s.run.label, s.run.requestRate, s.jobName])).toEqual([
      ['round-robin', 5, 'llmd-bench-rr-main-5-t1'], ['llm-d-approximate', 5, 'llmd-bench-llmd-approximate-main-5-t1'],
    ]);
    const runner = new BenchmarkRunner({ config: cfg, kube, clock: new FakeClock() });
    await runPlan(runner, steps, () => ({ update: () => undefined, warn: () => undefined }));
    const created = kube.calls.filter((c) => c.startsWith('createJob:'));
    expect(created).toEqual(['createJob:llmd-bench-rr-main-5-t1', 'createJob:llmd-bench-llmd-approximate-main-5-t1']);
    expect(kube.logContainers).toEqual([INFERENCE_PERF_CONTAINER, INFERENCE_PERF_CONTAINER]);
    const patch = kube.calls.find((c) => c.startsWith('patchDeployment:vllm-decode-epp'));
    expect(patch).toContain('--config-file=/config/endpoint-picker-config-approximate.yaml');
    expect(kube.calls.indexOf(patch!)).toBeLessThan(kube.calls.findIndex((c) => c.startsWith('restartDeployment:vllm-decode-epp')));
    const written = JSON.parse(fs.readFileSync(steps[1].resultPath, 'utf8'));
    expect(written).toMatchObject({ label: 'llm-d-approximate', request_rate: 5, completed: 500, source: 'inference-perf', llmd_bench_run_id: 't1' });
    expect(written.stages.map((s: { rate: number }) => s.rate)).toEqual([2, 8]);
    fs.rmSync(outDir, { recursive: true, force: true });
  });
});


describe('what `run --harness inference-perf` wrote, through `llmd-bench report` (both formats)', () => {
  const profiles = ['round-robin', 'llm-d-precise', 'llm-d-approximate'];
  let outDir = '';
  beforeAll(async () => {
    const cfg = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,8:50', 'router.profiles': 'precise,approximate', 'benchmark.cacheReset': 'endpoint' });
    const kube = new FakeKube();
    kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'complete', log: fixtureText('inference-perf/pod-log-success.txt') });
    outDir = tempDir('llmd-ip-report-');
    const steps = planRun(cfg, { targets: 'rr,precise,approximate', ladder: false, warmup: false, runId: 't1', outDir });
    await runPlan(new BenchmarkRunner({ config: cfg, kube, clock: new FakeClock() }), steps, () => ({ update: () => undefined, warn: () => undefined }));
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  test('report.md: one column per path that ran (no empty llm-d column, no advantage nobody can compute), the stage table and its plots', async () => {
    const r = await runCli(['report', outDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/SIMULATED/);
    expect(r.stdout).toMatch(/^\| metric \| round-robin \| llm-d-precise \| llm-d-approximate \|\n/m);
    const md = fs.readFileSync(path.join(outDir, 'report', 'report.md'), 'utf8');
    expect(md).toMatch(/^\| metric \| round-robin \| llm-d-precise \| llm-d-approximate \|\n/m);
    expect(md).not.toMatch(/Advantage is llm-d relative to round-robin/);
    expect(md).toMatch(/no `llm-d` result/);
    const stageRows = md.split('\n').filter((l) => /^\| \d+ req\/s x 50 s \|/.test(l)).map((l) => l.split(' | ').slice(0, 4).join(' | '));
    expect(stageRows).toEqual([
      ...profiles.map((p) => `| 2 req/s x 50 s | ${p} | 100 | 1.69`),
      ...profiles.map((p) => `| 8 req/s x 50 s | ${p} | 400 | 7.23`),
    ]);
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'report', 'summary.json'), 'utf8'));
    expect(summary.source).toBe('measurement');
    expect(summary.stages.map((s: { rate: number; paths: object }) => [s.rate, Object.keys(s.paths)])).toEqual([[2, profiles], [8, profiles]]);
    for (const svg of ['ttft-vs-stage-rate.svg', 'throughput-vs-stage-rate.svg']) {
      const text = fs.readFileSync(path.join(outDir, 'report', svg), 'utf8');
      for (const p of profiles) expect([svg, p, text.includes(p)]).toEqual([svg, p, true]);
    }
  });

  test('--format llmd-benchmark: one valid report per path and stage', async () => {
    const out = path.join(outDir, 'br');
    const r = await runCli(['report', outDir, '--format', 'llmd-benchmark', '--out', out]);
    expect(r.code).toBe(0);
    const names = fs.readdirSync(out).sort();
    expect(names).toEqual(profiles.flatMap((p) => [0, 1].map((i) => `benchmark_report_v0.2,_${p}_rate-5_t1_stage_${i}.yaml`)).sort());
    for (const f of names) expect([f, benchmarkReportProblems(parse(fs.readFileSync(path.join(out, f), 'utf8')))]).toEqual([f, []]);
  });
});
