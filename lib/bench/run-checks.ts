/**
 * Proof, after each run, that the path measured what it claims to measure, from Prometheus. Which
 * checks apply depends on what the path's router does (pathChecksFor):
 * - an llm-d path whose profile runs the precise prefix producer (`llm-d` with router.profile=precise,
 *   `llm-d-precise`, a custom file with that producer): the EPP received KV-cache events from every
 *   decode pod, its index holds blocks, and it looked prefixes up (which needs the render call to
 *   produce tokens). Each of these fails silently in llm-d-router v0.10.0 (render errors are logged and
 *   skipped, ZMQ errors are logged and retried), leaving an LRU balancer that the report would still
 *   call "llm-d".
 * - round-robin, and llm-d profiles with no prefix producer (load, random): every decode pod served
 *   requests; spreading the load is all these routers do, so an idle pod means one was not routable.
 * - llm-d with the approximate producer: its own index was filled and matched against. It subscribes
 *   to nothing; it hashes the tokens the token producer got from the render server and indexes the
 *   hashes under the pod it routed to. With the render server down there are no tokens: nothing is
 *   hashed, indexed or matched, and every prefix score is 0, silently. Its metrics show it: the index
 *   size gauge stays 0 and the hit-ratio histogram gets no sample (it records one per routed request
 *   with hashes). Its prefix affinity may rightly leave a pod idle, so pods are not checked.
 * - every path: whether every container of the run had its CPU (cpu-watch.ts): CFS throttling of those
 *   with a CPU limit (render server, benchmark client), CPU pressure of those without (vLLM, EPP, Envoy).
 * A failed proof marks the result invalid (report and summary.json); a missing metric marks it unchecked.
 */
import type { BenchConfig } from '../config';
import { PLUGIN_TYPES } from '../../k8s/router/plugin-types';
import { deployedProfiles, endpointPickerConfigFor } from '../../k8s/router/profiles';
import type { PrometheusApi, PromSeries } from './cluster/types';
import { measureCpu } from './cpu-watch';
import { isEppLabel, PATH_LABELS, type RunChecksFile, type RunCheck } from './result-format';

export { THROTTLING_WARN_FRACTION } from './cpu-figures';

/**
 * The liveness checks a path gets (see the module comment): the KV-event/index checks, the approximate
 * producer's index checks, the every-pod-served check, or none beyond throttling.
 */
export type PathChecks = 'kv-events' | 'approx-index' | 'every-pod' | 'none';

/** Which checks apply to a path, from the EndpointPickerConfig its profile renders (the one the EPP ran). */
export function pathChecksFor(config: BenchConfig, label: string): PathChecks {
  if (label === PATH_LABELS.roundRobin) return 'every-pod';
  if (!isEppLabel(label)) return 'none';
  const value = label === PATH_LABELS.llmd ? config.router.profile : deployedProfiles(config).find((p) => p.label === label)?.value;
  if (value === undefined) return 'none';
  let types: string[];
  try {
    types = endpointPickerConfigFor(config, value).plugins.map((p) => p.type);
  } catch {
    return 'none'; // a custom profile file no longer readable here: nothing to judge the path by
  }
  if (types.includes(PLUGIN_TYPES.precisePrefixCacheProducer)) return 'kv-events';
  if (types.includes(PLUGIN_TYPES.approxPrefixCacheProducer)) return 'approx-index';
  return 'every-pod';
}

/**
 * EPP metric names of llm-d-router v0.10.0, pkg/kvcache/metrics/collector.go (subsystem
 * `llm_d_router_epp`): the subscriber gauge and per-pod message counter are registered by every
 * precise-prefix producer (pkg/kvevents/pool.go:199); the index counters only with
 * `kvBlockIndexConfig.enableMetrics` (pkg/kvcache/kvblock/index.go:88), which the rendered config sets.
 * `pod_identifier` is the endpoint id `<namespace>/<pod>-rank-<n>` (pkg/epp/datastore/datastore.go:523,
 * preciseprefixcache/extractor.go ensureSubscriber).
 */
