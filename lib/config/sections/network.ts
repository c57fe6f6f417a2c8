import { z } from 'zod';
import { nonNegativeInt, oneOf, oneOfNumbers } from '../fields';

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const networkSchema = z.object({
  vpcCidr: z.string().default('10.42.0.0/16')
    .describe('CIDR of the VPC (/16 to /22). Each AZ gets a public /24-sized share for NAT and a larger private share for nodes and pods (the VPC CNI gives every pod a VPC address).'),
  natGateways: nonNegativeInt().default(1)
    .describe('NAT gateways for the private subnets (1 saves ~$33/month per gateway; one per AZ survives an AZ outage). Private nodes pull images and weights through NAT.'),
  flowLogTrafficType: oneOf(['REJECT', 'ALL', 'ACCEPT']).default('REJECT')
    .describe('Which VPC flow-log records go to CloudWatch Logs: REJECT (default: blocked connections, what a security review asks for, a small fraction of the volume) or ALL (every connection, e.g. to audit what a pod talked to; 8 GPU nodes loading weights and serving produce GBs per day, at $0.50 per GB ingested in us-west-2).'),
  flowLogRetentionDays: oneOfNumbers(LOG_RETENTION_DAYS).default(7)
    .describe('Days to keep VPC flow logs in CloudWatch Logs; the log group is deleted with the stack.'),
}).strict().prefault({});
