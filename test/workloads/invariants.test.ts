/**
 * Wiring invariants, each its own test, checked on the rendered manifests (what kubectl would apply),
 * not on the builders: the same numbers and names must meet on both sides of every connection.
 */
import { defaultConfig, gpusAvailable, servedModelName } from '../../lib/config';
import { decodePodLabels, matchesLabels } from '../../k8s/labels';
import { GPU_NODE_ROLE, GPU_NODE_TAINT, NODE_ROLE_LABEL, sharedNames, SYSTEM_NODE_ROLE } from '../../k8s/names';
import { allObjects, renderCharts } from '../../k8s/render';
import { PICKER_TYPES, PLUGIN_TYPES } from '../../k8s/router/endpoint-picker-config';
import { eppConfigProblems, pluginName } from '../../k8s/router/epp-config-checks';
import { coldStartBudgetSeconds } from '../../k8s/vllm/flags';
import { MODELS, weightBytes } from '../../lib/config/tables/models';
import { parse } from 'yaml';
import { find, flag, ofKind, pluginOfType, podTemplates, renderedEppConfig, vllmContainer } from './helpers';

const config = defaultConfig();
const n = sharedNames(config);
const objects = allObjects(renderCharts(config));
const vllm = vllmContainer(objects, n.decodeDeployment);
const args: string[] = vllm.args;
const kvEvents = JSON.parse(flag(args, '--kv-events-config')!);
const TOPIC = /^kv@\$\(([A-Z_]+)\):(\d+)@(.+)$/;
const topic = TOPIC.exec(kvEvents.topic)!;
const epc = renderedEppConfig(objects, n.eppConfigMap);
const precise = pluginOfType(epc, PLUGIN_TYPES.precisePrefixCacheProducer).parameters;
const pool = find(objects, 'InferencePool', n.inferencePool);
const eppPod = find(objects, 'Deployment', n.eppDeployment).spec.template.spec;
const eppContainer = eppPod.containers.find((c: { name: string }) => c.name === 'epp');
const envoyContainer = eppPod.containers.find((c: { name: string }) => c.name === 'envoy');
const envoy = parse(Object.values(find(objects, 'ConfigMap', n.envoyConfigMap).data as Record<string, string>)[0]);
const renderPod = find(objects, 'Deployment', n.renderDeployment).spec.template.spec;
const renderContainer = renderPod.containers[0];

function containerPort(container: Record<string, any>, name: string): number {
  const p = (container.ports ?? []).find((x: { name: string }) => x.name === name);
  if (!p) throw new Error(`container ${container.name} has no port ${name}`);
  return p.containerPort;
}

/** The port a Service port's targetPort reaches on a container (named or numeric). */
function resolveTarget(container: Record<string, any>, targetPort: string | number): number {
  return typeof targetPort === 'number' ? targetPort : containerPort(container, targetPort);
}

