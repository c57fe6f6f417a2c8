/**
 * Base of every stack of the app: explicit environment and pinned Availability Zones.
 *
 * A stack with an explicit `env` answers `availabilityZones` with a context lookup (an AWS call) even
 * when the VPC lists its AZs; overriding the getter with the configured AZs keeps `cdk synth` offline
 * and credential-free. The AZ list is validated against lib/config/tables/availability-zones.ts.
 */
import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface PinnedAzStackProps extends StackProps {
  /** The AZs `availabilityZones` returns (config `aws.availabilityZones`). */
  readonly pinnedAvailabilityZones: readonly string[];
}

export class PinnedAzStack extends Stack {
  private readonly pinnedAzs: string[];

  constructor(scope: Construct, id: string, props: PinnedAzStackProps) {
    super(scope, id, props);
    if (props.pinnedAvailabilityZones.length === 0) throw new Error(`${id}: pinnedAvailabilityZones is empty`);
    this.pinnedAzs = [...props.pinnedAvailabilityZones];
    // cfn-lint warns about hard-coded AZs; pinning them is the point (offline, reproducible synth).
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason: 'AZs are pinned on purpose from config aws.availabilityZones (offline synth, GPU AZ chosen by the user).',
    });
  }

  override get availabilityZones(): string[] {
    return this.pinnedAzs;
  }
}
