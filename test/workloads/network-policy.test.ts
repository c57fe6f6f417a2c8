/**
 * NetworkPolicies, evaluated (k8s/validate/network-policy.ts) over the rendered objects: every
 * connection the system needs is allowed, derived from the other objects (Services and their
 * backends, the EPP config's ZMQ ports and render URL, the Envoy clusters, the monitors), and
 * nothing else is, except the documented consequences of the one ipBlock that stands for the
 * control plane (its ENIs share the private subnets with every pod).
 */
import { parse } from 'yaml';
import { type BenchConfig, defaultConfig, loadConfig } from '../../lib/config';
import { API_SERVER_PORT, GRAFANA_POD_LABELS, KUBE_DNS, MONITORING_PORTS, monitoringNamespace, monitoringNetworkPolicies, POD_IDENTITY_AGENT, PROMETHEUS_POD_LABELS, REASON_ANNOTATION } from '../../k8s/charts/network-policy-chart';
import { KUBE_PROMETHEUS_STACK_CHART } from '../../constructs/helm/kube-prometheus-stack';
import { MONITORING_NAMESPACE } from '../../lib/names';
import { matchesLabels } from '../../k8s/labels';
import { sharedNames } from '../../k8s/names';
import { allObjects, type K8sObject, renderCharts } from '../../k8s/render';
import { PLUGIN_TYPES } from '../../k8s/router/endpoint-picker-config';
import { type Actor, type Connection, inCidr, PolicyEvaluator, selects } from '../../k8s/validate/network-policy';
import { find, ofKind, pluginOfType, renderedEppConfig } from './helpers';

type Pod = Extract<Actor, { kind: 'pod' }> & { readonly spec: Record<string, any>; readonly owner: string };

/** The world around a render: the rendered pods plus the actors outside it. */
function world(c: BenchConfig) {
  const objects = allObjects(renderCharts(c));
  const n = sharedNames(c);
  let host = 10;
  const ip = () => `10.42.8.${host++}`; // pod addresses come from the VPC (VPC CNI)
  const pods: Pod[] = objects.filter((o) => o.spec?.template?.spec?.containers && [n.namespace, n.loaderNamespace].includes(o.metadata.namespace)).map((o) => ({
    kind: 'pod', name: `${o.kind}/${o.metadata.name}`, owner: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace,
    labels: o.spec.template.metadata.labels, ip: ip(), spec: o.spec.template.spec,
  }));
  const monitoring = monitoringNamespace(c);
  const outside = {
    prometheus: { kind: 'pod', name: 'prometheus', namespace: monitoring, labels: { ...PROMETHEUS_POD_LABELS, prometheus: 'kube-prometheus-stack-prometheus' }, ip: '10.42.9.10' },
    grafana: { kind: 'pod', name: 'grafana', namespace: monitoring, labels: { ...GRAFANA_POD_LABELS, 'app.kubernetes.io/version': '12.1.0' }, ip: '10.42.9.11' },
    coredns: { kind: 'pod', name: 'coredns', namespace: KUBE_DNS.namespace, labels: { ...KUBE_DNS.labels }, ip: '10.42.9.12' },
    stranger: { kind: 'pod', name: 'any pod of another namespace', namespace: 'default', labels: { app: 'something' }, ip: '10.42.9.13' },
    controlPlane: { kind: 'ip', name: 'control-plane ENI (API server, pod/service proxy)', ip: '10.42.100.5' },
    internet: { kind: 'ip', name: 'huggingface.co', ip: '52.95.1.10' },
    podIdentityAgent: { kind: 'ip', name: 'EKS Pod Identity agent', ip: POD_IDENTITY_AGENT.cidr.split('/')[0] },
  } satisfies Record<string, Actor>;
  const evaluator = new PolicyEvaluator(objects, [monitoring, KUBE_DNS.namespace, 'default']);
  return { objects, n, pods, outside, evaluator };
}

const key = (c: Connection) => `${c.from.name} -> ${c.to.name}:${c.port}/${c.protocol}`;
const podsOf = (pods: readonly Pod[], selector: Record<string, string>) => pods.filter((p) => matchesLabels(selector, p.labels));
/** The container port a Service/monitor port name (or number) reaches on a pod. */
function portOf(pod: Pod, port: string | number): number {
  if (typeof port === 'number') return port;
  const all = [...(pod.spec.containers ?? [])].flatMap((c: any) => c.ports ?? []);
  const p = all.find((x: { name: string }) => x.name === port);
  if (!p) throw new Error(`${pod.name} has no port ${port}`);
  return p.containerPort;
}

