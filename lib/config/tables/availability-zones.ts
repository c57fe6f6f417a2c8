/**
 * Pinned Availability Zones, so synth never performs a context lookup.
 *
 * AZ *names* (us-west-2a) map to physical zones (AZ IDs, usw2-az1) per account. The families listed
 * per AZ are the ones AWS offered in that zone for most accounts in late 2026; us-west-2d (usw2-az4)
 * is the zone that most often lacks newer GPU types. If your account maps names differently, check
 * `aws ec2 describe-instance-type-offerings --location-type availability-zone \
 *   --filters Name=instance-type,Values=g5.xlarge --region us-west-2` and pick an AZ from its answer
 * (override with `-c aws.gpuAvailabilityZone=...`), or add a row here.
 */
export interface RegionZones {
  /** Every AZ name of the region. */
  readonly zones: readonly string[];
  /** Instance families (g5, g6, ...) offered per AZ. */
  readonly gpuFamiliesByZone: Readonly<Record<string, readonly string[]>>;
}

export const REGION_ZONES: Readonly<Record<string, RegionZones>> = {
  'us-west-2': {
    zones: ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d'],
    gpuFamiliesByZone: {
      'us-west-2a': ['g5', 'g6', 'g6e'],
      'us-west-2b': ['g5', 'g6', 'g6e'],
      'us-west-2c': ['g5', 'g6'],
      'us-west-2d': [],
    },
  },
};
