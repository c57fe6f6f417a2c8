/**
 * Service Quotas codes account-check reads. EC2 on-demand and spot quotas count vCPUs per instance
 * family group; the codes are the ones AWS's console links and the Service Quotas API use
 * (service code `ec2`): L-DB2E81BA "Running On-Demand G and VT instances", L-417A185B "Running
 * On-Demand P instances", L-1216C47A "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
 * instances", and their spot counterparts L-3819A6DF, L-7212CCBC, L-34B43A08 (cross-checked in
 * public quota tooling that reads them live). FSx file-system count quotas (service code `fsx`):
 * L-FD6F2F22 "Lustre Persistent_2 file systems", L-C48231E5 "Lustre Scratch file systems" (from public
 * quota-audit code; `aws service-quotas list-service-quotas --service-code fsx` lists them). A quota
 * code that does not exist in a region is how Service Quotas says the resource is not offered there.
 */

/** The EC2 vCPU quota groups. */
export type QuotaFamily = 'G and VT' | 'P' | 'Standard';

export interface QuotaRef {
  readonly serviceCode: string;
  readonly quotaCode: string;
  readonly name: string;
}

const ec2 = (quotaCode: string, name: string): QuotaRef => ({ serviceCode: 'ec2', quotaCode, name });

export const EC2_VCPU_QUOTAS: Readonly<Record<QuotaFamily, { readonly onDemand: QuotaRef; readonly spot: QuotaRef }>> = {
  'G and VT': {
    onDemand: ec2('L-DB2E81BA', 'Running On-Demand G and VT instances'),
    spot: ec2('L-3819A6DF', 'All G and VT Spot Instance Requests'),
  },
  P: {
    onDemand: ec2('L-417A185B', 'Running On-Demand P instances'),
    spot: ec2('L-7212CCBC', 'All P Spot Instance Requests'),
  },
  Standard: {
    onDemand: ec2('L-1216C47A', 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances'),
    spot: ec2('L-34B43A08', 'All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests'),
  },
};

/** File-system count quota per FSx for Lustre deployment type (config modelStore.deploymentType). */
export const FSX_LUSTRE_QUOTAS: Readonly<Record<string, QuotaRef>> = {
  PERSISTENT_2: { serviceCode: 'fsx', quotaCode: 'L-FD6F2F22', name: 'Lustre Persistent_2 file systems' },
  SCRATCH_2: { serviceCode: 'fsx', quotaCode: 'L-C48231E5', name: 'Lustre Scratch file systems' },
};

/**
 * The vCPU quota group of an instance type, from its family letter (EC2 quotas by family group).
 * A local lookup until the hardware registry (lib/config/tables/instances.ts) carries a quota-family
 * field; then read it from there. Undefined for families this table does not know.
 */
export function quotaFamilyOf(instanceType: string): QuotaFamily | undefined {
  const family = instanceType.split('.')[0].toLowerCase();
  if (family.startsWith('vt') || family.startsWith('g')) return 'G and VT';
  if (family.startsWith('p')) return 'P';
  // Families with quotas of their own (Inf, Trn, DL, HPC, F, X, high memory, Mac).
  if (/^(inf|trn|dl|hpc|f|x|u-|mac)/.test(family)) return undefined;
  if (/^[acdhimrtz]/.test(family)) return 'Standard';
  return undefined;
}
