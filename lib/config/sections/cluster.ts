import { z } from 'zod';
import { oneOfNumbers } from '../fields';

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export const clusterSchema = z.object({
  name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, {
    error: 'must be an EKS cluster name: 1-100 letters, digits, "-" or "_", starting with a letter or digit',
  }).default('llmd-bench')
    .describe('EKS cluster name (also used by `aws eks update-kubeconfig` and the CLI).'),
  kubernetesVersion: z.string().default('1.36')
    .describe('EKS Kubernetes version; needs a matching kubectl layer (lib/config/tables/kubectl-layers.ts). 1.36 has standard support until about August 2027; 1.34 ends in December 2026.'),
  publicAccessCidrs: z.array(z.string()).default([])
    .describe('CIDRs allowed to reach the public API endpoint (e.g. your IP/32, needed for kubectl and the llmd-bench CLI from a laptop). Empty: private endpoint only (reachable from inside the VPC; CloudFormation still deploys through an in-VPC kubectl Lambda). 0.0.0.0/0 is refused.'),
  adminRoleArns: z.array(z.string()).default([])
    .describe('IAM role ARNs granted cluster admin through EKS access entries (use the role you run kubectl and the CLI with). None by default: nothing is hard-coded.'),
  controlPlaneLogTypes: z.array(z.enum(CONTROL_PLANE_LOG_TYPES, { error: `must be one of ${CONTROL_PLANE_LOG_TYPES.join(', ')}` }))
    .default([...CONTROL_PLANE_LOG_TYPES])
    .describe('Control-plane log types sent to CloudWatch Logs (kept controlPlaneLogRetentionDays, deleted with the stack). Dropping types saves ingestion cost; the platform rule pack then reports it as acknowledged by configuration.'),
  controlPlaneLogRetentionDays: oneOfNumbers([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365]).default(7)
    .describe('Days to keep control-plane logs. The log group is created by the stack (not by EKS) so `cdk destroy` removes it.'),
  nodeImdsHopLimit: oneOfNumbers([1, 2]).default(1)
    .describe('IMDSv2 hop limit of every node (IMDSv1 is always off). 1: pods outside the host network cannot reach the node role through instance metadata; everything in this project uses EKS Pod Identity instead. 2: pods can (only for tools that need IMDS).'),
}).strict().prefault({});
