/**
 * FSx for Lustre sizing from the model's weight bytes: the capacity and throughput tier the config
 * derives when they are not given, and the time budgets that follow from them (loader Job deadline,
 * vLLM cold start).
 */
import { PRICES } from './tables/prices';

/** The smallest FSx for Lustre capacity, GiB (then 2400 and multiples of 2400). */
export const FSX_MIN_CAPACITY_GIB = 1200;
export const FSX_PERSISTENT_2_THROUGHPUTS = [125, 250, 500, 1000];
/** Baseline throughput of SCRATCH_2 file systems, MB/s per TiB. */
export const SCRATCH_2_MBPS_PER_TIB = 200;
/** How long all replicas may take to read their weights from FSx at once (a cold start). */
export const TARGET_COLD_LOAD_SECONDS = 600;
/** Room besides the weights: benchmark results and Hub metadata. */
export const FSX_HEADROOM_GIB = 100;
/**
 * The slowest PERSISTENT_2 tier ever derived: the reference's. A smaller fleet could do with 125, but
 * then resizing the fleet would update the file system (and rename the loader Job, whose name hashes
 * the model-store settings); a derived tier only ever grows with the need.
 */
export const FSX_MIN_DERIVED_THROUGHPUT = 250;

const GiB = 1024 ** 3;
const MB = 1e6;

/** Capacities FSx accepts, smallest first, up to `max`. */
function capacities(max: number): number[] {
  const out = [FSX_MIN_CAPACITY_GIB];
  for (let c = 2400; c <= max; c += 2400) out.push(c);
  return out;
}

/** Aggregate MB/s of a file system. */
export function fsxThroughputMBps(deploymentType: 'PERSISTENT_2' | 'SCRATCH_2', capacityGiB: number, perUnitThroughput: number): number {
  return (capacityGiB / 1024) * (deploymentType === 'SCRATCH_2' ? SCRATCH_2_MBPS_PER_TIB : perUnitThroughput);
}

/**
 * The cheapest file system (list price) that holds two copies of the weights (a new revision downloads
 * next to the old one) plus FSX_HEADROOM_GIB, and reads `replicas` x the weights within
 * TARGET_COLD_LOAD_SECONDS, at a tier of at least FSX_MIN_DERIVED_THROUGHPUT. Reference: 8 x 15.2 GB
 * -> 203 MB/s -> 1200 GiB at 250 MB/s/TiB.
 */
export function fsxSizing(weightBytes: number, replicas: number, deploymentType: 'PERSISTENT_2' | 'SCRATCH_2'): { storageCapacityGiB: number; perUnitStorageThroughput: number } {
  const needGiB = (2 * weightBytes) / GiB + FSX_HEADROOM_GIB;
  const needMBps = (Math.max(1, replicas) * weightBytes) / MB / TARGET_COLD_LOAD_SECONDS;
  const maxCapacity = Math.max(2400, Math.ceil(Math.max(needGiB, (needMBps / SCRATCH_2_MBPS_PER_TIB) * 1024) / 2400) * 2400);
  const prices = PRICES.services['us-east-1'].fsxLustrePerGBMonth;
  let best: { storageCapacityGiB: number; perUnitStorageThroughput: number; cost: number } | undefined;
  for (const cap of capacities(maxCapacity)) {
    if (cap < needGiB) continue;
    const tiers = deploymentType === 'PERSISTENT_2' ? FSX_PERSISTENT_2_THROUGHPUTS.filter((t) => t >= FSX_MIN_DERIVED_THROUGHPUT) : [FSX_MIN_DERIVED_THROUGHPUT];
    for (const tier of tiers) {
      if (fsxThroughputMBps(deploymentType, cap, tier) < needMBps) continue;
      const cost = cap * (deploymentType === 'PERSISTENT_2' ? prices.PERSISTENT_2[tier] : prices.SCRATCH_2);
      if (!best || cost < best.cost) best = { storageCapacityGiB: cap, perUnitStorageThroughput: tier, cost };
    }
  }
  const chosen = best ?? { storageCapacityGiB: maxCapacity, perUnitStorageThroughput: 1000 };
  return { storageCapacityGiB: chosen.storageCapacityGiB, perUnitStorageThroughput: chosen.perUnitStorageThroughput };
}
