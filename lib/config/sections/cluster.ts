import { z } from 'zod';
import { oneOfNumbers } from '../fields';
import { LOG_RETENTION_DAYS } from './network';

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export const clusterSchema = z.object({
  name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, {
    error: 'must be an EKS cluster name: 1-100 letters, digits, "-" or "_", starting with a letter or digit',
  }).default('llmd-bench')
    .describe('EKS cluster name (also used by `aws eks update-kubeconfig` and the CLI).'),
  kubernetesVersion: z.string().default('1.36')
    .describe('EKS Kubernetes version; needs a kubectl layer (lib/config/tables/kubectl-layers.ts) and pinned add-on and node versions (lib/config/tables/eks-versions.ts). Changing it updates every add-on and rolls both node groups (docs/platform.md, "Upgrading"). 1.36 has standard support until about August 2027; 1.34 ends in December 2026.'),
  publicAccessCidrs: z.array(z.string()).default([])
    .describe('CIDRs allowed to reach the public API endpoint (e.g. your IP/32, needed for kubectl and the llmd-bench CLI from a laptop). Empty: private endpoint only (reachable from inside the VPC; CloudFormation still deploys through an in-VPC kubectl Lambda). Prefixes shorter than /16 are refused.'),
  adminRoleArns: z.array(z.string()).default([])
    .describe('IAM role ARNs granted cluster admin (AmazonEKSClusterAdminPolicy) through EKS access entries: break-glass and deploy administration. None by default: nothing is hard-coded.'),
  operatorRoleArns: z.array(z.string()).default([])
    .describe(`IAM role ARNs that run the llmd-bench CLI with least privilege: an access entry in Kubernetes group "llmd-bench-operators", bound to exactly the reads and writes the CLI makes (k8s/charts/operator-rbac-chart.ts). Use this instead of adminRoleArns for people who only benchmark.`),
  controlPlaneLogTypes: z.array(z.enum(CONTROL_PLANE_LOG_TYPES, { error: `must be one of ${CONTROL_PLANE_LOG_TYPES.join(', ')}` }))
    .default([...CONTROL_PLANE_LOG_TYPES])
    .describe('Control-plane log types sent to CloudWatch Logs (kept controlPlaneLogRetentionDays, deleted with the stack). Dropping types saves ingestion cost; the platform rule pack then reports it as acknowledged by configuration.'),
  controlPlaneLogRetentionDays: oneOfNumbers(LOG_RETENTION_DAYS).default(7)
    .describe('Days to keep control-plane logs (any CloudWatch Logs retention: 1 ... 3653). Longer retention costs $0.03 per GB-month stored (us-west-2); the audit log of a one-day benchmark is a few hundred MB. The log group is created by the stack (not by EKS).'),
  retainControlPlaneLogs: z.boolean({ error: 'must be true or false' }).default(false)
    .describe('Keep the control-plane log group (the audit trail) when the cluster stack is destroyed, for controlPlaneLogRetentionDays; it keeps billing storage until then. Default false: `cdk destroy` deletes it.'),
  guardDutyEksProtection: z.boolean({ error: 'must be true or false' }).default(false)
    .describe('Turn on Amazon GuardDuty with EKS audit-log monitoring in this account and region (a detector with the EKS_AUDIT_LOGS feature, deleted with the stack). Fails if the account already has a GuardDuty detector in the region (enable the feature there instead). Billed per million audit events after a 30-day trial (docs/security.md).'),
  nodeImdsHopLimit: oneOfNumbers([1, 2]).default(1)
    .describe('IMDSv2 hop limit of every node (IMDSv1 is always off). 1: pods outside the host network cannot reach the node role through instance metadata; everything in this project uses EKS Pod Identity instead. 2: pods can (only for tools that need IMDS).'),
}).strict().prefault({});
