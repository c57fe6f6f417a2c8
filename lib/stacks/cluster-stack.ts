/**
 * LlmdBench-Cluster: the EKS cluster (aws-eks-v2, native AWS::EKS::Cluster, API authentication with
 * access entries), its kubectl provider, the two managed node groups and the EKS add-ons.
 *
 * - Kubernetes version and kubectl layer from one table (config `cluster.kubernetesVersion`).
 * - Endpoint: private only unless `cluster.publicAccessCidrs` lists addresses (then public + private,
 *   public restricted to those CIDRs). CloudFormation reaches a private endpoint through the kubectl
 *   Lambda, which aws-eks-v2 places in the private subnets.
 * - Control-plane logs of the configured types into a log group this stack creates (with retention,
 *   deleted on destroy; EKS would otherwise create one that outlives the stack).
 * - Secrets envelope-encrypted with a KMS key (rotation on; deleted after the 7-day waiting period).
 * - Access entries: cluster admin for `cluster.adminRoleArns` only; the CloudFormation role that
 *   creates the cluster does not become admin (`bootstrapClusterCreatorAdminPermissions: false`);
 *   the kubectl provider's role gets its own entry (aws-eks-v2 adds it).
 * - No self-managed add-ons are bootstrapped; managed add-ons instead (constructs/core-addons.ts).
 */
import { Annotations, CfnOutput, type CfnResource, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ClusterServiceAddons, NodeNetworkingAddons } from '../../constructs/core-addons';
import { kubectlLayerFor } from '../../constructs/kubectl-layer';
import { GpuNodeGroup, SystemNodeGroup } from '../../constructs/node-groups';
import type { BenchConfig } from '../config';
import { PinnedAzStack } from './pinned-az-stack';

export const CLUSTER_STACK_NAME = 'LlmdBench-Cluster';

export interface ClusterStackProps extends StackProps {
  readonly config: BenchConfig;
  readonly vpc: ec2.IVpc;
}

/** The CloudWatch log group EKS writes control-plane logs to (fixed by EKS). */
export function controlPlaneLogGroupName(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}

export class ClusterStack extends PinnedAzStack {
  /** The cluster, with its kubectl provider (for KubernetesManifest, HelmChart, addCdk8sChart). */
  readonly cluster: eks.Cluster;
  readonly gpuNodes: GpuNodeGroup;
  readonly systemNodes: SystemNodeGroup;
  readonly nodeRole: iam.Role;
  readonly secretsKey: kms.Key;
  readonly addons: { readonly networking: NodeNetworkingAddons; readonly services: ClusterServiceAddons };

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, { ...props, pinnedAvailabilityZones: props.config.aws.availabilityZones });
    const c = props.config;
    const gpuAz = c.aws.gpuAvailabilityZone;

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of Kubernetes Secrets of EKS cluster ${c.cluster.name}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });

    const logGroup = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: controlPlaneLogGroupName(c.cluster.name),
      retention: c.cluster.controlPlaneLogRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const publicCidrs = c.cluster.publicAccessCidrs;
    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: c.cluster.name,
      version: eks.KubernetesVersion.of(c.cluster.kubernetesVersion),
      vpc: props.vpc,
      // Control-plane ENIs in the private subnets only.
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: publicCidrs.length === 0
        ? eks.EndpointAccess.PRIVATE
        : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicCidrs),
      secretsEncryptionKey: this.secretsKey,
      clusterLogging: c.cluster.controlPlaneLogTypes.map((t) => t as eks.ClusterLoggingTypes),
      kubectlProviderOptions: { kubectlLayer: kubectlLayerFor(this, 'KubectlLayer', c.cluster.kubernetesVersion) },
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      bootstrapSelfManagedAddons: false,
      bootstrapClusterCreatorAdminPermissions: false,
      tags: { 'llmd-bench/cluster': c.cluster.name },
    });
    // EKS must find the log group (with retention, deleted on destroy) instead of creating its own.
    (this.cluster.node.defaultChild as CfnResource).addResourceDependency(logGroup.node.defaultChild as CfnResource);

    c.cluster.adminRoleArns.forEach((arn, i) => this.cluster.grantClusterAdmin(`Admin${i}`, arn));
    if (c.cluster.adminRoleArns.length === 0) {
      Annotations.of(this).addWarningV2('llmd-bench:no-admin-role',
        'cluster.adminRoleArns is empty: only CloudFormation (through the kubectl Lambda) can use the cluster. Add the IAM role you run kubectl and llmd-bench with: -c cluster.adminRoleArns=arn:aws:iam::<account>:role/<name>');
    }

    // One node role for both node groups: join the cluster, pull images, let the VPC CNI manage ENIs.
    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Managed nodes of EKS cluster ${c.cluster.name}`,
      managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly']
        .map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });

    const networking = new NodeNetworkingAddons(this, 'NodeNetworkingAddons', { cluster: this.cluster });
    const privateIn = (azs: readonly string[]): ec2.SubnetSelection => ({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [...azs] });

    this.systemNodes = new SystemNodeGroup(this, 'SystemNodes', {
      cluster: this.cluster,
      instanceType: c.systemNodes.instanceType,
      count: c.systemNodes.count,
      diskSizeGiB: c.systemNodes.diskSizeGiB,
      subnets: privateIn(c.systemNodes.sameAzAsGpu ? [gpuAz] : c.aws.availabilityZones),
      nodeRole: this.nodeRole,
      imdsHopLimit: c.cluster.nodeImdsHopLimit,
      nodeName: `${c.cluster.name}-system`,
    });
    this.gpuNodes = new GpuNodeGroup(this, 'GpuNodes', {
      cluster: this.cluster,
      instanceType: c.gpuNodes.instanceType,
      count: c.gpuNodes.count,
      diskSizeGiB: c.gpuNodes.diskSizeGiB,
      capacityType: c.gpuNodes.capacityType === 'SPOT' ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
      // The GPU AZ's private subnet only: the same subnet as the FSx file system.
      subnets: privateIn([gpuAz]),
      nodeRole: this.nodeRole,
      imdsHopLimit: c.cluster.nodeImdsHopLimit,
      nodeName: `${c.cluster.name}-gpu`,
    });
    for (const group of [this.systemNodes, this.gpuNodes]) group.node.addDependency(networking.ready);

    const services = new ClusterServiceAddons(this, 'ClusterServiceAddons', { cluster: this.cluster, after: this.systemNodes });
    this.addons = { networking, services };

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName, description: 'EKS cluster name' });
    new CfnOutput(this, 'UpdateKubeconfigCommand', {
      value: `aws eks update-kubeconfig --region ${c.aws.region} --name ${c.cluster.name}`,
      description: 'Configure kubectl (needs an access entry: config cluster.adminRoleArns)',
    });
  }
}
