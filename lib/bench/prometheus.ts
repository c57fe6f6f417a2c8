/**
 * Prometheus (kube-prometheus-stack) through the API server's service proxy: the PromQL of every
 * series the report plots, the client, and the conversion of query_range answers into the
 * time series file of result-format.ts.
 */
import type { BenchConfig } from '../config';
import { SERVICE_REF } from '../config/sections/benchmark';
import { BenchError } from './errors';
import type { KubeApi, PromSeries, PrometheusApi } from './cluster/types';
import { TIME_SERIES, TimeSeriesFile, TimeSeriesName } from './result-format';

export interface ServiceRef {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
}

/** benchmark.prometheusService ("namespace/service:port") as parts. */
export function prometheusServiceRef(config: BenchConfig): ServiceRef {
  const m = SERVICE_REF.exec(config.benchmark.prometheusService);
  if (!m) throw new BenchError(`benchmark.prometheusService ${JSON.stringify(config.benchmark.prometheusService)} is not namespace/service:port`);
  return { namespace: m[1], service: m[3], port: Number(m[5]) };
}

/** One PromQL expression per stored series; the result's label `key` names the series (pod or node). */
export function timeSeriesQueries(config: BenchConfig, windowSeconds: number): Record<TimeSeriesName, string> {
  const ns = `namespace="${config.project.namespace}"`;
  const w = `${Math.max(30, windowSeconds)}s`;
  // vLLM metrics are scraped per pod (PodMonitor), so `pod` names the decode pod.
  const byPod = (expr: string) => `label_replace(${expr}, "key", "$1", "pod", "(.+)")`;
  return {
    kv_cache_usage: byPod(`max by (pod) (vllm:kv_cache_usage_perc{${ns}})`),
    // Per pod, plus `total`: hits over queries summed over all pods (token-weighted, what the report shows).
    prefix_cache_hit_rate: `${byPod(`sum by (pod) (rate(vllm:prefix_cache_hits_total{${ns}}[${w}])) / sum by (pod) (rate(vllm:prefix_cache_queries_total{${ns}}[${w}]))`)}`
      + ` or label_replace(sum(rate(vllm:prefix_cache_hits_total{${ns}}[${w}])) / sum(rate(vllm:prefix_cache_queries_total{${ns}}[${w}])), "key", "total", "", "")`,
    num_requests_running: byPod(`sum by (pod) (vllm:num_requests_running{${ns}})`),
    num_requests_waiting: byPod(`sum by (pod) (vllm:num_requests_waiting{${ns}})`),
    // The EPP counts successful scheduling per chosen endpoint. llm-d-router v0.10.0 emits it as
    // llm_d_epp_scheduler_attempts_total{endpoint_name} (subsystem "llm_d_epp",
    // pkg/epp/metrics/llm_d_router_metrics.go; `llm_d_router_epp_` is only the embedded kv-cache
    // index's prefix) and still dual-emits the deprecated inference_extension_* twin {pod_name}.
    // A success without an endpoint is recorded with an empty name: left out.
    epp_picks: `label_replace(sum by (endpoint_name) (rate(llm_d_epp_scheduler_attempts_total{status="success",endpoint_name!=""}[${w}])), "key", "$1", "endpoint_name", "(.+)")`
      + ` or label_replace(sum by (pod_name) (rate(inference_extension_scheduler_attempts_total{status="success",pod_name!=""}[${w}])), "key", "$1", "pod_name", "(.+)")`,
    // DCGM exporter: one series per GPU; Hostname is the node.
    gpu_utilization: `label_replace(avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL), "key", "$1", "Hostname", "(.+)") / 100`,
  };
}

/** Instant queries for live progress: totals over all decode pods. */
export function progressQueries(config: BenchConfig): { completed: string; running: string; waiting: string } {
  const ns = `namespace="${config.project.namespace}"`;
  return {
    completed: `sum(vllm:request_success_total{${ns}})`,
    running: `sum(vllm:num_requests_running{${ns}})`,
    waiting: `sum(vllm:num_requests_waiting{${ns}})`,
  };
}

