/**
 * The one place `tune` calls the simulator (lib/sim): a probe (a config context and a path) in, the
 * `simulate --json` result keys of that path out. Everything else in lib/bench/tune works on plain
 * data, so a change of the simulator's interface is merged here and only here.
 *
 * A probe's config is built exactly as `llmd-bench simulate` builds it from its arguments (cdk.json
 * context + `-c` pairs + the workload and load flags as config keys, lib/workload/flags.ts), then
 * validated by `loadConfig` (the validation `cdk synth` runs), so `simulate <simulateArgs>` reproduces
 * a tune prediction (test/tune/reproduce.test.ts runs the real CLI on them).
 *
 * Prediction intervals (`<key>_p10` / `<key>_p90` next to request_throughput, output_throughput,
 * mean_ttft_ms, p90_ttft_ms and mean_tpot_ms; lib/sim/intervals.ts): the rate search needs point values
 * only, so every probe runs without them. The intervals of the answer, the baseline and the Pareto points
 * are one probe per parameter set of the committed ensemble (`member`), spread over the worker pool like
 * any probe, and combined with the point exactly as `simulate` combines them (`simulatorIntervals`).
 * Simulated as one job (`simulate --json`), an interval ran its 8 members one after another on one
 * worker: 26-37 s of a 120 s `bench:tune` run.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { type BenchConfig, loadConfig } from '../../config';
import { ConfigError } from '../../config/problems';

/** A router of `simulate --router` that tune searches over. */
export type ProbeRouter = 'round-robin' | 'llm-d';

export interface Probe {
  /** The full config context (cdk.json + -c pairs + workload/load flag keys), as simulate assembles it. */
  readonly context: Readonly<Record<string, unknown>>;
  readonly router: ProbeRouter;
  /**
   * Parameter set `member` of the committed ensemble (fitted.json) instead of the fit: one member of a
   * prediction interval. Undefined: the point prediction.
   */
  readonly member?: number;
}

/** The result keys of one simulated path (`simulate --json` results.<router>). */
export type PredictedResult = Readonly<Record<string, unknown>> & {
  readonly request_throughput: number;
  readonly output_throughput: number;
  readonly completed: number;
  readonly total_output_tokens: number;
  readonly mean_ttft_ms: number;
  readonly p90_ttft_ms?: number;
  readonly p99_ttft_ms: number;
  readonly mean_tpot_ms: number;
  readonly p99_tpot_ms: number;
};

export type Prediction =
  | {
    readonly ok: true; readonly result: PredictedResult; readonly wallSeconds: number;
    /** How the run is off the simulator's calibrated space, when the simulation reports it (issue 12's simulator does). */
    readonly calibration?: readonly string[];
  }
  | { readonly ok: false; readonly error: string };

/** Keys that carry a P10-P90 prediction interval (issue 12): the simulator's own list. */
export { INTERVAL_KEYS } from '../../sim/intervals';
import { INTERVAL_KEYS, withIntervals } from '../../sim/intervals';
import { fittedCalibration } from '../../sim/calibration/fitted';
import type { SimResult } from '../../sim/results';

/** How an interval is computed: `members` member probes, then `combine` with the point prediction. */
export interface IntervalMethod {
  readonly members: number;
  combine(point: PredictedResult, members: readonly PredictedResult[]): PredictedResult;
}

/**
 * The simulator's own interval (lib/sim/index.ts `intervalJob` and `assemble`): the first
 * INTERVAL_MEMBERS parameter sets of the committed ensemble, the model discrepancy of fitted.json,
 * widened by the point run's calibration distance. Null when no fit is committed (no intervals).
 */
export function simulatorIntervals(): IntervalMethod | null {
  const fitted = fittedCalibration();
  if (!fitted || fitted.ensemble.length === 0) return null;
  const { INTERVAL_MEMBERS } = require('../../sim') as typeof import('../../sim');
  return {
    members: Math.min(INTERVAL_MEMBERS, fitted.ensemble.length),
    combine: (point, members) => {
      const distance = (point.sim_calibration as { distance?: number } | undefined)?.distance;
      // Distance 0 would narrow the interval: a point without its calibration is a bug, not "inside".
      if (typeof distance !== 'number') throw new Error('a point prediction without sim_calibration.distance cannot get an interval');
      return withIntervals(point as unknown as SimResult, members as unknown as SimResult[], fitted.modelSigma, distance) as unknown as PredictedResult;
    },
  };
}

