/**
 * On-demand list prices (USD, Linux, shared tenancy) used by `llmd-bench cost`, per region where known.
 * Prices change; `reviewed` is the date this table was last gone through, and every figure carries
 * how sure it is:
 * - `verified`: copied from a machine-generated dump of the AWS Pricing API;
 * - `unverified`: a list price carried over or assumed equal to another region's, not re-checked;
 * - `fallback` (computed by `ec2HourlyPrice`): no price known for the region, the us-east-1 price is
 *   shown instead and `cost` says so (expect other regions to be 5-30% higher).
 * Re-check before budgeting a long run: https://aws.amazon.com/ec2/pricing/on-demand/ and the
 * EKS, FSx for Lustre, VPC and EBS pricing pages.
 */

export type PriceStatus = 'verified' | 'unverified' | 'fallback';

/**
 * us-east-1 On-Demand prices: aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go,
 * "generated at 2026-07-20T13:44:30Z for us-east-1" from the AWS Pricing API (p5 after the 2025 price cut).
 * p5e.48xlarge has no On-Demand price there (Capacity Blocks only); see EC2_PRICE_PROXIES.
 */
const US_EAST_1_SOURCE = 'AWS Pricing API, us-east-1, 2026-07-20 (aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go)';
const US_EAST_1: Readonly<Record<string, number>> = {
  'g5.xlarge': 1.006, 'g5.2xlarge': 1.212, 'g5.4xlarge': 1.624, 'g5.8xlarge': 2.448, 'g5.16xlarge': 4.096,
  'g5.12xlarge': 5.672, 'g5.24xlarge': 8.144, 'g5.48xlarge': 16.288,
  'g6.xlarge': 0.8048, 'g6.2xlarge': 0.9776, 'g6.4xlarge': 1.3232, 'g6.8xlarge': 2.0144, 'g6.16xlarge': 3.3968,
  'g6.12xlarge': 4.6016, 'g6.24xlarge': 6.6752, 'g6.48xlarge': 13.3504,
  'g6e.xlarge': 1.861, 'g6e.2xlarge': 2.24208, 'g6e.4xlarge': 3.00424, 'g6e.8xlarge': 4.52856, 'g6e.16xlarge': 7.57719,
  'g6e.12xlarge': 10.49264, 'g6e.24xlarge': 15.06559, 'g6e.48xlarge': 30.13118,
  'p4d.24xlarge': 21.957642, 'p4de.24xlarge': 27.44705,
  'p5.4xlarge': 6.88, 'p5.48xlarge': 55.04, 'p5en.48xlarge': 63.296,
  'p6-b200.48xlarge': 113.9328,
  'm6i.large': 0.096, 'm6i.xlarge': 0.192, 'm6i.2xlarge': 0.384, 'm7i.xlarge': 0.2016, 'm7i.2xlarge': 0.4032,
};

/** Regional service prices (everything `cost` itemises besides EC2). */
export interface ServicePrices {
  readonly status: Exclude<PriceStatus, 'fallback'>;
  /** FSx prices are the US rates shown for a region without its own (marked fallback by `cost`). */
  readonly fsxFallback?: boolean;
  readonly note: string;
  /** NAT gateway, USD per gateway-hour (data processing, per GB, is extra and usage-based). */
  readonly natGatewayPerHour: number;
  /** gp3 EBS, USD per GB-month (node root volumes). */
  readonly ebsGp3PerGBMonth: number;
  /** FSx for Lustre SSD storage, USD per GB-month of provisioned capacity, by deployment type and MB/s/TiB tier. */
  readonly fsxLustrePerGBMonth: { readonly PERSISTENT_2: Readonly<Record<number, number>>; readonly SCRATCH_2: number };
}

const US_SERVICES: ServicePrices = {
  status: 'unverified',
  note: 'NAT $0.045/h and gp3 $0.08/GB-month: long-standing US list prices; FSx PERSISTENT_2 125 MB/s/TiB $0.145/GB-month matches a published estimator (1.2 TB ~ $174/month), the other tiers carried over',
  natGatewayPerHour: 0.045,
  ebsGp3PerGBMonth: 0.08,
  fsxLustrePerGBMonth: { PERSISTENT_2: { 125: 0.145, 250: 0.21, 500: 0.34, 1000: 0.6 }, SCRATCH_2: 0.14 },
};

/** Outside the US only NAT and gp3 list prices are carried (unverified); FSx falls back to the US rates. */
const withNatAndGp3 = (natGatewayPerHour: number, ebsGp3PerGBMonth: number): ServicePrices => ({
  ...US_SERVICES,
  status: 'unverified',
  fsxFallback: true,
  note: `NAT $${natGatewayPerHour}/h and gp3 $${ebsGp3PerGBMonth}/GB-month: regional list prices carried over, not re-verified; FSx at the US rates (unknown here)`,
  natGatewayPerHour,
  ebsGp3PerGBMonth,
});

