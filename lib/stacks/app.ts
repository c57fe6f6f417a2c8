/**
 * Every stack of the benchmark, with stable names (readable `cdk diff`):
 *
 *   LlmdBench-Network      VPC, NAT, S3 endpoint, flow logs
 *   LlmdBench-Cluster      EKS, kubectl provider, system node group, EKS add-ons
 *   LlmdBench-GpuNodes     the GPU node group alone (a capacity failure rolls back only this; 0 = paused)
 *   LlmdBench-ModelStore   FSx for Lustre (+ the loader's Pod Identity role)
 *   LlmdBench-Platform     kube-prometheus-stack, NVIDIA gpu-operator (Helm)
 *   LlmdBench-Workloads    cdk8s charts of k8s/registry.ts (model store PV/PVC + loader, vLLM, router, monitors)
 *
 * All stacks share one explicit environment (region from config, account from `aws.account` or
 * CDK_DEFAULT_ACCOUNT) and pinned AZs, so synth needs no credentials and no lookups. cdk-nag's
 * AwsSolutions pack and the project's aws-eks-v2 pack validate every stack at synth; a finding that
 * is not acknowledged (with its reason, lib/stacks/nag-acknowledgements.ts) fails `cdk synth`;
 * acknowledged findings are written to cdk.out/validation-report.json with their reasons.
 */
import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DestroyHygiene } from '../../constructs/destroy-hygiene';
import { EksV2Checks } from '../../constructs/nag/eks-v2-checks';
import type { BenchConfig } from '../config';
import { addWorkloadsStack, type WorkloadsStack } from './workloads-stack';
import { ClusterStack, CLUSTER_STACK_NAME } from './cluster-stack';
import { GpuNodesStack, GPU_NODES_STACK_NAME } from './gpu-nodes-stack';
import { ModelStoreStack, MODEL_STORE_STACK_NAME } from './model-store-stack';
import { NetworkStack, NETWORK_STACK_NAME } from './network-stack';
import { acknowledgeFindings } from './nag-acknowledgements';
import { projectTags } from '../names';
import { PlatformStack, PLATFORM_STACK_NAME } from './platform-stack';

export interface BenchStacks {
  readonly env: Environment;
  readonly network: NetworkStack;
  /** `cluster.cluster` is the eks.Cluster (with kubectl provider). */
  readonly cluster: ClusterStack;
  readonly gpuNodes: GpuNodesStack;
  /** `modelStore.chartDeps` = { fileSystemId, dnsName, mountName } of the file system (tokens). */
  readonly modelStore: ModelStoreStack;
  readonly platform: PlatformStack;
  readonly workloads: WorkloadsStack;
}

export interface BuildAppOptions {
  /**
   * Register cdk-nag (AwsSolutions + LlmdBenchEks) on the app.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Apply the acknowledgements of lib/stacks/nag-acknowledgements.ts. false shows every finding
   * (synth then fails), to review what the acknowledgements cover.
   * @default true
   */
  readonly acknowledge?: boolean;
}

/** The deployment environment: region from config, account from config or the CLI's credentials. */
export function benchEnvironment(config: BenchConfig): Environment {
  return { region: config.aws.region, account: config.aws.account ?? process.env.CDK_DEFAULT_ACCOUNT };
}

/** Adds every stack of the benchmark to the app. */
export function buildApp(app: App, config: BenchConfig, options: BuildAppOptions = {}): BenchStacks {
  const env = benchEnvironment(config);
  // Every taggable resource carries them; `llmd-bench cleanup-check` finds leftovers by them.
  const tags = projectTags(config.cluster.name);

  const network = new NetworkStack(app, NETWORK_STACK_NAME, {
    env, config, tags,
    description: 'llmd-eks-bench: VPC (private node subnets, NAT, S3 endpoint, flow logs)',
  });
  const cluster = new ClusterStack(app, CLUSTER_STACK_NAME, {
    env, config, tags, vpc: network.vpc,
    description: 'llmd-eks-bench: EKS cluster, system node group, EKS add-ons',
  });
  const gpuNodes = new GpuNodesStack(app, GPU_NODES_STACK_NAME, {
    env, config, tags, cluster: cluster.cluster, nodeRole: cluster.nodeRole, after: cluster.addons.networking.ready,
    description: 'llmd-eks-bench: GPU node group (gpuNodes.count = 0 pauses it)',
  });
  gpuNodes.addStackDependency(cluster);
  const modelStore = new ModelStoreStack(app, MODEL_STORE_STACK_NAME, {
    env, config, tags, vpc: network.vpc, subnet: network.gpuSubnet(config.aws.gpuAvailabilityZone), cluster: cluster.cluster,
    description: 'llmd-eks-bench: FSx for Lustre model store in the GPU AZ',
  });
  const platform = new PlatformStack(app, PLATFORM_STACK_NAME, {
    env, config, tags, cluster: cluster.cluster,
    description: 'llmd-eks-bench: kube-prometheus-stack and NVIDIA gpu-operator (Helm)',
  });
  // Helm releases need nodes to schedule on and the FSx CSI/CoreDNS add-ons in place.
  platform.addStackDependency(cluster);

  const workloads = addWorkloadsStack(app, config, {
    cluster: cluster.cluster,
    modelStore: modelStore.chartDeps,
    env,
    tags,
    // PodMonitor/ServiceMonitor CRDs come with kube-prometheus-stack; the PVs need the file system;
    // GPU nodes first, so a resume (gpuNodes.count back from 0) brings nodes before the replicas.
    dependsOn: [cluster, gpuNodes, modelStore, platform],
  });

  const stacks: BenchStacks = { env, network, cluster, gpuNodes, modelStore, platform, workloads };
  // Every log group (also those constructs create on their own) is deleted on destroy. The bound is
  // the longest retention the config asks for: a lower one would cut the other configured log group.
  DestroyHygiene.applyTo(app, {
    maxLogRetentionDays: Math.max(config.network.flowLogRetentionDays, config.cluster.controlPlaneLogRetentionDays),
    // The audit trail outlives the cluster only when the config asks for it.
    retained: config.cluster.retainControlPlaneLogs ? [cluster.controlPlaneLogs] : [],
  });
  if (options.acknowledge ?? true) acknowledgeFindings(stacks, config);
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new EksV2Checks(app));
  }
  return stacks;
}
