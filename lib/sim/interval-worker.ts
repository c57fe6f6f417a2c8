/**
 * Worker thread of the prediction intervals: simulates a share of the ensemble's parameter sets for
 * the same configuration (index.ts simulateParallel). Runs TypeScript through tsx (a dependency), like
 * the CLI itself. Receives {config, overrides, eppConfig, model, routers, members}; answers with one
 * array of SimResults (one per router) per member.
 */
import { parentPort, workerData } from 'worker_threads';
import type { BenchConfig } from '../config';
import { type SimModelOptions, type SimOverrides, simParams } from './params';
import { buildResult, type SimResult } from './results';
import type { EppConfigLike } from './routers/epp-config';
import type { RouterKind } from './routers/types';
import { runSimulation } from './simulation';

export interface IntervalJob {
  readonly config: BenchConfig;
  readonly overrides: SimOverrides;
  readonly eppConfig?: EppConfigLike;
  readonly model?: SimModelOptions;
  readonly routers: readonly RouterKind[];
  readonly members: readonly Readonly<Record<string, number>>[];
}

/** The members' results (what the worker computes; also callable in-thread). */
export function simulateMembers(job: IntervalJob): SimResult[][] {
  return job.members.map((timing) => {
    const p = simParams(job.config, job.overrides, job.eppConfig, { ...job.model, timing });
    return job.routers.map((router) => buildResult(runSimulation(p, router), router));
  });
}

if (parentPort && workerData) {
  parentPort.postMessage(simulateMembers(workerData as IntervalJob));
}
