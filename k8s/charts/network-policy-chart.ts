/**
 * NetworkPolicies of the project and loader namespaces, applied right after the namespaces: deny
 * everything, then allow exactly the connections the benchmark needs, each rule with its reason
 * (annotation `llmd-bench/reason`, and docs/security.md). The VPC CNI enforces them once its
 * network-policy agent is on (the platform stack's vpc-cni add-on configuration).
 *
 * Kubernetes semantics worth knowing here:
 * - traffic to a Service IP is DNATed by kube-proxy to a backing pod before any policy sees it, so
 *   rules name the backing pods and their target ports, never Service IPs;
 * - a pod's own node may always reach it (kubelet probes), NetworkPolicy spec;
 * - the control plane (the API server's pod and service proxy, `kubernetes.default`) has ENIs in the
 *   VPC's private subnets, which the VPC CNI shares with every node and pod: an ipBlock for it is an
 *   ipBlock for the VPC. It is used only where that is acceptable, and said so.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { BenchConfig } from '../../lib/config';
import { SERVICE_REF } from '../../lib/config/sections/benchmark';
import { BENCH_CLIENT_NAME } from '../../lib/bench/run-names';
import { decodePodLabels, eppPodLabels, PART_OF_LABEL, renderPodLabels } from '../labels';
import { LOADER_POD_LABELS } from '../model-store/loader-job';
import { MONITORING_NAMESPACE } from '../../lib/names';
import { sharedNames } from '../names';
import { ENVOY_HTTP_PORT, EPP_METRICS_PORT } from '../router/ports';
import type { WorkloadChartProps } from './common';
import { NAMESPACE_NAME_LABEL } from './namespace-chart';

/** Annotation carrying each policy's reason. */
export const REASON_ANNOTATION = 'llmd-bench/reason';
/** Where EKS Pod Identity's agent answers credential requests on every node (hostNetwork, link-local). */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;
/** The API server's port behind `kubernetes.default` (the control-plane ENIs). */
export const API_SERVER_PORT = 443;
/** CoreDNS pods (EKS add-on) and their port. */
export const KUBE_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, port: 53 } as const;
/** Prometheus pods of kube-prometheus-stack (the Prometheus operator labels them so). */
export const PROMETHEUS_POD_LABELS = { 'app.kubernetes.io/name': 'prometheus' } as const;
/**
 * Grafana pods of kube-prometheus-stack: `grafana.selectorLabels` of the grafana chart 12.11.1 (the
 * subchart of kube-prometheus-stack 88.5.3; charts/grafana/templates/_helpers.tpl): name = the chart
 * name (kube-prometheus-stack sets no nameOverride), instance = the Helm release.
 */
export const GRAFANA_POD_LABELS = { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kube-prometheus-stack' } as const;
/**
 * Container ports in `monitoring` (kube-prometheus-stack 88.5.3 values.yaml and its grafana 12.11.1):
 * Prometheus `http-web` 9090 (prometheus-operator default), its config reloader `reloader-web`
 * (prometheusOperator.prometheusConfigReloader.reloaderWebPort 8080; the chart's Prometheus
 * ServiceMonitor scrapes both, templates/prometheus/servicemonitor.yaml), Grafana 3000
 * (grafana service.targetPort; the chart's Grafana ServiceMonitor is on by default, grafana.serviceMonitor.enabled).
 */
export const MONITORING_PORTS = { prometheus: 9090, prometheusReloader: 8080, grafana: 3000 } as const;

type Json = Record<string, any>;
type Port = { protocol: 'TCP' | 'UDP'; port: number };

const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ protocol: 'TCP', port }));
const pods = (labels: Record<string, string>): Json => ({ podSelector: { matchLabels: { ...labels } } });
const podsIn = (namespace: string, labels: Record<string, string>): Json => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  podSelector: { matchLabels: { ...labels } },
});

/** Namespace of the Prometheus the CLI queries (benchmark.prometheusService), which is the one that scrapes. */
export function monitoringNamespace(c: BenchConfig): string {
  const m = SERVICE_REF.exec(c.benchmark.prometheusService);
  if (!m) throw new Error(`benchmark.prometheusService ${c.benchmark.prometheusService} is not namespace/service:port`);
  return m[1];
}

