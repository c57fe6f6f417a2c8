/**
 * FSx for Lustre file system that holds the model weights (and the benchmark results), in the one
 * subnet of the GPU nodes' AZ (Lustre is single-AZ; cross-AZ reads would add latency and cost).
 *
 * - PERSISTENT_2 (default) with LZ4 compression; capacity and per-unit throughput from config.
 * - Its own security group: Lustre (TCP 988, 1018-1023) only from the cluster security group (what the
 *   managed nodes carry) and from itself (the file servers talk to each other); the cluster security
 *   group gets the matching rules back, nothing else is opened.
 * - Removal policy DESTROY (the L2's default is RETAIN, which would bill on after `cdk destroy`); no
 *   automatic backups, so no backup outlives the stack either.
 * - With an s3:// model source: a data repository association imports the prefix's metadata at
 *   creation and then only NEW objects; bytes load lazily (the loader Job reads them once).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { Construct } from 'constructs';
import { withDefaults } from './defaults';

/** What the S3 data repository association follows after creation (see the comment at its use). */
export const S3_AUTO_IMPORT_EVENTS = ['NEW'] as const;

/** Lustre's ports: 988 (LNet) and 1018-1023 (client/server callbacks). */
export const LUSTRE_PORTS: readonly ec2.Port[] = [ec2.Port.tcp(988), ec2.Port.tcpRange(1018, 1023)];

export interface FsxModelStoreProps {
  readonly vpc: ec2.IVpc;
  /** The one subnet of the file system (the GPU AZ's private subnet). */
  readonly subnet: ec2.ISubnet;
  /** Security group of the clients (the EKS cluster security group the managed nodes carry). */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** @default PERSISTENT_2 */
  readonly deploymentType?: 'PERSISTENT_2' | 'SCRATCH_2';
  /** Storage capacity, GiB (1200, 2400, then multiples of 2400). */
  readonly storageCapacityGiB: number;
  /** MB/s per TiB (PERSISTENT_2 only): 125, 250, 500 or 1000. */
  readonly perUnitStorageThroughput: number;
  /**
   * Data repository association: file system path <- S3 URI.
   * @default - none (the loader Job downloads from Hugging Face)
   */
  readonly s3Import?: { readonly fileSystemPath: string; readonly s3Uri: string };
  /**
   * What happens to the file system when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

export const FSX_MODEL_STORE_DEFAULTS = { deploymentType: 'PERSISTENT_2', removalPolicy: RemovalPolicy.DESTROY } as const;

export class FsxModelStore extends Construct {
  readonly fileSystem: fsx.LustreFileSystem;
  readonly securityGroup: ec2.SecurityGroup;
  readonly dataRepositoryAssociation?: fsx.CfnDataRepositoryAssociation;

  constructor(scope: Construct, id: string, props: FsxModelStoreProps) {
    super(scope, id);
    const p = withDefaults(FSX_MODEL_STORE_DEFAULTS, props);
    if (p.s3Import && p.deploymentType !== 'PERSISTENT_2') {
      throw new Error(`FsxModelStore ${id}: an S3 data repository association needs PERSISTENT_2, got ${p.deploymentType}`);
    }
    if (p.s3Import && !/^s3:\/\/[^/]+/.test(p.s3Import.s3Uri)) {
      throw new Error(`FsxModelStore ${id}: s3Uri must be s3://bucket[/prefix], got ${p.s3Import.s3Uri}`);
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: p.vpc,
      description: 'FSx for Lustre model store: Lustre ports from the EKS nodes and between file servers only',
      allowAllOutbound: false,
    });
    // (The file system construct itself opens 988-1023 between the file servers, inbound.)
    for (const port of LUSTRE_PORTS) {
      this.securityGroup.addIngressRule(p.clientSecurityGroup, port, 'Lustre from EKS nodes');
      this.securityGroup.addEgressRule(this.securityGroup, port, 'Lustre between file servers');
      this.securityGroup.addEgressRule(p.clientSecurityGroup, port, 'Lustre replies to EKS nodes');
      // The client side: the cluster security group accepts Lustre traffic from the file servers.
      new ec2.CfnSecurityGroupIngress(this, `ClientIngress${port.toString().replace(/[^0-9]+/g, '-')}`, {
        groupId: p.clientSecurityGroup.securityGroupId,
        sourceSecurityGroupId: this.securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port.toRuleJson().fromPort,
        toPort: port.toRuleJson().toPort,
        description: 'Lustre from the FSx model store',
      });
    }

    const persistent = p.deploymentType === 'PERSISTENT_2';
    this.fileSystem = new fsx.LustreFileSystem(this, 'FileSystem', {
      vpc: p.vpc,
      vpcSubnet: p.subnet,
      securityGroup: this.securityGroup,
      storageCapacityGiB: p.storageCapacityGiB,
      removalPolicy: p.removalPolicy,
      lustreConfiguration: {
        deploymentType: persistent ? fsx.LustreDeploymentType.PERSISTENT_2 : fsx.LustreDeploymentType.SCRATCH_2,
        dataCompressionType: fsx.LustreDataCompressionType.LZ4,
        ...(persistent ? { perUnitStorageThroughput: p.perUnitStorageThroughput } : {}),
      },
    });
    if (persistent) {
      // No automatic backups: nothing may outlive `cdk destroy` (weights are re-downloadable).
      (this.fileSystem.node.defaultChild as fsx.CfnFileSystem).addPropertyOverride('LustreConfiguration.AutomaticBackupRetentionDays', 0);
    }

    if (p.s3Import) {
      this.dataRepositoryAssociation = new fsx.CfnDataRepositoryAssociation(this, 'S3Import', {
        fileSystemId: this.fileSystem.fileSystemId,
        fileSystemPath: p.s3Import.fileSystemPath,
        dataRepositoryPath: p.s3Import.s3Uri,
        batchImportMetaDataOnCreate: true,
        // NEW only. AWS FSx API AutoImportPolicy: CHANGED "updates file metadata and invalidates existing
        // file content ... as files change in the data repository", DELETED "deletes files on the file
        // system as corresponding files are deleted" (docs.aws.amazon.com/fsx/latest/APIReference/
        // API_AutoImportPolicy.html). Either would let a bucket write swap or remove weights the loader
        // already verified, under its completion marker; new files are harmless (the loader hashes what it uses).
        s3: { autoImportPolicy: { events: [...S3_AUTO_IMPORT_EVENTS] } },
      });
    }
  }

  get fileSystemId(): string {
    return this.fileSystem.fileSystemId;
  }

  get dnsName(): string {
    return this.fileSystem.dnsName;
  }

  get mountName(): string {
    return this.fileSystem.mountName;
  }
}
