/**
 * How every vendor chart of this project is installed: a pinned version into its own namespace, with
 * typed values, and `wait` so a release whose pods never become ready fails the deploy there (with
 * the chart named) instead of leaving a half-working platform behind.
 *
 * The namespace is created beforehand by the caller (with explicit Pod Security labels), not by
 * Helm's --create-namespace, which would leave it unlabelled (effectively privileged on EKS).
 *
 * Chart integrity: aws-eks-v2's kubectl handler builds the Helm command itself (handler
 * helm/__init__.py: `helm upgrade <release> <chart> --install --repo --version --values ...`, or
 * `helm pull <oci repo> --version` for OCI) with no `--verify`/`--keyring` and no digest, and the
 * Lambda has no GPG keyring, so provenance cannot be checked at deploy time. docs/security.md says
 * how to verify the pinned versions before a deploy (`helm pull --verify`, prometheus-community signs
 * every chart) and what would make it enforceable (mirroring the charts to a private OCI registry).
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
  /** An existing namespace (created with its Pod Security labels before the release). */
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
    createNamespace: false,
    values: p.values as Record<string, unknown>,
    wait: true,
    timeout: p.timeout,
  });
}
