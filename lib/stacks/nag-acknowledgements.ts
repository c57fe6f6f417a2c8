/**
 * Every cdk-nag finding the app accepts, on the construct it concerns, with the reason it is accepted.
 * Anything not listed here fails `cdk synth`; everything listed appears in
 * cdk.out/validation-report.json as acknowledged (rule, resource, reason). Two findings can only come
 * from configuration (fewer control-plane log types, IMDS hop limit 2); they are acknowledged only
 * when the config asks for them, and the reason names the key.
 */
import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledge, acknowledgeManagedPolicies, acknowledgeWildcards, cfnOf } from '../../constructs/nag/acknowledge';
import { eksV2RuleId, REQUIRED_LOG_TYPES } from '../../constructs/nag/eks-v2-checks';
import type { BenchConfig } from '../config';
import type { BenchStacks } from './app';

/**
 * AWS managed policies, per role, and why each is acceptable there. A policy on a role that has no
 * reason for it fails synth (acknowledgeManagedPolicies throws).
 */
const REASONS = {
  clusterRole: {
    AmazonEKSClusterPolicy: 'The EKS cluster service role needs exactly this AWS-maintained policy; AWS updates it as the control plane gains features.',
  },
  nodeRole: {
    AmazonEKSWorkerNodePolicy: 'Managed nodes need it to join the cluster (eks:DescribeCluster, EC2 describe calls) and the Pod Identity agent needs its eks-auth:AssumeRoleForPodIdentity; AWS maintains it for new node features.',
    AmazonEC2ContainerRegistryPullOnly: 'Nodes pull images from ECR (EKS add-on images, mirrored images) with only GetAuthorizationToken, BatchGetImage and GetDownloadUrlForLayer: no listing or describing of repositories.',
  },
  vpcCniRole: {
    AmazonEKS_CNI_Policy: 'The VPC CNI (aws-node, through its own Pod Identity role, not the node role) creates and attaches ENIs and assigns pod IP addresses; the AWS-maintained policy tracks the CNI versions EKS ships.',
  },
  kubectlProvider: {
    AmazonEC2ContainerRegistryReadOnly: 'aws-eks-v2 attaches it to the kubectl handler (not configurable) for Helm charts stored in private ECR as OCI artifacts. This app installs its charts from HTTPS repositories and never uses it; read-only either way.',
    AmazonElasticContainerRegistryPublicReadOnly: 'aws-eks-v2 attaches it to the kubectl handler (not configurable) for Helm charts on ECR Public; unused by this app (HTTPS chart repositories), read-only.',
    AWSLambdaBasicExecutionRole: 'aws-eks-v2 attaches it to its provider functions (not configurable). It allows logs:CreateLogGroup/CreateLogStream/PutLogEvents on every log group of the account, not only the functions\' own; they write only their own (each has a log group of its stack). Accepted: whoever controls the kubectl handler is cluster-admin already (docs/security.md).',
    AWSLambdaVPCAccessExecutionRole: 'The kubectl provider runs inside the VPC (private cluster endpoint) and must create and delete its ENIs.',
  },
} as const;

/** All roles and policies (L1) below `scope`. */
function iamResourcesUnder(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) &&
    (c.cfnResourceType === 'AWS::IAM::Role' || c.cfnResourceType === 'AWS::IAM::Policy'));
}

export function acknowledgeFindings(stacks: BenchStacks, config: BenchConfig): void {
  const { cluster: clusterStack, platform } = stacks;
  const cluster = clusterStack.cluster;

  acknowledgeManagedPolicies(clusterStack.nodeRole, REASONS.nodeRole);
  acknowledgeManagedPolicies(cluster.role, REASONS.clusterRole);
  acknowledgeManagedPolicies(clusterStack.addons.networking.vpcCniRole, REASONS.vpcCniRole);

  // The kubectl provider (aws-eks-v2): its handler role, the custom-resource framework's role and policy.
  const provider = cluster.kubectlProvider;
  if (!provider) throw new Error('the cluster has no kubectl provider');
  for (const resource of iamResourcesUnder(provider)) {
    if (resource.cfnResourceType === 'AWS::IAM::Role') acknowledgeManagedPolicies(resource, REASONS.kubectlProvider);
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
    for (const group of [stacks.gpuNodes.gpuNodes.nodegroup, clusterStack.systemNodes.nodegroup]) {
      acknowledge(cfnOf(group), eksV2RuleId('NodeImdsv2'),
        `IMDSv2 hop limit ${config.cluster.nodeImdsHopLimit} set by configuration (cluster.nodeImdsHopLimit): pods may reach instance metadata.`);
    }
  }
}
