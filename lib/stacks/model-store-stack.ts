/**
 * LlmdBench-ModelStore: the FSx for Lustre file system of the weights (and benchmark results) in the
 * GPU AZ, plus, when the weights come from Hugging Face with a token, the Pod Identity role of the
 * loader Job that may read exactly that one secret, and only while it carries the tag
 * llmd-bench:purpose=hf-token (HF_TOKEN_SECRET_TAG).
 *
 * The Kubernetes side (static PV/PVC pairs and the loader Job, k8s/model-store/) is applied by the
 * workloads stack after the project namespace exists; this stack exposes the file system's id, DNS
 * name and mount name for it.
 */
import { Arn, ArnFormat, CfnOutput, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { FsxModelStore } from '../../constructs/fsx-model-store';
import { PodIdentityRole } from '../../constructs/pod-identity-role';
import { sharedNames } from '../../k8s/names';
import type { ChartDeps } from '../../k8s/registry';
import type { BenchConfig } from '../config';
import { HF_TOKEN_SECRET_TAG } from '../names';
import { PinnedAzStack } from './pinned-az-stack';

export { MODEL_STORE_STACK_NAME } from '../names';

export interface ModelStoreStackProps extends StackProps {
  readonly config: BenchConfig;
  readonly vpc: ec2.IVpc;
  /** The private subnet of the GPU AZ. */
  readonly subnet: ec2.ISubnet;
  /** The cluster: its security group (carried by every managed node) reaches Lustre; its name goes into the loader's Pod Identity association. */
  readonly cluster: eks.ICluster;
}

/** ARN of a Secrets Manager secret given by name (Secrets Manager appends `-` and six random characters). */
export function secretArnForName(stack: PinnedAzStack, name: string): string {
  return Arn.format({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack);
}

export class ModelStoreStack extends PinnedAzStack {
  readonly store: FsxModelStore;
  /** What the model-store charts need (CloudFormation tokens). */
  readonly chartDeps: ChartDeps;
  /** Set when modelStore.hfTokenSecretName is. */
  readonly loaderIdentity?: PodIdentityRole;

  constructor(scope: Construct, id: string, props: ModelStoreStackProps) {
    super(scope, id, { ...props, pinnedAvailabilityZones: props.config.aws.availabilityZones });
    const c = props.config;
    const ms = c.modelStore;
    const names = sharedNames(c);

    this.store = new FsxModelStore(this, 'ModelStore', {
      vpc: props.vpc,
      subnet: props.subnet,
      clientSecurityGroup: props.cluster.clusterSecurityGroup,
      deploymentType: ms.deploymentType,
      storageCapacityGiB: ms.storageCapacityGiB,
      perUnitStorageThroughput: ms.perUnitStorageThroughput,
      removalPolicy: ms.retainOnDestroy ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Weights of model X live in /<X> on the file system (mounted at modelStore.mountPath in pods).
      s3Import: ms.modelSource === 'huggingface' ? undefined : { fileSystemPath: `/${c.model.id}`, s3Uri: ms.modelSource },
    });
    this.chartDeps = { fileSystemId: this.store.fileSystemId, dnsName: this.store.dnsName, mountName: this.store.mountName };

    if (ms.hfTokenSecretName) {
      this.loaderIdentity = new PodIdentityRole(this, 'LoaderIdentity', {
        cluster: props.cluster,
        namespace: names.loaderNamespace,
        serviceAccount: names.loaderServiceAccount,
        description: `Model loader: read the Hugging Face token secret ${ms.hfTokenSecretName}`,
        statements: [new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secretArnForName(this, ms.hfTokenSecretName)],
          // Only a secret tagged for this purpose (README, gated models): a name alone could match another secret.
          conditions: { StringEquals: { [`secretsmanager:ResourceTag/${HF_TOKEN_SECRET_TAG.key}`]: HF_TOKEN_SECRET_TAG.value } },
        })],
      });
    }

    new CfnOutput(this, 'FileSystemId', { value: this.store.fileSystemId, description: 'FSx for Lustre file system of the weights' });
    new CfnOutput(this, 'MountName', { value: this.store.mountName, description: 'Lustre mount name (static PV volumeAttributes.mountname)' });
  }
}