export const EPP_METRICS = {
  activeSubscribers: 'llm_d_router_epp_kv_cache_events_active_subscribers',
  messagesReceived: 'llm_d_router_epp_kv_cache_events_messages_received_total',
  zmqErrors: 'llm_d_router_epp_kv_cache_events_zmq_errors_total',
  admissions: 'llm_d_router_epp_kv_cache_index_admissions_total',
  evictions: 'llm_d_router_epp_kv_cache_index_evictions_total',
  lookups: 'llm_d_router_epp_kv_cache_index_lookup_requests_total',
  lookupHits: 'llm_d_router_epp_kv_cache_index_lookup_hits_total',
} as const;

/**
 * The approximate producer's metrics, llm-d-router v0.10.0
 * pkg/epp/framework/plugins/requestcontrol/dataproducer/approximateprefix/metrics.go (subsystem
 * `llm_d_epp`, pkg/epp/metrics/llm_d_router_metrics.go; labels plugin_name, plugin_type):
 * - `prefix_indexer_size`: a gauge of the entries over every pod's LRU, set every second
 *   (indexer.go reportLRUSize -> recordPrefixCacheSize), so it exists, at 0, from the start;
 * - `prefix_indexer_hit_ratio`: a histogram observed in PreRequest for every routed request whose
 *   prompt produced block hashes (plugin.go recordPrefixCacheMatch, only when totalLength > 0): no
 *   tokens, no sample, and the series is never created.
 * The deprecated `inference_extension_` copies carry no labels and are not used.
 */
export const APPROX_PREFIX_METRICS = {
  indexSize: 'llm_d_epp_prefix_indexer_size',
  hitRatio: 'llm_d_epp_prefix_indexer_hit_ratio',
} as const;

/** Whether a `pod_identifier` of the EPP's metrics names this pod (`<ns>/<pod>-rank-<n>`, or `<ns>/<pod>`). */
export function identifiesPod(podIdentifier: string, namespace: string, pod: string): boolean {
  const id = podIdentifier.includes('/') ? podIdentifier : `${namespace}/${podIdentifier}`;
  return id === `${namespace}/${pod}` || new RegExp(`^${escape(`${namespace}/${pod}`)}-rank-\\d+$`).test(id);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** PromQL range of a window of `w` seconds (at least a minute: counters need two scrapes). */
function runWindow(w: number): string {
  return `[${Math.max(60, Math.ceil(w))}s]`;
}

/** PromQL of the checks, over a window of `w` seconds ending at the evaluation time. */
export function runCheckQueries(config: BenchConfig, w: number) {
  const ns = `namespace="${config.project.namespace}"`;
  const win = runWindow(w);
  const approxType = `plugin_type="${PLUGIN_TYPES.approxPrefixCacheProducer}"`;
  return {
    messagesByPod: `sum by (pod_identifier) (increase(${EPP_METRICS.messagesReceived}{${ns}}${win}))`,
    subscribers: `max(${EPP_METRICS.activeSubscribers}{${ns}})`,
    // Context for the index check only (see indexCheck): what was admitted and evicted during the run.
    admitted: `sum(increase(${EPP_METRICS.admissions}{${ns}}${win}))`,
    evicted: `sum(increase(${EPP_METRICS.evictions}{${ns}}${win}))`,
    lookups: `sum(increase(${EPP_METRICS.lookups}{${ns}}${win}))`,
    lookupHits: `sum(increase(${EPP_METRICS.lookupHits}{${ns}}${win}))`,
    // The approximate producer's series, by its plugin type (any plugin name a custom profile gives it).
    // Both start at 0 with the EPP restart before the run, like the admissions above.
    approxIndexSize: `sum(${APPROX_PREFIX_METRICS.indexSize}{${ns},${approxType}})`,
    approxHitSamples: `sum(${APPROX_PREFIX_METRICS.hitRatio}_count{${ns},${approxType}})`,
    servedByPod: `sum by (pod) (increase(vllm:request_success_total{${ns}}${win}))`,
  };
}

const first = (s: PromSeries) => s.values[0]?.[1];

/** One instant query; undefined when Prometheus failed (the check becomes "unknown", never a crash). */
async function instant(prom: PrometheusApi, expr: string, time: number): Promise<PromSeries[] | undefined> {
  try {
    return await prom.query(expr, time);
  } catch {
    return undefined;
  }
}

function scalar(series: PromSeries[] | undefined): number | undefined {
  const v = (series ?? []).map(first).filter((x): x is number => x !== undefined && Number.isFinite(x));
  return v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0);
}

