/**
 * Least-privilege Kubernetes access for the people who run the llmd-bench CLI, and the ConfigMap
 * reader Grafana's dashboard sidecar needs in the project namespace.
 *
 * 1. Operators: IAM roles in config `cluster.operatorRoleArns` get an EKS access entry (cluster stack)
 *    in Kubernetes group `llmd-bench-operators` and no access policy; these bindings are everything
 *    the group may do. The rules are exactly the calls of lib/bench (cluster/client-node.ts is the
 *    only Kubernetes client; preflight.ts, runner.ts, cache-reset.ts, prometheus.ts call it):
 *    - cluster: list nodes (preflight: GPU nodes), get persistentvolumes (the read-only weights PV),
 *      get customresourcedefinitions (is the InferencePool CRD installed);
 *    - project namespace: get/list pods, get pods/log (client output), create/get pods/exec (the
 *      weights marker test; WebSocket exec is authorized as create), create/get pods/proxy (the
 *      prefix-cache reset POST), get/patch deployments (rolling restart; the EPP's --config-file for run --target <profile>), get services and
 *      persistentvolumeclaims, create/get/list/delete jobs (the benchmark Jobs), get inferencepools;
 *    - Prometheus's namespace: get services/proxy on the Prometheus Service only
 *      (config `benchmark.prometheusService`); that Role lives outside the project namespace, so the
 *      platform stack applies it with the monitoring namespace (operatorPrometheusAccess below).
 *    Nothing reads Secrets, nothing writes outside the benchmark Jobs and the decode Deployment's
 *    restart annotation. `cluster.adminRoleArns` (AmazonEKSClusterAdminPolicy) stays for break-glass.
 * 2. Grafana: get/list/watch ConfigMaps in the project namespace for service account
 *    monitoring/grafana (the dashboard ConfigMap lives here; the platform stack creates the same Role
 *    in monitoring and points the chart's RoleBinding at it, constructs/helm/kube-prometheus-stack.ts).
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { BenchConfig } from '../../lib/config';
import { SERVICE_REF } from '../../lib/config/sections/benchmark';
import { GRAFANA_CONFIGMAP_READER_ROLE, GRAFANA_SERVICE_ACCOUNT, MONITORING_NAMESPACE, OPERATORS_GROUP } from '../../lib/names';
import { sharedNames } from '../names';
import { POOL_GROUP } from './router-chart';
import { clusterMeta, meta, type WorkloadChartProps } from './common';
import { PART_OF_LABEL } from '../labels';

const RBAC = 'rbac.authorization.k8s.io';
/** The Role name of the operator group's rules in the project namespace (the ClusterRole is `<namespace>-operator`). */
export const OPERATOR_ROLE = 'llmd-bench-operator';

/** `{namespace, service, port}` of config benchmark.prometheusService (the schema validated it). */
function prometheusService(ref: string): { namespace: string; service: string; port: string } {
  const m = SERVICE_REF.exec(ref);
  if (!m) throw new Error(`benchmark.prometheusService ${ref} is not namespace/service:port`);
  return { namespace: m[1], service: m[3], port: m[5] };
}

/** What the operator group may do in the project namespace (exported for tests). */
export const OPERATOR_NAMESPACE_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['pods/proxy'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['services', 'persistentvolumeclaims'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'delete'] },
  { apiGroups: [POOL_GROUP], resources: ['inferencepools'], verbs: ['get'] },
];

/** Cluster-scoped reads of the operator group (exported for tests). */
export const OPERATOR_CLUSTER_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'] },
];

/**
 * Role + RoleBinding that let the operator group read Prometheus through the API server's service
 * proxy, in Prometheus's namespace (plain objects: the platform stack applies them with the vendor
 * namespaces). The proxy's RBAC name is the URL segment, "<service>:<port>" (or the bare name when
 * the port is omitted): both are listed.
 */
export function operatorPrometheusAccess(c: BenchConfig): Record<string, unknown>[] {
  const prom = prometheusService(c.benchmark.prometheusService);
  const metadata = { name: `${sharedNames(c).namespace}-operator-prometheus`, namespace: prom.namespace, labels: { ...PART_OF_LABEL, 'app.kubernetes.io/component': 'access' } };
  return [
    {
      apiVersion: `${RBAC}/v1`, kind: 'Role', metadata,
      rules: [{ apiGroups: [''], resources: ['services/proxy'], resourceNames: [prom.service, `${prom.service}:${prom.port}`], verbs: ['get'] }],
    },
    {
      apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata,
      subjects: [{ kind: 'Group', name: OPERATORS_GROUP, apiGroup: RBAC }],
      roleRef: { apiGroup: RBAC, kind: 'Role', name: metadata.name },
    },
  ];
}

export class OperatorRbacChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    const group: k8s.Subject[] = [{ kind: 'Group', name: OPERATORS_GROUP, apiGroup: RBAC }];
    const labels = { 'app.kubernetes.io/component': 'access' };

    const cluster = clusterMeta(c, 'operator', labels);
    new k8s.KubeClusterRole(this, 'operator-cluster', { metadata: cluster, rules: [...OPERATOR_CLUSTER_RULES] });
    new k8s.KubeClusterRoleBinding(this, 'operator-cluster-binding', {
      metadata: cluster, subjects: group, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: cluster.name! },
    });

    const n = sharedNames(c);
    // Preflight's render smoke test: POST through the service proxy to the render Service only.
    const renderProxy: k8s.PolicyRule = { apiGroups: [''], resources: ['services/proxy'], resourceNames: [n.renderService, `${n.renderService}:${c.vllm.port}`], verbs: ['create'] };
    new k8s.KubeRole(this, 'operator', { metadata: meta(c, OPERATOR_ROLE, labels), rules: [...OPERATOR_NAMESPACE_RULES, renderProxy] });
    new k8s.KubeRoleBinding(this, 'operator-binding', {
      metadata: meta(c, OPERATOR_ROLE, labels), subjects: group, roleRef: { apiGroup: RBAC, kind: 'Role', name: OPERATOR_ROLE },
    });

    const grafana = meta(c, GRAFANA_CONFIGMAP_READER_ROLE, { 'app.kubernetes.io/component': 'monitoring' });
    new k8s.KubeRole(this, 'grafana-configmaps', {
      metadata: grafana,
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeRoleBinding(this, 'grafana-configmaps-binding', {
      metadata: grafana,
      subjects: [{ kind: 'ServiceAccount', name: GRAFANA_SERVICE_ACCOUNT, namespace: MONITORING_NAMESPACE }],
      roleRef: { apiGroup: RBAC, kind: 'Role', name: GRAFANA_CONFIGMAP_READER_ROLE },
    });
  }
}