describe('vLLM <-> EPP wiring', () => {
  test('EPP blockSizeTokens == vLLM --block-size', () => {
    expect(Number(flag(args, '--block-size'))).toBe(config.vllm.blockSize);
    expect(precise.tokenProcessorConfig.blockSizeTokens).toBe(Number(flag(args, '--block-size')));
    expect(precise.tokenProcessorConfig.blockSize).toBeUndefined(); // the deprecated spelling
  });

  test('KV-event topic port == InferencePool target port == vLLM container port', () => {
    expect(topic).not.toBeNull();
    const topicPort = Number(topic[2]);
    expect(pool.spec.targetPorts).toEqual([{ number: topicPort }]);
    expect(containerPort(vllm, 'http')).toBe(topicPort);
    expect(Number(flag(args, '--port'))).toBe(topicPort);
  });

  test('the topic host is the pod IP from the downward API', () => {
    const envName = topic[1];
    expect(vllm.env.find((e: { name: string }) => e.name === envName)).toEqual({ name: envName, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
  });

  test('vLLM ZMQ port == kv-events container port == EPP podDiscoveryConfig.socketPort', () => {
    const zmq = /^tcp:\/\/\*:(\d+)$/.exec(kvEvents.endpoint);
    expect(zmq).not.toBeNull();
    expect(kvEvents).toMatchObject({ enable_kv_cache_events: true, publisher: 'zmq' });
    expect(containerPort(vllm, 'kv-events')).toBe(Number(zmq![1]));
    expect(precise.kvEventsConfig.podDiscoveryConfig.socketPort).toBe(Number(zmq![1]));
    expect(precise.kvEventsConfig.topicFilter).toBe('kv@');
    expect(kvEvents.topic.startsWith(precise.kvEventsConfig.topicFilter)).toBe(true);
  });

  test('served model name == topic model == EPP token-producer model == benchmark model', () => {
    const served = flag(args, '--served-model-name');
    expect(served).toBe(servedModelName(config));
    expect(topic[3]).toBe(served);
    expect(pluginOfType(epc, PLUGIN_TYPES.tokenProducer).parameters.modelName).toBe(served);
    expect(config.model.id).toBe(served);
    // A benchmark Job in the registry must ask for the same model.
    for (const t of podTemplates(objects)) {
      for (const c of t.spec.containers) {
        const model = flag(c.args ?? [], '--model');
        if (model !== undefined) expect(`${t.owner}: ${model}`).toBe(`${t.owner}: ${served}`);
      }
    }
  });

  test('the token producer calls the render Service, which reaches the render server\'s port (vllm launch render, same image, model and limits)', () => {
    const url = new URL(pluginOfType(epc, PLUGIN_TYPES.tokenProducer).parameters.vllm.url);
    const render = find(objects, 'Service', n.renderService);
    expect(url.protocol).toBe('http:');
    expect(url.hostname).toBe(`${n.renderService}.${n.namespace}.svc`);
    expect(Number(url.port)).toBe(render.spec.ports[0].port);
    expect(resolveTarget(renderContainer, render.spec.ports[0].targetPort)).toBe(Number(flag(renderContainer.args, '--port')));
    expect(renderContainer.command).toEqual(['vllm', 'launch', 'render']);
    expect(renderContainer.image).toBe(vllm.image);
    // The render call names the served model (llm-d-router v0.10.0 stamps modelName into it).
    expect(flag(renderContainer.args, '--served-model-name')).toBe(pluginOfType(epc, PLUGIN_TYPES.tokenProducer).parameters.modelName);
    expect(renderContainer.args[0]).toBe(args[0]);
    expect(flag(renderContainer.args, '--max-model-len')).toBe(flag(args, '--max-model-len'));
  });

  test('the render server never gets VLLM_ENABLE_SCALE_OUT_ENDPOINTS (an explicit 0 stops `vllm launch render`, vllm-project/vllm#55117)', () => {
    expect((renderContainer.env ?? []).map((e: { name: string }) => e.name)).not.toContain('VLLM_ENABLE_SCALE_OUT_ENDPOINTS');
    expect(renderPod.enableServiceLinks).toBe(false);
  });

  test('vLLM replay socket: --kv-events-config replay_endpoint == kv-replay container port == EPP podDiscoveryConfig.replaySocketPort', () => {
    const replay = /^tcp:\/\/\*:(\d+)$/.exec(kvEvents.replay_endpoint);
    expect(replay).not.toBeNull();
    expect(containerPort(vllm, 'kv-replay')).toBe(Number(replay![1]));
    expect(precise.kvEventsConfig.podDiscoveryConfig.replaySocketPort).toBe(Number(replay![1]));
    expect(Number(replay![1])).not.toBe(precise.kvEventsConfig.podDiscoveryConfig.socketPort);
  });

  test('the weights are served from the read-only claim, offline', () => {
    expect(args[0]).toBe(n.modelDir);
    expect(vllm.volumeMounts.find((m: { mountPath: string }) => n.modelDir.startsWith(m.mountPath))).toMatchObject({ name: 'models', readOnly: true });
    expect(vllm.env).toContainEqual({ name: 'HF_HUB_OFFLINE', value: '1' });
  });
});

describe('selectors', () => {
  const templates = podTemplates(objects);
  const decodeOwners = [`Deployment/${n.decodeDeployment}`];
  const selected = (selector: Record<string, string>) => templates.filter((t) => matchesLabels(selector, t.metadata.labels)).map((t) => t.owner);

  test('there are pod templates to check against (not a vacuous test)', () => {
    expect(templates.length).toBeGreaterThanOrEqual(2);
    expect(templates.map((t) => t.owner)).toContain(`Deployment/${n.eppDeployment}`);
  });

  test('the round-robin Service selects exactly the decode pods', () => {
    expect(selected(find(objects, 'Service', n.roundRobinService).spec.selector)).toEqual(decodeOwners);
  });

  test('the InferencePool selects exactly the decode pods', () => {
    expect(selected(pool.spec.selector.matchLabels)).toEqual(decodeOwners);
  });

  test('the render Service selects exactly the render pods, which neither the InferencePool nor the round-robin Service selects', () => {
    expect(selected(find(objects, 'Service', n.renderService).spec.selector)).toEqual([`Deployment/${n.renderDeployment}`]);
    const renderLabels = find(objects, 'Deployment', n.renderDeployment).spec.template.metadata.labels;
    expect(matchesLabels(pool.spec.selector.matchLabels, renderLabels)).toBe(false);
    expect(matchesLabels(find(objects, 'Service', n.roundRobinService).spec.selector, renderLabels)).toBe(false);
  });

  test('the decode selectors are the one decode label set', () => {
    const sel = decodePodLabels(config);
    expect(find(objects, 'Service', n.roundRobinService).spec.selector).toEqual(sel);
    expect(pool.spec.selector.matchLabels).toEqual(sel);
    expect(find(objects, 'PodMonitor', n.decodeDeployment).spec.selector.matchLabels).toEqual(sel);
  });

  test('the router Service and the EPP Service select exactly the EPP pods', () => {
    expect(selected(find(objects, 'Service', n.routerService).spec.selector)).toEqual([`Deployment/${n.eppDeployment}`]);
    expect(selected(find(objects, 'Service', n.eppService).spec.selector)).toEqual([`Deployment/${n.eppDeployment}`]);
  });
});

describe('EndpointPickerConfig', () => {
  test('the rendered config has the whole precise-prefix chain (token producer -> data layer -> producer -> scorer -> profile -> picker)', () => {
    expect(eppConfigProblems(epc)).toEqual([]);
  });

  test('every pluginRef names a defined plugin', () => {
    const names = new Set(epc.plugins.map(pluginName));
    const refs = [
      ...epc.schedulingProfiles.flatMap((p) => p.plugins.map((x) => x.pluginRef)),
      ...epc.dataLayer.sources.flatMap((s) => [s.pluginRef, ...s.extractors.map((e) => e.pluginRef)]),
    ];
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !names.has(r))).toEqual([]);
  });

  test('every scheduling profile ends in a picker', () => {
    const typeOf = new Map(epc.plugins.map((p) => [pluginName(p), p.type]));
    for (const profile of epc.schedulingProfiles) {
      expect(PICKER_TYPES).toContain(typeOf.get(profile.plugins[profile.plugins.length - 1].pluginRef));
    }
  });

  test('scorer weights are the configured ones', () => {
    const weights = Object.fromEntries(epc.schedulingProfiles[0].plugins.filter((p) => p.weight !== undefined).map((p) => [p.pluginRef, p.weight]));
    expect(weights).toEqual({
      [PLUGIN_TYPES.prefixCacheScorer]: config.router.scorers.prefixCache,
      [PLUGIN_TYPES.kvCacheUtilizationScorer]: config.router.scorers.kvCacheUtilization,
      [PLUGIN_TYPES.queueScorer]: config.router.scorers.queue,
      [PLUGIN_TYPES.noHitLruScorer]: config.router.scorers.noHitLru,
    });
  });

  test('speculative indexing as configured', () => {
    expect(precise.speculativeIndexing).toBe(config.router.speculativeIndexing);
    expect(precise.speculativeTTL).toBe(config.router.speculativeTtl);
  });
});

