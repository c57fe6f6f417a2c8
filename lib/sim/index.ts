/**
 * `llmd-bench simulate` as a library: predict both paths of the benchmark from the config.
 * See docs/simulator.md for the model, its calibration and what it leaves out.
 */
import type { BenchConfig } from '../config';
import type { TimeSeriesFile } from '../bench/result-format';
import { type SimOverrides, type SimParams, simParams } from './params';
import { buildResult, buildTimeSeries, type SimResult } from './results';
import type { EppConfigLike } from './routers/epp-config';
import type { RouterKind } from './routers/types';
import { type ProgressListener, type RunOutput, runSimulation } from './simulation';

export type { SimOverrides, SimParams } from './params';
export type { SimResult } from './results';
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
}

export function simulate(config: BenchConfig, options: SimulateOptions): Simulation {
  const params = simParams(config, options.overrides ?? {}, options.eppConfig);
  const runs = options.routers.map((router): SimulatedRun => {
    const started = process.hrtime.bigint();
    const onProgress = options.onProgress;
    const progress: ProgressListener | undefined = onProgress ? (c, t) => onProgress(router, c, t) : undefined;
    const ran = runSimulation(params, router, progress);
    // Calibration notes travel with every result (sim_warnings), not only on the terminal.
    const raw = params.calibrationNotes.length > 0 ? { ...ran, warnings: [...params.calibrationNotes, ...ran.warnings] } : ran;
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      router,
      label: router,
      result: buildResult(raw, router),
      timeSeries: buildTimeSeries(raw, router),
      wallSeconds,
      events: raw.events,
      raw,
    };
  });
  return { params, runs };
}
