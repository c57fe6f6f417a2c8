/**
 * LlmdBench-Cluster: the EKS cluster (aws-eks-v2, native AWS::EKS::Cluster, API authentication with
 * access entries), its kubectl provider, the system node group and the EKS add-ons. The GPU node
 * group has its own stack (gpu-nodes-stack.ts): a GPU capacity or quota failure must not roll back
 * the control plane.
 *
 * - Kubernetes version, kubectl layer, add-on versions and node AMI release from one config key
 *   (`cluster.kubernetesVersion`) and two tables (kubectl-layers.ts, eks-versions.ts).
 * - Endpoint: private only unless `cluster.publicAccessCidrs` lists addresses (then public + private,
 *   public restricted to those CIDRs). CloudFormation reaches a private endpoint through the kubectl
 *   Lambda, which aws-eks-v2 places in the private subnets.
 * - Control-plane logs of the configured types into a log group this stack creates (with retention,
 *   deleted on destroy unless `cluster.retainControlPlaneLogs`; EKS would otherwise create one that
 *   outlives the stack).
 * - Secrets envelope-encrypted with a KMS key (rotation on; deleted after the 7-day waiting period).
 * - Access entries: cluster admin for `cluster.adminRoleArns`; the least-privilege operator group
 *   (k8s/charts/operator-rbac-chart.ts) for `cluster.operatorRoleArns`; the CloudFormation role that
 *   creates the cluster does not become admin (`bootstrapClusterCreatorAdminPermissions: false`);
 *   the kubectl provider's role gets its own entry (aws-eks-v2 adds it).
 * - Node role: join the cluster and pull images only (AmazonEKSWorkerNodePolicy,
 *   AmazonEC2ContainerRegistryPullOnly), as the EKS user guide lists them (create-node-role: "we
 *   recommend that you attach the [CNI] policy to a separate role used specifically for the Amazon
 *   VPC CNI add-on"). The VPC CNI's ENI permissions are on aws-node's own Pod Identity role
 *   (constructs/core-addons.ts), not on a role every hostNetwork pod could reach.
 * - No self-managed add-ons are bootstrapped; managed add-ons instead (constructs/core-addons.ts).
 * - Optional detective control: a GuardDuty detector with EKS audit-log monitoring only
 *   (`cluster.guardDutyEksProtection`).
 */
import { Annotations, CfnOutput, type CfnResource, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type AddonVersions, ClusterServiceAddons, NodeNetworkingAddons } from '../../constructs/core-addons';
import { kubectlLayerFor } from '../../constructs/kubectl-layer';
import { SystemNodeGroup } from '../../constructs/node-groups';
import type { BenchConfig } from '../config';
import { EKS_ADDON_NAMES, EKS_VERSION_PINS, type EksVersionPins } from '../config/tables/eks-versions';
import { controlPlaneLogGroupName, OPERATORS_GROUP, projectTags } from '../names';
import { PinnedAzStack } from './pinned-az-stack';

export { CLUSTER_STACK_NAME, controlPlaneLogGroupName } from '../names';

export interface ClusterStackProps extends StackProps {
  readonly config: BenchConfig;
  readonly vpc: ec2.IVpc;
}


/** The pinned row of the configured Kubernetes version (the config checks guarantee it exists). */
export function versionPins(c: BenchConfig): EksVersionPins {
  const pins = EKS_VERSION_PINS[c.cluster.kubernetesVersion];
  if (!pins) throw new Error(`no pinned versions for Kubernetes ${c.cluster.kubernetesVersion} (the config checks should have caught this)`);
  return pins;
}

export function addonVersions(c: BenchConfig): AddonVersions {
  const pins = versionPins(c);
  return Object.fromEntries(EKS_ADDON_NAMES.map((n) => [n, pins.addons[n].version])) as unknown as AddonVersions;
}

/** The private subnets of the given AZs. */
export function privateSubnetsIn(azs: readonly string[]): ec2.SubnetSelection {
  return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [...azs] };
}

/**
 * GuardDuty features with EKS audit-log monitoring as the only optional one. CreateDetector enables
 * every optional feature that is not listed (GuardDuty API, CreateDetector), hence the explicit
 * DISABLED entries; RUNTIME_MONITORING would deploy an agent add-on and a VPC endpoint that
 * CloudFormation does not own (and that block deleting the VPC), so it stays off.
 */
export const GUARDDUTY_FEATURES: readonly { name: string; status: 'ENABLED' | 'DISABLED' }[] = [
  { name: 'EKS_AUDIT_LOGS', status: 'ENABLED' },
  { name: 'RUNTIME_MONITORING', status: 'DISABLED' },
  { name: 'S3_DATA_EVENTS', status: 'DISABLED' },
  { name: 'EBS_MALWARE_PROTECTION', status: 'DISABLED' },
  { name: 'RDS_LOGIN_EVENTS', status: 'DISABLED' },
  { name: 'LAMBDA_NETWORK_LOGS', status: 'DISABLED' },
];

