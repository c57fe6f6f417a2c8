/**
 * `llmd-bench simulate` as a library: predict both paths of the benchmark from the config.
 * See docs/simulator.md for the model, its calibration and what it leaves out.
 */
import type { BenchConfig } from '../config';
import type { TimeSeriesFile } from '../bench/result-format';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { type FittedCalibration, fittedCalibration } from './calibration/fitted';
import { type CalibrationDistance, calibrationDistance, type ObservedShape } from './envelope';
import { type IntervalJob, simulateMembers } from './interval-worker';
import { withIntervals } from './intervals';
import { type SimModelOptions, type SimOverrides, type SimParams, simParams, withSimOverrides } from './params';
import { buildResult, buildTimeSeries, type SimResult } from './results';
import type { EppConfigLike } from './routers/epp-config';
import type { RouterKind } from './routers/types';
import { type ProgressListener, type RunOutput, runSimulation } from './simulation';

export type { SimModelOptions, SimOverrides, SimParams } from './params';
export type { SimResult } from './results';
export type { CalibrationDistance } from './envelope';
export { INTERVAL_KEYS } from './intervals';
export type { EppConfigLike } from './routers/epp-config';
export { ROUTER_KINDS, type RouterKind } from './routers/types';

export interface SimulatedRun {
  readonly router: RouterKind;
  /** The result label (`--label` of a real run): the router name. */
  readonly label: string;
  readonly result: SimResult;
  readonly timeSeries: TimeSeriesFile;
  /** Wall-clock seconds the simulation took, and the events it processed. */
  readonly wallSeconds: number;
  readonly events: number;
  readonly raw: RunOutput;
}

export interface Simulation {
  readonly params: SimParams;
  readonly runs: readonly SimulatedRun[];
  /** How close the configuration is to what the public anchors cover (envelope.ts). */
  readonly calibration: CalibrationDistance;
  /** Ensemble members simulated for the intervals and the seconds they took (null: intervals off or no fit committed). */
  readonly intervals: { readonly members: number; readonly wallSeconds: number } | null;
}

export type RouterProgress = (router: RouterKind, completed: number, total: number) => void;

export interface SimulateOptions {
  /** Router variants, simulated in turn on the same workload (same seed, prompts and order). */
  readonly routers: readonly RouterKind[];
  /** Command-line overrides of the config. */
  readonly overrides?: SimOverrides;
  /** An EndpointPickerConfig to simulate instead of the one rendered from the config. */
  readonly eppConfig?: EppConfigLike;
  readonly onProgress?: RouterProgress;
  /**
   * Prediction intervals (P10-P90) from the fitted parameter ensemble, widened by the distance from
   * the anchors (lib/sim/intervals.ts). Default true; the tuner's inner loop passes false (one run per
   * router instead of one per ensemble member).
   */
  readonly intervals?: boolean;
  /** Model options beyond the config (timing parameters, validation hardware): the fitter and the intervals use them. */
  readonly model?: SimModelOptions;
}

export function simulate(config: BenchConfig, options: SimulateOptions): Simulation {
  const base = pointRuns(config, options);
  const members = base.wantIntervals ? timed(() => simulateMembers(intervalJob(config, options, base.fitted!))) : null;
  return assemble(base, members, options);
}

/**
 * `simulate` with the ensemble simulated on `threads` worker threads (the CLI: intervals cost one
 * simulation per parameter set; two cores halve that). Same result as simulate().
 */
export async function simulateParallel(config: BenchConfig, options: SimulateOptions & { readonly threads?: number }): Promise<Simulation> {
  const base = pointRuns(config, options);
  if (!base.wantIntervals) return assemble(base, null, options);
  const job = intervalJob(config, options, base.fitted!);
  const threads = Math.max(1, Math.min(options.threads ?? 2, job.members.length));
  const started = process.hrtime.bigint();
  const shares = Array.from({ length: threads }, (_, k) => job.members.filter((_m, i) => i % threads === k));
  const parts = await Promise.all(shares.map((members) => runWorker({ ...job, members })));
  // Put the members back in ensemble order (member i went to worker i mod threads).
  const results: SimResult[][] = job.members.map((_m, i) => parts[i % threads][Math.floor(i / threads)]);
  return assemble(base, { value: results, seconds: Number(process.hrtime.bigint() - started) / 1e9 }, options);
}

