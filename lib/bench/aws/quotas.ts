/**
 * The Service Quotas account-check reads, as the API names them ({serviceCode, quotaCode}). The EC2
 * vCPU quota codes and each instance type's quota family come from the registry
 * (lib/config/tables/quotas.ts, instances.ts); only the FSx file-system count quotas are added here.
 * FSx (service code `fsx`): L-FD6F2F22 "Lustre Persistent_2 file systems", L-C48231E5 "Lustre Scratch
 * file systems" (from public quota-audit code; `aws service-quotas list-service-quotas --service-code
 * fsx` lists them). A quota code that does not exist in a region is how Service Quotas says the
 * resource is not offered there.
 */
import { INSTANCE_TYPES, type QuotaFamily } from '../../config/tables/instances';
import { EC2_VCPU_QUOTAS as REGISTRY_QUOTAS } from '../../config/tables/quotas';

export type { QuotaFamily };

export interface QuotaRef {
  readonly serviceCode: string;
  readonly quotaCode: string;
  readonly name: string;
}

const ec2 = (q: { name: string; code: string }): QuotaRef => ({ serviceCode: 'ec2', quotaCode: q.code, name: q.name });

/** The registry's EC2 vCPU quotas in Service Quotas API form. */
export const EC2_VCPU_QUOTAS: Readonly<Record<QuotaFamily, { readonly onDemand: QuotaRef; readonly spot: QuotaRef }>> = Object.fromEntries(
  (Object.keys(REGISTRY_QUOTAS) as QuotaFamily[]).map((f) => [f, { onDemand: ec2(REGISTRY_QUOTAS[f].onDemand), spot: ec2(REGISTRY_QUOTAS[f].spot) }]),
) as Record<QuotaFamily, { onDemand: QuotaRef; spot: QuotaRef }>;

/** File-system count quota per FSx for Lustre deployment type (config modelStore.deploymentType). */
export const FSX_LUSTRE_QUOTAS: Readonly<Record<string, QuotaRef>> = {
  PERSISTENT_2: { serviceCode: 'fsx', quotaCode: 'L-FD6F2F22', name: 'Lustre Persistent_2 file systems' },
  SCRATCH_2: { serviceCode: 'fsx', quotaCode: 'L-C48231E5', name: 'Lustre Scratch file systems' },
};

/** The vCPU quota group of an instance type of the registry; undefined for a type it does not know. */
export function quotaFamilyOf(instanceType: string): QuotaFamily | undefined {
  return INSTANCE_TYPES[instanceType]?.quotaFamily;
}