export const PRICES = {
  /** Date the table was last reviewed (kept for compatibility with readers of `asOf`). */
  asOf: '2026-12-03',
  reviewed: '2026-12-03',
  /** The region whose EC2 prices are verified. */
  verifiedRegion: 'us-east-1',
  source: 'https://aws.amazon.com/ec2/pricing/on-demand/, /eks/pricing/, /fsx/lustre/pricing/, /vpc/pricing/, /ebs/pricing/',
  provenance: [
    'EC2 us-east-1: AWS Pricing API dump of 2026-07-20 (aws/karpenter-provider-aws zz_generated.pricing_aws.go).',
    'EC2 us-east-2 and us-west-2: assumed equal to us-east-1 (AWS lists one price in the three regions for these families; checked for g5.xlarge against a June 2026 survey and p5en.48xlarge against dstack\'s AWS offer listing), not re-checked per type.',
    'EC2 elsewhere: not known offline; the us-east-1 price is shown and marked.',
    'EKS $0.10/cluster-hour (standard support, every region) and public IPv4 $0.005/h: long-standing AWS list prices, not re-verified.',
  ],
  ec2OnDemandPerHour: { 'us-east-1': US_EAST_1 } as Readonly<Record<string, Readonly<Record<string, number>>>>,
  /** Where each region's table of ec2OnDemandPerHour comes from. */
  ec2Sources: { 'us-east-1': US_EAST_1_SOURCE } as Readonly<Record<string, string>>,
  /** Regions whose EC2 list prices equal us-east-1's (unverified per type). */
  ec2SameAsUsEast1: ['us-east-2', 'us-west-2'] as readonly string[],
  /** Types without an On-Demand list price, priced as another type (unverified). */
  ec2PriceProxies: {
    'p5e.48xlarge': { as: 'p5en.48xlarge', why: 'no On-Demand list price found (Capacity Blocks only); priced as p5en.48xlarge, the same 8 x H200' },
  } as Readonly<Record<string, { as: string; why: string }>>,
  services: {
    'us-east-1': US_SERVICES,
    'us-east-2': US_SERVICES,
    'us-west-2': US_SERVICES,
    'eu-west-1': withNatAndGp3(0.048, 0.088),
    'eu-central-1': withNatAndGp3(0.052, 0.0952),
    'ap-northeast-1': withNatAndGp3(0.062, 0.096),
    'ap-southeast-2': withNatAndGp3(0.059, 0.096),
  } as Readonly<Record<string, ServicePrices>>,
  /** EKS control plane, USD per cluster-hour (standard support). */
  eksControlPlanePerHour: 0.1,
  /** Public IPv4 address, USD per hour (each NAT gateway holds one Elastic IP). */
  publicIpv4PerHour: 0.005,
  /** Hours in a billing month, as AWS prorates monthly storage prices. */
  hoursPerMonth: 730,
} as const;

export interface PriceQuote {
  readonly usdPerHour: number;
  readonly status: PriceStatus;
  /** What the figure is, when it is not a verified price of this type in this region. */
  readonly note?: string;
  /** Where the figure comes from. */
  readonly source: string;
}

/** The On-Demand price of an instance type in a region, with how sure it is; undefined when unknown anywhere. */
export function ec2HourlyPrice(instanceType: string, region: string): PriceQuote | undefined {
  const proxy = PRICES.ec2PriceProxies[instanceType];
  if (proxy) {
    const base = ec2HourlyPrice(proxy.as, region);
    return base && { usdPerHour: base.usdPerHour, status: base.status === 'fallback' ? 'fallback' : 'unverified', note: proxy.why, source: `${base.source}, ${proxy.as}'s price` };
  }
  const usEast1 = PRICES.ec2OnDemandPerHour['us-east-1'][instanceType];
  const own = PRICES.ec2OnDemandPerHour[region]?.[instanceType];
  if (own !== undefined) return { usdPerHour: own, status: region === PRICES.verifiedRegion ? 'verified' : 'unverified', source: PRICES.ec2Sources[region] ?? '' };
  if (usEast1 === undefined) return undefined;
  const source = PRICES.ec2Sources['us-east-1'];
  if (PRICES.ec2SameAsUsEast1.includes(region)) return { usdPerHour: usEast1, status: 'unverified', note: 'us-east-1 list price, assumed equal here', source };
  return { usdPerHour: usEast1, status: 'fallback', note: `no ${region} price known; us-east-1 list price shown`, source };
}

/** Service prices of a region, falling back to the US figures (marked) when the region has none. */
export function servicePrices(region: string): ServicePrices & { readonly fallback: boolean } {
  const own = PRICES.services[region];
  return own ? { ...own, fallback: false } : { ...US_SERVICES, fallback: true, note: `no ${region} service prices known; US list prices shown` };
}
