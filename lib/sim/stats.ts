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

/**
 * Percentile of weighted samples (value v seen w times), equal to np.percentile of the expanded list:
 * same linear interpolation between the order statistics at floor/ceil of (W - 1) p / 100.
 */
export function weightedPercentile(values: readonly number[], weights: readonly number[], p: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const w of weights) total += w;
  if (total === 0) return 0;
  const pos = ((total - 1) * p) / 100;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  const at = (rank: number): number => {
    let cum = 0;
    for (const i of order) {
      cum += weights[i];
      if (rank < cum) return values[i];
    }
    return values[order[n - 1]];
  };
  const a = at(lo);
  return frac === 0 ? a : a + (at(lo + 1) - a) * frac;
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