/** `{key: [p10, p90]}` for each interval key the result carries. */
export function intervalsOf(result: Readonly<Record<string, unknown>>): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const k of INTERVAL_KEYS) {
    const lo = result[`${k}_p10`];
    const hi = result[`${k}_p90`];
    if (typeof lo === 'number' && typeof hi === 'number') out[k] = [lo, hi];
  }
  return out;
}

/** Validates a context as `cdk synth` and `simulate` do; the ConfigError's problems when it is invalid. */
export function validate(context: Readonly<Record<string, unknown>>): { config?: BenchConfig; problems?: readonly string[] } {
  try {
    return { config: loadConfig(context) };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems };
    throw err;
  }
}

/** Runs one probe (synchronously; workers call this too). */
export function predict(probe: Probe): Prediction {
  const { config, problems } = validate(probe.context);
  if (!config) return { ok: false, error: `invalid configuration: ${problems?.[0] ?? 'unknown problem'}` };
  const started = process.hrtime.bigint();
  try {
    // Loaded here: `llmd-bench --help` and `plan` need none of the simulator.
    const { simulate } = require('../../sim') as typeof import('../../sim');
    let timing: Readonly<Record<string, number>> | undefined;
    if (probe.member !== undefined) {
      timing = fittedCalibration()?.ensemble[probe.member];
      if (!timing) return { ok: false, error: `no parameter set ${probe.member} in the committed ensemble (lib/sim/calibration/fitted.json)` };
    }
    // Intervals never come from here (see the header): members are probes of their own.
    const sim = simulate(config, { routers: [probe.router], intervals: false, ...(timing ? { model: { timing } } : {}) });
    const result = { ...(sim.runs[0].result as unknown as Record<string, unknown>) } as PredictedResult;
    return { ok: true, result, wallSeconds: Number(process.hrtime.bigint() - started) / 1e9, calibration: describeDistance(sim.calibration) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * What the configuration is off the simulator's calibrated space (empty: inside it), as `simulate`
 * prints it (lib/sim/envelope.ts).
 */
export function calibrationDistanceOf(config: BenchConfig): string[] {
  // Typed loosely: issue 12's simulator computes the distance from the run's observed shape
  // (calibrationDistance(config, shape) -> {region, parts}); then it comes with each prediction
  // (Prediction.calibration) and nothing is known before the run.
  const { calibrationDistance } = require('../../sim/envelope') as { calibrationDistance: (c: BenchConfig, ...rest: unknown[]) => unknown };
  if (calibrationDistance.length > 1) return [];
  return describeDistance(calibrationDistance(config));
}

/**
 * A calibration distance as lines: the list of the current simulator as is; issue 12's
 * `{region, parts}` as the parts off the anchors when the region is not inside.
 */
export function describeDistance(d: unknown): string[] {
  if (Array.isArray(d)) return d.map(String);
  const o = d as { region?: string; parts?: readonly { dimension: string; value: number; detail: string }[] } | null;
  if (!o || !Array.isArray(o.parts) || o.region === 'inside') return [];
  return o.parts.filter((p) => p.value > 0).map((p) => `${p.dimension} ${p.detail}`);
}

/**
 * A fingerprint of the simulator that produced a prediction: sha256 over the sources of lib/sim and
 * the config's sim section (12 hex digits). Results of the same fingerprint, config and seed are
 * identical; docs/tune.md's moonshot section names the one it was generated with.
 */
export function simulatorFingerprint(): string {
  const root = path.join(__dirname, '..', '..');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|json)$/.test(e.name)) files.push(p);
    }
  };
  walk(path.join(root, 'sim'));
  files.push(path.join(root, 'config', 'sections', 'sim.ts'));
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex').slice(0, 12);
}
