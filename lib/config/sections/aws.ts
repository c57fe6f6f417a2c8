import { z } from 'zod';

export const awsSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region name such as us-west-2' }).default('us-west-2')
    .describe('AWS region of every stack. Must have a row in lib/config/tables/availability-zones.ts (synth never looks AZs up).'),
  account: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }).optional()
    .describe('AWS account id. Unset: CDK_DEFAULT_ACCOUNT (from your credentials at deploy); synth needs neither.'),
  availabilityZones: z.array(z.string()).default(['us-west-2a', 'us-west-2b'])
    .describe('AZs the VPC spans (EKS needs two for its control plane). Pinned so synth never looks them up.'),
  gpuAvailabilityZone: z.string().default('us-west-2a')
    .describe('The one AZ of the GPU nodes and the FSx file system (Lustre is single-AZ; cross-AZ reads would add latency and data-transfer cost). Must offer the GPU instance type.'),
}).strict().prefault({});