describe('EPP <-> Envoy <-> InferencePool wiring', () => {
  const grpcPort = Number(flag(eppContainer.args, '--grpc-port'));

  test('EPP watches this InferencePool', () => {
    expect(flag(eppContainer.args, '--pool-name')).toBe(pool.metadata.name);
    expect(flag(eppContainer.args, '--pool-namespace')).toBe(pool.metadata.namespace);
    expect(flag(eppContainer.args, '--pool-group')).toBe(pool.apiVersion.split('/')[0]);
  });

  test('EPP reads the config file the ConfigMap mount provides', () => {
    const file = flag(eppContainer.args, '--config-file')!;
    const mount = eppContainer.volumeMounts.find((m: { mountPath: string }) => file.startsWith(`${m.mountPath}/`));
    const volume = eppPod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.configMap.name).toBe(n.eppConfigMap);
    expect(Object.keys(find(objects, 'ConfigMap', n.eppConfigMap).data)).toEqual([file.slice(mount.mountPath.length + 1)]);
  });

  test('ext_proc port: EPP --grpc-port == container port == Envoy ext_proc cluster == pool endpointPickerRef == EPP Service', () => {
    expect(containerPort(eppContainer, 'grpc')).toBe(grpcPort);
    const extProc = envoy.static_resources.clusters.find((c: { name: string }) => c.name === 'ext_proc');
    expect(extProc.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(grpcPort);
    expect(pool.spec.endpointPickerRef).toMatchObject({ name: n.eppService, kind: 'Service', port: { number: grpcPort } });
    const svc = find(objects, 'Service', n.eppService);
    const port = svc.spec.ports.find((p: { port: number }) => p.port === grpcPort);
    expect(resolveTarget(eppContainer, port.targetPort)).toBe(grpcPort);
  });

  test('the llm-d-router Service reaches the Envoy listener', () => {
    const svc = find(objects, 'Service', n.routerService);
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports[0].port).toBe(config.router.servicePort);
    const listener = envoy.static_resources.listeners.find((l: { name: string }) => l.name === 'inference');
    expect(resolveTarget(envoyContainer, svc.spec.ports[0].targetPort)).toBe(listener.address.socket_address.port_value);
  });

  test('Envoy routes by the EPP destination header through ext_proc, to vLLM\'s port only', () => {
    const od = envoy.static_resources.clusters.find((c: { name: string }) => c.name === 'original_destination');
    expect(od).toMatchObject({ type: 'ORIGINAL_DST', original_dst_lb_config: { use_http_header: true, http_header_name: 'x-gateway-destination-endpoint', upstream_port_override: Number(flag(args, '--port')) } });
    const hcm = envoy.static_resources.listeners.find((l: { name: string }) => l.name === 'inference').filter_chains[0].filters[0].typed_config;
    expect(hcm.http_filters.map((f: { name: string }) => f.name)).toEqual(['envoy.filters.http.header_mutation', 'envoy.filters.http.ext_proc', 'envoy.filters.http.router']);
    const routes = hcm.route_config.virtual_hosts[0].routes;
    expect(routes.filter((r: any) => r.route?.cluster === 'original_destination').map((r: any) => r.match.path)).toEqual(['/v1/chat/completions', '/v1/completions', '/v1/models', '/health']);
  });

  test('failure mode: InferencePool and Envoy agree with the config; the default fails closed', () => {
    expect(config.router.failureMode).toBe('FailClose');
    expect(pool.spec.endpointPickerRef.failureMode).toBe(config.router.failureMode);
    const extProc = envoy.static_resources.listeners.find((l: { name: string }) => l.name === 'inference')
      .filter_chains[0].filters[0].typed_config.http_filters.find((f: { name: string }) => f.name === 'envoy.filters.http.ext_proc').typed_config;
    expect(extProc.failure_mode_allow).toBe(false);
  });

  test('the EPP pod restarts when its config changes (config hash in the pod template)', () => {
    const changed = allObjects(renderCharts({ ...config, router: { ...config.router, scorers: { ...config.router.scorers, queue: 3 } } }));
    const hash = (objs: typeof objects) => find(objs, 'Deployment', n.eppDeployment).spec.template.metadata.annotations['llmd-bench/config-hash'];
    expect(hash(changed)).not.toBe(hash(objects));
  });
});