/**
 * Whether the EPP's prefix index held blocks during the run. llm-d-router v0.10.0 has no gauge of the
 * index size (its gauges are kv_cache_events_active_subscribers, _pool_queue_depth and _pool_capacity,
 * pkg/kvcache/metrics/collector.go; llm-d-kv-cache PR #720 proposed `kvcache_index_entries` and was
 * closed unmerged). Admissions and evictions count different things (request keys per Add, pod entries
 * per Evict: pkg/kvcache/kvblock/instrumented_index.go), so their difference is no size and goes
 * negative on a healthy index (a live EPP trace shows more evictions than admissions beside thousands of
 * hits). The proof is therefore that lookups found keys in the index (lookup_hits_total counts keys
 * found per Lookup). No hit proves nothing either way (a workload without shared prefixes has none):
 * "unknown", never "fail".
 */
export function indexCheck(hits: number | undefined, admitted: number | undefined, evicted: number | undefined): RunCheck {
  const counts = admitted === undefined ? '' : ` (${Math.round(admitted)} keys admitted, ${Math.round(evicted ?? 0)} pod entries evicted during the run)`;
  if (hits === undefined) return { name: 'index_non_empty', status: 'unknown', detail: `Prometheus has no ${EPP_METRICS.lookupHits} (kvBlockIndexConfig.enableMetrics off?)` };
  if (hits > 0) return { name: 'index_non_empty', status: 'pass', detail: `the EPP's prefix index held blocks: its lookups found ${Math.round(hits)} block keys${counts}` };
  return {
    name: 'index_non_empty', status: 'unknown',
    detail: `the EPP's prefix index answered no lookup with a block${counts}; v0.10.0 exports no index size, so whether it held blocks is unknown`,
  };
}

export interface RunCheckInput {
  readonly config: BenchConfig;
  readonly label: string;
  readonly requestRate: number | 'inf';
  /** Names of the decode pods that served the run. */
  readonly decodePods: readonly string[];
  readonly startS: number;
  /** Evaluation time (the run's end plus a scrape), unix seconds. */
  readonly endS: number;
}