function runWorker(job: IntervalJob): Promise<SimResult[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'interval-worker.ts'), { workerData: job, execArgv: ['--require', 'tsx/cjs'] });
    worker.once('message', (m: SimResult[][]) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`interval worker exited with code ${code}`));
    });
  });
}

interface PointRuns {
  readonly params: SimParams;
  readonly points: { router: RouterKind; raw: RunOutput; result: SimResult; wallSeconds: number }[];
  readonly calibration: CalibrationDistance;
  readonly perRun: readonly CalibrationDistance[];
  readonly fitted: FittedCalibration | null;
  readonly wantIntervals: boolean;
}

function pointRuns(config: BenchConfig, options: SimulateOptions): PointRuns {
  const params = simParams(config, options.overrides ?? {}, options.eppConfig, options.model);
  const points = options.routers.map((router) => {
    const started = process.hrtime.bigint();
    const onProgress = options.onProgress;
    const progress: ProgressListener | undefined = onProgress ? (c, t) => onProgress(router, c, t) : undefined;
    const raw = runSimulation(params, router, progress);
    return { router, raw, result: buildResult(raw, router), wallSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
  });
  // Each run's distance from its own shape (the load it ran at depends on the router); the console
  // prints the furthest once.
  const effective = withSimOverrides(config, options.overrides ?? {});
  const gpuName = options.model?.gpu ? 'a validation-only GPU' : undefined;
  const perRun = points.map((pt) => calibrationDistance(effective, observedShape(pt.result, params), undefined, gpuName));
  const calibration = perRun.length === 0
    ? calibrationDistance(effective, observedShape(undefined, params), undefined, gpuName)
    : perRun.reduce((a, b) => (b.distance > a.distance ? b : a));
  const fitted = fittedCalibration();
  const wantIntervals = options.intervals !== false && fitted !== null && fitted.ensemble.length > 0 && points.length > 0;
  return { params, points, calibration, perRun, fitted, wantIntervals };
}

/**
 * Parameter sets simulated for an interval: the first members of the committed ensemble (independent
 * draws, so a prefix is a smaller sample of the same posterior). 8 keeps the intervals of the
 * reference (2 x 9,000 requests) under the 10 s on two threads; the model-discrepancy term of
 * intervals.ts does not depend on it.
 */
export const INTERVAL_MEMBERS = 8;

function intervalJob(config: BenchConfig, options: SimulateOptions, fitted: FittedCalibration): IntervalJob {
  return { config, overrides: options.overrides ?? {}, eppConfig: options.eppConfig, model: options.model, routers: options.routers, members: fitted.ensemble.slice(0, INTERVAL_MEMBERS) };
}

function timed<T>(f: () => T): { value: T; seconds: number } {
  const started = process.hrtime.bigint();
  const value = f();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function assemble(base: PointRuns, members: { value: SimResult[][]; seconds: number } | null, _options: SimulateOptions): Simulation {
  const { params, points, calibration, perRun, fitted } = base;
  const runs = points.map((pt, i): SimulatedRun => {
    const own = perRun[i];
    // The calibration warning travels with every result (sim_warnings), not only on the terminal.
    const warnings = [...(own.warning ? [own.warning] : []), ...pt.raw.warnings];
    const raw = { ...pt.raw, warnings };
    const record = { distance: own.distance, region: own.region, summary: own.summary, warning: own.warning };
    let result: SimResult = { ...buildResult(raw, pt.router), sim_calibration: record };
    if (members && fitted) result = withIntervals(result, members.value.map((m) => m[i]), fitted.modelSigma, own.distance);
    return { router: pt.router, label: pt.router, result, timeSeries: buildTimeSeries(raw, pt.router), wallSeconds: pt.wallSeconds, events: raw.events, raw };
  });
  return { params, runs, calibration, intervals: members ? { members: members.value.length, wallSeconds: members.seconds } : null };
}

/** Mean prompt/output tokens and requests in flight per replica (Little's law) of a point result. */
function observedShape(r: SimResult | undefined, p: SimParams): ObservedShape {
  if (!r || r.completed === 0) return { meanInputTokens: 1, meanOutputTokens: 1, inFlightPerReplica: 1 };
  const out = r.total_output_tokens / r.completed;
  const e2e = (r.mean_ttft_ms + r.mean_tpot_ms * Math.max(0, out - 1)) / 1000;
  return { meanInputTokens: r.total_input_tokens / r.completed, meanOutputTokens: out, inFlightPerReplica: (r.request_throughput * e2e) / Math.max(1, p.replicas) };
}
