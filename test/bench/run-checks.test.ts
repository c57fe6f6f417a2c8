/**
 * After each run: proof from Prometheus (recorded answers) that the measured path was live. An llm-d
 * run whose EPP heard nothing from a pod, held an empty index or looked nothing up is INVALID, as is
 * an approximate-profile run whose producer indexed or matched nothing, and a round-robin run in which
 * a pod served nothing; the result, the report and summary.json say so.
 * CPU throttling of vLLM, EPP and Envoy is recorded and warned above 5%.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../lib/config';
import { planRun } from '../../lib/bench/plan';
import { prometheusServiceRef, prometheusViaKube } from '../../lib/bench/prometheus';
import { generateReport } from '../../lib/bench/report';
import { BenchmarkRunner, runPlan, StepHooks } from '../../lib/bench/runner';
import { APPROX_PREFIX_METRICS, EPP_METRICS, THROTTLE_CONTAINERS, checkRun, identifiesPod, pathChecksFor } from '../../lib/bench/run-checks';
import type { RunChecksFile } from '../../lib/bench/result-format';
import { allObjects, renderCharts } from '../../k8s/render';
import { defaultPrometheus, FakeClock, FakeKube, PromAnswers, referenceResult, successLog } from './fakes';

// The endpoint reset keeps the fakes small (no rolling restart); liveness is what is tested here.
const config = loadConfig({ 'benchmark.cacheReset': 'endpoint' });
const PODS = new FakeKube().decodePods.map((p) => p.metadata!.name!);
const window = { startS: 1795647000, endS: 1795647791 };

function prom(answers: Partial<PromAnswers> = {}) {
  const kube = new FakeKube();
  kube.serviceProxy = defaultPrometheus(answers);
  return prometheusViaKube(kube, prometheusServiceRef(config));
}

const check = (label: 'llm-d' | 'round-robin', answers: Partial<PromAnswers> = {}) =>
  checkRun(prom(answers), { config, label, requestRate: 'inf', decodePods: PODS, ...window });

describe('llm-d runs', () => {
  test('events from every pod, a non-empty index and lookups: valid', async () => {
    const r = await check('llm-d');
    expect(r.status).toBe('valid');
    expect(r.checks.map((c) => `${c.name}:${c.status}`)).toEqual(['kv_events_per_pod:pass', 'index_non_empty:pass', 'prefix_lookups:pass']);
    expect(r.checks[0].detail).toBe('KV-cache events received from all 8 decode pods (8 subscribers)');
    expect(r.checks[1].detail).toBe('the EPP\'s prefix index held 48210 block entries at the end');
  });

  test('a pod whose events never reached the EPP makes the result invalid, naming the pod', async () => {
    const r = await check('llm-d', { messages: 'epp-messages-by-pod-one-silent.json' });
    expect(r.status).toBe('invalid');
    expect(r.reasons).toEqual(['no KV-cache events reached the EPP from 1 of 8 decode pods (vllm-decode-6d5f8c7b9-dq6sx); its index did not know what those pods cache']);
  });

  test('an empty index or no lookups (render broken: every prefix score 0) make it invalid', async () => {
    expect((await check('llm-d', { indexed: 'epp-index-empty.json' })).reasons).toEqual(['the EPP\'s prefix index was empty at the end of the run: no KV events were indexed']);
    const noLookups = await check('llm-d', { lookups: 'epp-index-empty.json' });
    expect(noLookups.status).toBe('invalid');
    expect(noLookups.reasons[0]).toMatch(/looked up no request in its index: the render call produced no tokens/);
  });

  test('EPP metrics missing from Prometheus: unchecked, not valid', async () => {
    const r = await check('llm-d', { subscribers: 'empty', indexed: 'empty', lookups: 'empty' });
    expect(r.status).toBe('unchecked');
    expect(r.reasons[0]).toMatch(/Prometheus has no llm_d_router_epp_kv_cache_events_active_subscribers/);
  });

  test('without Prometheus nothing is claimed', async () => {
    const r = await checkRun(undefined, { config, label: 'llm-d', requestRate: 'inf', decodePods: PODS, ...window });
    expect(r).toMatchObject({ status: 'unchecked', checks: [], cpu_throttling: [] });
  });

  test('the queries use the v0.10.0 metric names and the project namespace', async () => {
    // llm-d-router v0.10.0 pkg/kvcache/metrics/collector.go (subsystem llm_d_router_epp).
    expect(EPP_METRICS).toEqual({
      activeSubscribers: 'llm_d_router_epp_kv_cache_events_active_subscribers',
      messagesReceived: 'llm_d_router_epp_kv_cache_events_messages_received_total',
      zmqErrors: 'llm_d_router_epp_kv_cache_events_zmq_errors_total',
      admissions: 'llm_d_router_epp_kv_cache_index_admissions_total',
      evictions: 'llm_d_router_epp_kv_cache_index_evictions_total',
      lookups: 'llm_d_router_epp_kv_cache_index_lookup_requests_total',
      lookupHits: 'llm_d_router_epp_kv_cache_index_lookup_hits_total',
    });
    const queries: string[] = [];
    const kube = new FakeKube();
    const base = defaultPrometheus();
    kube.serviceProxy = (ns, svc, port, p, q) => { queries.push(q.query); return base(ns, svc, port, p, q); };
    await checkRun(prometheusViaKube(kube, prometheusServiceRef(config)), { config, label: 'llm-d', requestRate: 'inf', decodePods: PODS, ...window });
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const q of queries) expect(q).toContain('namespace="llmd-bench"');
  });
});

describe('round-robin runs', () => {
  test('every pod served: valid', async () => {
    const r = await check('round-robin');
    expect(r).toMatchObject({ status: 'valid', checks: [{ name: 'every_pod_served', status: 'pass' }] });
  });

  test('a decode pod that served nothing makes the result invalid', async () => {
    const r = await check('round-robin', { served: 'vllm-served-by-pod-one-idle.json' });
    expect(r.status).toBe('invalid');
    expect(r.reasons).toEqual(['1 of 8 decode pods served no request (vllm-decode-6d5f8c7b9-7hb2c): the Service did not spread the load over all pods']);
  });
});

describe('router-profile runs (run --target <profile>): the checks their router makes sense for', () => {
  const profiles = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'router.profiles': 'precise,approximate,load,random' });
  const checkAs = (label: string, answers: Partial<PromAnswers> = {}, c = profiles) =>
    checkRun(prom(answers), { config: c, label, requestRate: 'inf', decodePods: PODS, ...window });

  test('which checks apply follows the profile\'s EndpointPickerConfig (precise producer: KV events; approximate producer: its index; no producer: every pod served)', () => {
    expect(['round-robin', 'llm-d', 'llm-d-precise', 'llm-d-approximate', 'llm-d-load', 'llm-d-random'].map((l) => pathChecksFor(profiles, l)))
      .toEqual(['every-pod', 'kv-events', 'kv-events', 'approx-index', 'every-pod', 'every-pod']);
    // `llm-d` is router.profile, whatever it is.
    expect(pathChecksFor(loadConfig({ 'router.profile': 'approximate' }), 'llm-d')).toBe('approx-index');
    expect(pathChecksFor(loadConfig({ 'router.profile': 'load' }), 'llm-d')).toBe('every-pod');
    // A label with no deployed profile: nothing to judge by.
    expect(pathChecksFor(config, 'llm-d-approximate')).toBe('none');
  });

  test('llm-d-precise is checked like llm-d: a silent pod makes it invalid', async () => {
    const r = await checkAs('llm-d-precise', { messages: 'epp-messages-by-pod-one-silent.json' });
    expect(r.status).toBe('invalid');
    expect(r.checks.map((c) => c.name)).toEqual(['kv_events_per_pod', 'index_non_empty', 'prefix_lookups']);
  });

  test('approximate with a live index: valid; KV events and the precise index are not asked for, throttling still recorded', async () => {
    const r = await checkAs('llm-d-approximate', { indexed: 'epp-index-empty.json', subscribers: 'empty' });
    expect(r.status).toBe('valid');
    expect(r.checks.map((c) => `${c.name}:${c.status}`)).toEqual(['approx_index_non_empty:pass', 'approx_prefix_matches:pass']);
    expect(r.checks.map((c) => c.detail)).toEqual([
      'the approximate producer\'s index held 23874 block entries at the end',
      'the approximate producer matched 8998 requests against its index',
    ]);
    expect(r.cpu_throttling.map((t) => t.container)).toEqual([...THROTTLE_CONTAINERS]);
  });

  test('approximate with the render server down (nothing hashed: index size 0, no hit-ratio sample): invalid, saying why', async () => {
    // The histogram is created on its first observation: with no tokens it never is, so the series is absent.
    const dead = await checkAs('llm-d-approximate', { approxIndexSize: 'epp-approx-index-size-zero.json', approxHitSamples: 'empty' });
    expect(dead.status).toBe('invalid');
    expect(dead.reasons).toEqual([
      'the approximate producer\'s index was empty at the end of the run: it hashed no prompt (no tokens from the render server?), so every prefix score was 0',
      'the approximate producer recorded no prefix match (llm_d_epp_prefix_indexer_hit_ratio): no request was hashed, so every prefix score was 0',
    ]);
    // Either symptom alone is enough.
    expect((await checkAs('llm-d-approximate', { approxIndexSize: 'epp-approx-index-size-zero.json' })).status).toBe('invalid');
    expect((await checkAs('llm-d-approximate', { approxHitSamples: 'epp-index-empty.json' })).status).toBe('invalid');
    // router.profile=approximate on the llm-d path is checked the same way.
    const llmd = await checkRun(prom({ approxHitSamples: 'empty' }), { config: loadConfig({ 'benchmark.cacheReset': 'endpoint', 'router.profile': 'approximate' }), label: 'llm-d', requestRate: 'inf', decodePods: PODS, ...window });
    expect(llmd.status).toBe('invalid');
  });

  test('approximate with the EPP\'s metrics not scraped: unchecked, not valid', async () => {
    const r = await checkAs('llm-d-approximate', { approxIndexSize: 'empty', approxHitSamples: 'empty' });
    expect(r.status).toBe('unchecked');
    expect(r.reasons[0]).toMatch(/Prometheus has no llm_d_epp_prefix_indexer_size/);
  });

  test('the approximate queries use the v0.10.0 names, the producer\'s plugin type and the project namespace', async () => {
    // llm-d-router v0.10.0 pkg/epp/framework/plugins/requestcontrol/dataproducer/approximateprefix/metrics.go
    expect(APPROX_PREFIX_METRICS).toEqual({ indexSize: 'llm_d_epp_prefix_indexer_size', hitRatio: 'llm_d_epp_prefix_indexer_hit_ratio' });
    const queries: string[] = [];
    const kube = new FakeKube();
    const base = defaultPrometheus();
    kube.serviceProxy = (ns, svc, port, p, q) => { queries.push(q.query); return base(ns, svc, port, p, q); };
    await checkRun(prometheusViaKube(kube, prometheusServiceRef(profiles)), { config: profiles, label: 'llm-d-approximate', requestRate: 'inf', decodePods: PODS, ...window });
    const approx = queries.filter((q) => q.includes('prefix_indexer'));
    expect(approx).toEqual([
      'sum(llm_d_epp_prefix_indexer_size{namespace="llmd-bench",plugin_type="approx-prefix-cache-producer"})',
      'sum(llm_d_epp_prefix_indexer_hit_ratio_count{namespace="llmd-bench",plugin_type="approx-prefix-cache-producer"})',
    ]);
  });

  test('load and random only spread load: an idle pod makes them invalid, KV events are not asked for', async () => {
    const load = await checkAs('llm-d-load', { subscribers: 'empty' });
    expect(load).toMatchObject({ status: 'valid', checks: [{ name: 'every_pod_served', status: 'pass' }] });
    const random = await checkAs('llm-d-random', { served: 'vllm-served-by-pod-one-idle.json' });
    expect(random.status).toBe('invalid');
    expect(random.reasons).toEqual(['1 of 8 decode pods served no request (vllm-decode-6d5f8c7b9-7hb2c): the endpoint picker did not spread the load over all pods']);
  });
});

describe('CPU throttling', () => {
  test('recorded per container (worst pod); above 5% is a warning; no CPU limit means no CFS quota', async () => {
    const r = await check('round-robin');
    expect(r.cpu_throttling).toEqual([
      { container: 'vllm', throttled_fraction: null, worst_pod: null, cpu_cores_max: 3.45, warn: false },
      { container: 'epp', throttled_fraction: 0.0731, worst_pod: 'vllm-decode-epp-7c9d6b5f4-qx2lm', cpu_cores_max: 1.94, warn: true },
      { container: 'envoy', throttled_fraction: 0.0112, worst_pod: 'vllm-decode-epp-7c9d6b5f4-qx2lm', cpu_cores_max: 0.48, warn: false },
    ]);
  });

  test('the containers are named as the charts render them', () => {
    const names = new Set(allObjects(renderCharts(config)).flatMap((o) => (o.spec?.template?.spec?.containers ?? []).map((c: { name: string }) => c.name)));
    for (const c of THROTTLE_CONTAINERS) expect(names).toContain(c);
  });
});

test('pod identifiers: the EPP endpoint id <namespace>/<pod>-rank-<n>, without confusing pod-1 and pod-10', () => {
  expect(identifiesPod('llmd-bench/vllm-decode-abc-1-rank-0', 'llmd-bench', 'vllm-decode-abc-1')).toBe(true);
  expect(identifiesPod('llmd-bench/vllm-decode-abc-10-rank-0', 'llmd-bench', 'vllm-decode-abc-1')).toBe(false);
  expect(identifiesPod('other/vllm-decode-abc-1-rank-0', 'llmd-bench', 'vllm-decode-abc-1')).toBe(false);
  expect(identifiesPod('vllm-decode-abc-1', 'llmd-bench', 'vllm-decode-abc-1')).toBe(true);
});

describe('a run whose llm-d path was not live', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmd-bench-invalid-'));
  const warnings: string[] = [];
  let outcomes: Awaited<ReturnType<typeof runPlan>>;

  beforeAll(async () => {
    const kube = new FakeKube();
    kube.serviceProxy = defaultPrometheus({ messages: 'epp-messages-by-pod-one-silent.json' });
    const runner = new BenchmarkRunner({ config, kube, clock: new FakeClock(), prometheus: prometheusViaKube(kube, prometheusServiceRef(config)) });
    const steps = planRun(config, { targets: 'both', ladder: false, warmup: false, runId: 't7', outDir });
    const hooks: StepHooks = { update: () => undefined, warn: (w) => warnings.push(w) };
    outcomes = await runPlan(runner, steps, () => hooks);
  });

  test('run marks the llm-d result invalid, keeps it, and says why', () => {
    expect(outcomes.map((o) => o.validity)).toEqual(['valid', 'invalid']);
    const checks = JSON.parse(fs.readFileSync(path.join(outDir, 'llm-d_rate-inf_t7.checks.json'), 'utf8')) as RunChecksFile;
    expect(checks).toMatchObject({ label: 'llm-d', status: 'invalid' });
    expect(checks.decode_pods).toHaveLength(8);
    expect(warnings.some((w) => /llm-d: main run .*: result INVALID: no KV-cache events reached the EPP from 1 of 8 decode pods/.test(w))).toBe(true);
    expect(warnings.some((w) => /container epp .* was CPU-throttled in 7\.3% of its CFS periods/.test(w))).toBe(true);
  });

  test('the report and summary.json say INVALID with the reason, and show the throttling', async () => {
    const out = await generateReport({ resultsDir: outDir, outDir: path.join(outDir, 'report'), mainRate: 'inf' });
    expect(out.summary.source).toBe('measurement');
    expect(out.summary.valid).toBe(false);
    expect(out.summary.invalid_reasons).toEqual(['llm-d at rate inf: no KV-cache events reached the EPP from 1 of 8 decode pods (vllm-decode-6d5f8c7b9-dq6sx); its index did not know what those pods cache']);
    expect(out.summary.main.validity).toEqual({
      'round-robin': { status: 'valid', reasons: [] },
      'llm-d': { status: 'invalid', reasons: [expect.stringMatching(/^no KV-cache events reached the EPP/)] },
    });
    expect(out.summary.main.cpu_throttling['llm-d']?.find((t) => t.container === 'epp')).toMatchObject({ throttled_fraction: 0.0731, warn: true });
    expect(out.summary.warnings.some((w) => /container epp .* CPU-throttled in 7\.3%/.test(w))).toBe(true);
    expect(out.markdown).toContain('**INVALID**: a liveness check failed');
    expect(out.markdown).toContain('| llm-d | inf | **invalid** |');
    expect(out.markdown).toContain('### CPU throttling during the main run (cAdvisor)');
    expect(out.markdown).toContain('| epp | 7.3% throttled ⚠, up to 1.94 cores | 7.3% throttled ⚠, up to 1.94 cores |');
    expect(out.markdown).toContain('| vllm | no CPU limit, up to 3.45 cores |');
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'report', 'summary.json'), 'utf8'));
    expect(summary.valid).toBe(false);
  });
});

describe('a run through router profiles: their results are checked and reported like llm-d\'s', () => {
  const cfg = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'router.profiles': 'precise,load' });
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmd-bench-profiles-'));
  let outcomes: Awaited<ReturnType<typeof runPlan>>;

  beforeAll(async () => {
    const kube = new FakeKube();
    kube.serviceProxy = defaultPrometheus({ messages: 'epp-messages-by-pod-one-silent.json' });
    // The reference llm-d result, labelled as the profile path the Job ran.
    kube.behaviourFor = (m) => {
      const labels = m.metadata.labels as Record<string, string>;
      const c = m.spec.template.spec.containers[0];
      const file = (c.env as { name: string; value: string }[]).find((e) => e.name === 'RESULT_FILE')!.value;
      const result = { ...referenceResult('llm-d', labels['llmd-bench/run-id']), label: labels['llmd-bench/target'] };
      return { pollsUntilDone: 1, outcome: 'complete', log: successLog(result, file) };
    };
    const runner = new BenchmarkRunner({ config: cfg, kube, clock: new FakeClock(), prometheus: prometheusViaKube(kube, prometheusServiceRef(cfg)) });
    const steps = planRun(cfg, { targets: 'precise,load', ladder: false, warmup: false, runId: 't8', outDir });
    outcomes = await runPlan(runner, steps, () => ({ update: () => undefined, warn: () => undefined }));
  });

  test('the precise profile path heard nothing from one pod: invalid; the load path spread its load: valid', async () => {
    expect(outcomes.map((o) => o.validity)).toEqual(['invalid', 'valid']);
    const out = await generateReport({ resultsDir: outDir, outDir: path.join(outDir, 'report'), mainRate: 'inf' });
    expect(out.summary.valid).toBe(false);
    expect(out.summary.main.validity).toEqual({
      'llm-d-precise': { status: 'invalid', reasons: [expect.stringMatching(/^no KV-cache events reached the EPP from 1 of 8/)] },
      'llm-d-load': { status: 'valid', reasons: [] },
    });
    expect(out.summary.invalid_reasons).toEqual([expect.stringMatching(/^llm-d-precise at rate inf: no KV-cache events/)]);
    expect(out.markdown).toContain('| llm-d-precise | inf | **invalid** |');
  });
});
