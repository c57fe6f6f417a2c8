/**
 * The FSx for Lustre CSI driver as the EKS add-on `aws-fsx-csi-driver`, with a Pod Identity role for
 * its controller (`kube-system/fsx-csi-controller-sa`).
 *
 * Least privilege: the project only uses static PersistentVolumes (the file system is created by
 * CloudFormation), so the controller never creates, updates or deletes file systems. It still calls
 * fsx:DescribeFileSystems: at start it polls every file system (driver pkg/cloud/cloud.go,
 * pollFileSystems) and ValidateVolumeCapabilities describes the volume (pkg/driver/controller.go), so
 * that action is all the policy allows. AWS's guide attaches AmazonFSxFullAccess instead.
 * DescribeFileSystems has no resource-level permissions, hence `*`.
 * Consequence to know: a StorageClass with dynamic provisioning, or a volume expansion, fails with
 * AccessDenied (fsx:CreateFileSystem / UpdateFileSystem, plus iam:CreateServiceLinkedRole for S3
 * links, per the driver's docs/install.md); add those actions here if you ever need them.
 * Region: with `nodeImdsHopLimit` 1 the controller cannot reach instance metadata and reads its region
 * and AZ from the Kubernetes node object instead (pkg/cloud/metadata.go; CSI_NODE_NAME is set in the
 * controller Deployment). The driver docs recommend `controller.region` when IMDS is blocked; the
 * add-on's configuration schema could not be checked offline (`aws eks describe-addon-configuration
 * --addon-name aws-fsx-csi-driver`), so it is not set.
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
  /** Add-on version (pinned per Kubernetes version, lib/config/tables/eks-versions.ts). */
  readonly addonVersion: string;
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