describe('placement and lifecycle', () => {
  const decode = find(objects, 'Deployment', n.decodeDeployment);
  const spec = decode.spec.template.spec;

  test('one decode replica per GPU, each asking for exactly one GPU', () => {
    expect(decode.spec.replicas).toBe(gpusAvailable(config));
    expect(vllm.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(vllm.resources.requests['nvidia.com/gpu']).toBe(1);
  });

  test('never two decode pods on one single-GPU node (required anti-affinity on the hostname)', () => {
    const term = spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.labelSelector.matchLabels).toEqual(decodePodLabels(config));
  });

  test('decode pods go to GPU nodes and tolerate their taint; EPP goes to system nodes', () => {
    expect(spec.nodeSelector).toEqual({ [NODE_ROLE_LABEL]: GPU_NODE_ROLE });
    expect(spec.tolerations).toContainEqual({ key: GPU_NODE_TAINT.key, operator: 'Exists', effect: GPU_NODE_TAINT.effect });
    expect(eppPod.nodeSelector).toEqual({ [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE });
    expect(eppPod.tolerations).toBeUndefined();
  });

  test('rolling updates never need a spare GPU (maxSurge 0)', () => {
    expect(decode.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('the startup probe outlasts a cold load of every replica from FSx', () => {
    const p = vllm.startupProbe;
    const budget = p.periodSeconds * p.failureThreshold;
    expect(budget).toBeGreaterThanOrEqual(coldStartBudgetSeconds(config));
    // 8 x 15.2 GB at ~293 MB/s is ~7 minutes; the budget must be well above that.
    const fsxMBps = (config.modelStore.storageCapacityGiB / 1024) * config.modelStore.perUnitStorageThroughput;
    expect(budget).toBeGreaterThan((2 * config.vllm.replicas * weightBytes(MODELS[config.model.id])) / (fsxMBps * 1e6));
    expect(vllm.readinessProbe.httpGet.path).toBe('/health');
    expect(vllm.livenessProbe.httpGet.path).toBe('/health');
  });

  test('an init check fails fast when the weights marker is missing', () => {
    const check = spec.initContainers.find((c: { name: string }) => c.name === 'check-weights');
    expect(check.env).toContainEqual({ name: 'WEIGHTS_MARKER', value: n.weightsMarker });
    expect(check.command.join(' ')).toMatch(/if \[ ! -f "\$WEIGHTS_MARKER" \]; then[\s\S]*exit 1/);
    expect(check.volumeMounts).toEqual([expect.objectContaining({ name: 'models', readOnly: true })]);
  });

  test('graceful termination: preStop pause, then vLLM drains for --shutdown-timeout, both inside the grace period', () => {
    const preStop = Number(vllm.lifecycle.preStop.exec.command[1]);
    const drain = Number(flag(args, '--shutdown-timeout'));
    expect(drain).toBeGreaterThan(0);
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drain);
  });

  test('no development endpoints by default: VLLM_SERVER_DEV_MODE (POST /reset_prefix_cache) only with the opt-in cacheReset=endpoint', () => {
    expect(config.benchmark.cacheReset).toBe('restart');
    expect(vllm.env.map((e: { name: string }) => e.name)).not.toContain('VLLM_SERVER_DEV_MODE');
    const endpoint = allObjects(renderCharts({ ...config, benchmark: { ...config.benchmark, cacheReset: 'endpoint' } }));
    expect(vllmContainer(endpoint, n.decodeDeployment).env).toContainEqual({ name: 'VLLM_SERVER_DEV_MODE', value: '1' });
  });

  test('no Service of the project is reachable from outside the cluster', () => {
    expect(ofKind(objects, 'Service').map((s) => s.spec.type)).toEqual(ofKind(objects, 'Service').map(() => 'ClusterIP'));
  });
});
