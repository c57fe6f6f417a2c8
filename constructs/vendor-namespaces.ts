/**
 * The namespaces of the vendor charts, created before the charts with explicit Pod Security Admission
 * labels (Helm's --create-namespace would leave them unlabelled, which on EKS means privileged
 * without anyone having decided it), plus the ConfigMap-only Role Grafana's sidecars use in the
 * monitoring namespace and any other namespaced objects the platform needs there (the operator
 * group's Prometheus access). One KubernetesManifest, applied with `kubectl apply` semantics.
 *
 * Both namespaces enforce `privileged`, on purpose and only because their DaemonSets need it:
 * - monitoring: the node exporter runs with hostNetwork, hostPID and a read-only hostPath of `/`
 *   (kube-prometheus-stack prometheus-node-exporter defaults); everything else there would pass baseline.
 * - gpu-operator: the device plugin, GPU feature discovery, DCGM exporter, validator and NFD worker
 *   need privileged containers and host paths (/var/lib/kubelet/device-plugins, /dev, /sys); NVIDIA:
 *   "Only the Kubernetes cluster administrator needs to access or manage the Operator namespace".
 * `audit` and `warn` are `baseline`, so anything privileged that appears there is visible in the
 * audit log and in kubectl's output. Only cluster admins may create pods in these namespaces (the
 * operator role of cluster.operatorRoleArns has no rights there except the Prometheus service proxy).
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';

export interface VendorNamespace {
  readonly name: string;
  /** Why the namespace needs the Pod Security level it enforces (kept as an annotation on it). */
  readonly reason: string;
}

export interface VendorNamespacesProps {
  readonly cluster: eks.ICluster;
  readonly namespaces: readonly VendorNamespace[];
  /** A Role granting get/list/watch on ConfigMaps, created in each of these namespaces. */
  readonly configMapReader?: { readonly roleName: string; readonly namespaces: readonly string[] };
  /** More objects that belong in these namespaces (applied after them, in the same manifest). */
  readonly extraObjects?: readonly Record<string, unknown>[];
}

export const VENDOR_NAMESPACE_POD_SECURITY = { enforce: 'privileged', audit: 'baseline', warn: 'baseline' } as const;
export const POD_SECURITY_REASON_ANNOTATION = 'llmd-bench/pod-security-reason';

/** The Kubernetes objects (exported for tests). */
export function vendorNamespaceObjects(props: Omit<VendorNamespacesProps, 'cluster'>): Record<string, unknown>[] {
  const namespaces = props.namespaces.map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns.name,
      labels: Object.fromEntries(Object.entries(VENDOR_NAMESPACE_POD_SECURITY).map(([mode, level]) => [`pod-security.kubernetes.io/${mode}`, level])),
      annotations: { [POD_SECURITY_REASON_ANNOTATION]: ns.reason },
    },
  }));
  const reader = props.configMapReader;
  const roles = (reader?.namespaces ?? []).map((namespace) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: reader!.roleName, namespace },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  }));
  return [...namespaces, ...roles, ...(props.extraObjects ?? [])];
}

export class VendorNamespaces extends Construct {
  readonly manifest: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: VendorNamespacesProps) {
    super(scope, id);
    this.manifest = new eks.KubernetesManifest(this, 'Resource', {
      cluster: props.cluster,
      manifest: vendorNamespaceObjects(props),
      overwrite: true,
    });
  }
}