interface PromResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

/** Parses a Prometheus HTTP API answer (vector or matrix) into series of numbers. */
export function parsePromResponse(body: string, what: string): PromSeries[] {
  let parsed: PromResponse;
  try {
    parsed = JSON.parse(body) as PromResponse;
  } catch {
    throw new BenchError(`Prometheus ${what}: answer is not JSON: ${body.slice(0, 200)}`);
  }
  if (parsed.status !== 'success' || !parsed.data) {
    throw new BenchError(`Prometheus ${what}: ${parsed.errorType ?? 'error'}: ${parsed.error ?? 'no data'}`);
  }
  const { resultType, result } = parsed.data;
  if (resultType !== 'vector' && resultType !== 'matrix') throw new BenchError(`Prometheus ${what}: unexpected result type ${resultType}`);
  return result.map((r) => ({
    metric: r.metric,
    values: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [Number(t), Number(v)] as [number, number]),
  }));
}

/** PrometheusApi on the API server's service proxy (no port-forward needed). */
export function prometheusViaKube(kube: KubeApi, ref: ServiceRef): PrometheusApi {
  const get = async (path: string, query: Record<string, string>, what: string) => {
    const reply = await kube.serviceProxyGet(ref.namespace, ref.service, ref.port, path, query);
    if (reply.status !== 200) {
      throw new BenchError(`Prometheus ${what}: HTTP ${reply.status} from ${ref.namespace}/${ref.service}:${ref.port}: ${reply.body.slice(0, 200)}`);
    }
    return parsePromResponse(reply.body, what);
  };
  return {
    query: (expr, time) => get('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) }, 'query'),
    queryRange: (expr, start, end, step) => get('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) }, 'query_range'),
    async ready() {
      const reply = await kube.serviceProxyGet(ref.namespace, ref.service, ref.port, '/-/ready');
      return reply.status === 200;
    },
  };
}

/** Sum of the first point of every series of an instant query (undefined when there is none). */
export function scalarOf(series: PromSeries[]): number | undefined {
  const vals = series.map((s) => s.values[0]?.[1]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return vals.length === 0 ? undefined : vals.reduce((a, b) => a + b, 0);
}

/**
 * Queries every series over [startS, endS] and builds the time series file. `t` becomes seconds
 * since the start; NaN samples (a rate over no queries) are dropped. A series that fails (e.g. no
 * DCGM exporter) is left out and named in `missing`, never failing the run.
 */
export async function collectTimeSeries(
  prom: PrometheusApi, config: BenchConfig, label: string, requestRate: number | 'inf', startS: number, endS: number,
): Promise<{ file: TimeSeriesFile; missing: string[] }> {
  const step = config.benchmark.metricsStepSeconds;
  const queries = timeSeriesQueries(config, step * 4);
  const rateWindow = Math.max(30, step * 4);
  const series: TimeSeriesFile['series'] = {};
  const missing: string[] = [];
  for (const name of Object.keys(TIME_SERIES) as TimeSeriesName[]) {
    try {
      const result = await prom.queryRange(queries[name], Math.floor(startS), Math.ceil(endS), step);
      const byKey: Record<string, Array<[number, number]>> = {};
      for (const s of result) {
        const key = s.metric.key ?? s.metric.pod ?? 'total';
        byKey[key] = s.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => [Math.round((t - startS) * 1000) / 1000, v]);
      }
      if (Object.keys(byKey).length > 0) series[name] = byKey;
      else missing.push(name);
    } catch {
      missing.push(name);
    }
  }
  return {
    file: { label, request_rate: requestRate, started_at: new Date(startS * 1000).toISOString(), step_s: step, rate_window_s: rateWindow, source: 'prometheus', series },
    missing,
  };
}
