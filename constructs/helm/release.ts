/**
 * How every vendor chart of this project is installed: a pinned version into its own namespace, with
 * typed values, and `wait` so a release whose pods never become ready fails the deploy there (with
 * the chart named) instead of leaving a half-working platform behind.
 */
import type { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Construct } from 'constructs';

/** Where a chart comes from and its release name. */
export interface ChartSource {
  readonly chart: string;
  readonly repository: string;
  readonly release: string;
}

export interface ReleaseProps {
  readonly cluster: eks.ICluster;
  readonly version: string;
  readonly namespace: string;
  readonly values: object;
  /** Helm's --timeout for the wait (aws-eks-v2 allows at most 15 minutes). */
  readonly timeout: Duration;
}

export function helmRelease(scope: Construct, source: ChartSource, p: ReleaseProps): eks.HelmChart {
  return new eks.HelmChart(scope, 'Chart', {
    cluster: p.cluster,
    ...source,
    version: p.version,
    namespace: p.namespace,
    createNamespace: true,
    values: p.values as Record<string, unknown>,
    wait: true,
    timeout: p.timeout,
  });
}
