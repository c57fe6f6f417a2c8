/**
 * Regions the project knows offline: their Availability Zone names (so synth never looks them up) and
 * what is known of where GPU families are offered.
 *
 * AZ *names* (us-west-2a) map to physical zones (AZ IDs, usw2-az1) per account, and instance offerings
 * are per zone and account, so offering knowledge here only ever produces *warnings*;
 * `llmd-bench account-check` (your account, live) and
 * `aws ec2 describe-instance-type-offerings --location-type availability-zone \
 *   --filters Name=instance-type,Values=<type> --region <region>` are the authority.
 *
 * Zone letters: AWS "Regions and Zones" documentation as of 2026. ap-northeast-1b exists only for
 * accounts created before 2016 and us-east-1e has few current instance types; both are left out, so
 * naming them gives a warning, not a refusal.
 */
export interface ZoneOfferings {
  /** The families these observations cover (others: nothing is known, no warning). */
  readonly families: readonly string[];
  /** Covered families seen offered per AZ name; an AZ absent here is unknown. */
  readonly byZone: Readonly<Record<string, readonly string[]>>;
  readonly source: string;
}

export interface RegionFacts {
  readonly name: string;
  /** AZ names of the region (most accounts). */
  readonly zones: readonly string[];
  /**
   * GPU families offered somewhere in the region (On-Demand), when a complete list is known; absent:
   * unknown (no warning).
   */
  readonly gpuFamilies?: readonly string[];
  readonly gpuFamiliesSource?: string;
  /** Per-AZ observations for some families, when known. */
  readonly zoneOfferings?: ZoneOfferings;
  /** Where the zone list comes from (offerings carry their own source). */
  readonly sources: readonly string[];
}

const ZONE_LETTERS = 'zones: AWS "Regions and Zones" documentation as of 2026 (zone letters most accounts see)';

export const REGIONS: Readonly<Record<string, RegionFacts>> = {
  'us-east-1': {
    name: 'US East (N. Virginia)',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'],
    sources: [`${ZONE_LETTERS}; us-east-1e left out (few current instance types)`],
    // Every GPU type of instances.ts that has an On-Demand price in the region's price list; p5e is
    // sold there only through Capacity Blocks.
    gpuFamilies: ['g5', 'g6', 'g6e', 'p4d', 'p4de', 'p5', 'p5en', 'p6-b200'],
    gpuFamiliesSource: 'aws/karpenter-provider-aws zz_generated.pricing_aws.go (AWS Pricing API, us-east-1, 2026-07-20)',
  },
  'us-east-2': { name: 'US East (Ohio)', zones: ['us-east-2a', 'us-east-2b', 'us-east-2c'], sources: [ZONE_LETTERS] },
  'us-west-2': {
    name: 'US West (Oregon)',
    zones: ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d'],
    sources: [ZONE_LETTERS],
    zoneOfferings: {
      families: ['g5', 'g6', 'g6e'],
      byZone: {
        'us-west-2a': ['g5', 'g6', 'g6e'],
        'us-west-2b': ['g5', 'g6', 'g6e'],
        'us-west-2c': ['g5', 'g6'],
        // usw2-az4 for most accounts, the zone that most often lacks newer GPU types.
        'us-west-2d': [],
      },
      source: 'describe-instance-type-offerings as seen for most accounts in late 2026 (project notes)',
    },
  },
  'eu-west-1': { name: 'Europe (Ireland)', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], sources: [ZONE_LETTERS] },
  'eu-central-1': { name: 'Europe (Frankfurt)', zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'], sources: [ZONE_LETTERS] },
  'ap-northeast-1': { name: 'Asia Pacific (Tokyo)', zones: ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'], sources: [`${ZONE_LETTERS}; ap-northeast-1b left out (accounts created before 2016 only)`] },
  'ap-southeast-2': { name: 'Asia Pacific (Sydney)', zones: ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'], sources: [ZONE_LETTERS] },
};

/** An AZ name of a region: the region name followed by one letter. */
export function isZoneOfRegion(zone: string, region: string): boolean {
  return zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone);
}

/**
 * Whether a family is known to be offered in an AZ: true, false (observed absent) or undefined (no
 * observation for that zone or family).
 */
export function zoneOffers(region: string, zone: string, family: string): boolean | undefined {
  const o = REGIONS[region]?.zoneOfferings;
  if (!o || !o.families.includes(family) || !(zone in o.byZone)) return undefined;
  return o.byZone[zone].includes(family);
}

/** Whether a family is known to be offered in a region: true, false or undefined (unknown). */
export function regionOffers(region: string, family: string): boolean | undefined {
  const families = REGIONS[region]?.gpuFamilies;
  return families === undefined ? undefined : families.includes(family);
}
