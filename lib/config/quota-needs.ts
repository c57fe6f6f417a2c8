/**
 * The EC2 vCPU quotas a configuration draws on, per quota family (G and VT, P, Standard) and purchase
 * option: node count x vCPUs of the instance, summed per family. `cost` prints it, the README explains
 * it, and `llmd-bench account-check` compares it with the account's applied quota values.
 */
import type { BenchConfig } from './schema';
import { INSTANCE_TYPES, type QuotaFamily } from './tables/instances';
import { EC2_VCPU_QUOTAS } from './tables/quotas';

export interface QuotaNeed {
  readonly family: QuotaFamily;
  readonly purchase: 'on-demand' | 'spot';
  readonly quotaName: string;
  readonly quotaCode: string;
  readonly vcpus: number;
  /** The arithmetic, e.g. "8 x g5.xlarge (4 vCPU)". */
  readonly detail: string;
}

export function quotaNeeds(c: BenchConfig): QuotaNeed[] {
  const groups = [
    { type: c.gpuNodes.instanceType, count: c.gpuNodes.count, spot: c.gpuNodes.capacityType === 'SPOT' },
    { type: c.systemNodes.instanceType, count: c.systemNodes.count, spot: false },
  ];
  const byKey = new Map<string, QuotaNeed>();
  for (const g of groups) {
    const facts = INSTANCE_TYPES[g.type];
    if (!facts || g.count <= 0) continue;
    const purchase = g.spot ? 'spot' : 'on-demand';
    const quota = EC2_VCPU_QUOTAS[facts.quotaFamily][g.spot ? 'spot' : 'onDemand'];
    const key = `${facts.quotaFamily}/${purchase}`;
    const prev = byKey.get(key);
    const detail = `${g.count} x ${g.type} (${facts.vcpu} vCPU)`;
    byKey.set(key, {
      family: facts.quotaFamily,
      purchase,
      quotaName: quota.name,
      quotaCode: quota.code,
      vcpus: (prev?.vcpus ?? 0) + g.count * facts.vcpu,
      detail: prev ? `${prev.detail} + ${detail}` : detail,
    });
  }
  return [...byKey.values()];
}

/** `32 vCPU of "Running On-Demand G and VT instances" (L-DB2E81BA): 8 x g5.xlarge (4 vCPU)`. */
export function formatQuotaNeed(q: QuotaNeed): string {
  return `${q.vcpus} vCPU of "${q.quotaName}" (${q.quotaCode}): ${q.detail}`;
}
