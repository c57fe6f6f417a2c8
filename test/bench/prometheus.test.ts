/**
 * Prometheus through the API server's service proxy: the PromQL targets the configured namespace,
 * recorded query_range answers become the time series file of result-format.ts, and errors are clear.
 */
import { loadConfig } from '../../lib/config';
import { collectTimeSeries, parsePromResponse, progressQueries, prometheusServiceRef, prometheusViaKube, scalarOf, timeSeriesQueries } from '../../lib/bench/prometheus';
import { TIME_SERIES } from '../../lib/bench/result-format';
import { FakeKube, fixtureText } from './fakes';

const config = loadConfig({});

describe('Prometheus', () => {
  test('the Service comes from benchmark.prometheusService', () => {
    expect(prometheusServiceRef(config)).toEqual({ namespace: 'monitoring', service: 'kube-prometheus-stack-prometheus', port: 9090 });
    expect(prometheusServiceRef(loadConfig({ 'benchmark.prometheusService': 'obs/prom:80' }))).toEqual({ namespace: 'obs', service: 'prom', port: 80 });
    expect(() => loadConfig({ 'benchmark.prometheusService': 'prometheus' })).toThrow(/must be namespace\/service:port/);
  });

  test('one query per stored series, all scoped to the project namespace where vLLM is concerned', () => {
    const q = timeSeriesQueries(loadConfig({ 'project.namespace': 'bench2' }), 60);
    expect(Object.keys(q).sort()).toEqual(Object.keys(TIME_SERIES).sort());
    for (const name of ['kv_cache_usage', 'prefix_cache_hit_rate', 'num_requests_running', 'num_requests_waiting'] as const) {
      expect(q[name]).toContain('namespace="bench2"');
      expect(q[name]).toContain('"key", "$1", "pod"');
    }
    expect(q.prefix_cache_hit_rate).toContain('rate(vllm:prefix_cache_hits_total{namespace="bench2"}[60s])');
    expect(q.prefix_cache_hit_rate).toContain('"key", "total", "", "")');
    // llm-d-router v0.10.0: subsystem llm_d_epp (pkg/epp/metrics/llm_d_router_metrics.go), label endpoint_name.
    expect(q.epp_picks).toContain('llm_d_epp_scheduler_attempts_total{status="success",endpoint_name!=""}');
    expect(q.epp_picks).not.toContain('llm_d_router_epp_scheduler');
    expect(q.epp_picks).toContain('inference_extension_scheduler_attempts_total{status="success",pod_name!=""}');
    expect(q.epp_picks).toContain(' or ');
    expect(progressQueries(config).completed).toBe('sum(vllm:request_success_total{namespace="llmd-bench"})');
  });

  test('queries go through the service proxy and recorded answers parse', async () => {
    const kube = new FakeKube();
    const seen: string[] = [];
    const base = kube.serviceProxy;
    kube.serviceProxy = (ns, svc, port, p, q) => { seen.push(`${ns}/${svc}:${port}${p}`); return base(ns, svc, port, p, q); };
    const prom = prometheusViaKube(kube, prometheusServiceRef(config));
    expect(await prom.ready()).toBe(true);
    expect(scalarOf(await prom.query('count(vllm:num_requests_running{namespace="llmd-bench"})'))).toBe(8);
    expect(seen).toEqual(['monitoring/kube-prometheus-stack-prometheus:9090/-/ready', 'monitoring/kube-prometheus-stack-prometheus:9090/api/v1/query']);
  });

  test('a Prometheus error answer is reported with its type and message', () => {
    expect(() => parsePromResponse(fixtureText('prometheus/query-error.json'), 'query')).toThrow(/^Prometheus query: bad_data: invalid parameter "query"/);
    expect(() => parsePromResponse('<html>502 Bad Gateway</html>', 'query')).toThrow(/not JSON/);
  });

  test('query_range answers become the time series file: seconds since start, NaN dropped, series keyed by pod', async () => {
    const kube = new FakeKube();
    const prom = prometheusViaKube(kube, prometheusServiceRef(config));
    const start = 1795647671;
    const { file, missing } = await collectTimeSeries(prom, config, 'llm-d', 'inf', start, start + 90);
    expect(file).toMatchObject({ label: 'llm-d', request_rate: 'inf', started_at: '2026-11-25T23:01:11.000Z', step_s: 15, source: 'prometheus' });
    expect(Object.keys(file.series).sort()).toEqual(['kv_cache_usage', 'prefix_cache_hit_rate']);
    expect(missing.sort()).toEqual(['epp_picks', 'gpu_utilization', 'num_requests_running', 'num_requests_waiting']);
    const kv = file.series.kv_cache_usage!['vllm-decode-6d5f8c7b9-2xkqp'];
    expect(kv.map(([t]) => t)).toEqual([0, 15, 30, 45, 60, 75]);
    expect(kv[3][1]).toBeCloseTo(0.979, 6);
    // The first two hit-rate samples were NaN (no queries yet) and are dropped.
    expect(file.series.prefix_cache_hit_rate!['vllm-decode-6d5f8c7b9-2xkqp'][0]).toEqual([30, 0.7]);
  });

  test('a failing query leaves its series out instead of failing the run', async () => {
    const kube = new FakeKube();
    kube.serviceProxy = () => ({ status: 200, body: fixtureText('prometheus/query-error.json') });
    const { file, missing } = await collectTimeSeries(prometheusViaKube(kube, prometheusServiceRef(config)), config, 'round-robin', 'inf', 0, 60);
    expect(file.series).toEqual({});
    expect(missing).toHaveLength(Object.keys(TIME_SERIES).length);
  });
});
