import { z } from 'zod';

export const awsSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region name such as us-west-2' }).default('us-west-2')
    .describe('AWS region of every stack. Regions of lib/config/tables/regions.ts (us-east-1, us-east-2, us-west-2, eu-west-1, eu-central-1, ap-northeast-1, ap-southeast-2) work by name; any other needs aws.availabilityZones and aws.gpuAvailabilityZone given explicitly (synth never looks AZs up).'),
  account: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }).optional()
    .describe('AWS account id. Unset: CDK_DEFAULT_ACCOUNT (from your credentials at deploy); synth needs neither.'),
  availabilityZones: z.array(z.string()).default(['us-west-2a', 'us-west-2b'])
    .describe('AZs the VPC spans (EKS needs two for its control plane). Pinned so synth never looks them up. Unset with aws.region given: the GPU AZ and the next AZ of the region.'),
  gpuAvailabilityZone: z.string().default('us-west-2a')
    .describe('The one AZ of the GPU nodes and the FSx file system (Lustre is single-AZ; cross-AZ reads would add latency and data-transfer cost). Must offer the GPU instance type in your account: offline knowledge only warns, `llmd-bench account-check` checks. Unset with aws.region or aws.availabilityZones given: the first of those AZs known to offer the GPU family.'),
}).strict().prefault({});
