/**
 * The project's namespaces and the admission guardrail that keeps them cluster-internal:
 * - the project namespace (vLLM, render server, EPP, benchmark client) enforces Pod Security
 *   `restricted`: non-root, no capabilities, RuntimeDefault seccomp, no privilege escalation;
 * - the loader namespace enforces `baseline` (root with CHOWN is needed to write the weights under
 *   the file system's root-owned top directory) and `restricted` is still warned and audited; it is
 *   the only namespace with the read-write claim over the weights (model-store-chart.ts);
 * - a ValidatingAdmissionPolicy (built in, admissionregistration.k8s.io/v1, no controller) refuses
 *   `LoadBalancer` and `NodePort` Services in both: the public subnets carry the ELB role tag, so one
 *   such Service would put vLLM on the internet.
 * Pod Security versions are pinned to the cluster's Kubernetes version, so an upgrade never tightens
 * the rules under running pods.
 */
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { BenchConfig } from '../../lib/config';
import { PART_OF_LABEL } from '../labels';
import { sharedNames } from '../names';
import type { WorkloadChartProps } from './common';

/** Label the API server sets on every namespace (kubernetes.io/metadata.name, Kubernetes >= 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Service types that reach outside the cluster. */
export const FORBIDDEN_SERVICE_TYPES = ['LoadBalancer', 'NodePort'] as const;
/** CEL of the admission policy: an absent type defaults to ClusterIP. */
export const SERVICE_TYPE_EXPRESSION = `!has(object.spec.type) || !(object.spec.type in [${FORBIDDEN_SERVICE_TYPES.map((t) => `'${t}'`).join(', ')}])`;

type Level = 'restricted' | 'baseline';

function podSecurityLabels(c: BenchConfig, enforce: Level): Record<string, string> {
  const version = `v${c.cluster.kubernetesVersion}`;
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/enforce-version': version,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': version,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': version,
  };
}

/** Name of the admission policy and its binding (cluster-scoped; prefixed with the namespace). */
export function servicePolicyName(c: BenchConfig): string {
  return `${sharedNames(c).namespace}-cluster-internal-services`;
}

export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: n.namespace, labels: { ...PART_OF_LABEL, ...podSecurityLabels(c, 'restricted') } },
    });
    new k8s.KubeNamespace(this, 'loader-namespace', {
      metadata: { name: n.loaderNamespace, labels: { ...PART_OF_LABEL, ...podSecurityLabels(c, 'baseline') } },
    });

    const name = servicePolicyName(c);
    new ApiObject(this, 'service-policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels: { ...PART_OF_LABEL } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'] }],
        },
        validations: [{
          expression: SERVICE_TYPE_EXPRESSION,
          message: `Services in ${n.namespace} and ${n.loaderNamespace} must stay cluster-internal: ${FORBIDDEN_SERVICE_TYPES.join(' and ')} Services are refused (docs/security.md)`,
          reason: 'Forbidden',
        }],
      },
    });
    new ApiObject(this, 'service-policy-binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels: { ...PART_OF_LABEL } },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [n.namespace, n.loaderNamespace] }] },
        },
      },
    });
  }
}
