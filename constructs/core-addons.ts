/**
 * The EKS managed add-ons, in the order a node needs them. The cluster is created with
 * `bootstrapSelfManagedAddons: false`, so nothing is installed behind CloudFormation's back:
 *
 * - NodeNetworkingAddons (before any node): vpc-cni (pod networking; nodes stay NotReady without it),
 *   kube-proxy (Services) and eks-pod-identity-agent (credentials for the FSx CSI controller, Grafana
 *   and the loader). DaemonSets: ACTIVE with zero nodes.
 * - ClusterServiceAddons (after the system nodes, because their Deployments need a node to become
 *   ACTIVE): coredns, metrics-server (EKS community add-on) and aws-fsx-csi-driver.
 *
 * Add-on versions are left to EKS (the default version for the cluster's Kubernetes version), so a
 * version bump of the cluster never pairs it with an incompatible pinned add-on.
 */
import type { IDependable } from 'constructs';
import { Construct, DependencyGroup } from 'constructs';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { FsxCsiDriverAddon } from './fsx-csi-driver-addon';

export const NODE_NETWORKING_ADDONS = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent'] as const;
export const CLUSTER_SERVICE_ADDONS = ['coredns', 'metrics-server'] as const;

export interface NodeNetworkingAddonsProps {
  readonly cluster: eks.Cluster;
}

export class NodeNetworkingAddons extends Construct {
  readonly addons: eks.Addon[];
  /** Node groups depend on this. */
  readonly ready: IDependable;

  constructor(scope: Construct, id: string, props: NodeNetworkingAddonsProps) {
    super(scope, id);
    this.addons = [
      new eks.Addon(this, 'VpcCni', { cluster: props.cluster, addonName: 'vpc-cni' }),
      new eks.Addon(this, 'KubeProxy', { cluster: props.cluster, addonName: 'kube-proxy' }),
      // The cluster's own accessor, so anything else asking the cluster for the agent gets this one.
      props.cluster.eksPodIdentityAgent as eks.Addon,
    ];
    this.ready = new DependencyGroup(...this.addons);
  }
}

export interface ClusterServiceAddonsProps {
  readonly cluster: eks.ICluster;
  /** The system node group (their pods need somewhere to run before the add-ons report ACTIVE). */
  readonly after: IDependable;
}

export class ClusterServiceAddons extends Construct {
  readonly coreDns: eks.Addon;
  readonly metricsServer: eks.Addon;
  readonly fsxCsiDriver: FsxCsiDriverAddon;

  constructor(scope: Construct, id: string, props: ClusterServiceAddonsProps) {
    super(scope, id);
    this.coreDns = new eks.Addon(this, 'CoreDns', { cluster: props.cluster, addonName: 'coredns' });
    this.metricsServer = new eks.Addon(this, 'MetricsServer', { cluster: props.cluster, addonName: 'metrics-server' });
    this.fsxCsiDriver = new FsxCsiDriverAddon(this, 'FsxCsiDriver', { cluster: props.cluster });
    for (const c of [this.coreDns, this.metricsServer, this.fsxCsiDriver]) c.node.addDependency(props.after);
  }
}
