/**
 * Kubernetes version -> the npm package of the kubectl Lambda layer that matches it.
 * The CDK kubectl provider runs `kubectl`/`helm` from this layer; a skew of more than one minor
 * version against the cluster is unsupported by kubectl. Only versions whose layer is a dependency
 * of this project are allowed. 1.34 leaves EKS standard support in December 2026.
 */
export const KUBECTL_LAYER_PACKAGES: Readonly<Record<string, string>> = {
  '1.35': '@aws-cdk/lambda-layer-kubectl-v35',
  '1.36': '@aws-cdk/lambda-layer-kubectl-v36',
};
