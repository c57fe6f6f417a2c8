/** The Grafana dashboard: provisioned by the kube-prometheus-stack sidecar, panels that explain a run. */
import { defaultConfig } from '../../lib/config';
import { DASHBOARD_CONFIGMAP, GRAFANA_DASHBOARD_LABEL } from '../../k8s/charts/monitoring-chart';
import { DASHBOARD_UID } from '../../k8s/monitoring/serving-dashboard';
import { allObjects, renderCharts } from '../../k8s/render';
import { find } from './helpers';

const config = defaultConfig();
const cm = find(allObjects(renderCharts(config)), 'ConfigMap', DASHBOARD_CONFIGMAP);
const files = Object.entries(cm.data as Record<string, string>);
const dashboard = JSON.parse(files[0][1]);
const panels: any[] = dashboard.panels.filter((p: { type: string }) => p.type !== 'row');
const exprs: string[] = panels.flatMap((p) => p.targets.map((t: { expr: string }) => t.expr));

describe('Grafana dashboard', () => {
  test('a ConfigMap labelled for the Grafana sidecar (grafana_dashboard: "1") holding one JSON file', () => {
    expect(cm.metadata.labels).toMatchObject(GRAFANA_DASHBOARD_LABEL);
    expect(files).toHaveLength(1);
    expect(files[0][0]).toMatch(/\.json$/);
    expect(dashboard.uid).toBe(DASHBOARD_UID);
  });

  test.each([
    ['running requests per pod', 'vllm:num_requests_running'],
    ['waiting requests per pod', 'vllm:num_requests_waiting'],
    ['KV cache usage', 'vllm:kv_cache_usage_perc'],
    ['prefix cache hit rate', 'vllm:prefix_cache_hits_total'],
    ['TTFT histogram', 'vllm:time_to_first_token_seconds_bucket'],
    ['TPOT histogram', 'vllm:request_time_per_output_token_seconds_bucket'],
    ['ITL histogram', 'vllm:inter_token_latency_seconds_bucket'],
    ['token throughput', 'vllm:generation_tokens_total'],
    ['EPP scheduling latency', 'llm_d_epp_scheduler_e2e_duration_seconds_bucket'],
    ['EPP picks per pod', 'llm_d_epp_scheduler_attempts_total'],
    ['GPU utilization', 'DCGM_FI_DEV_GPU_UTIL'],
    ['GPU memory', 'DCGM_FI_DEV_FB_USED'],
  ])('has a panel for %s (%s)', (_what, metric) => {
    expect(exprs.some((e) => e.includes(metric))).toBe(true);
  });

  test('vLLM and EPP queries are scoped to the project namespace', () => {
    for (const e of exprs.filter((x) => /vllm:|llm_d_epp_/.test(x))) expect(e).toContain(`namespace="${config.project.namespace}"`);
  });

  test('every panel reads the Prometheus datasource variable', () => {
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' }));
    for (const p of panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  test('panels do not overlap', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
        expect(cells.has(`${i},${j}`)).toBe(false);
        cells.add(`${i},${j}`);
      }
    }
  });
});
