/**
 * On-demand list prices (USD) used by `llmd-bench cost`: us-west-2, Linux, shared tenancy.
 * Prices change; `reviewed` is the date this table was last gone through, and `provenance` says
 * which figures were cross-checked against a published source then and which were carried over
 * from the AWS pricing pages unverified (no AWS pricing API is reachable where this was written).
 * Re-check before budgeting a long run: https://aws.amazon.com/ec2/pricing/on-demand/ and the
 * EKS, FSx for Lustre, VPC and EBS pricing pages.
 */
export const PRICES = {
  /** Date the table was last reviewed (kept for compatibility with readers of `asOf`). */
  asOf: '2026-11-25',
  reviewed: '2026-11-25',
  region: 'us-west-2',
  source: 'https://aws.amazon.com/ec2/pricing/on-demand/, /eks/pricing/, /fsx/lustre/pricing/, /vpc/pricing/, /ebs/pricing/',
  /** What was cross-checked, against what, and what was not. */
  provenance: [
    'g5.xlarge $1.006/h: matches a June 2026 EC2 on-demand price survey (us-east-1 figure; g5 lists the same in us-west-2).',
    'FSx Lustre PERSISTENT_2 125 MB/s/TiB $0.145/GB-month: matches a published estimator (1.2 TB ~ $174/month).',
    'EKS $0.10/cluster-hour, NAT gateway $0.045/h, public IPv4 $0.005/h, gp3 $0.08/GB-month: long-standing AWS list prices, not re-verified.',
    'Other EC2 types and FSx tiers: AWS list prices carried over, not re-verified offline.',
  ],
  /** EC2 on-demand, USD per instance-hour. */
  ec2PerHour: {
    'g5.xlarge': 1.006,
    'g5.2xlarge': 1.212,
    'g5.4xlarge': 1.624,
    'g5.12xlarge': 5.672,
    'g6.xlarge': 0.8048,
    'g6.2xlarge': 0.9776,
    'g6.12xlarge': 4.6016,
    'g6e.xlarge': 1.861,
    'g6e.2xlarge': 2.24208,
    'm6i.large': 0.096,
    'm6i.xlarge': 0.192,
    'm6i.2xlarge': 0.384,
    'm7i.xlarge': 0.2016,
    'm7i.2xlarge': 0.4032,
  } as Record<string, number>,
  /** EKS control plane, USD per cluster-hour (standard support). */
  eksControlPlanePerHour: 0.1,
  /** FSx for Lustre SSD storage, USD per GB-month of provisioned capacity, by deployment type and MB/s/TiB tier. */
  fsxLustrePerGBMonth: {
    PERSISTENT_2: { 125: 0.145, 250: 0.21, 500: 0.34, 1000: 0.6 } as Record<number, number>,
    SCRATCH_2: 0.14,
  },
  /** gp3 EBS, USD per GB-month (node root volumes). */
  ebsGp3PerGBMonth: 0.08,
  /** NAT gateway, USD per gateway-hour (data processing, $0.045/GB, is extra and usage-based). */
  natGatewayPerHour: 0.045,
  /** Public IPv4 address, USD per hour (each NAT gateway holds one Elastic IP). */
  publicIpv4PerHour: 0.005,
  /** Hours in a billing month, as AWS prorates monthly storage prices. */
  hoursPerMonth: 730,
} as const;
