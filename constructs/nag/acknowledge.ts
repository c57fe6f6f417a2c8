/**
 * Helpers to acknowledge cdk-nag findings one by one, each with its own reason.
 *
 * Findings of rules that report several per resource (`AwsSolutions-IAM4[Policy::...]`) embed
 * rendered ARNs and logical ids. Instead of copying those strings (which break on a rename), the
 * helpers run cdk-nag's own rule on the resource, map every finding to a reason by a short key, and
 * throw when a finding has no reason: a new managed policy or wildcard cannot slip in unexplained.
 */
import { CfnResource, Validations } from 'aws-cdk-lib';
import { rules, type NagRuleResult } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The id an acknowledgement is recorded under: `<pack>::<finding>` for a cdk-nag finding
 * (`AwsSolutions-IAM4[...]` -> `AwsSolutions::AwsSolutions-IAM4[...]`), ids that already name their
 * plugin (`CloudFormation-Validate::W9009`) as given.
 *
 * Why the pack namespace: a bare id is stored as `Annotation::<id>`, which cdk-nag itself reads as
 * "acknowledged" and then never reports the finding, so it would be missing from
 * cdk.out/validation-report.json. Under the pack's own namespace cdk-nag reports the finding and
 * aws-cdk-lib's validation suppresses it by path, writing it to the report as acknowledged, with
 * its reason and the construct it was acknowledged at (the audit trail CI uploads).
 */
export function acknowledgementId(id: string): string {
  if (id.includes('::') && !id.includes('[')) return id;
  const bracket = id.indexOf('[');
  const head = bracket < 0 ? id : id.slice(0, bracket);
  if (head.includes('::')) return id;
  const pack = head.split('-')[0];
  return `${pack}::${id}`;
}

/** One acknowledgement; every reason names the specific why. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledgement of ${id} at ${scope.node.path} needs a specific reason, got "${reason}"`);
  Validations.of(scope).acknowledge({ id: acknowledgementId(id), reason });
}

/** The L1 resource of an L2 (its default child) or the resource itself. */
export function cfnOf(scope: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(scope)) return scope;
  const child = scope.node.defaultChild;
  if (!child || !CfnResource.isCfnResource(child)) throw new Error(`${scope.node.path} has no CloudFormation resource`);
  return child;
}

function findingsOf(result: NagRuleResult): string[] {
  return Array.isArray(result) ? result : [];
}

/**
 * Acknowledges `AwsSolutions-<rule>[<finding>]` findings of `rule` on `resource`; `reasons` maps a
 * substring of the finding (e.g. the managed policy name) to the reason.
 */
function acknowledgeFindings(pack: string, ruleId: string, rule: (node: CfnResource) => NagRuleResult, resource: IConstruct, reasons: Readonly<Record<string, string>>): string[] {
  const cfn = cfnOf(resource);
  const findings = findingsOf(rule(cfn));
  const acknowledged: string[] = [];
  for (const finding of findings) {
    const key = Object.keys(reasons).find((k) => finding.includes(k));
    if (!key) throw new Error(`${cfn.node.path}: ${pack}-${ruleId}[${finding}] has no acknowledgement reason; add one or remove the permission`);
    const id = `${pack}-${ruleId}[${finding}]`;
    acknowledge(cfn, id, reasons[key]);
    acknowledged.push(id);
  }
  return acknowledged;
}

/** AwsSolutions-IAM4 (AWS managed policies) on a role, one reason per policy name. */
export function acknowledgeManagedPolicies(role: IConstruct, reasonsByPolicyName: Readonly<Record<string, string>>): string[] {
  return acknowledgeFindings('AwsSolutions', 'IAM4', rules.iam.IAMNoManagedPolicies, role, reasonsByPolicyName);
}

/** AwsSolutions-IAM5 (wildcards) on a role or policy, one reason per wildcard finding substring. */
export function acknowledgeWildcards(roleOrPolicy: IConstruct, reasonsByFinding: Readonly<Record<string, string>>): string[] {
  return acknowledgeFindings('AwsSolutions', 'IAM5', rules.iam.IAMNoWildcardPermissions, roleOrPolicy, reasonsByFinding);
}
