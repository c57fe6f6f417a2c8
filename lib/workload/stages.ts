/**
 * Load stages: `rate:duration_s` run back to back (inference-perf `load.stages`, one StandardLoadStage
 * each: `rate` > 0 requests per second, `duration` whole seconds > 0; inference_perf/config/loadgen/
 * config.py at v0.6.1). A stage sends exactly int(rate x duration) requests
 * (loadgen/load_generator.py run_stage), with Poisson arrivals (PoissonLoadTimer).
 */
import { exponentProblem } from '../config/plain-number';

export interface LoadStage {
  /** Requests per second. */
  readonly rate: number;
  /** Whole seconds. */
  readonly durationS: number;
}

export class StageSpecError extends Error {}

export const STAGE_SYNTAX = 'RATE:SECONDS, e.g. 5:60 (several: "2:60,5:60,10:60")';

/** Requests a stage sends: int(rate x duration), as inference-perf's run_stage. */
export function stageRequests(s: LoadStage): number {
  // A tiny epsilon: 0.1 x 30 must give 3, not 2.9999999999999996 -> 2.
  return Math.floor(s.rate * s.durationS + 1e-9);
}

export function parseStage(text: string): LoadStage {
  const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(text);
  if (!m) throw new StageSpecError(`"${text}" is not a stage; use ${STAGE_SYNTAX}`);
  for (const part of [m[1], m[2]]) {
    const exp = exponentProblem(part);
    if (exp) throw new StageSpecError(`"${text}": ${exp}; use ${STAGE_SYNTAX}`);
  }
  const rate = Number(m[1]);
  const durationS = Number(m[2]);
  if (!(Number.isFinite(rate) && rate > 0)) throw new StageSpecError(`"${text}": the rate must be a positive number of requests per second (stages have no "inf"; use --request-rate inf --max-concurrency N)`);
  if (!(Number.isInteger(durationS) && durationS > 0)) throw new StageSpecError(`"${text}": the duration must be a whole number of seconds > 0 (inference-perf stages last whole seconds)`);
  const stage = { rate, durationS };
  if (stageRequests(stage) < 1) throw new StageSpecError(`"${text}": rate x duration sends no request (int(${rate} x ${durationS}) = 0)`);
  return stage;
}

/**
 * "R1:D1,R2:D2,..." (also accepts a list of such strings, as the config stores them). An empty entry
 * (a doubled or trailing comma) is refused, not skipped: it may be a stage the user meant to write.
 */
export function parseStages(value: string | readonly string[]): LoadStage[] {
  const text = typeof value === 'string' ? value : value.join(',');
  const parts = text.split(',').map((s) => s.trim());
  if (parts.every((s) => s === '')) throw new StageSpecError(`no stage given; use ${STAGE_SYNTAX}`);
  const empty = parts.findIndex((s) => s === '');
  if (empty >= 0) throw new StageSpecError(`"${text}": stage ${empty + 1} is empty (a doubled or trailing comma); use ${STAGE_SYNTAX}`);
  return parts.map(parseStage);
}

export function formatStage(s: LoadStage): string {
  return `${s.rate}:${s.durationS}`;
}

/**
 * The single number a staged run is filed under (`request_rate` of its result): the offered rate over
 * the measured stages, total requests / total seconds. Deterministic, so every path of one staged run
 * lands at the same rate in the report.
 */
export function meanStageRate(stages: readonly LoadStage[]): number {
  const requests = stages.reduce((a, s) => a + stageRequests(s), 0);
  const seconds = stages.reduce((a, s) => a + s.durationS, 0);
  return Math.round((requests / seconds) * 1000) / 1000;
}
