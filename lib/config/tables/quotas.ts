/**
 * EC2 Service Quotas (service code `ec2`) that bound how many vCPUs of a family may run per region.
 * Running instances are counted in vCPUs against one quota per family and purchase option; a node
 * group above its quota fails with `VcpuLimitExceeded` after the control plane is up.
 *
 * Codes as filed with `aws service-quotas get-service-quota --service-code ec2 --quota-code ...`
 * (cross-checked in several public account-bootstrap scripts that query them, 2026):
 * L-DB2E81BA, L-417A185B, L-1216C47A (On-Demand) and L-3819A6DF, L-7212CCBC, L-34B43A08 (Spot).
 * New accounts often start at 0 for G and VT and for P: request the increase days before a deploy.
 */
import type { QuotaFamily } from './instances';

export interface QuotaCode {
  readonly name: string;
  readonly code: string;
}

export const EC2_VCPU_QUOTAS: Readonly<Record<QuotaFamily, { readonly onDemand: QuotaCode; readonly spot: QuotaCode }>> = {
  'G and VT': {
    onDemand: { name: 'Running On-Demand G and VT instances', code: 'L-DB2E81BA' },
    spot: { name: 'All G and VT Spot Instance Requests', code: 'L-3819A6DF' },
  },
  'P': {
    onDemand: { name: 'Running On-Demand P instances', code: 'L-417A185B' },
    spot: { name: 'All P Spot Instance Requests', code: 'L-7212CCBC' },
  },
  'Standard': {
    onDemand: { name: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances', code: 'L-1216C47A' },
    spot: { name: 'All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests', code: 'L-34B43A08' },
  },
};
