/**
 * The two managed node groups. Fixed size (min = max = desired): a benchmark must not autoscale.
 * Both use NodeLaunchTemplate (IMDSv2 only, encrypted gp3) and label their nodes with
 * `llmd-bench/role=<gpu|system>`; workloads select them with exactly that label.
 *
 * Kubernetes version and AMI release are set explicitly (lib/config/tables/eks-versions.ts): a node
 * group without them keeps the AMI it was created with forever; with them, a version bump is a
 * rolling update (one node at a time, maxUnavailable 1).
 *
 * The GPU group may be sized 0 (paused, lib/config/pause.ts): min = desired = 0 and max = 1, the
 * smallest maximum EKS accepts, so nothing launches until the count is raised again.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GPU_NODE_ROLE, GPU_NODE_TAINT, NODE_ROLE_LABEL, SYSTEM_NODE_ROLE } from '../k8s/names';
import { NodeLaunchTemplate } from './node-launch-template';

interface CommonNodeGroupProps {
  readonly cluster: eks.ICluster;
  /** Instance type, e.g. g5.xlarge. */
  readonly instanceType: string;
  /** Nodes: min = max = desired. */
  readonly count: number;
  /** Root volume, GiB (encrypted gp3). */
  readonly diskSizeGiB: number;
  /** Subnets of the nodes (private). */
  readonly subnets: ec2.SubnetSelection;
  /** Node IAM role. @default a role per node group (created by the Nodegroup construct) */
  readonly nodeRole?: iam.IRole;
  /** IMDSv2 hop limit (see NodeLaunchTemplate). @default 1 */
  readonly imdsHopLimit?: number;
  /** Name tag of the instances and volumes (EC2 console). @default - the construct path */
  readonly nodeName?: string;
  /** Kubernetes minor version of the kubelets (the cluster's). */
  readonly kubernetesVersion: string;
  /** EKS AMI release version, e.g. 1.36.2-20260714 (AL2023 AMI types share one per release). */
  readonly releaseVersion: string;
  /** Tags of the instances and root volumes (NodeLaunchTemplate `tags`). @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What differs between the two groups; everything else is the same fixed-size, launch-templated group. */
interface NodegroupRole {
  readonly amiType: eks.NodegroupAmiType;
  readonly capacityType: eks.CapacityType;
  readonly labels: Record<string, string>;
  readonly taints?: eks.TaintSpec[];
}

/**
 * GPU families aws-cdk-lib 2.276 recognises (aws-eks-v2/lib/private/nodegroup.js isGpuInstanceType). For
 * any other GPU type (p5, p5e, p5en, p6-b200) the Nodegroup construct takes it for plain x86_64 and
 * refuses the NVIDIA AMI type, so the type goes to CloudFormation directly instead.
 */
const CDK_GPU_FAMILIES = ['p2', 'p3', 'p3dn', 'p4d', 'p4de', 'g3', 'g3s', 'g4dn', 'g4ad', 'g5', 'g5g', 'g6', 'g6e', 'inf1', 'inf2'];

function fixedSizeNodegroup(scope: Construct, id: string, p: CommonNodeGroupProps, role: NodegroupRole, pausable: boolean): eks.Nodegroup {
  const min = pausable ? 0 : 1;
  if (!Number.isInteger(p.count) || p.count < min) throw new Error(`${id}: count must be an integer >= ${min}, got ${p.count}`);
  const lt = new NodeLaunchTemplate(scope, 'LaunchTemplate', { rootVolumeGiB: p.diskSizeGiB, imdsHopLimit: p.imdsHopLimit, nodeName: p.nodeName, tags: p.tags });
  const cdkKnowsType = role.amiType !== eks.NodegroupAmiType.AL2023_X86_64_NVIDIA || CDK_GPU_FAMILIES.includes(p.instanceType.split('.')[0]);
  const nodegroup = new eks.Nodegroup(scope, 'Resource', {
    cluster: p.cluster,
    instanceTypes: cdkKnowsType ? [new ec2.InstanceType(p.instanceType)] : undefined,
    minSize: p.count,
    maxSize: Math.max(1, p.count),
    desiredSize: p.count,
    releaseVersion: p.releaseVersion,
    subnets: p.subnets,
    nodeRole: p.nodeRole,
    launchTemplateSpec: lt.spec,
    ...role,
    // Replace one node at a time: every other replica keeps serving during an AMI update.
    maxUnavailable: 1,
  });
  if (!cdkKnowsType) (nodegroup.node.defaultChild as eks.CfnNodegroup).addPropertyOverride('InstanceTypes', [p.instanceType]);
  // aws-eks-v2 has no prop for it; without Version the group would follow the cluster only at creation.
  (nodegroup.node.defaultChild as eks.CfnNodegroup).version = p.kubernetesVersion;
  return nodegroup;
}

export interface GpuNodeGroupProps extends CommonNodeGroupProps {
  /**
   * ON_DEMAND or SPOT.
   * @default ON_DEMAND
   */
  readonly capacityType?: eks.CapacityType;
}

/**
 * GPU nodes for the vLLM decode replicas: AMI type AL2023_x86_64_NVIDIA set explicitly (left alone the
 * node group picks AL2_x86_64_GPU for GPU instances, and AL2 AMIs do not exist for Kubernetes >= 1.33),
 * taint `nvidia.com/gpu=true:NoSchedule` so only pods that tolerate it (decode pods, GPU daemonsets)
 * land there, label `llmd-bench/role=gpu`.
 */
export class GpuNodeGroup extends Construct {
  static readonly AMI_TYPE = eks.NodegroupAmiType.AL2023_X86_64_NVIDIA;
  readonly nodegroup: eks.Nodegroup;

  constructor(scope: Construct, id: string, props: GpuNodeGroupProps) {
    super(scope, id);
    this.nodegroup = fixedSizeNodegroup(this, id, props, {
      amiType: GpuNodeGroup.AMI_TYPE,
      capacityType: props.capacityType ?? eks.CapacityType.ON_DEMAND,
      labels: { [NODE_ROLE_LABEL]: GPU_NODE_ROLE },
      taints: [{ key: GPU_NODE_TAINT.key, value: 'true', effect: eks.TaintEffect.NO_SCHEDULE }],
    }, true);
  }
}

/**
 * General-purpose nodes for everything that is not a decode replica: CoreDNS, the router (EPP +
 * Envoy), Prometheus/Grafana, the GPU operator's control pods, the loader and the benchmark client.
 * Label `llmd-bench/role=system`, no taint.
 */
export class SystemNodeGroup extends Construct {
  static readonly AMI_TYPE = eks.NodegroupAmiType.AL2023_X86_64_STANDARD;
  readonly nodegroup: eks.Nodegroup;

  constructor(scope: Construct, id: string, props: CommonNodeGroupProps) {
    super(scope, id);
    this.nodegroup = fixedSizeNodegroup(this, id, props, {
      amiType: SystemNodeGroup.AMI_TYPE,
      capacityType: eks.CapacityType.ON_DEMAND,
      labels: { [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE },
    }, false);
  }
}
