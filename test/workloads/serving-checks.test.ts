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

  test('vllm.apiServerCount: a positive integer, at most the pod\'s vCPUs minus the engine\'s', () => {
    const zero = problems({ 'vllm.apiServerCount': 0 });
    expect(zero).toHaveLength(1);
    expect(zero[0]).toMatch(/vllm.apiServerCount: got 0; must be a positive integer/);
    // g5.xlarge: 3.5 vCPUs per pod, 1 for the engine core -> 2.
    expect(problems({ 'vllm.apiServerCount': 2 })).toEqual([]);
    const many = problems({ 'vllm.apiServerCount': 3 });
    expect(many).toHaveLength(1);
    expect(many[0]).toMatch(/^vllm.apiServerCount: got 3; must be <= 2 on a g5.xlarge at TP=1: the decode pod's 3.5 vCPUs minus 1 for the engine/);
    // A bigger pod allows more; TP workers count as engine processes.
    expect(problems({ 'gpuNodes.instanceType': 'g5.2xlarge', 'vllm.apiServerCount': 4 })).toEqual([]);
    expect(problems({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': 2, 'vllm.tensorParallelSize': 2, 'vllm.apiServerCount': 21 }).join('\n'))
      .toMatch(/vllm.apiServerCount: got 21; must be <= 20 on a g5.12xlarge at TP=2: the decode pod's 23.75 vCPUs minus 3/);
  });

  test('the memory limit may not be below the request', () => {
    expect(problems({ 'vllm.memoryLimitGiB': 8 }).join('\n')).toMatch(/vllm.memoryLimitGiB: got 8; must be >= vllm.memoryRequestGiB \(10\)/);
  });

  test('per-pod budget divides a multi-GPU node between its decode pods', () => {
    const p = problems({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': 2, 'vllm.cpuRequest': 12 }).join('\n');
    expect(p).toMatch(/vllm.cpuRequest: got 12; must be <= 11.875 on a g5.12xlarge/);
  });

  test('EPP and Envoy must fit a system node', () => {
    expect(problems({ 'router.eppCpuRequest': 6 }).join('\n')).toMatch(/router.eppCpuRequest: got 6; plus router.envoyCpuRequest \(2\) must fit a m6i.2xlarge/);
    expect(problems({ 'router.envoyCpuRequest': 4 }).join('\n')).toMatch(/router.eppCpuRequest: got 4; plus router.envoyCpuRequest \(4\) must fit a m6i.2xlarge/);
    expect(problems({ 'router.eppMemoryGiB': 29 }).join('\n')).toMatch(/router.eppMemoryGiB: got 29; plus router.envoyMemoryGiB/);
    // The reference requests (EPP 4 + Envoy 2 CPU) do not fit the old m6i.xlarge default at all.
    expect(problems({ 'systemNodes.instanceType': 'm6i.xlarge' }).join('\n')).toMatch(/router.eppCpuRequest: got 4; plus router.envoyCpuRequest \(2\) must fit a m6i.xlarge/);
  });

  test('the EPP pod, every render pod, the benchmark client and Prometheus must fit the system node group together', () => {
    // Reference: 2 x m6i.2xlarge holds them; one does not (the client would stay Pending at `run`).
    expect(problems({})).toEqual([]);
    expect(problems({ 'systemNodes.count': 1 }).join('\n')).toMatch(/systemNodes.count: got 1; .*render pod 2 1 CPU \/ 3 GiB.*the benchmark client would stay Pending/);
    // Render replicas count: five more render pods overflow two nodes.
    expect(problems({ 'router.renderReplicas': 7 }).join('\n')).toMatch(/systemNodes.count: got 2; .*render pod 7 would stay Pending/);
    // One node holds them all once the router asks less (3 + 2 client + 0.5 Prometheus + 2 x 1 render = 7.5 CPU).
    expect(problems({ 'systemNodes.count': 1, 'router.eppCpuRequest': 2, 'router.envoyCpuRequest': 1 })).toEqual([]);
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

  test('the KV-events port may not be the HTTP port; the replay port neither of them', () => {
    expect(problems({ 'vllm.kvEventsPort': 8000 }).join('\n')).toMatch(/vllm.kvEventsPort: got 8000; must differ from vllm.port/);
    expect(problems({ 'vllm.kvEventsReplayPort': 5556 }).join('\n')).toMatch(/vllm.kvEventsReplayPort: got 5556; must differ from vllm.kvEventsPort \(5556\)/);
    expect(problems({ 'vllm.kvEventsReplayPort': 8000 }).join('\n')).toMatch(/vllm.kvEventsReplayPort: got 8000; must differ from vllm.port \(8000\)/);
  });

  test('the vLLM tag must be a release with `vllm launch render` (>= v0.18.0): the EPP tokenizes through it', () => {
    expect(problems({ 'vllm.tag': 'v0.17.1' }).join('\n')).toMatch(/vllm.tag: got "v0.17.1"; must be v0.18.0 or newer: the EPP tokenizes through `vllm launch render`/);
    expect(problems({ 'vllm.tag': 'nightly' }).join('\n')).toMatch(/vllm.tag: got "nightly"; must name a vLLM release such as v0.27.1/);
    // Releases after the render gating (#54579/#55176) need nothing extra: `vllm launch render` always serves /render.
    for (const tag of ['v0.18.0', 'v0.27.1', 'v0.27.1-cu129', 'v0.30.0', 'v1.0.0']) expect([tag, problems({ 'vllm.tag': tag })]).toEqual([tag, []]);
  });

  test('image digests: sha256:<64 hex> only; one digest for the AWS CLI image', () => {
    expect(problems({ 'vllm.imageDigest': 'sha256:abc' }).join('\n')).toMatch(/vllm.imageDigest: got "sha256:abc"; must be an image digest sha256:<64 lower-case hex characters>/);
    expect(problems({ 'router.eppImageDigest': 'v0.10.0' }).join('\n')).toMatch(/router.eppImageDigest: got "v0.10.0"; must be an image digest/);
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    expect(problems({ 'project.awsCliImage': `public.ecr.aws/aws-cli/aws-cli:2.36.15@${a}`, 'project.awsCliImageDigest': b }).join('\n'))
      .toMatch(/project.awsCliImageDigest: got "sha256:b+"; contradicts the digest inside project.awsCliImage/);
    expect(problems({ 'router.envoyImageDigest': a })).toEqual([]);
  });

  test('the render server runs the vLLM release of the engines, optionally another build of it (router.renderImage)', () => {
    const { renderImage } = require('../../lib/config/images') as typeof import('../../lib/config/images');
    expect(renderImage(defaultConfig()).ref).toBe(require('../../lib/config/images').vllmImage(defaultConfig()).ref);
    const cpu = loadConfig({ 'router.renderImage': 'vllm/vllm-openai-cpu', 'vllm.tag': 'v0.27.1' });
    expect(renderImage(cpu).ref).toBe('vllm/vllm-openai-cpu:v0.27.1');
    const d = `sha256:${'c'.repeat(64)}`;
    expect(renderImage(loadConfig({ 'router.renderImage': 'vllm/vllm-openai-cpu', 'router.renderImageDigest': d })).ref).toBe(`vllm/vllm-openai-cpu@${d}`);
    expect(problems({ 'router.renderImageDigest': d }).join('\n')).toMatch(/router.renderImageDigest: got "sha256:c+"; is only used with router.renderImage/);
    expect(problems({ 'router.renderImage': 'vllm/vllm-openai-cpu:v0.27.1' }).join('\n')).toMatch(/router.renderImage: got .*must be an image repository without a tag/);
  });

  test('the loader namespace (<namespace>-loader) must stay a DNS label', () => {
    expect(problems({ 'project.namespace': 'n'.repeat(57) }).join('\n')).toMatch(/project.namespace: got "n{57}"; must be at most 56 characters/);
    expect(problems({ 'project.namespace': 'n'.repeat(56) })).toEqual([]);
  });
});
