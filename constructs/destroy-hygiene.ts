/**
 * Aspect: every CloudWatch log group in scope is deleted with its stack and keeps data for a bounded
 * time. Log groups that constructs create on their own (the kubectl provider's Lambda functions get
 * CDK-managed log groups with RETAIN and two years of retention) would otherwise survive
 * `cdk destroy` and keep a bill, however small, alive.
 *
 * Lambda functions that have no log group in the template (the VPC's restrict-default-security-group
 * custom resource provider, a raw `AWS::Lambda::Function`) would make Lambda create
 * `/aws/lambda/<name>` on first run, with no retention, and nothing would ever delete it. They get a
 * log group of their stack instead (`LoggingConfig.LogGroup`), which the rules above then cover.
 */
import { AspectPriority, Aspects, CfnResource, RemovalPolicy, Stack, type IAspect } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export interface DestroyHygieneProps {
  /** Upper bound of log retention, days (a valid CloudWatch Logs retention). */
  readonly maxLogRetentionDays: number;
  /**
   * Log groups (or their L2 constructs) the configuration keeps on destroy on purpose; their removal
   * policy is left as set. Retention is still bounded.
   * @default none
   */
  readonly retained?: readonly IConstruct[];
}

const LAMBDA_FUNCTION = 'AWS::Lambda::Function';
/** Construct id of the log group this aspect adds beside a function. */
export const FUNCTION_LOG_GROUP_ID = 'DestroyHygieneLogGroup';

export class DestroyHygiene implements IAspect {
  /** Applies the aspect to `scope` (mutating priority: it runs before validation). */
  static applyTo(scope: IConstruct, props: DestroyHygieneProps): void {
    Aspects.of(scope).add(new DestroyHygiene(props), { priority: AspectPriority.MUTATING });
  }

  constructor(private readonly props: DestroyHygieneProps) {}

  visit(node: IConstruct): void {
    // Stacks are visited before their children, so the log groups added here are visited (and
    // bounded) like every other one.
    if (node instanceof Stack) this.giveFunctionsLogGroups(node);
    if (!(node instanceof logs.CfnLogGroup)) return;
    const kept = (this.props.retained ?? []).some((r) => r === node || r.node.defaultChild === node);
    if (!kept) (node as CfnResource).applyRemovalPolicy(RemovalPolicy.DESTROY);
    const days = node.retentionInDays;
    if (days === undefined || (typeof days === 'number' && days > this.props.maxLogRetentionDays)) {
      node.retentionInDays = this.props.maxLogRetentionDays;
    }
  }

  private giveFunctionsLogGroups(stack: Stack): void {
    const own = stack.node.findAll().filter((c) => Stack.of(c) === stack);
    // Functions that already have `/aws/lambda/<Ref fn>` in the template (CDK-managed log groups).
    const covered = new Set<string>();
    for (const c of own) {
      if (!(c instanceof logs.CfnLogGroup)) continue;
      const m = /"\/aws\/lambda\/",\{"Ref":"([^"]+)"\}/.exec(JSON.stringify(stack.resolve(c.logGroupName) ?? null));
      if (m) covered.add(m[1]);
    }
    for (const c of own) {
      if (!(c instanceof CfnResource) || c.cfnResourceType !== LAMBDA_FUNCTION) continue;
      if (covered.has(stack.resolve(c.logicalId)) || c.node.scope?.node.tryFindChild(FUNCTION_LOG_GROUP_ID)) continue;
      const group = new logs.CfnLogGroup(c.node.scope!, FUNCTION_LOG_GROUP_ID, { retentionInDays: this.props.maxLogRetentionDays });
      // Created before the function (the reference orders it), deleted after it.
      c.addPropertyOverride('LoggingConfig.LogGroup', group.ref);
    }
  }
}