export class ClusterStack extends PinnedAzStack {
  /** The cluster, with its kubectl provider (for KubernetesManifest, HelmChart). */
  readonly cluster: eks.Cluster;
  readonly systemNodes: SystemNodeGroup;
  readonly nodeRole: iam.Role;
  readonly secretsKey: kms.Key;
  readonly controlPlaneLogs: logs.LogGroup;
  readonly addons: { readonly networking: NodeNetworkingAddons; readonly services: ClusterServiceAddons };

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, { ...props, pinnedAvailabilityZones: props.config.aws.availabilityZones });
    const c = props.config;
    const gpuAz = c.aws.gpuAvailabilityZone;
    const pins = versionPins(c);
    const versions = addonVersions(c);

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of Kubernetes Secrets of EKS cluster ${c.cluster.name}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });

    this.controlPlaneLogs = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: controlPlaneLogGroupName(c.cluster.name),
      retention: c.cluster.controlPlaneLogRetentionDays as logs.RetentionDays,
      removalPolicy: c.cluster.retainControlPlaneLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
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
    (this.cluster.node.defaultChild as CfnResource).addResourceDependency(this.controlPlaneLogs.node.defaultChild as CfnResource);

    c.cluster.adminRoleArns.forEach((arn, i) => this.cluster.grantClusterAdmin(`Admin${i}`, arn));
    // No access policy: the Kubernetes group's RoleBindings (applied by the workloads stack) are all it gets.
    c.cluster.operatorRoleArns.forEach((arn, i) => new eks.CfnAccessEntry(this, `Operator${i}`, {
      clusterName: this.cluster.clusterName,
      principalArn: arn,
      type: 'STANDARD',
      kubernetesGroups: [OPERATORS_GROUP],
    }));
    const people = c.cluster.adminRoleArns.length + c.cluster.operatorRoleArns.length;
    if (people === 0) {
      Annotations.of(this).addWarningV2('llmd-bench:no-admin-role',
        'cluster.adminRoleArns and cluster.operatorRoleArns are empty: only CloudFormation (through the kubectl Lambda) can use the cluster. Add the IAM role you run kubectl and llmd-bench with: -c cluster.operatorRoleArns=arn:aws:iam::<account>:role/<name> (or adminRoleArns for full admin)');
    }

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Managed nodes of EKS cluster ${c.cluster.name}: join the cluster and pull images`,
      managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly']
        .map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });

    const networking = new NodeNetworkingAddons(this, 'NodeNetworkingAddons', { cluster: this.cluster, versions });
    this.systemNodes = new SystemNodeGroup(this, 'SystemNodes', {
      cluster: this.cluster,
      instanceType: c.systemNodes.instanceType,
      count: c.systemNodes.count,
      diskSizeGiB: c.systemNodes.diskSizeGiB,
      subnets: privateSubnetsIn(c.systemNodes.sameAzAsGpu ? [gpuAz] : c.aws.availabilityZones),
      nodeRole: this.nodeRole,
      imdsHopLimit: c.cluster.nodeImdsHopLimit,
      nodeName: `${c.cluster.name}-system`,
      kubernetesVersion: c.cluster.kubernetesVersion,
      releaseVersion: pins.nodeReleaseVersion.version,
      tags: projectTags(c.cluster.name),
    });
    this.systemNodes.node.addDependency(networking.ready);

    const services = new ClusterServiceAddons(this, 'ClusterServiceAddons', { cluster: this.cluster, after: this.systemNodes, versions });
    this.addons = { networking, services };

    if (c.cluster.guardDutyEksProtection) {
      new guardduty.CfnDetector(this, 'GuardDuty', { enable: true, features: GUARDDUTY_FEATURES.map((f) => ({ ...f })) });
    }

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName, description: 'EKS cluster name' });
    const kubeconfig = `aws eks update-kubeconfig --region ${c.aws.region} --name ${c.cluster.name}`;
    if (people === 0) {
      new CfnOutput(this, 'KubectlAccess', {
        value: 'none: no IAM role has an access entry (set cluster.operatorRoleArns or cluster.adminRoleArns and deploy again)',
        description: 'Who can use kubectl and llmd-bench on this cluster',
      });
    } else {
      new CfnOutput(this, 'UpdateKubeconfigCommand', {
        value: kubeconfig,
        description: publicCidrs.length === 0
          ? 'Configure kubectl as one of cluster.adminRoleArns/operatorRoleArns. The API endpoint is private: kubectl and llmd-bench work only from inside the VPC (set cluster.publicAccessCidrs to reach it from your address)'
          : `Configure kubectl as one of cluster.adminRoleArns/operatorRoleArns, from ${publicCidrs.join(', ')} or inside the VPC`,
      });
    }
  }
}
