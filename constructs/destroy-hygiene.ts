/**
 * Aspect: every CloudWatch log group in scope is deleted with its stack and keeps data for a bounded
 * time. Log groups that constructs create on their own (the kubectl provider's Lambda functions get
 * CDK-managed log groups with RETAIN and two years of retention) would otherwise survive
 * `cdk destroy` and keep a bill, however small, alive.
 */
import { AspectPriority, Aspects, CfnResource, RemovalPolicy, type IAspect } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export interface DestroyHygieneProps {
  /** Upper bound of log retention, days (a valid CloudWatch Logs retention). */
  readonly maxLogRetentionDays: number;
}

export class DestroyHygiene implements IAspect {
  /** Applies the aspect to `scope` (mutating priority: it runs before validation). */
  static applyTo(scope: IConstruct, props: DestroyHygieneProps): void {
    Aspects.of(scope).add(new DestroyHygiene(props), { priority: AspectPriority.MUTATING });
  }

  constructor(private readonly props: DestroyHygieneProps) {}

  visit(node: IConstruct): void {
    if (!(node instanceof logs.CfnLogGroup)) return;
    (node as CfnResource).applyRemovalPolicy(RemovalPolicy.DESTROY);
    const days = node.retentionInDays;
    if (days === undefined || (typeof days === 'number' && days > this.props.maxLogRetentionDays)) {
      node.retentionInDays = this.props.maxLogRetentionDays;
    }
  }
}
