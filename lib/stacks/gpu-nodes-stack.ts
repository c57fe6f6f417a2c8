/**
 * LlmdBench-GpuNodes: the GPU managed node group, alone in its stack, deployed after the cluster.
 *
 * Why a stack of its own: GPU capacity is what fails (InsufficientInstanceCapacity in the AZ, a
 * "Running On-Demand G and VT instances" quota below the vCPUs needed). Inside the cluster stack such
 * a failure rolled back the whole control plane (tens of minutes per attempt); here only this stack
 * rolls back, and `npx cdk deploy LlmdBench-GpuNodes` retries it once the quota or the AZ is fixed.
 *
 * Pause: `gpuNodes.count = 0` scales the group to zero (lib/config/pause.ts) and stops the GPU bill
 * while the cluster, FSx and monitoring stay.
 *
 * The group uses the cluster stack's node role, add-ons and Kubernetes/AMI pins; it lands in the
 * private subnet of the GPU AZ only, the subnet of the FSx file system.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct, IDependable } from 'constructs';
import { GpuNodeGroup } from '../../constructs/node-groups';
import type { BenchConfig } from '../config';
import { privateSubnetsIn, versionPins } from './cluster-stack';
import { projectTags } from '../names';
import { PinnedAzStack } from './pinned-az-stack';

export { GPU_NODES_STACK_NAME } from '../names';

export interface GpuNodesStackProps extends StackProps {
  readonly config: BenchConfig;
  readonly cluster: eks.Cluster;
  readonly nodeRole: iam.IRole;
  /** What must exist before a node joins (the networking add-ons). */
  readonly after: IDependable;
}

export class GpuNodesStack extends PinnedAzStack {
  readonly gpuNodes: GpuNodeGroup;

  constructor(scope: Construct, id: string, props: GpuNodesStackProps) {
    super(scope, id, { ...props, pinnedAvailabilityZones: props.config.aws.availabilityZones });
    const c = props.config;
    this.gpuNodes = new GpuNodeGroup(this, 'GpuNodes', {
      cluster: props.cluster,
      instanceType: c.gpuNodes.instanceType,
      count: c.gpuNodes.count,
      diskSizeGiB: c.gpuNodes.diskSizeGiB,
      capacityType: c.gpuNodes.capacityType === 'SPOT' ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
      // The GPU AZ's private subnet only: the same subnet as the FSx file system.
      subnets: privateSubnetsIn([c.aws.gpuAvailabilityZone]),
      nodeRole: props.nodeRole,
      imdsHopLimit: c.cluster.nodeImdsHopLimit,
      nodeName: `${c.cluster.name}-gpu`,
      kubernetesVersion: c.cluster.kubernetesVersion,
      releaseVersion: versionPins(c).nodeReleaseVersion.version,
      tags: projectTags(c.cluster.name),
    });
    this.gpuNodes.node.addDependency(props.after);
  }
}
