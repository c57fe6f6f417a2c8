/**
 * LlmdBench-Workloads: applies the cdk8s charts of k8s/registry.ts (target `stack`) to the cluster,
 * in registry order, each chart one KubernetesManifest that depends on the one before. A separate
 * stack so a routing change (say, a scorer weight) is a small `cdk diff` of one ConfigMap and one
 * Deployment annotation, not a diff of the cluster stack.
 *
 * The InferencePool CRD is applied first, and the charts after it wait until the API server reports
 * the CRD Established (a custom resource applied in the same second as its CRD can be refused with
 * "no matches for kind").
 *
 * Every manifest is applied with `overwrite: true`: the aws-eks-v2 kubectl handler then runs
 * `kubectl apply` on create too, where the default runs `kubectl create --save-config` and a retry
 * after a half-failed deploy (an object left behind, a namespace still Terminating) stops with
 * AlreadyExists until someone deletes the object by hand (aws-eks-v2 k8s-manifest.d.ts: overwrite
 * "@default false"; handler apply/__init__.py). Prune labels work as with addCdk8sChart, which builds
 * the same KubernetesManifest but cannot pass `overwrite`.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { type Construct, DependencyGroup, type IDependable } from 'constructs';
import type { BenchConfig } from '../config';
import { APPLIED_CRD_FILES, loadCrd } from '../../k8s/charts/crds-chart';
import { type ChartDeps, chartsFor } from '../../k8s/registry';

import { WORKLOADS_STACK_NAME } from '../names';

export { WORKLOADS_STACK_NAME };

export interface WorkloadsStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: BenchConfig;
  /**
   * The EKS cluster. Must have a kubectl provider (`kubectlProviderOptions`); it usually lives in the
   * cluster stack, and this stack then depends on that stack.
   */
  readonly cluster: eks.ICluster;
  /** FSx for Lustre identifiers for the model-store charts (CDK tokens of the file system). */
  readonly modelStore: ChartDeps;
}

/**
 * A cdk8s chart as one KubernetesManifest with apply semantics on create and update (see above).
 * Scope and id as addCdk8sChart would use them, so logical ids do not change.
 */
export function applyChart(cluster: eks.ICluster, id: string, chart: cdk8s.Chart): eks.KubernetesManifest {
  return new eks.KubernetesManifest(cluster, id, { cluster, manifest: chart.toJson(), overwrite: true });
}

export class WorkloadsStack extends Stack {
  /** One KubernetesManifest per chart id, in apply order. */
  readonly manifests: ReadonlyMap<string, eks.KubernetesManifest>;

  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id, props);
    if (!props.cluster.kubectlProvider) {
      throw new Error(`${id}: the cluster has no kubectl provider; create it with kubectlProviderOptions (kubectl layer)`);
    }
    // A handle in this stack, so the manifests live here (the provider's service token becomes a
    // cross-stack reference).
    const cluster = eks.Cluster.fromClusterAttributes(this, 'Cluster', {
      clusterName: props.cluster.clusterName,
      kubectlProvider: props.cluster.kubectlProvider,
    });

    const app = new cdk8s.App();
    const manifests = new Map<string, eks.KubernetesManifest>();
    let previous: IDependable | undefined;
    for (const entry of chartsFor('stack')) {
      const manifest = applyChart(cluster, entry.id, entry.build(app, props.config, props.modelStore));
      if (previous) manifest.node.addDependency(previous);
      manifests.set(entry.id, manifest);
      previous = manifest;
      if (entry.id === 'crds') {
        // Barrier: poll until every applied CRD is Established.
        const established = APPLIED_CRD_FILES.map((file) => {
          const name = loadCrd(file).metadata.name as string;
          const value = new eks.KubernetesObjectValue(this, `Established-${name}`, {
            cluster,
            objectType: 'customresourcedefinition',
            objectName: name,
            jsonPath: '.status.conditions[?(@.type=="Established")].status',
            timeout: Duration.minutes(3),
          });
          value.node.addDependency(manifest);
          return value;
        });
        previous = new DependencyGroup(...established);
      }
    }
    this.manifests = manifests;
  }
}

/**
 * Adds the workloads stack to the app; `buildApp` calls this once the cluster and the file system
 * exist. The stack depends on the stacks of `deps.cluster` (and of the model store) implicitly
 * through cross-stack references, and explicitly through `dependsOn`.
 */
export function addWorkloadsStack(
  app: Construct,
  config: BenchConfig,
  deps: { cluster: eks.ICluster; modelStore: ChartDeps; env?: StackProps['env']; tags?: StackProps['tags']; dependsOn?: readonly Stack[] },
): WorkloadsStack {
  const stack = new WorkloadsStack(app, WORKLOADS_STACK_NAME, {
    config,
    cluster: deps.cluster,
    modelStore: deps.modelStore,
    env: deps.env,
    tags: deps.tags,
    description: 'llmd-eks-bench: vLLM decode replicas, llm-d router (EPP + Envoy), monitoring (cdk8s charts)',
  });
  for (const d of deps.dependsOn ?? []) stack.addStackDependency(d);
  return stack;
}
