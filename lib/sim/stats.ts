/** Summary statistics the way `vllm bench serve` computes them (numpy defaults). */

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Population standard deviation (np.std, ddof = 0). */
export function std(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - m) ** 2;
  return Math.sqrt(s / values.length);
}

/** np.percentile with linear interpolation, on an ascending-sorted array. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = ((n - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Resolution of weighted samples: values are compared in units of 1e-6 (microseconds for seconds). */
const WEIGHT_BITS = 2 ** 20;

/**
 * Percentiles of weighted samples (value v seen w times), equal to np.percentile of the expanded list
 * (linear interpolation between the order statistics at floor/ceil of (W - 1) p / 100). Values are
 * rounded to 1e-6 and weights must be integers < 2^20; one native sort of packed keys does the work.
 */
export function weightedPercentiles(values: readonly number[], weights: readonly number[], ps: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => 0);
  const keys = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!Number.isInteger(w) || w < 0 || w >= WEIGHT_BITS) throw new Error(`weight ${w} out of range`);
    keys[i] = Math.round(values[i] * 1e6) * WEIGHT_BITS + w;
    total += w;
  }
  if (total === 0) return ps.map(() => 0);
  keys.sort();
  const valueAt = (k: number) => Math.floor(keys[k] / WEIGHT_BITS) / 1e6;
  const weightAt = (k: number) => keys[k] % WEIGHT_BITS;
  // Order statistic `rank` (0-based) of the expanded list, for ascending ranks.
  const ranks = ps.flatMap((p) => {
    const pos = ((total - 1) * p) / 100;
    return [Math.floor(pos), Math.min(total - 1, Math.floor(pos) + 1)];
  });
  const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  const at = new Array<number>(ranks.length);
  let k = 0;
  let cum = weightAt(0);
  for (const [rank, i] of order) {
    while (rank >= cum && k < n - 1) {
      k++;
      cum += weightAt(k);
    }
    at[i] = valueAt(k);
  }
  return ps.map((p, j) => {
    const pos = ((total - 1) * p) / 100;
    const frac = pos - Math.floor(pos);
    const lo = at[2 * j];
    return frac === 0 ? lo : lo + (at[2 * j + 1] - lo) * frac;
  });
}

export function weightedPercentile(values: readonly number[], weights: readonly number[], p: number): number {
  return weightedPercentiles(values, weights, [p])[0];
}

export function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] * weights[i];
    w += weights[i];
  }
  return w === 0 ? 0 : s / w;
}

export function weightedStd(values: readonly number[], weights: readonly number[]): number {
  const m = weightedMean(values, weights);
  let s = 0;
  let w = 0;
  for (let i = 0; i < values.length; i++) {
    s += weights[i] * (values[i] - m) ** 2;
    w += weights[i];
  }
  return w === 0 ? 0 : Math.sqrt(s / w);
}

/** Percentile of a histogram with `bins` equal bins over [0, 1] (bin i = value i / (bins - 1)). */
export function histogramPercentile(hist: ArrayLike<number>, p: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  if (total === 0) return 0;
  const target = (total * p) / 100;
  let cum = 0;
  for (let i = 0; i < hist.length; i++) {
    cum += hist[i];
    if (cum >= target) return i / (hist.length - 1);
  }
  return 1;
}
