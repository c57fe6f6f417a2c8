import { z } from 'zod';

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export const clusterSchema = z.object({
  name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, {
    error: 'must be an EKS cluster name: 1-100 letters, digits, "-" or "_", starting with a letter or digit',
  }).default('llmd-bench')
    .describe('EKS cluster name (also used by `aws eks update-kubeconfig` and the CLI).'),
  kubernetesVersion: z.string().default('1.36')
    .describe('EKS Kubernetes version; needs a matching kubectl layer (lib/config/tables/kubectl-layers.ts).'),
  publicAccessCidrs: z.array(z.string()).default([])
    .describe('CIDRs allowed to reach the public API endpoint (e.g. your IP/32). Empty: private endpoint only (reach it from inside the VPC).'),
  adminRoleArns: z.array(z.string()).default([])
    .describe('IAM role ARNs granted cluster admin through EKS access entries. None by default.'),
  controlPlaneLogTypes: z.array(z.enum(CONTROL_PLANE_LOG_TYPES, { error: `must be one of ${CONTROL_PLANE_LOG_TYPES.join(', ')}` }))
    .default([...CONTROL_PLANE_LOG_TYPES])
    .describe('Control-plane log types sent to CloudWatch Logs.'),
}).strict().prefault({});
