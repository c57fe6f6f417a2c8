/**
 * Launch template shared by the managed node groups: IMDSv2 only (with a hop limit that keeps pods
 * away from the node role by default) and an encrypted gp3 root volume. It names neither an AMI nor an
 * instance type nor user data, so EKS still picks the AMI from the node group's `amiType`, merges its
 * own bootstrap (nodeadm) and attaches the cluster security group.
 */
import { Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { withDefaults } from './defaults';

export interface NodeLaunchTemplateProps {
  /** Root volume size, GiB. */
  readonly rootVolumeGiB: number;
  /**
   * IMDSv2 hop limit. 1 (default): containers outside the host network namespace cannot reach the
   * instance metadata service. 2: they can (and with it the node role's credentials).
   * @default 1
   */
  readonly imdsHopLimit?: number;
  /**
   * Root device name of the AMI family.
   * @default '/dev/xvda' (Amazon Linux 2023 EKS AMIs, standard and NVIDIA)
   */
  readonly rootDeviceName?: string;
  /** Name tag of the instances and volumes launched from it. @default - the construct path */
  readonly nodeName?: string;
  /**
   * More tags for the instances and volumes it launches (stack tags reach the template itself but
   * not what it launches; `llmd-bench cleanup-check` finds leftover nodes and volumes by these).
   * @default none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export const NODE_LAUNCH_TEMPLATE_DEFAULTS = { imdsHopLimit: 1, rootDeviceName: '/dev/xvda' } as const;

export class NodeLaunchTemplate extends Construct {
  readonly launchTemplate: ec2.LaunchTemplate;

  constructor(scope: Construct, id: string, props: NodeLaunchTemplateProps) {
    super(scope, id);
    const p = withDefaults(NODE_LAUNCH_TEMPLATE_DEFAULTS, props);
    if (!Number.isInteger(p.rootVolumeGiB) || p.rootVolumeGiB < 20 || p.rootVolumeGiB > 16384) {
      throw new Error(`NodeLaunchTemplate ${id}: rootVolumeGiB must be an integer in 20-16384, got ${p.rootVolumeGiB}`);
    }
    if (p.imdsHopLimit !== 1 && p.imdsHopLimit !== 2) {
      throw new Error(`NodeLaunchTemplate ${id}: imdsHopLimit must be 1 or 2, got ${p.imdsHopLimit}`);
    }
    this.launchTemplate = new ec2.LaunchTemplate(this, 'Resource', {
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpEndpoint: true,
      httpPutResponseHopLimit: p.imdsHopLimit,
      blockDevices: [{
        deviceName: p.rootDeviceName,
        volume: ec2.BlockDeviceVolume.ebs(p.rootVolumeGiB, {
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          encrypted: true,
          deleteOnTermination: true,
        }),
      }],
    });
    if (p.nodeName) Tags.of(this.launchTemplate).add('Name', p.nodeName);
    for (const [k, v] of Object.entries(p.tags ?? {})) Tags.of(this.launchTemplate).add(k, v);
  }

  /** The spec a managed node group takes (default version: the template is never edited in place). */
  get spec(): eks.LaunchTemplateSpec {
    return { id: this.launchTemplate.launchTemplateId!, version: this.launchTemplate.latestVersionNumber };
  }
}
