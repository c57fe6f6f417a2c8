/** Cross-field checks of the serving keys (lib/config/checks/serving.ts): bad input never renders. */
import { ConfigError, defaultConfig, loadConfig } from '../../lib/config';

function problems(ctx: Record<string, unknown>): string[] {
  try {
    loadConfig(ctx);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

describe('serving checks', () => {
  test('the reference run passes', () => {
    expect(() => defaultConfig()).not.toThrow();
  });

  test('decode pod requests must fit the GPU instance', () => {
    expect(problems({ 'vllm.cpuRequest': 4 }).join('\n')).toMatch(/vllm.cpuRequest: got 4; must be <= 3.5 on a g5.xlarge/);
    expect(problems({ 'vllm.memoryRequestGiB': 15 }).join('\n')).toMatch(/vllm.memoryRequestGiB: got 15; must be <= 13.5 on a g5.xlarge/);
  });

  test('the memory limit may not be below the request', () => {
    expect(problems({ 'vllm.memoryLimitGiB': 8 }).join('\n')).toMatch(/vllm.memoryLimitGiB: got 8; must be >= vllm.memoryRequestGiB \(10\)/);
  });

  test('per-pod budget divides a multi-GPU node between its decode pods', () => {
    const p = problems({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': 2, 'vllm.cpuRequest': 12 }).join('\n');
    expect(p).toMatch(/vllm.cpuRequest: got 12; must be <= 11.875 on a g5.12xlarge/);
  });

  test('EPP and Envoy must fit a system node', () => {
    expect(problems({ 'router.eppCpuRequest': 4 }).join('\n')).toMatch(/router.eppCpuRequest: got 4; plus Envoy \(0.5\) must fit a m6i.xlarge/);
    expect(problems({ 'router.eppMemoryGiB': 14 }).join('\n')).toMatch(/router.eppMemoryGiB: got 14; plus Envoy/);
  });

  test('the EPP pod, the benchmark client and Prometheus must fit the system node group together', () => {
    // Reference: 2 x m6i.xlarge holds them; one does not (the client would stay Pending at `run`).
    expect(problems({})).toEqual([]);
    expect(problems({ 'systemNodes.count': 1 }).join('\n')).toMatch(/systemNodes.count: got 1; .*the benchmark client would stay Pending/);
    // One larger node, or a smaller client, is enough.
    expect(problems({ 'systemNodes.count': 1, 'systemNodes.instanceType': 'm6i.2xlarge' })).toEqual([]);
    expect(problems({ 'systemNodes.count': 1, 'benchmark.clientCpu': 0.5 })).toEqual([]);
    // The Prometheus request the check counts is the one the chart values carry.
    const { kubePrometheusStackValues } = require('../../constructs/helm/kube-prometheus-stack') as typeof import('../../constructs/helm/kube-prometheus-stack');
    const { PROMETHEUS_CPU_REQUEST, PROMETHEUS_MEMORY_GIB } = require('../../lib/config/checks/serving') as typeof import('../../lib/config/checks/serving');
    const values = kubePrometheusStackValues({ cluster: undefined as never, version: '1.0.0', nodeSelector: {}, retention: '1d', storageGiB: 1, grafanaAdminSecret: { secretArn: 'a', region: 'us-west-2', awsCliImage: 'i:1' } });
    expect(values.prometheus.prometheusSpec.resources.requests).toEqual({ cpu: `${PROMETHEUS_CPU_REQUEST * 1000}m`, memory: `${PROMETHEUS_MEMORY_GIB}Gi` });
  });

  test('the speculative TTL must be a sensible window', () => {
    expect(problems({ 'router.speculativeTtl': '10ms' }).join('\n')).toMatch(/router.speculativeTtl: got "10ms"; must be between 100ms and 1m/);
    expect(problems({ 'router.speculativeTtl': '10ms', 'router.speculativeIndexing': false })).toEqual([]);
  });

  test('image tags must be pinned', () => {
    expect(problems({ 'vllm.tag': 'latest' }).join('\n')).toMatch(/vllm.tag: got "latest"/);
    expect(problems({ 'router.eppTag': 'latest' }).join('\n')).toMatch(/router.eppTag: got "latest"/);
  });

  test('the KV-events port may not be the HTTP port', () => {
    expect(problems({ 'vllm.kvEventsPort': 8000 }).join('\n')).toMatch(/vllm.kvEventsPort: got 8000; must differ from vllm.port/);
  });
});
