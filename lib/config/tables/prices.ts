/**
 * On-demand list prices (USD) used by `llmd-bench cost`. Public AWS price pages for us-west-2,
 * Linux, as of the date below; they change, so re-check before budgeting a long run.
 */
export const PRICES = {
  asOf: '2026-11-01',
  region: 'us-west-2',
  source: 'https://aws.amazon.com/ec2/pricing/on-demand/, /eks/pricing/, /fsx/lustre/pricing/, /vpc/pricing/',
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
  /** FSx for Lustre SSD storage, USD per GB-month, by deployment type and MB/s/TiB tier. */
  fsxLustrePerGBMonth: {
    PERSISTENT_2: { 125: 0.145, 250: 0.21, 500: 0.34, 1000: 0.6 } as Record<number, number>,
    SCRATCH_2: 0.14,
  },
  /** gp3 EBS, USD per GB-month (node root volumes). */
  ebsGp3PerGBMonth: 0.08,
  /** NAT gateway, USD per gateway-hour (data processing, $0.045/GB, is extra and usage-based). */
  natGatewayPerHour: 0.045,
  /** Hours in a billing month, as AWS prorates monthly storage prices. */
  hoursPerMonth: 730,
} as const;
