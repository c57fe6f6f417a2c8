/**
 * After each run: proof from Prometheus (recorded answers) that the measured path was live. An llm-d
 * run whose EPP heard nothing from a pod or looked nothing up is INVALID (an index with no lookup hit is
 * only "unknown": v0.10.0 exports no size of the precise index), as is an approximate-profile run whose
 * producer indexed or matched nothing, and a round-robin run in which a pod served nothing; the result,
 * the report and summary.json say so.
 * CPU: containers with a CPU limit (render server, client) are measured by CFS throttling (warned above
 * 5%), those without (vLLM, EPP, Envoy: no CFS quota, never throttled) by CPU pressure (warned above 10%).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../lib/config';
import { planRun } from '../../lib/bench/plan';
import { prometheusServiceRef, prometheusViaKube } from '../../lib/bench/prometheus';
import { generateReport } from '../../lib/bench/report';
import { BenchmarkRunner, runPlan, StepHooks } from '../../lib/bench/runner';
import { APPROX_PREFIX_METRICS, EPP_METRICS, checkRun, identifiesPod, pathChecksFor } from '../../lib/bench/run-checks';
import { cpuQueries, cpuWatchFor, cpuWatchFromManifests } from '../../lib/bench/cpu-watch';
import { renderHarnessJob } from '../../k8s/bench/harness-job';
import { exampleBenchmarkRun } from '../../k8s/bench/benchmark-job';
import type { RunChecksFile } from '../../lib/bench/result-format';
import { allObjects, renderCharts } from '../../k8s/render';
import { defaultPrometheus, FakeClock, FakeKube, PromAnswers, referenceResult, successLog } from './fakes';
import { tempDir } from '../temp-dir';

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
    // More evictions than admissions, as in a live EPP trace: the counters count different units
    // (request keys per Add, pod entries per Evict), so the difference says nothing; the hits prove it.
    expect(r.checks[1]).toEqual({ name: 'index_non_empty', status: 'pass', detail: 'the EPP\'s prefix index held blocks: its lookups found 253112 block keys (48210 keys admitted, 61377 pod entries evicted during the run)' });
  });

  test('a pod whose events never reached the EPP makes the result invalid, naming the pod', async () => {
    const r = await check('llm-d', { messages: 'epp-messages-by-pod-one-silent.json' });
    expect(r.status).toBe('invalid');
    expect(r.reasons).toEqual(['no KV-cache events reached the EPP from 1 of 8 decode pods (vllm-decode-6d5f8c7b9-dq6sx); its index did not know what those pods cache']);
  });

  test('no lookup hit proves nothing about the index (no size gauge in v0.10.0): unknown, never invalid', async () => {
    const r = await check('llm-d', { lookupHits: 'epp-index-empty.json' });
    expect(r.status).toBe('unchecked');
    expect(r.checks[1]).toEqual({
      name: 'index_non_empty', status: 'unknown',
      detail: 'the EPP\'s prefix index answered no lookup with a block (48210 keys admitted, 61377 pod entries evicted during the run); v0.10.0 exports no index size, so whether it held blocks is unknown',
    });
    // Admissions at 0 beside hits cannot fail the run either: the hits are the proof.
    expect((await check('llm-d', { indexed: 'epp-index-empty.json' })).status).toBe('valid');
    expect((await check('llm-d', { lookupHits: 'empty' })).checks[1]).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/Prometheus has no llm_d_router_epp_kv_cache_index_lookup_hits_total/) });
  });

  test('no lookups (render broken: every prefix score 0) make it invalid', async () => {
    const noLookups = await check('llm-d', { lookups: 'epp-index-empty.json' });
    expect(noLookups.status).toBe('invalid');
    expect(noLookups.reasons[0]).toMatch(/looked up no request in its index: the render call produced no tokens/);
  });

  test('EPP metrics missing from Prometheus: unchecked, not valid', async () => {
    const r = await check('llm-d', { subscribers: 'empty', indexed: 'empty', lookups: 'empty', lookupHits: 'empty' });
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
    expect(r.cpu_throttling.map((t) => t.container)).toEqual(cpuWatchFor(profiles).map((w) => w.container));
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

describe('CPU: throttling where a CPU limit makes it possible, pressure where there is none', () => {
  test('the watched containers and how each is measured come from the render: limits on the render server and the client, none on vLLM, EPP, Envoy', () => {
    expect(cpuWatchFor(config)).toEqual([
      { container: 'vllm', cpuLimitCores: null, measure: 'pressure' },
      { container: 'vllm-render', cpuLimitCores: 4, measure: 'throttling' },
      { container: 'envoy', cpuLimitCores: null, measure: 'pressure' },
      { container: 'epp', cpuLimitCores: null, measure: 'pressure' },
      { container: 'vllm-bench', cpuLimitCores: 2, measure: 'throttling' },
    ]);
    // The inference-perf harness: its client container is watched instead.
    expect(cpuWatchFor(loadConfig({ 'benchmark.harness': 'inference-perf', 'workload.name': 'shared-prefix' })).map((w) => `${w.container}:${w.measure}`)).toContain('inference-perf:throttling');
  });

  test.each([
    ['defaults', {}],
    ['inference-perf client', { 'benchmark.harness': 'inference-perf', 'workload.name': 'shared-prefix' }],
    ['4 GPUs per node, TP 2', { 'gpuNodes.instanceType': 'g5.12xlarge', 'vllm.tensorParallelSize': '2' }],
  ])('every container running in the project namespace (%s) is watched: throttling only with a CPU limit in the render, pressure otherwise', (_name, ctx) => {
    const cfg = loadConfig({ 'benchmark.cacheReset': 'endpoint', ...ctx });
    const objects = [...allObjects(renderCharts(cfg, undefined, ['stack'])), renderHarnessJob(cfg, exampleBenchmarkRun(cfg))];
    const running = objects.filter((o) => o.metadata?.namespace === cfg.project.namespace)
      .flatMap((o) => (o.spec?.template?.spec?.containers ?? []) as { name: string; resources?: { limits?: { cpu?: string } } }[]);
    const watch = cpuWatchFor(cfg);
    const q = cpuQueries(cfg, '[60s]');
    for (const c of running) {
      const w = watch.find((x) => x.container === c.name);
      expect(w).toBeDefined();
      if (w!.measure === 'throttling') {
        expect(c.resources?.limits?.cpu).toBeDefined();
        expect(q.throttled).toContain(c.name);
      } else {
        expect(c.resources?.limits?.cpu).toBeUndefined();
        expect(q.pressure).toContain(c.name);
      }
    }
    expect(watch.map((w) => w.container).sort()).toEqual([...new Set(running.map((c) => c.name))].sort());
  });

  test('a container that gains a CPU limit moves to throttling (the list is derived, not a literal)', () => {
    const objects = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'ns' }, spec: { template: { spec: {
      initContainers: [{ name: 'init', resources: { limits: { cpu: '1' } } }],
      containers: [{ name: 'a', resources: { limits: { cpu: '500m' } } }, { name: 'b', resources: { limits: { memory: '1Gi' } } }],
    } } } }];
    expect(cpuWatchFromManifests(objects, 'ns')).toEqual([
      { container: 'a', cpuLimitCores: 0.5, measure: 'throttling' },
      { container: 'b', cpuLimitCores: null, measure: 'pressure' },
    ]);
    expect(cpuWatchFromManifests(objects, 'other')).toEqual([]);
  });

  test('recorded per container (worst pod); throttled above 5% or waiting above 10% of the run warns', async () => {
    const r = await check('round-robin');
    expect(r.cpu_throttling).toEqual([
      { container: 'vllm', measure: 'pressure', cpu_limit_cores: null, throttled_fraction: null, cpu_pressure_fraction: 0.011, worst_pod: 'vllm-decode-6d5f8c7b9-p5tn8', cpu_cores_max: 3.45, warn: false },
      { container: 'vllm-render', measure: 'throttling', cpu_limit_cores: 4, throttled_fraction: 0.0731, cpu_pressure_fraction: 0.0815, worst_pod: 'vllm-decode-render-5b8c9d7f6-h2wq4', cpu_cores_max: 3.71, warn: true },
      { container: 'envoy', measure: 'pressure', cpu_limit_cores: null, throttled_fraction: null, cpu_pressure_fraction: 0.031, worst_pod: 'vllm-decode-epp-7c9d6b5f4-qx2lm', cpu_cores_max: 0.48, warn: false },
      { container: 'epp', measure: 'pressure', cpu_limit_cores: null, throttled_fraction: null, cpu_pressure_fraction: 0.124, worst_pod: 'vllm-decode-epp-7c9d6b5f4-qx2lm', cpu_cores_max: 1.94, warn: true },
      { container: 'vllm-bench', measure: 'throttling', cpu_limit_cores: 2, throttled_fraction: 0.0112, cpu_pressure_fraction: 0.0204, worst_pod: 'llmd-bench-llmd-main-inf-t7-x7q2m', cpu_cores_max: 1.62, warn: false },
    ]);
  });

  test('no PSI on the node (cgroup v1, psi=0): pressure is null and never warns; throttling still counts', async () => {
    const r = await check('round-robin', { pressure: 'empty' });
    expect(r.cpu_throttling.find((t) => t.container === 'epp')).toMatchObject({ cpu_pressure_fraction: null, worst_pod: null, warn: false });
    expect(r.cpu_throttling.find((t) => t.container === 'vllm-render')).toMatchObject({ throttled_fraction: 0.0731, warn: true });
  });

  test('the queries: throttling only for the limited containers, pressure and CPU use for all, in the project namespace', () => {
    const q = cpuQueries(config, '[851s]');
    expect(q.throttled).toBe('sum by (pod, container) (increase(container_cpu_cfs_throttled_periods_total{namespace="llmd-bench",container=~"vllm-render|vllm-bench"}[851s]))'
      + ' / sum by (pod, container) (increase(container_cpu_cfs_periods_total{namespace="llmd-bench",container=~"vllm-render|vllm-bench"}[851s]))');
    expect(q.pressure).toBe('sum by (pod, container) (rate(container_pressure_cpu_waiting_seconds_total{namespace="llmd-bench",container=~"vllm|vllm-render|envoy|epp|vllm-bench"}[851s]))');
  });
});

test('pod identifiers: the EPP endpoint id <namespace>/<pod>-rank-<n>, without confusing pod-1 and pod-10', () => {
  expect(identifiesPod('llmd-bench/vllm-decode-abc-1-rank-0', 'llmd-bench', 'vllm-decode-abc-1')).toBe(true);
  expect(identifiesPod('llmd-bench/vllm-decode-abc-10-rank-0', 'llmd-bench', 'vllm-decode-abc-1')).toBe(false);
  expect(identifiesPod('other/vllm-decode-abc-1-rank-0', 'llmd-bench', 'vllm-decode-abc-1')).toBe(false);
  expect(identifiesPod('vllm-decode-abc-1', 'llmd-bench', 'vllm-decode-abc-1')).toBe(true);
});

describe('a run whose llm-d path was not live', () => {
  const outDir = tempDir('llmd-bench-invalid-');
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
    expect(warnings.some((w) => /container vllm-render .* was CPU-throttled in 7\.3% of its CFS periods \(over 5\.0%, CPU limit 4\)/.test(w))).toBe(true);
    expect(warnings.some((w) => /container epp .* waited for CPU 12\.4% of the run \(CPU pressure, over 10\.0%; it has no CPU limit/.test(w))).toBe(true);
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
    expect(out.summary.main.cpu_throttling['llm-d']?.find((t) => t.container === 'vllm-render')).toMatchObject({ measure: 'throttling', throttled_fraction: 0.0731, warn: true });
    expect(out.summary.main.cpu_throttling['llm-d']?.find((t) => t.container === 'epp')).toMatchObject({ measure: 'pressure', throttled_fraction: null, cpu_pressure_fraction: 0.124, warn: true });
    expect(out.summary.warnings.some((w) => /container vllm-render .* CPU-throttled in 7\.3%/.test(w))).toBe(true);
    expect(out.summary.warnings.some((w) => /container epp .* waited for CPU 12\.4% of the run/.test(w))).toBe(true);
    expect(out.markdown).toContain('**INVALID**: a liveness check failed');
    expect(out.markdown).toContain('| llm-d | inf | **invalid** |');
    expect(out.markdown).toContain('### CPU throttling and pressure during the main run (cAdvisor)');
    expect(out.markdown).toContain('| vllm-render | 7.3% throttled ⚠ (limit 4), up to 3.71 cores | 7.3% throttled ⚠ (limit 4), up to 3.71 cores |');
    expect(out.markdown).toContain('| epp | no CPU limit, waited 12.4% ⚠, up to 1.94 cores |');
    expect(out.markdown).toContain('| vllm | no CPU limit, waited 1.1%, up to 3.45 cores |');
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'report', 'summary.json'), 'utf8'));
    expect(summary.valid).toBe(false);
  });
});

describe('a run through router profiles: their results are checked and reported like llm-d\'s', () => {
  const cfg = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'router.profiles': 'precise,load' });
  const outDir = tempDir('llmd-bench-profiles-');
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