/** Labels of the benchmark client pods (every run). */
export function benchClientSelectorLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': BENCH_CLIENT_NAME };
}

const dnsEgress = (): Json => ({
  to: [podsIn(KUBE_DNS.namespace, KUBE_DNS.labels)],
  ports: [{ protocol: 'UDP', port: KUBE_DNS.port }, { protocol: 'TCP', port: KUBE_DNS.port }],
});

const policy = (namespace: string, name: string, reason: string, podSelector: Json, spec: { ingress?: Json[]; egress?: Json[] }): Json => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels: { ...PART_OF_LABEL }, annotations: { [REASON_ANNOTATION]: reason } },
  spec: {
    podSelector,
    policyTypes: [...(spec.ingress ? ['Ingress'] : []), ...(spec.egress ? ['Egress'] : [])],
    ...(spec.ingress ? { ingress: spec.ingress } : {}),
    ...(spec.egress ? { egress: spec.egress } : {}),
  },
});

/** Every NetworkPolicy, as plain objects (the chart renders exactly these). */
export function networkPolicies(c: BenchConfig): Json[] {
  const n = sharedNames(c);
  const vpc = c.network.vpcCidr;
  const decode = decodePodLabels(c);
  const epp = eppPodLabels(c);
  const render = renderPodLabels(c);
  const client = benchClientSelectorLabels();
  const prometheus = podsIn(monitoringNamespace(c), PROMETHEUS_POD_LABELS);
  const controlPlane = { ipBlock: { cidr: vpc } };
  const endpointReset = c.benchmark.cacheReset === 'endpoint';

  return [
    policy(n.namespace, 'default-deny', 'Nothing reaches or leaves a pod of the project unless a rule below says so.', {}, { ingress: [], egress: [] }),
    policy(n.namespace, 'vllm-decode',
      `vLLM :${c.vllm.port} serves inference and unauthenticated operational endpoints (/pause, /update_weights${endpointReset ? ', and with cacheReset=endpoint the development endpoints' : ''}): only the EPP pod (Envoy routes, the EPP's metrics scrape), the benchmark client (round-robin arm) and Prometheus (PodMonitor) may connect` +
      `${endpointReset ? `; cacheReset=endpoint adds the control plane's pod proxy (/reset_prefix_cache), i.e. the VPC CIDR ${vpc}, which admits every pod and node` : ''}. ` +
      `:${c.vllm.kvEventsPort} (KV events) and :${c.vllm.kvEventsReplayPort} (replay) carry every prompt's token ids: the EPP pod only. No egress: vLLM runs offline.`,
      { matchLabels: decode },
      {
        ingress: [
          { from: [pods(epp), pods(client), prometheus, ...(endpointReset ? [controlPlane] : [])], ports: tcp(c.vllm.port) },
          { from: [pods(epp)], ports: tcp(c.vllm.kvEventsPort, c.vllm.kvEventsReplayPort) },
        ],
      }),
    policy(n.namespace, 'vllm-render',
      `The render server :${c.vllm.port} tokenizes for the EPP; the CLI's smoke test reaches it through the API server's service proxy from the control-plane ENIs (VPC CIDR ${vpc}, shared with every pod: render serves preprocessing only, no state to change). No egress.`,
      { matchLabels: render },
      { ingress: [{ from: [pods(epp), controlPlane], ports: tcp(c.vllm.port) }] }),
    policy(n.namespace, 'endpoint-picker',
      `Envoy :${ENVOY_HTTP_PORT} takes the llm-d arm's requests from the benchmark client; Prometheus scrapes the EPP's authenticated :${EPP_METRICS_PORT}. ` +
      `The EPP watches pods and the InferencePool (API server, VPC CIDR :${API_SERVER_PORT}), resolves the render and round-robin Services (DNS), dials every decode pod's :${c.vllm.kvEventsPort}/:${c.vllm.kvEventsReplayPort} and scrapes its :${c.vllm.port}; Envoy forwards to :${c.vllm.port}; the token producer calls the render server.`,
      { matchLabels: epp },
      {
        ingress: [
          { from: [pods(client)], ports: tcp(ENVOY_HTTP_PORT) },
          { from: [prometheus], ports: tcp(EPP_METRICS_PORT) },
        ],
        egress: [
          { to: [pods(decode)], ports: tcp(c.vllm.port, c.vllm.kvEventsPort, c.vllm.kvEventsReplayPort) },
          { to: [pods(render)], ports: tcp(c.vllm.port) },
          { to: [controlPlane], ports: tcp(API_SERVER_PORT) },
          dnsEgress(),
        ],
      }),
    policy(n.namespace, 'benchmark-client',
      `The benchmark client calls the two arms only: the round-robin Service's backends (decode pods :${c.vllm.port}) and the llm-d-router Service's (Envoy :${ENVOY_HTTP_PORT}), by DNS name. Nothing connects to it.`,
      { matchLabels: client },
      {
        egress: [
          { to: [pods(decode)], ports: tcp(c.vllm.port) },
          { to: [pods(epp)], ports: tcp(ENVOY_HTTP_PORT) },
          dnsEgress(),
        ],
      }),
    policy(n.loaderNamespace, 'default-deny', 'Nothing reaches or leaves the loader namespace unless a rule below says so.', {}, { ingress: [], egress: [] }),
    policy(n.loaderNamespace, 'model-loader',
      'The loader alone may leave the VPC: HTTPS to Hugging Face (huggingface.co and its CDN; any address outside the VPC, port 443 only) and to Secrets Manager for the optional token, ' +
      `EKS Pod Identity's node agent (${POD_IDENTITY_AGENT.cidr}:${POD_IDENTITY_AGENT.port}) for the credentials that read it, and DNS. FSx traffic is the node kernel's (Lustre client), not the pod's. Nothing connects to it.`,
      { matchLabels: { ...LOADER_POD_LABELS } },
      {
        egress: [
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [vpc] } }], ports: tcp(443) },
          ...(c.modelStore.hfTokenSecretName ? [{ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: tcp(POD_IDENTITY_AGENT.port) }] : []),
          dnsEgress(),
        ],
      }),
  ];
}

