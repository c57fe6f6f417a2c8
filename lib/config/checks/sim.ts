/** Checks of the simulator keys against the rest of the config. */
import { goDurationMs } from '../duration';
import { problem } from '../problems';
import type { Check } from './types';

/** The EPP refuses a shorter --refresh-metrics-interval (pkg/epp/server/options.go MinRefreshMetricsInterval). */
export const EPP_MIN_REFRESH_MS = 50;

export const sim: Check = (c) => {
  const out: string[] = [];
  const s = c.sim;
  if (s.metricsRefreshMs < EPP_MIN_REFRESH_MS) {
    out.push(problem('sim.metricsRefreshMs', s.metricsRefreshMs, `must be >= ${EPP_MIN_REFRESH_MS}: the EPP raises any shorter --refresh-metrics-interval to ${EPP_MIN_REFRESH_MS} ms`));
  }
  const ttl = goDurationMs(c.router.speculativeTtl);
  if (c.router.speculativeIndexing && Number.isFinite(ttl) && s.kvEventLagMs >= ttl) {
    out.push(problem('sim.kvEventLagMs', s.kvEventLagMs, `must be shorter than router.speculativeTtl (${c.router.speculativeTtl}): otherwise every speculative entry expires before the KV event that would confirm it`));
  }
  if (s.timeSeriesStepS > c.benchmark.timeoutMinutes * 60) {
    out.push(problem('sim.timeSeriesStepS', s.timeSeriesStepS, `must be shorter than a run (benchmark.timeoutMinutes = ${c.benchmark.timeoutMinutes})`));
  }
  return out;
};

export const SIM_CHECKS: readonly Check[] = [sim];
