/**
 * The EKS managed add-ons, in the order a node needs them. The cluster is created with
 * `bootstrapSelfManagedAddons: false`, so nothing is installed behind CloudFormation's back:
 *
 * - NodeNetworkingAddons (before any node): vpc-cni (pod networking; nodes stay NotReady without it),
 *   kube-proxy (Services) and eks-pod-identity-agent (credentials for aws-node, the FSx CSI
 *   controller, Grafana and the loader). DaemonSets: ACTIVE with zero nodes.
 * - ClusterServiceAddons (after the system nodes, because their Deployments need a node to become
 *   ACTIVE): coredns, metrics-server (EKS community add-on) and aws-fsx-csi-driver.
 *
 * Every add-on version is pinned per Kubernetes version (lib/config/tables/eks-versions.ts). EKS picks
 * a default version only when an add-on is created and never moves it afterwards, not even when the
 * cluster's Kubernetes version changes; with the versions in the template, a
 * `cluster.kubernetesVersion` bump is an AddonVersion change CloudFormation applies (an in-place
 * UpdateAddon), and two deploys weeks apart run the same builds.
 *
 * vpc-cni:
 * - network-policy enforcement on (`enableNetworkPolicy`, EKS user guide cni-network-policy-configure):
 *   without it NetworkPolicy objects are accepted and silently not enforced;
 * - aws-node gets its own Pod Identity role with AmazonEKS_CNI_Policy, so the node role (which every
 *   hostNetwork pod can reach through IMDS) no longer carries ENI and IP-address permissions (EKS
 *   best practices guide, IAM: "update the aws-node daemonset to use IRSA"; Pod Identity from vpc-cni
 *   v1.15.5, a floor the version table enforces).
 */
import type { IDependable } from 'constructs';
import { Construct, DependencyGroup } from 'constructs';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { EksAddonName } from '../lib/config/tables/eks-versions';
import { FsxCsiDriverAddon } from './fsx-csi-driver-addon';
import { PodIdentityRole } from './pod-identity-role';

export const NODE_NETWORKING_ADDONS = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent'] as const;
export const CLUSTER_SERVICE_ADDONS = ['coredns', 'metrics-server'] as const;
/** The VPC CNI's service account (in kube-system). */
export const VPC_CNI_SERVICE_ACCOUNT = 'aws-node';
/** vpc-cni add-on configuration: enforce Kubernetes NetworkPolicies. */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: 'true' } as const;

/** The pinned version of every add-on (a row of EKS_VERSION_PINS). */
export type AddonVersions = Readonly<Record<EksAddonName, string>>;

export interface NodeNetworkingAddonsProps {
  readonly cluster: eks.Cluster;
  readonly versions: AddonVersions;
}

export class NodeNetworkingAddons extends Construct {
  readonly vpcCni: eks.CfnAddon;
  readonly vpcCniRole: iam.Role;
  readonly kubeProxy: eks.Addon;
  readonly podIdentityAgent: eks.Addon;
  /** Node groups depend on this. */
  readonly ready: IDependable;

  constructor(scope: Construct, id: string, props: NodeNetworkingAddonsProps) {
    super(scope, id);
    const { cluster, versions } = props;
    // Construct path VpcCni/Resource, as an L2 add-on would have it: the logical id stays stable.
    const vpcCniScope = new Construct(this, 'VpcCni');
    this.vpcCniRole = new PodIdentityRole(vpcCniScope, 'Identity', {
      cluster,
      namespace: 'kube-system',
      serviceAccount: VPC_CNI_SERVICE_ACCOUNT,
      description: 'VPC CNI (aws-node): manage ENIs and pod IP addresses',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKS_CNI_Policy')],
      // The add-on creates the association (and deletes it with itself).
      createAssociation: false,
    }).role;
    this.vpcCni = new eks.CfnAddon(vpcCniScope, 'Resource', {
      clusterName: cluster.clusterName,
      addonName: 'vpc-cni',
      addonVersion: versions['vpc-cni'],
      configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
      podIdentityAssociations: [{ serviceAccount: VPC_CNI_SERVICE_ACCOUNT, roleArn: this.vpcCniRole.roleArn }],
    });
    this.kubeProxy = new eks.Addon(this, 'KubeProxy', { cluster, addonName: 'kube-proxy', addonVersion: versions['kube-proxy'] });
    // The cluster's own accessor, so anything else asking the cluster for the agent gets this one.
    this.podIdentityAgent = cluster.eksPodIdentityAgent as eks.Addon;
    (this.podIdentityAgent.node.defaultChild as eks.CfnAddon).addonVersion = versions['eks-pod-identity-agent'];
    // aws-node asks the agent for its credentials.
    this.vpcCni.node.addDependency(this.podIdentityAgent);
    this.ready = new DependencyGroup(vpcCniScope, this.kubeProxy, this.podIdentityAgent);
  }

  /** Every AWS::EKS::Addon of this group. */
  get addons(): eks.CfnAddon[] {
    return [this.vpcCni, this.kubeProxy.node.defaultChild as eks.CfnAddon, this.podIdentityAgent.node.defaultChild as eks.CfnAddon];
  }
}

export interface ClusterServiceAddonsProps {
  readonly cluster: eks.ICluster;
  /** The system node group (their pods need somewhere to run before the add-ons report ACTIVE). */
  readonly after: IDependable;
  readonly versions: AddonVersions;
}

export class ClusterServiceAddons extends Construct {
  readonly coreDns: eks.Addon;
  readonly metricsServer: eks.Addon;
  readonly fsxCsiDriver: FsxCsiDriverAddon;

  constructor(scope: Construct, id: string, props: ClusterServiceAddonsProps) {
    super(scope, id);
    const { cluster, versions } = props;
    this.coreDns = new eks.Addon(this, 'CoreDns', { cluster, addonName: 'coredns', addonVersion: versions.coredns });
    this.metricsServer = new eks.Addon(this, 'MetricsServer', { cluster, addonName: 'metrics-server', addonVersion: versions['metrics-server'] });
    this.fsxCsiDriver = new FsxCsiDriverAddon(this, 'FsxCsiDriver', { cluster, addonVersion: versions['aws-fsx-csi-driver'] });
    for (const c of [this.coreDns, this.metricsServer, this.fsxCsiDriver]) c.node.addDependency(props.after);
  }
}
