/**
 * A small cdk-nag rule pack for `aws-eks-v2` clusters. cdk-nag's own EKS rules (AwsSolutions-EKS1/2)
 * only recognise the legacy `aws-eks` constructs and never fire for a native AWS::EKS::Cluster, so the
 * guarantees this project relies on are checked here, on the synthesized CloudFormation properties:
 *
 * - LlmdBenchEks-PublicEndpoint: the public API endpoint is off, or restricted to IPv4 CIDRs of /16
 *   or narrower (one finding per wider CIDR, naming it: `LlmdBenchEks-PublicEndpoint[Cidr::0.0.0.0/1]`;
 *   0.0.0.0/1 + 128.0.0.0/1 is the whole internet too).
 * - LlmdBenchEks-ControlPlaneLogs: all five control-plane log types go to CloudWatch (one finding per
 *   missing type, `LlmdBenchEks-ControlPlaneLogs[LogExport::audit]`).
 * - LlmdBenchEks-SecretsEncryption: Kubernetes Secrets are envelope-encrypted with a KMS key.
 * - LlmdBenchEks-NodeImdsv2: every managed node group has a launch template of this stack that requires
 *   IMDSv2 tokens with hop limit 1 (pods cannot borrow the node role).
 * - LlmdBenchEks-NodeRootVolumeEncrypted: that launch template encrypts every EBS volume it maps.
 *
 * Register with `Validations.of(app).addPlugins(new EksV2Checks(app))`; acknowledge a finding with
 * `Validations.of(construct).acknowledge({ id, reason })`.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagRuleCompliance, type NagPackProps, type NagRuleResult } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { MIN_PUBLIC_ACCESS_PREFIX, parseCidr } from '../../lib/config/cidr';

export const EKS_V2_PACK = 'LlmdBenchEks';
export const REQUIRED_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

type Props = Record<string, any>;

/** The resource's CloudFormation properties as synthesized (overrides applied, tokens resolved). */
export function cfnProperties(node: CfnResource): Props {
  const stack = Stack.of(node);
  const raw = (node as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
  const rendered = stack.resolve(raw) as { Resources?: Record<string, { Properties?: Props }> };
  const [resource] = Object.values(rendered.Resources ?? {});
  return resource?.Properties ?? {};
}

/** The CfnResource of `stack` with this logical id, if any. */
function resourceByLogicalId(stack: Stack, logicalId: string): CfnResource | undefined {
  return stack.node.findAll().find((c: IConstruct): c is CfnResource => CfnResource.isCfnResource(c) && stack.resolve(c.logicalId) === logicalId);
}

export const publicEndpoint = (node: CfnResource): NagRuleResult => {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const vpc = cfnProperties(node).ResourcesVpcConfig ?? {};
  // EKS turns the public endpoint on unless told otherwise, open to 0.0.0.0/0 unless CIDRs are given.
  const isPublic = vpc.EndpointPublicAccess !== false;
  if (!isPublic) return NagRuleCompliance.COMPLIANT;
  const cidrs: unknown[] = vpc.PublicAccessCidrs ?? [];
  if (cidrs.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  // Not a literal IPv4 CIDR (a token, IPv6) or wider than the minimum prefix: a finding naming it.
  const wide = cidrs.map((c) => (typeof c === 'string' ? c : JSON.stringify(c)))
    .filter((c) => (parseCidr(c)?.prefix ?? -1) < MIN_PUBLIC_ACCESS_PREFIX);
  return wide.length === 0 ? NagRuleCompliance.COMPLIANT : wide.map((c) => `Cidr::${c}`);
};

export const controlPlaneLogs = (node: CfnResource): NagRuleResult => {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const enabled: { Type?: string }[] = cfnProperties(node).Logging?.ClusterLogging?.EnabledTypes ?? [];
  const missing = REQUIRED_LOG_TYPES.filter((t) => !enabled.some((e) => e.Type === t));
  return missing.length === 0 ? NagRuleCompliance.COMPLIANT : missing.map((t) => `LogExport::${t}`);
};

export const secretsEncryption = (node: CfnResource): NagRuleResult => {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const configs: { Resources?: string[]; Provider?: { KeyArn?: unknown } }[] = cfnProperties(node).EncryptionConfig ?? [];
  const ok = configs.some((c) => (c.Resources ?? []).includes('secrets') && c.Provider?.KeyArn !== undefined);
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
};

/** The launch template of a node group, resolved to its resource in the same stack (undefined if none). */
function launchTemplateOf(node: CfnResource): Props | undefined {
  const lt = cfnProperties(node).LaunchTemplate;
  if (!lt) return undefined;
  const ref = lt.Id?.Ref ?? lt.Name?.Ref;
  const resource = typeof ref === 'string' ? resourceByLogicalId(Stack.of(node), ref) : undefined;
  if (!resource || resource.cfnResourceType !== 'AWS::EC2::LaunchTemplate') {
    throw new Error(`launch template ${JSON.stringify(lt)} is not a launch template of this stack; cannot check it`);
  }
  return cfnProperties(resource).LaunchTemplateData ?? {};
}

export const nodeImdsv2 = (node: CfnResource): NagRuleResult => {
  if (node.cfnResourceType !== 'AWS::EKS::Nodegroup') return NagRuleCompliance.NOT_APPLICABLE;
  const data = launchTemplateOf(node);
  // Without a launch template EKS's own defaults apply: not IMDSv2-only.
  if (!data) return NagRuleCompliance.NON_COMPLIANT;
  const md = data.MetadataOptions ?? {};
  return md.HttpTokens === 'required' && md.HttpPutResponseHopLimit === 1 && md.HttpEndpoint !== 'disabled'
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
};

export const nodeRootVolumeEncrypted = (node: CfnResource): NagRuleResult => {
  if (node.cfnResourceType !== 'AWS::EKS::Nodegroup') return NagRuleCompliance.NOT_APPLICABLE;
  const data = launchTemplateOf(node);
  if (!data) return NagRuleCompliance.NON_COMPLIANT;
  const ebs = (data.BlockDeviceMappings ?? []).map((m: { Ebs?: { Encrypted?: boolean } }) => m.Ebs).filter(Boolean);
  return ebs.length > 0 && ebs.every((e: { Encrypted?: boolean }) => e.Encrypted === true) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
};

interface Rule {
  readonly suffix: string;
  readonly info: string;
  readonly explanation: string;
  readonly rule: (node: CfnResource) => NagRuleResult;
}

export const EKS_V2_RULES: readonly Rule[] = [
  {
    suffix: 'PublicEndpoint',
    info: 'The EKS cluster API endpoint is public without a CIDR restriction, or to an IPv4 range wider than /16 (the finding names it).',
    explanation: 'Anyone in that range can then attempt to authenticate against the Kubernetes API. Use a private endpoint or restrict publicAccessCidrs to known addresses (/16 or narrower).',
    rule: publicEndpoint,
  },
  {
    suffix: 'ControlPlaneLogs',
    info: 'The EKS cluster does not send every control-plane log type (api, audit, authenticator, controllerManager, scheduler) to CloudWatch Logs.',
    explanation: 'Without audit and authenticator logs nobody can tell who did what to the cluster; the others explain scheduling and controller failures.',
    rule: controlPlaneLogs,
  },
  {
    suffix: 'SecretsEncryption',
    info: 'The EKS cluster does not envelope-encrypt Kubernetes Secrets with a KMS key.',
    explanation: 'Envelope encryption protects Secrets in etcd and its backups with a key you control and audit.',
    rule: secretsEncryption,
  },
  {
    suffix: 'NodeImdsv2',
    info: 'The managed node group has no launch template that requires IMDSv2 with hop limit 1.',
    explanation: 'IMDSv1 and a hop limit above 1 let any pod read the node role\'s credentials from instance metadata; workloads should use EKS Pod Identity.',
    rule: nodeImdsv2,
  },
  {
    suffix: 'NodeRootVolumeEncrypted',
    info: 'The managed node group\'s launch template does not encrypt its EBS volumes.',
    explanation: 'Node volumes hold container images, emptyDirs and logs; encrypt them at rest.',
    rule: nodeRootVolumeEncrypted,
  },
];

/** The pack. */
export class EksV2Checks extends NagPack {
  readonly name = EKS_V2_PACK;

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = EKS_V2_PACK;
  }

  protected checkResource(node: CfnResource): void {
    for (const r of EKS_V2_RULES) {
      this.applyRule({ ruleSuffixOverride: r.suffix, info: r.info, explanation: r.explanation, level: NagMessageLevel.ERROR, rule: r.rule, node });
    }
  }
}

/** Full rule id, e.g. `LlmdBenchEks-NodeImdsv2`. */
export function eksV2RuleId(suffix: string): string {
  return `${EKS_V2_PACK}-${suffix}`;
}
