/**
 * Prediction intervals (issue 12 §3). The point prediction is the simulation with the all-anchor fit;
 * the interval comes from
 *
 *  1. parameter uncertainty: the same simulation with each parameter set of the committed ensemble
 *     (fitted.json: Laplace draws of the fit for the parameters the anchors pin, prior draws for the
 *     ones they do not, e.g. Ada or Blackwell efficiencies), whose spread of ln(value / point) gives
 *     q10 and q90;
 *  2. model discrepancy: what the parameters cannot explain, the RMS leave-one-out log error of the
 *     anchors per metric family (sigma_m), widened by the configuration's distance d from the anchors
 *     (envelope.ts): sigma = sigma_m x (1 + d);
 *
 *     P10 = point x exp(q10 - 1.2816 sigma),  P90 = point x exp(q90 + 1.2816 sigma)   (clamped around the point).
 *
 * `--json` carries `<key>_p10` and `<key>_p90` next to each point value for the keys below, per router
 * and per stage.
 */
import type { StageResult } from '../bench/result-format';
import type { SimResult } from './results';

export const INTERVAL_KEYS = ['request_throughput', 'output_throughput', 'mean_ttft_ms', 'p90_ttft_ms', 'mean_tpot_ms'] as const;
export type IntervalKey = (typeof INTERVAL_KEYS)[number];

export type ModelSigma = Readonly<Record<'throughput' | 'ttft' | 'tpot', number>>;

/** z of the 10th / 90th percentile of a normal. */
export const Z90 = 1.2816;

export function familyOf(key: IntervalKey): 'throughput' | 'ttft' | 'tpot' {
  return key.includes('throughput') ? 'throughput' : key.includes('ttft') ? 'ttft' : 'tpot';
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** P10 and P90 of one metric from its point value and the ensemble members' values. */
export function interval(point: number, members: readonly number[], sigmaModel: number, distance: number): { p10: number; p90: number } {
  if (!(point > 0) || !Number.isFinite(point)) return { p10: point, p90: point };
  const logs = members.filter((v) => v > 0 && Number.isFinite(v)).map((v) => Math.log(v / point)).sort((a, b) => a - b);
  const q10 = logs.length > 0 ? quantile(logs, 0.1) : 0;
  const q90 = logs.length > 0 ? quantile(logs, 0.9) : 0;
  const sigma = sigmaModel * (1 + distance);
  return {
    p10: Math.min(point, point * Math.exp(q10 - Z90 * sigma)),
    p90: Math.max(point, point * Math.exp(q90 + Z90 * sigma)),
  };
}

type Keyed = Readonly<Record<IntervalKey, number>>;

/** `<key>_p10` / `<key>_p90` for every interval key of one result (or stage). */
export function intervalKeys(point: Keyed, members: readonly Keyed[], sigma: ModelSigma, distance: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of INTERVAL_KEYS) {
    const { p10, p90 } = interval(point[key], members.map((m) => m[key]), sigma[familyOf(key)], distance);
    out[`${key}_p10`] = p10;
    out[`${key}_p90`] = p90;
  }
  return out;
}

/** The point result with its interval keys inserted (and each stage's), from the members' results. */
export function withIntervals(point: SimResult, members: readonly SimResult[], sigma: ModelSigma, distance: number): SimResult {
  const top = intervalKeys(point, members, sigma, distance);
  const stages = point.stages?.map((st, i) => {
    const ms = members.map((m) => m.stages?.[i]).filter((x): x is StageResult => x !== undefined);
    return { ...st, ...intervalKeys(st as unknown as Keyed, ms as unknown as Keyed[], sigma, distance) };
  });
  // Each `<key>_p10/_p90` right after its key, so the JSON reads point, low, high.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(point)) {
    if (k === 'stages') continue;
    out[k] = v;
    if ((INTERVAL_KEYS as readonly string[]).includes(k)) {
      out[`${k}_p10`] = top[`${k}_p10`];
      out[`${k}_p90`] = top[`${k}_p90`];
    }
  }
  if (stages) out.stages = stages;
  return out as SimResult;
}
