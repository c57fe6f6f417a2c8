/**
 * Names the stacks, the CLI (account-check, cleanup-check) and the charts share. A leaf module: it
 * imports nothing, so the CLI and cdk8s charts can use it without loading aws-cdk-lib (and charts never
 * import lib/stacks).
 */

export const NETWORK_STACK_NAME = 'LlmdBench-Network';
export const CLUSTER_STACK_NAME = 'LlmdBench-Cluster';
/** The GPU node group alone: a capacity or quota failure rolls back only this stack (retry it). */
export const GPU_NODES_STACK_NAME = 'LlmdBench-GpuNodes';
export const MODEL_STORE_STACK_NAME = 'LlmdBench-ModelStore';
export const PLATFORM_STACK_NAME = 'LlmdBench-Platform';
export const WORKLOADS_STACK_NAME = 'LlmdBench-Workloads';

/** Every stack of the app, in deploy order. */
export const STACK_NAMES = [
  NETWORK_STACK_NAME, CLUSTER_STACK_NAME, GPU_NODES_STACK_NAME, MODEL_STORE_STACK_NAME, PLATFORM_STACK_NAME, WORKLOADS_STACK_NAME,
] as const;

/** Tag keys every taggable resource of the app carries (stack tags, propagated by CloudFormation). */
export const PROJECT_TAG_KEY = 'llmd-bench:project';
export const PROJECT_TAG_VALUE = 'llmd-eks-bench';
export const CLUSTER_TAG_KEY = 'llmd-bench:cluster';

/** The tags of one deployment (cluster name = config cluster.name). */
export function projectTags(clusterName: string): Record<string, string> {
  return { [PROJECT_TAG_KEY]: PROJECT_TAG_VALUE, [CLUSTER_TAG_KEY]: clusterName };
}

/** Namespaces of the vendor charts (created by the platform stack, with Pod Security labels). */
export const MONITORING_NAMESPACE = 'monitoring';
export const GPU_OPERATOR_NAMESPACE = 'gpu-operator';
/** Service account of Grafana (named, so the Pod Identity association and RBAC can refer to it). */
export const GRAFANA_SERVICE_ACCOUNT = 'grafana';
/**
 * Role (in the monitoring and the project namespace) that lets Grafana's sidecars read ConfigMaps,
 * and nothing else: the chart's own Role would add Secrets.
 */
export const GRAFANA_CONFIGMAP_READER_ROLE = 'grafana-configmap-reader';
/** Kubernetes group the access entries of `cluster.operatorRoleArns` map to (k8s/charts/operator-rbac-chart.ts binds it). */
export const OPERATORS_GROUP = 'llmd-bench-operators';

/**
 * Tag the Hugging Face token secret must carry for the loader to read it (security review finding 7):
 * the loader's GetSecretValue is limited to the named secret AND this tag
 * (`secretsmanager:ResourceTag/<key>`, AWS Secrets Manager user guide, "Control access to secrets
 * using tags"), so a mistyped name that happens to match another secret sends nothing to huggingface.co.
 */
export const HF_TOKEN_SECRET_TAG = { key: 'llmd-bench:purpose', value: 'hf-token' } as const;

/** The CloudWatch log group EKS writes control-plane logs to (fixed by EKS: /aws/eks/<cluster>/cluster). */
export function controlPlaneLogGroupName(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}
