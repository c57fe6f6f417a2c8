/**
 * The Grafana dashboard that explains a run, as code (@grafana/grafana-foundation-sdk): per-pod load
 * and KV-cache state, prefix-cache hit rate, latency histograms, token throughput, the EPP's
 * scheduling latency and picks per pod, and GPU utilization/memory from DCGM. The panels the reference
 * run used to show why round-robin starves on prefill and llm-d does not.
 *
 * Metric names: vLLM v0.27 (`vllm:*`, counters exported with `_total`), llm-d-router v0.10.0
 * (`llm_d_epp_*`), dcgm-exporter (`DCGM_FI_DEV_*`).
 */
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { BenchConfig } from '../../lib/config';
import { sharedNames } from '../names';

export const DASHBOARD_UID = 'llmd-bench-serving';
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

interface Query { readonly expr: string; readonly legend: string }

function panel(title: string, description: string, unit: string, queries: readonly Query[], opts: { min?: number; max?: number } = {}): PanelBuilder {
  const p = new PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .height(8)
    .span(12);
  if (opts.min !== undefined) p.min(opts.min);
  if (opts.max !== undefined) p.max(opts.max);
  queries.forEach((q, i) => p.withTarget(new DataqueryBuilder().expr(q.expr).legendFormat(q.legend).refId(String.fromCharCode(65 + i))));
  return p;
}

function quantiles(metric: string, sel: string): Query[] {
  return [0.5, 0.9, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket{${sel}}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)}`,
  }));
}

/** The dashboard JSON model. */
export function servingDashboard(c: BenchConfig): Record<string, unknown> {
  const ns = sharedNames(c).namespace;
  const sel = `namespace="${ns}"`;
  const perPod = (metric: string, agg = 'sum') => `${agg} by (pod) (${metric}{${sel}})`;
  const rate = (metric: string, by = '') => `sum${by ? ` by (${by})` : ''} (rate(${metric}{${sel}}[$__rate_interval]))`;

  const builder = new DashboardBuilder('llmd-bench: vLLM decode pods and the llm-d router')
    .uid(DASHBOARD_UID)
    .tags(['llmd-bench', 'vllm', 'llm-d'])
    .description(`Namespace ${ns}. The same decode pods serve both paths; compare runs by time range.`)
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))

    .withRow(new RowBuilder('vLLM decode pods'))
    .withPanel(panel('Running requests per pod', 'vllm:num_requests_running: requests in the running batch.', 'short',
      [{ expr: perPod('vllm:num_requests_running'), legend: '{{pod}}' }], { min: 0 }))
    .withPanel(panel('Waiting requests per pod', 'vllm:num_requests_waiting: admitted by the server, not yet scheduled (KV or batch full).', 'short',
      [{ expr: perPod('vllm:num_requests_waiting'), legend: '{{pod}}' }], { min: 0 }))
    .withPanel(panel('KV cache usage per pod', 'vllm:kv_cache_usage_perc: blocks referenced by running requests (cached but free blocks count as free).', 'percentunit',
      [{ expr: perPod('vllm:kv_cache_usage_perc', 'max'), legend: '{{pod}}' }], { min: 0, max: 1 }))
    .withPanel(panel('Prefix cache hit rate', 'Cached prompt tokens / queried prompt tokens (vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total).', 'percentunit', [
      { expr: `${rate('vllm:prefix_cache_hits_total', 'pod')} / ${rate('vllm:prefix_cache_queries_total', 'pod')}`, legend: '{{pod}}' },
      { expr: `${rate('vllm:prefix_cache_hits_total')} / ${rate('vllm:prefix_cache_queries_total')}`, legend: 'all pods' },
    ], { min: 0, max: 1 }))
    .withPanel(panel('Time to first token', 'vllm:time_to_first_token_seconds across all pods (server side: excludes the client queue).', 's',
      quantiles('vllm:time_to_first_token_seconds', sel)))
    .withPanel(panel('Time per output token', 'vllm:request_time_per_output_token_seconds: per-request mean decode step.', 's',
      quantiles('vllm:request_time_per_output_token_seconds', sel)))
    .withPanel(panel('Inter-token latency', 'vllm:inter_token_latency_seconds: gaps between streamed tokens.', 's',
      quantiles('vllm:inter_token_latency_seconds', sel)))
    .withPanel(panel('Token throughput', 'Prompt tokens computed (cache misses only) and tokens generated, per second, all pods.', 'short', [
      { expr: rate('vllm:prompt_tokens_total'), legend: 'prompt tokens/s' },
      { expr: rate('vllm:generation_tokens_total'), legend: 'generated tokens/s' },
      { expr: rate('vllm:prefix_cache_hits_total'), legend: 'prompt tokens from cache/s' },
    ], { min: 0 }))
    .withPanel(panel('Preemptions per pod', 'vllm:num_preemptions_total rate: requests evicted from the batch because KV blocks ran out.', 'short',
      [{ expr: rate('vllm:num_preemptions_total', 'pod'), legend: '{{pod}}' }], { min: 0 }))

    .withRow(new RowBuilder('llm-d endpoint picker'))
    .withPanel(panel('EPP scheduling latency', 'llm_d_epp_scheduler_e2e_duration_seconds: time to pick an endpoint.', 's',
      quantiles('llm_d_epp_scheduler_e2e_duration_seconds', sel)))
    .withPanel(panel('EPP picks per pod', 'llm_d_epp_scheduler_attempts_total{status="success"} by chosen endpoint: how the router spreads load.', 'reqps',
      [{ expr: `sum by (endpoint_name) (rate(llm_d_epp_scheduler_attempts_total{${sel},status="success",endpoint_name!=""}[$__rate_interval]))`, legend: '{{endpoint_name}}' }], { min: 0 }))

    .withRow(new RowBuilder('GPUs (DCGM exporter)'))
    .withPanel(panel('GPU utilization', 'DCGM_FI_DEV_GPU_UTIL per GPU node.', 'percent',
      [{ expr: 'avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)', legend: '{{Hostname}}' }], { min: 0, max: 100 }))
    .withPanel(panel('GPU memory used', 'DCGM_FI_DEV_FB_USED per GPU node (vLLM reserves gpuMemoryUtilization of it at start).', 'mbytes',
      [{ expr: 'sum by (Hostname) (DCGM_FI_DEV_FB_USED)', legend: '{{Hostname}}' }], { min: 0 }));

  return builder.build() as unknown as Record<string, unknown>;
}
