/**
 * Every cdk-nag finding the app accepts, on the construct it concerns, with the reason it is accepted.
 * Anything not listed here fails `cdk synth`. Two findings can only come from configuration (fewer
 * control-plane log types, IMDS hop limit 2); they are acknowledged only when the config asks for
 * them, and the reason names the key.
 */
import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledge, acknowledgeManagedPolicies, acknowledgeWildcards, cfnOf } from '../../constructs/nag/acknowledge';
import { eksV2RuleId, REQUIRED_LOG_TYPES } from '../../constructs/nag/eks-v2-checks';
import type { BenchConfig } from '../config';
import type { BenchStacks } from './app';

/** AWS managed policies the app attaches or that aws-eks-v2 attaches, and why each is acceptable. */
const MANAGED_POLICY_REASONS: Readonly<Record<string, string>> = {
  AmazonEKSClusterPolicy: 'The EKS cluster service role needs exactly this AWS-maintained policy; AWS updates it as the control plane gains features.',
  AmazonEKSWorkerNodePolicy: 'Managed nodes need it to join the cluster (eks:DescribeCluster, EC2 describe calls); AWS maintains it for new node features.',
  AmazonEKS_CNI_Policy: 'The VPC CNI on every node manages ENIs and IP addresses with the node role; the AWS-maintained policy tracks the CNI versions EKS ships.',
  AmazonEC2ContainerRegistryReadOnly: 'Read-only image pulls from ECR (EKS add-on images, kubectl handler); no write access.',
  AmazonElasticContainerRegistryPublicReadOnly: 'aws-eks-v2 kubectl handler: read-only pulls from ECR Public for Helm OCI charts; no write access.',
  AWSLambdaBasicExecutionRole: 'Lambda functions of the aws-eks-v2 kubectl provider write their own logs to CloudWatch Logs; nothing else.',
  AWSLambdaVPCAccessExecutionRole: 'The kubectl provider runs inside the VPC (private cluster endpoint) and must create its ENIs.',
};

/** All roles and policies (L1) below `scope`. */
function iamResourcesUnder(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) &&
    (c.cfnResourceType === 'AWS::IAM::Role' || c.cfnResourceType === 'AWS::IAM::Policy'));
}

export function acknowledgeFindings(stacks: BenchStacks, config: BenchConfig): void {
  const { cluster: clusterStack, platform } = stacks;
  const cluster = clusterStack.cluster;

  acknowledgeManagedPolicies(clusterStack.nodeRole, MANAGED_POLICY_REASONS);
  acknowledgeManagedPolicies(cluster.role, MANAGED_POLICY_REASONS);

  // The kubectl provider (aws-eks-v2): its handler role, the custom-resource framework's role and policy.
  const provider = cluster.kubectlProvider;
  if (!provider) throw new Error('the cluster has no kubectl provider');
  for (const resource of iamResourcesUnder(provider)) {
    if (resource.cfnResourceType === 'AWS::IAM::Role') acknowledgeManagedPolicies(resource, MANAGED_POLICY_REASONS);
    acknowledgeWildcards(resource, {
      // The custom-resource framework invokes the handler function and its versions (`<arn>:*`).
      'Handler': 'The custom-resource framework may invoke the kubectl handler and any of its versions (lambda:InvokeFunction on <handler arn>:*), nothing else.',
    });
  }
  const handler = provider.node.tryFindChild('Handler');
  if (!handler) throw new Error('kubectl provider without Handler');
  acknowledge(cfnOf(handler), 'AwsSolutions-L1',
    'The kubectl handler\'s Python runtime is chosen by aws-eks-v2 (newest it supports) and is not configurable; it is upgraded with aws-cdk-lib.');

  acknowledgeWildcards(clusterStack.addons.services.fsxCsiDriver.controllerRole, {
    'Resource::*': 'fsx:DescribeFileSystems (the only action) has no resource-level permissions; the policy allows nothing that changes a file system.',
  });

  acknowledge(cfnOf(cluster), 'CloudFormation-Validate::W9009',
    'aws-eks-v2 renders EncryptionConfig[].Resources ["secrets"]; the CloudFormation schema flags the field deprecated but it is what enables envelope encryption of Secrets.');

  acknowledge(cfnOf(platform.grafanaAdminSecret), 'AwsSolutions-SMG4',
    'Grafana reads its admin password once at pod start; rotating the secret would lock admins out until a restart. The cluster is short-lived (destroyed after a benchmark).');

  // Config-driven deviations from the platform rule pack.
  const missingLogs = REQUIRED_LOG_TYPES.filter((t) => !config.cluster.controlPlaneLogTypes.includes(t));
  for (const t of missingLogs) {
    acknowledge(cfnOf(cluster), `${eksV2RuleId('ControlPlaneLogs')}[LogExport::${t}]`,
      `Control-plane log type "${t}" turned off by configuration (cluster.controlPlaneLogTypes = ${JSON.stringify(config.cluster.controlPlaneLogTypes)}).`);
  }
  if (config.cluster.nodeImdsHopLimit !== 1) {
    for (const group of [clusterStack.gpuNodes.nodegroup, clusterStack.systemNodes.nodegroup]) {
      acknowledge(cfnOf(group), eksV2RuleId('NodeImdsv2'),
        `IMDSv2 hop limit ${config.cluster.nodeImdsHopLimit} set by configuration (cluster.nodeImdsHopLimit): pods may reach instance metadata.`);
    }
  }
}