/**
 * NetworkPolicies of the `monitoring` namespace (security review finding 2), applied by the platform
 * stack with the namespace. Ingress only: Prometheus keeps its scrape egress to every namespace and
 * node, and the other pods there (operator, kube-state-metrics, node exporter) stay unselected.
 * `kubectl port-forward` is not subject to NetworkPolicy (the kubelet connects inside the pod's
 * network namespace), so Grafana needs no rule for its users.
 */
export function monitoringNetworkPolicies(c: BenchConfig): Json[] {
  const prometheus = pods(PROMETHEUS_POD_LABELS);
  const grafana = pods(GRAFANA_POD_LABELS);
  const vpc = c.network.vpcCidr;
  const p = MONITORING_PORTS;
  return [
    policy(MONITORING_NAMESPACE, 'prometheus',
      `Prometheus :${p.prometheus} has no authentication: Grafana (its datasource), Prometheus itself (self-scrape) and the control plane may connect; ` +
      `the CLI and the operator group read it through the API server's service proxy (benchmark.prometheusService), which comes from the control-plane ENIs, i.e. the VPC CIDR ${vpc}: ` +
      `that rule admits every pod and node of the VPC too (documented exception). The config reloader :${p.prometheusReloader} (it can trigger reloads) is for Prometheus's own scrape only. Egress stays open: Prometheus scrapes every namespace and node.`,
      { matchLabels: { ...PROMETHEUS_POD_LABELS } },
      {
        ingress: [
          { from: [grafana, prometheus, { ipBlock: { cidr: vpc } }], ports: tcp(p.prometheus) },
          { from: [prometheus], ports: tcp(p.prometheusReloader) },
        ],
      }),
    policy(MONITORING_NAMESPACE, 'grafana',
      `Grafana :${p.grafana} is reached by kubectl port-forward (not subject to NetworkPolicy); over the network only Prometheus may connect (the chart's Grafana ServiceMonitor). ` +
      'No other pod of the cluster reaches its login page or API. Egress stays open (Prometheus, the API server for its sidecars, Secrets Manager through Pod Identity for the admin password).',
      { matchLabels: { ...GRAFANA_POD_LABELS } },
      { ingress: [{ from: [prometheus], ports: tcp(p.grafana) }] }),
  ];
}

export class NetworkPolicyChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    for (const p of networkPolicies(props.config)) {
      new ApiObject(this, `${p.metadata.namespace}-${p.metadata.name}`, p as any);
    }
  }
}