/** Runs the checks of one finished run against Prometheus. */
export async function checkRun(prom: PrometheusApi | undefined, input: RunCheckInput): Promise<RunChecksFile> {
  const { config, label, requestRate, decodePods } = input;
  const base = { label, request_rate: requestRate, decode_pods: [...decodePods] };
  if (!prom) {
    return { ...base, status: 'unchecked', reasons: ['no Prometheus: the liveness of the path was not checked'], checks: [], cpu_throttling: [] };
  }
  const ns = config.project.namespace;
  const windowS = input.endS - input.startS + 2 * config.benchmark.metricsStepSeconds;
  const q = runCheckQueries(config, windowS);
  const at = input.endS;
  const checks: RunCheck[] = [];

  const kind = pathChecksFor(config, label);
  if (kind === 'kv-events') {
    const [subs, messages, admitted, evicted, lookups, hits] = await Promise.all([
      instant(prom, q.subscribers, at), instant(prom, q.messagesByPod, at), instant(prom, q.admitted, at), instant(prom, q.evicted, at),
      instant(prom, q.lookups, at), instant(prom, q.lookupHits, at),
    ]);
    const subscriberCount = scalar(subs);
    if (subscriberCount === undefined) {
      checks.push({ name: 'kv_events_per_pod', status: 'unknown', detail: `Prometheus has no ${EPP_METRICS.activeSubscribers}: the EPP's metrics are not scraped (ServiceMonitor of the EPP)` });
    } else {
      const silent = decodePods.filter((pod) => !(messages ?? []).some((s) => identifiesPod(s.metric.pod_identifier ?? '', ns, pod) && (first(s) ?? 0) > 0));
      checks.push(silent.length === 0
        ? { name: 'kv_events_per_pod', status: 'pass', detail: `KV-cache events received from all ${decodePods.length} decode pods (${subscriberCount} subscribers)` }
        : { name: 'kv_events_per_pod', status: 'fail', detail: `no KV-cache events reached the EPP from ${silent.length} of ${decodePods.length} decode pods (${silent.join(', ')}); its index did not know what those pods cache` });
    }
    checks.push(indexCheck(scalar(hits), scalar(admitted), scalar(evicted)));
    const looked = scalar(lookups);
    checks.push(looked === undefined
      ? { name: 'prefix_lookups', status: 'unknown', detail: `Prometheus has no ${EPP_METRICS.lookups}` }
      : looked > 0
        ? { name: 'prefix_lookups', status: 'pass', detail: `the EPP looked up ${Math.round(looked)} requests in its index (${Math.round(scalar(hits) ?? 0)} block hits)` }
        : { name: 'prefix_lookups', status: 'fail', detail: 'the EPP looked up no request in its index: the render call produced no tokens, so every prefix score was 0' });
  }
  if (kind === 'approx-index') {
    const [size, samples] = await Promise.all([instant(prom, q.approxIndexSize, at), instant(prom, q.approxHitSamples, at)]);
    const entries = scalar(size);
    if (entries === undefined) {
      // The gauge exists from the EPP's start: without it nothing of the EPP is scraped.
      const why = `Prometheus has no ${APPROX_PREFIX_METRICS.indexSize}: the EPP's metrics are not scraped (ServiceMonitor of the EPP)`;
      checks.push({ name: 'approx_index_non_empty', status: 'unknown', detail: why }, { name: 'approx_prefix_matches', status: 'unknown', detail: why });
    } else {
      checks.push(entries > 0
        ? { name: 'approx_index_non_empty', status: 'pass', detail: `the approximate producer's index held ${Math.round(entries)} block entries at the end` }
        : { name: 'approx_index_non_empty', status: 'fail', detail: 'the approximate producer\'s index was empty at the end of the run: it hashed no prompt (no tokens from the render server?), so every prefix score was 0' });
      // An empty answer: the histogram was never observed (it is created on its first sample).
      const matched = samples === undefined ? undefined : scalar(samples) ?? 0;
      checks.push(matched === undefined
        ? { name: 'approx_prefix_matches', status: 'unknown', detail: `Prometheus did not answer the ${APPROX_PREFIX_METRICS.hitRatio} query` }
        : matched > 0
        ? { name: 'approx_prefix_matches', status: 'pass', detail: `the approximate producer matched ${Math.round(matched)} requests against its index` }
        : { name: 'approx_prefix_matches', status: 'fail', detail: `the approximate producer recorded no prefix match (${APPROX_PREFIX_METRICS.hitRatio}): no request was hashed, so every prefix score was 0` });
    }
  }
  if (kind === 'every-pod') {
    const served = await instant(prom, q.servedByPod, at);
    if (served === undefined || served.length === 0) {
      checks.push({ name: 'every_pod_served', status: 'unknown', detail: 'Prometheus has no vllm:request_success_total for the decode pods' });
    } else {
      const idle = decodePods.filter((pod) => {
        const s = served.find((x) => x.metric.pod === pod);
        return s !== undefined && (first(s) ?? 0) < 0.5;
      });
      const unseen = decodePods.filter((pod) => !served.some((x) => x.metric.pod === pod));
      if (idle.length > 0) checks.push({ name: 'every_pod_served', status: 'fail', detail: `${idle.length} of ${decodePods.length} decode pods served no request (${idle.join(', ')}): the ${label === PATH_LABELS.roundRobin ? 'Service' : 'endpoint picker'} did not spread the load over all pods` });
      else if (unseen.length > 0) checks.push({ name: 'every_pod_served', status: 'unknown', detail: `no vLLM metrics for ${unseen.join(', ')}` });
      else checks.push({ name: 'every_pod_served', status: 'pass', detail: `all ${decodePods.length} decode pods served requests` });
    }
  }

  const cpu = await measureCpu(prom, config, runWindow(windowS), at);
  const failed = checks.filter((c) => c.status === 'fail');
  const unknown = checks.filter((c) => c.status === 'unknown');
  return {
    ...base,
    status: failed.length > 0 ? 'invalid' : unknown.length > 0 ? 'unchecked' : 'valid',
    reasons: [...failed, ...unknown].map((c) => c.detail),
    checks,
    cpu_throttling: cpu,
  };
}
