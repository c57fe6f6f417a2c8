/**
 * SLO, objective and Pareto front of `tune`.
 *
 * SLO (as Vidur-Search states it): a load meets the SLO when the P90 TTFT and the P99 TPOT of the
 * requests stay within the limits (2,000 ms and 200 ms by default); an optional mean-TTFT limit is
 * there for closed-loop questions such as the moonshot's. The goodput of a candidate is the highest
 * open-loop rate (requests/s offered) at which its predicted run meets the SLO; under a fixed load it is
 * the predicted request throughput when the SLO is met, else 0.
 */
import type { PredictedResult } from './predict';

export const OBJECTIVES = ['goodput-per-dollar', 'max-goodput', 'min-cost-for-rate'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** Limits in ms; null: not part of the SLO. */
export interface Slo {
  readonly ttftP90Ms: number | null;
  readonly tpotP99Ms: number | null;
  readonly ttftMeanMs: number | null;
}

export const DEFAULT_SLO: Slo = { ttftP90Ms: 2000, tpotP99Ms: 200, ttftMeanMs: null };

/** The SLO terms a result breaks (empty: it meets the SLO). */
export function sloViolations(r: PredictedResult, slo: Slo): string[] {
  const out: string[] = [];
  const over = (value: unknown, limit: number | null, name: string) => {
    if (limit === null) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${name} missing`);
    else if (value > limit) out.push(`${name} ${value.toFixed(0)} ms > ${limit} ms`);
  };
  over(r.p90_ttft_ms, slo.ttftP90Ms, 'p90 TTFT');
  over(r.p99_tpot_ms, slo.tpotP99Ms, 'p99 TPOT');
  over(r.mean_ttft_ms, slo.ttftMeanMs, 'mean TTFT');
  if (!(r.completed > 0)) out.push('no request completed');
  return out;
}

export function describeSlo(slo: Slo): string {
  const parts = [
    slo.ttftP90Ms === null ? undefined : `p90 TTFT <= ${slo.ttftP90Ms} ms`,
    slo.tpotP99Ms === null ? undefined : `p99 TPOT <= ${slo.tpotP99Ms} ms`,
    slo.ttftMeanMs === null ? undefined : `mean TTFT <= ${slo.ttftMeanMs} ms`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none (every completed run counts)';
}

/** What the objective ranks: goodput (req/s), its cost ($/h) and the identity for ties. */
export interface Scored {
  readonly goodput: number;
  readonly costPerHour: number;
  readonly key: string;
}

export interface ObjectiveSpec {
  readonly objective: Objective;
  /** min-cost-for-rate: the goodput (req/s) to reach. */
  readonly targetRate?: number;
}

/** Whether a candidate reaches the target of min-cost-for-rate. */
export function feasible(s: Scored, o: ObjectiveSpec): boolean {
  return o.objective !== 'min-cost-for-rate' || (o.targetRate !== undefined && s.goodput >= o.targetRate);
}

/**
 * Negative when `a` is better under the objective. Ties go to the higher goodput, then the lower
 * cost, then the smaller key: a total order, so the answer never depends on evaluation order.
 */
export function compareScored(a: Scored, b: Scored, o: ObjectiveSpec): number {
  const cmp = (x: number, y: number) => (x === y ? 0 : x > y ? -1 : 1); // larger first
  const tie = () => cmp(a.goodput, b.goodput) || cmp(-a.costPerHour, -b.costPerHour) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  switch (o.objective) {
    case 'max-goodput':
      return tie();
    case 'min-cost-for-rate': {
      const fa = feasible(a, o);
      const fb = feasible(b, o);
      if (fa !== fb) return fa ? -1 : 1;
      if (fa) return cmp(-a.costPerHour, -b.costPerHour) || tie();
      return tie();
    }
    default:
      return cmp(a.goodput / a.costPerHour, b.goodput / b.costPerHour) || tie();
  }
}

/** The objective's own number for tables: req/s per $/h, req/s, or $/h. */
export function objectiveValue(s: Scored, o: ObjectiveSpec): { value: number; unit: string } {
  switch (o.objective) {
    case 'max-goodput': return { value: s.goodput, unit: 'req/s' };
    case 'min-cost-for-rate': return { value: s.costPerHour, unit: '$/h' };
    default: return { value: s.goodput / s.costPerHour, unit: 'req/s per $/h' };
  }
}

/**
 * The Pareto front of cost vs goodput: the points no other point beats on both (cheaper or equal and
 * at least as much goodput, one of them strictly), cheapest first; of equal points `preferKey` (the
 * answer), else the smaller key.
 */
export function paretoFront<T extends Scored>(points: readonly T[], preferKey?: string): T[] {
  const rank = (p: T) => (p.key === preferKey ? 0 : 1);
  const sorted = points.filter((p) => p.goodput > 0)
    .sort((a, b) => a.costPerHour - b.costPerHour || b.goodput - a.goodput || rank(a) - rank(b) || (a.key < b.key ? -1 : 1));
  const out: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.goodput > best) {
      out.push(p);
      best = p.goodput;
    }
  }
  return out;
}

/**
 * The goodput a candidate of cost `cost` must beat to be on the front: the best goodput of the points
 * that cost no more (0 when none).
 */
export function dominanceThreshold(points: readonly Scored[], cost: number): number {
  let best = 0;
  for (const p of points) if (p.costPerHour <= cost + 1e-9 && p.goodput > best) best = p.goodput;
  return best;
}
