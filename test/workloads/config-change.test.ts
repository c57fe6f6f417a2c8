/**
 * One config value, many consumers: changing a value changes every place that must agree, and
 * nothing else in the render keeps the old value.
 */
import { defaultConfig, loadConfig } from '../../lib/config';
import { sharedNames } from '../../k8s/names';
import { allObjects, renderCharts, toYaml } from '../../k8s/render';
import { formatIssues, validateObjects } from '../../k8s/validate';
import { PLUGIN_TYPES } from '../../k8s/router/endpoint-picker-config';
import { find, flag, pluginOfType, renderedEppConfig, vllmContainer } from './helpers';

const base = defaultConfig();
const n = sharedNames(base);
const render = (ctx: Record<string, unknown>) => allObjects(renderCharts(loadConfig(ctx)));

describe('block size 32', () => {
  const objects = render({ 'vllm.blockSize': 32 });
  const args: string[] = vllmContainer(objects, n.decodeDeployment).args;
  const precise = pluginOfType(renderedEppConfig(objects, n.eppConfigMap), PLUGIN_TYPES.precisePrefixCacheProducer).parameters;

  test('vLLM --block-size is 32', () => {
    expect(flag(args, '--block-size')).toBe('32');
  });

  test('EPP blockSizeTokens is 32', () => {
    expect(precise.tokenProcessorConfig.blockSizeTokens).toBe(32);
  });

  test('the default block size (64) is gone from both', () => {
    expect(base.vllm.blockSize).toBe(64);
    expect(args.filter((a) => a.startsWith('--block-size'))).toEqual(['--block-size=32']);
    expect(JSON.stringify(precise)).not.toMatch(/"blockSize(Tokens)?":64/);
  });

  test('the EPP pod template changes too, so the running EPP picks the new config up', () => {
    const hash = (objs: typeof objects) => find(objs, 'Deployment', n.eppDeployment).spec.template.metadata.annotations['llmd-bench/config-hash'];
    expect(hash(objects)).not.toBe(hash(allObjects(renderCharts(base))));
  });
});

describe('vLLM HTTP port 8080', () => {
  const objects = render({ 'vllm.port': 8080 });
  const vllm = vllmContainer(objects, n.decodeDeployment);
  const epc = renderedEppConfig(objects, n.eppConfigMap);

  test('every consumer moves to 8080', () => {
    expect(flag(vllm.args, '--port')).toBe('8080');
    expect(vllm.ports.find((p: { name: string }) => p.name === 'http').containerPort).toBe(8080);
    expect(JSON.parse(flag(vllm.args, '--kv-events-config')!).topic).toMatch(/^kv@\$\(POD_IP\):8080@/);
    expect(find(objects, 'InferencePool', n.inferencePool).spec.targetPorts).toEqual([{ number: 8080 }]);
    expect(find(objects, 'Service', n.roundRobinService).spec.ports[0].port).toBe(8080);
    expect(find(objects, 'Service', n.renderService).spec.ports[0].port).toBe(8080);
    expect(pluginOfType(epc, PLUGIN_TYPES.tokenProducer).parameters.vllm.url).toMatch(/:8080$/);
  });

  test('no manifest mentions port 8000 any more', () => {
    expect(toYaml(objects)).not.toMatch(/\b8000\b/);
  });
});

describe('KV-events port 5600', () => {
  const objects = render({ 'vllm.kvEventsPort': 5600 });
  const vllm = vllmContainer(objects, n.decodeDeployment);
  const precise = pluginOfType(renderedEppConfig(objects, n.eppConfigMap), PLUGIN_TYPES.precisePrefixCacheProducer).parameters;

  test('vLLM publishes on 5600 and the EPP dials 5600', () => {
    expect(JSON.parse(flag(vllm.args, '--kv-events-config')!).endpoint).toBe('tcp://*:5600');
    expect(vllm.ports.find((p: { name: string }) => p.name === 'kv-events').containerPort).toBe(5600);
    expect(precise.kvEventsConfig.podDiscoveryConfig.socketPort).toBe(5600);
    expect(toYaml(objects)).not.toMatch(/\b5556\b/);
  });
});