/** Every connection the benchmark needs, derived from the rendered objects. */
function required(c: BenchConfig, w: ReturnType<typeof world>): Connection[] {
  const { objects, n, pods, outside } = w;
  const out: Connection[] = [];
  const add = (from: Actor, to: Actor, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => out.push({ from, to, port, protocol });
  const byOwner = (owner: string) => pods.find((p) => p.owner === owner)!;
  const epp = byOwner(`Deployment/${n.eppDeployment}`);
  const client = pods.find((p) => p.owner.startsWith('Job/llmd-bench-'))!;
  const loader = pods.find((p) => p.namespace === n.loaderNamespace)!;
  const serviceBackends = (name: string) => {
    const svc = find(objects, 'Service', name);
    return podsOf(pods, svc.spec.selector).flatMap((pod) => svc.spec.ports.map((sp: any) => ({ pod, port: portOf(pod, sp.targetPort) })));
  };
  // The client calls both arms through their Services (kube-proxy DNATs to the backends).
  const arms = [n.roundRobinService, n.routerService].flatMap(serviceBackends);
  expect(arms.length).toBeGreaterThanOrEqual(c.vllm.replicas > 0 ? 2 : 0);
  for (const b of arms) add(client, b.pod, b.port);
  // The EPP: every pool endpoint's ZMQ ports, from its own config; Envoy's forwards and the metrics scrape on the pool's target port.
  const epc = renderedEppConfig(objects, n.eppConfigMap);
  const discovery = pluginOfType(epc, PLUGIN_TYPES.precisePrefixCacheProducer).parameters.kvEventsConfig.podDiscoveryConfig;
  const pool = find(objects, 'InferencePool', n.inferencePool);
  const endpoints = podsOf(pods, pool.spec.selector.matchLabels);
  expect(endpoints.length).toBe(1); // the decode Deployment's pod template
  for (const pod of endpoints) {
    for (const port of [discovery.socketPort, discovery.replaySocketPort, ...pool.spec.targetPorts.map((t: { number: number }) => t.number)]) add(epp, pod, port);
  }
  // The token producer's render URL -> render Service -> its backends.
  const url = new URL(pluginOfType(epc, PLUGIN_TYPES.tokenProducer).parameters.vllm.url);
  const renderSvc = find(objects, 'Service', url.hostname.split('.')[0]);
  const renderPort = renderSvc.spec.ports.find((p: { port: number }) => p.port === Number(url.port));
  for (const pod of podsOf(pods, renderSvc.spec.selector)) add(epp, pod, portOf(pod, renderPort.targetPort));
  // Envoy's round-robin cluster (the tokenizer probe of vllm bench serve) -> that Service's backends.
  const envoy = parse(Object.values(find(objects, 'ConfigMap', n.envoyConfigMap).data as Record<string, string>)[0]);
  const rr = envoy.static_resources.clusters.find((x: { name: string }) => x.name === 'round_robin');
  const rrHost = rr.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address as string;
  for (const b of serviceBackends(rrHost.split('.')[0])) add(epp, b.pod, b.port);
  // The EPP watches pods and the InferencePool.
  add(epp, outside.controlPlane, API_SERVER_PORT);
  // DNS for everyone who resolves a name (Service URLs, huggingface.co).
  for (const pod of [epp, client, loader]) for (const protocol of ['UDP', 'TCP'] as const) add(pod, outside.coredns, KUBE_DNS.port, protocol);
  // Prometheus: every PodMonitor and ServiceMonitor target of the render.
  for (const pm of ofKind(objects, 'PodMonitor')) {
    for (const pod of pods.filter((p) => selects(pm.spec.selector, p.labels))) for (const e of pm.spec.podMetricsEndpoints) add(outside.prometheus, pod, portOf(pod, e.port));
  }
  for (const sm of ofKind(objects, 'ServiceMonitor').filter((m) => !m.spec.namespaceSelector?.any)) {
    for (const svc of ofKind(objects, 'Service').filter((s) => selects(sm.spec.selector, s.metadata.labels ?? {}))) {
      for (const e of sm.spec.endpoints) {
        const sp = svc.spec.ports.find((p: { name: string }) => p.name === e.port);
        for (const pod of podsOf(pods, svc.spec.selector)) add(outside.prometheus, pod, portOf(pod, sp.targetPort));
      }
    }
  }
  // The CLI through the API server: the render smoke test (service proxy); the endpoint cache reset (pod proxy) only when configured.
  for (const pod of podsOf(pods, renderSvc.spec.selector)) add(outside.controlPlane, pod, portOf(pod, renderPort.targetPort));
  if (c.benchmark.cacheReset === 'endpoint') for (const pod of endpoints) add(outside.controlPlane, pod, c.vllm.port);
  // The loader downloads from the Hub (and reads its token through Pod Identity, when one is configured).
  add(loader, outside.internet, 443);
  if (c.modelStore.hfTokenSecretName) add(loader, outside.podIdentityAgent, POD_IDENTITY_AGENT.port);
  return out;
}

/**
 * Allowed connections no component needs, each a consequence of the control plane's ipBlock (the
 * VPC CIDR, which the VPC CNI also gives every pod), documented in docs/security.md.
 */
function acceptedExtras(c: BenchConfig, w: ReturnType<typeof world>, conn: Connection): string | undefined {
  const { n, pods } = w;
  const inVpc = inCidr(conn.from.ip, c.network.vpcCidr);
  const toRender = conn.to.kind === 'pod' && pods.some((p) => p.name === conn.to.name && p.owner === `Deployment/${n.renderDeployment}`);
  if (inVpc && toRender && conn.port === c.vllm.port) return 'render :port admits the VPC (CLI smoke test via the service proxy)';
  const fromEpp = conn.from.kind === 'pod' && (conn.from as Pod).owner === `Deployment/${n.eppDeployment}`;
  if (fromEpp && inCidr(conn.to.ip, c.network.vpcCidr) && conn.port === API_SERVER_PORT) return 'EPP egress :443 to the VPC (the API server)';
  const toDecode = conn.to.kind === 'pod' && (conn.to as Pod).owner === `Deployment/${n.decodeDeployment}`;
  if (c.benchmark.cacheReset === 'endpoint' && inVpc && toDecode && conn.port === c.vllm.port) return 'cacheReset=endpoint: decode :port admits the VPC (pod proxy)';
  return undefined;
}

/** Every connection worth asking about: every actor to every declared port of every pod, and the outside addresses' ports. */
function universe(w: ReturnType<typeof world>): Connection[] {
  const { pods, outside } = w;
  const actors: Actor[] = [...pods, ...Object.values(outside)];
  const targets: { to: Actor; ports: number[] }[] = [
    ...pods.map((p) => ({ to: p as Actor, ports: [...new Set([...[...(p.spec.initContainers ?? []), ...p.spec.containers].flatMap((c: any) => (c.ports ?? []).map((x: any) => x.containerPort)), 443, 22])] })),
    { to: outside.prometheus, ports: [9090] },
    { to: outside.grafana, ports: [3000] },
    { to: outside.coredns, ports: [53] },
    { to: outside.stranger, ports: [443, 8080] },
    { to: outside.controlPlane, ports: [443, 10250] },
    { to: outside.internet, ports: [443, 80, 22] },
    { to: outside.podIdentityAgent, ports: [80] },
  ];
  const ours = new Set<Actor>(pods);
  // Only connections with one end in the project's namespaces (the others are not ours to police).
  return actors.flatMap((from) => targets.filter((t) => t.to !== from && (ours.has(from) || ours.has(t.to)))
    .flatMap((t) => t.ports.flatMap((port) => (['TCP', 'UDP'] as const).map((protocol) => ({ from, to: t.to, port, protocol })))));
}

describe.each([
  ['default config', defaultConfig()],
  ['cacheReset=endpoint, HF token, another VPC CIDR and ports', loadConfig({ 'benchmark.cacheReset': 'endpoint', 'modelStore.hfTokenSecretName': 'hf/token', 'network.vpcCidr': '10.42.0.0/16', 'vllm.port': 8080, 'vllm.kvEventsPort': 5600 })],
] as const)('NetworkPolicies (%s)', (_name, c) => {
  const w = world(c);
  const needed = required(c, w);
  const neededKeys = new Set(needed.map(key));

  test('every connection the system needs is allowed (both ends: source egress, destination ingress)', () => {
    expect(needed.length).toBeGreaterThanOrEqual(17);
    const denied = needed.filter((x) => !w.evaluator.allowed(x)).map(key);
    expect(denied).toEqual([]);
  });

  test('nothing else is allowed, except the documented consequences of the control-plane ipBlock', () => {
    const extras = universe(w).filter((x) => !neededKeys.has(key(x)) && w.evaluator.allowed(x));
    const unexplained = extras.filter((x) => !acceptedExtras(c, w, x)).map(key);
    expect(unexplained).toEqual([]);
    // The accepted extras are exactly those rules' reach, nothing new slipped in with them.
    const reasons = new Set(extras.map((x) => acceptedExtras(c, w, x)));
    expect([...reasons].sort()).toEqual([
      'EPP egress :443 to the VPC (the API server)',
      'render :port admits the VPC (CLI smoke test via the service proxy)',
      ...(c.benchmark.cacheReset === 'endpoint' ? ['cacheReset=endpoint: decode :port admits the VPC (pod proxy)'] : []),
    ].sort());
  });

  test('the dangerous reaches are closed: another namespace to vLLM, anyone but the EPP to the KV events, any pod but the loader to the internet', () => {
    const { pods, outside, n } = w;
    const decode = pods.find((p) => p.owner === `Deployment/${n.decodeDeployment}`)!;
    const closed: Connection[] = [
      { from: outside.prometheus, to: decode, port: c.vllm.kvEventsPort, protocol: 'TCP' },
      ...pods.filter((p) => p.namespace === n.namespace).map((p) => ({ from: p as Actor, to: outside.internet as Actor, port: 443, protocol: 'TCP' as const })),
      ...pods.filter((p) => p.owner !== `Deployment/${n.eppDeployment}` && p !== decode).map((p) => ({ from: p as Actor, to: decode as Actor, port: c.vllm.kvEventsReplayPort, protocol: 'TCP' as const })),
    ];
    const vllmFromElsewhere: Connection[] = [outside.stranger, outside.grafana].map((from) => ({ from, to: decode, port: c.vllm.port, protocol: 'TCP' }));
    expect(closed.filter((x) => w.evaluator.allowed(x)).map(key)).toEqual([]);
    // The opt-in endpoint reset opens vLLM's port to the whole VPC (the pod proxy's addresses are every pod's too): why it is not the default.
    expect(vllmFromElsewhere.map((x) => w.evaluator.allowed(x))).toEqual(vllmFromElsewhere.map(() => c.benchmark.cacheReset === 'endpoint'));
  });

  test('default deny in both namespaces, and every policy says why it exists', () => {
    const policies = ofKind(w.objects, 'NetworkPolicy');
    for (const ns of [w.n.namespace, w.n.loaderNamespace]) {
      expect(policies.find((p) => p.metadata.namespace === ns && Object.keys(p.spec.podSelector).length === 0)?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    }
    for (const p of policies) expect([p.metadata.name, (p.metadata.annotations?.[REASON_ANNOTATION] ?? '').length > 40]).toEqual([p.metadata.name, true]);
  });
});

describe('the monitoring namespace (security review finding 2)', () => {
  const c = defaultConfig();
  const w = world(c);
  const policies = monitoringNetworkPolicies(c);
  const e = new PolicyEvaluator([...w.objects, ...(policies as K8sObject[])], [MONITORING_NAMESPACE, KUBE_DNS.namespace, 'default']);
  const { prometheus, grafana, stranger, controlPlane } = w.outside;
  const P = MONITORING_PORTS;
  const client = w.pods.find((p) => p.owner.startsWith('Job/llmd-bench-'))!;
  const decode = w.pods.find((p) => p.owner === `Deployment/${w.n.decodeDeployment}`)!;
  const kubeStateMetrics: Actor = { kind: 'pod', name: 'kube-state-metrics', namespace: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/name': 'kube-state-metrics' }, ip: '10.42.9.20' };
  const outsideVpc: Actor = { kind: 'ip', name: 'an address outside the VPC', ip: '192.168.7.7' };
  const node: Actor = { kind: 'ip', name: 'a node (kubelet, node exporter)', ip: '10.42.3.3' };
  const can = (from: Actor, to: Actor, port: number) => e.allowed({ from, to, port, protocol: 'TCP' });

  test('the policies live in the namespace the chart is installed in and select the pinned chart\'s pods', () => {
    expect(policies.map((p) => [p.metadata.namespace, p.metadata.name])).toEqual([[MONITORING_NAMESPACE, 'prometheus'], [MONITORING_NAMESPACE, 'grafana']]);
    expect(monitoringNamespace(c)).toBe(MONITORING_NAMESPACE);
    // grafana.selectorLabels: instance is the Helm release the platform stack installs.
    expect(GRAFANA_POD_LABELS['app.kubernetes.io/instance']).toBe(KUBE_PROMETHEUS_STACK_CHART.release);
    expect(policies.every((p) => (p.metadata.annotations[REASON_ANNOTATION] as string).length > 80)).toBe(true);
  });

  test('Grafana :3000 takes Prometheus\'s scrape only: no other pod, not the project\'s, not the control plane', () => {
    expect(can(prometheus, grafana, P.grafana)).toBe(true);
    expect([stranger, client, kubeStateMetrics, controlPlane, outsideVpc].map((from) => [from.name, can(from, grafana, P.grafana)]))
      .toEqual([stranger, client, kubeStateMetrics, controlPlane, outsideVpc].map((from) => [from.name, false]));
  });

  test('Prometheus :9090 takes Grafana, itself and the control plane (the CLI\'s service proxy); its reloader only itself', () => {
    for (const from of [grafana, prometheus, controlPlane]) expect([from.name, can(from, prometheus, P.prometheus)]).toEqual([from.name, true]);
    expect(can(outsideVpc, prometheus, P.prometheus)).toBe(false);
    expect([grafana, stranger, controlPlane].map((from) => can(from, prometheus, P.prometheusReloader))).toEqual([false, false, false]);
    expect(can(prometheus, prometheus, P.prometheusReloader)).toBe(true);
    // The documented exception: the control plane's ipBlock is the VPC CIDR, which every pod's address is in.
    expect(can(stranger, prometheus, P.prometheus)).toBe(true);
  });

  test('scrape egress stays open: Prometheus still reaches vLLM, the kubelets and other namespaces; the other monitoring pods are not selected', () => {
    expect(can(prometheus, decode, c.vllm.port)).toBe(true);
    expect(can(prometheus, node, 10250)).toBe(true);
    expect(can(prometheus, stranger, 8080)).toBe(true);
    expect(can(stranger, kubeStateMetrics, 8080)).toBe(true);
  });
});

describe('the evaluator itself', () => {
  const pod = (ns: string, labels: Record<string, string>, ip = '10.0.0.9'): Actor => ({ kind: 'pod', name: `${ns}/${JSON.stringify(labels)}`, namespace: ns, labels, ip });
  const policy = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'a' }, spec });
  test('unselected pods are open; selected pods need a matching rule; ports, namespaces and ipBlocks with except are honoured', () => {
    const e = new PolicyEvaluator([
      policy({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
    ], ['a', 'b']);
    const db = pod('a', { app: 'db' });
    expect(e.allowed({ from: pod('a', { app: 'web' }), to: db, port: 5432, protocol: 'TCP' })).toBe(true);
    expect(e.allowed({ from: pod('a', { app: 'web' }), to: db, port: 5433, protocol: 'TCP' })).toBe(false);
    expect(e.allowed({ from: pod('b', { app: 'web' }), to: db, port: 5432, protocol: 'TCP' })).toBe(false); // podSelector alone: same namespace
    expect(e.allowed({ from: { kind: 'ip', name: 'x', ip: '192.168.2.1' }, to: db, port: 5432, protocol: 'TCP' })).toBe(true);
    expect(e.allowed({ from: { kind: 'ip', name: 'y', ip: '192.168.1.1' }, to: db, port: 5432, protocol: 'TCP' })).toBe(false);
    expect(e.allowed({ from: pod('a', { app: 'web' }), to: db, port: 5432, protocol: 'UDP' })).toBe(false);
    expect(e.allowed({ from: pod('b', { app: 'x' }), to: pod('a', { app: 'other' }), port: 1, protocol: 'TCP' })).toBe(true);
  });
});
