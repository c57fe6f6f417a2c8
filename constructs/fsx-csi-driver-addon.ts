/**
 * The FSx for Lustre CSI driver as the EKS add-on `aws-fsx-csi-driver`, with a Pod Identity role for
 * its controller (`kube-system/fsx-csi-controller-sa`).
 *
 * Least privilege: the project only uses static PersistentVolumes (the file system is created by
 * CloudFormation), so the controller never creates, updates or deletes file systems. It still calls
 * fsx:DescribeFileSystems (the reference run logged exactly that missing permission), which is all the
 * policy allows. AWS's guide attaches AmazonFSxFullAccess instead. DescribeFileSystems is a list-type
 * action without resource-level permissions, hence `*`.
 * The node plugin (mounting Lustre on every node, GPU nodes included: it tolerates all taints) needs
 * no AWS permissions.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PodIdentityRole } from './pod-identity-role';

export const FSX_CSI_ADDON_NAME = 'aws-fsx-csi-driver';
export const FSX_CSI_CONTROLLER_SERVICE_ACCOUNT = 'fsx-csi-controller-sa';
export const FSX_CSI_NAMESPACE = 'kube-system';
/** The only actions the controller may call. */
export const FSX_CSI_CONTROLLER_ACTIONS = ['fsx:DescribeFileSystems'] as const;

export interface FsxCsiDriverAddonProps {
  readonly cluster: eks.ICluster;
  /**
   * Add-on version.
   * @default - the EKS default for the cluster version
   */
  readonly addonVersion?: string;
}

export class FsxCsiDriverAddon extends Construct {
  readonly addon: eks.CfnAddon;
  readonly controllerRole: iam.Role;

  constructor(scope: Construct, id: string, props: FsxCsiDriverAddonProps) {
    super(scope, id);
    const identity = new PodIdentityRole(this, 'ControllerIdentity', {
      cluster: props.cluster,
      namespace: FSX_CSI_NAMESPACE,
      serviceAccount: FSX_CSI_CONTROLLER_SERVICE_ACCOUNT,
      description: 'FSx CSI controller (static PVs only): describe file systems',
      statements: [new iam.PolicyStatement({ actions: [...FSX_CSI_CONTROLLER_ACTIONS], resources: ['*'] })],
      // The add-on creates the association (and deletes it with itself).
      createAssociation: false,
    });
    this.controllerRole = identity.role;
    this.addon = new eks.CfnAddon(this, 'Resource', {
      clusterName: props.cluster.clusterName,
      addonName: FSX_CSI_ADDON_NAME,
      addonVersion: props.addonVersion,
      podIdentityAssociations: [{ serviceAccount: FSX_CSI_CONTROLLER_SERVICE_ACCOUNT, roleArn: this.controllerRole.roleArn }],
    });
  }
}