describe('namespace and pool renamed', () => {
  const objects = render({ 'project.namespace': 'bench-b', 'router.poolName': 'pool-b' });

  test('every namespaced object moves, and the EPP follows its pool', () => {
    const epp = find(objects, 'Deployment', 'pool-b-epp').spec.template.spec.containers.find((c: { name: string }) => c.name === 'epp');
    expect(flag(epp.args, '--pool-name')).toBe('pool-b');
    expect(flag(epp.args, '--pool-namespace')).toBe('bench-b');
    expect(find(objects, 'InferencePool', 'pool-b').metadata.namespace).toBe('bench-b');
    expect(pluginOfType(renderedEppConfig(objects, 'pool-b-epp-config'), PLUGIN_TYPES.tokenProducer).parameters.vllm.url).toBe('http://vllm-render.bench-b.svc:8000');
    // The old namespace appears nowhere it names a namespace (label keys like llmd-bench/pool stay).
    const old = base.project.namespace;
    for (const o of objects) {
      // The loader (and its read-write claim) live in <namespace>-loader.
      if (o.metadata.namespace !== undefined) expect([`${o.kind}/${o.metadata.name}`, ['bench-b', 'bench-b-loader']]).toEqual([`${o.kind}/${o.metadata.name}`, expect.arrayContaining([o.metadata.namespace])]);
      for (const names of [o.spec?.namespaceSelector?.matchNames ?? [], (o.subjects ?? []).map((x: { namespace: string }) => x.namespace)]) {
        expect(names.filter((x: string) => x === old)).toEqual([]);
      }
    }
    const yaml = toYaml(objects);
    for (const use of [`namespace=\\"${old}\\"`, `.${old}.svc`, `-namespace=${old}\n`]) expect([use, yaml.includes(use)]).toEqual([use, false]);
    expect(yaml).toMatch(/namespace: bench-b\n/);
  });
});

describe('scorer weights and failure mode', () => {
  const objects = render({ 'router.scorers.prefixCache': 3, 'router.failureMode': 'FailOpen' });

  test('the weight reaches the rendered profile', () => {
    const profile = renderedEppConfig(objects, n.eppConfigMap).schedulingProfiles[0];
    expect(profile.plugins.find((p) => p.pluginRef === PLUGIN_TYPES.prefixCacheScorer)?.weight).toBe(3);
  });

  test('FailOpen (not the default) reaches the InferencePool and Envoy', () => {
    expect(base.router.failureMode).toBe('FailClose');
    expect(find(objects, 'InferencePool', n.inferencePool).spec.endpointPickerRef.failureMode).toBe('FailOpen');
    expect(find(objects, 'ConfigMap', n.envoyConfigMap).data['envoy.yaml']).toMatch(/failure_mode_allow: true/);
  });
});

/**
 * Every stack update is a `kubectl apply` of the new render over the old one. The API server refuses
 * to change an immutable field of an object that keeps its name, and the whole Workloads update
 * fails and rolls back. For config changes a user may make on a live stack, every object that keeps
 * its name must keep its immutable fields.
 */
describe('config changes on a live stack never touch an immutable field of an object that keeps its name', () => {
  type Obj = ReturnType<typeof allObjects>[number];
  const immutable: Record<string, (o: Obj) => unknown> = {
    Deployment: (o) => o.spec.selector,
    StatefulSet: (o) => o.spec.selector,
    DaemonSet: (o) => o.spec.selector,
    Job: (o) => [o.spec.selector, o.spec.template],
    // Static claims have no StorageClass, so not even a larger request is allowed.
    PersistentVolumeClaim: (o) => o.spec,
    PersistentVolume: (o) => [o.spec.csi, o.spec.volumeMode],
    Secret: (o) => o.type,
  };
  const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  // What the Workloads stack applies (the benchmark Jobs are created per run by the CLI).
  const applied = (c: typeof base) => allObjects(renderCharts(c).filter((r) => r.entry.target === 'stack'));
  const before = new Map(applied(base).map((o) => [key(o), o]));
  test.each([
    { 'router.poolName': 'pool-b' },
    { 'modelStore.storageCapacityGiB': 2400 },
    { 'modelStore.perUnitStorageThroughput': 500 },
    { 'modelStore.hfTokenSecretName': 'hf/token' },
    { 'model.revision': 'main' },
    { 'vllm.tag': 'v0.27.2' },
    { 'vllm.blockSize': 32 },
    { 'vllm.port': 8080 },
    { 'router.eppReplicas': 2 },
    { 'router.scorers.queue': 0 },
    { 'benchmark.cacheReset': 'endpoint' },
    { 'vllm.kvEventsReplayPort': 5599 },
    { 'router.renderReplicas': 3 },
  ])('%o', (ctx) => {
    const changed = applied(loadConfig(ctx)).flatMap((o) => {
      const old = before.get(key(o));
      const field = immutable[o.kind];
      if (!old || !field) return [];
      return JSON.stringify(field(old)) === JSON.stringify(field(o)) ? [] : [key(o)];
    });
    expect(changed).toEqual([]);
  });
});

describe('two API servers (vllm.apiServerCount=2)', () => {
  const objects = render({ 'vllm.apiServerCount': 2 });
  const args: string[] = vllmContainer(objects, n.decodeDeployment).args;
  const baseArgs: string[] = vllmContainer(allObjects(renderCharts(base)), n.decodeDeployment).args;

  test('the decode pod runs vLLM with --api-server-count=2; the default renders no flag (vLLM\'s own default)', () => {
    expect(flag(args, '--api-server-count')).toBe('2');
    expect(base.vllm.apiServerCount).toBe(1);
    expect(baseArgs.some((a) => a.startsWith('--api-server-count'))).toBe(false);
  });

  test('only that flag changes, and the render stays schema-valid', () => {
    expect(args.filter((a) => !baseArgs.includes(a))).toEqual(['--api-server-count=2']);
    expect(formatIssues(validateObjects(objects))).toBe('');
  });
});
