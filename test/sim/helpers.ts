/** Small, fast simulator setups for unit and property tests. */
import { loadConfig } from '../../lib/config';
import { BlockKeyLayout } from '../../lib/sim/block-keys';
import { buildWorkload, type WorkloadParams } from '../../lib/sim/dataset';
import { type EngineLimits, Replica } from '../../lib/sim/engine';
import { modelCosts } from '../../lib/sim/hardware';
import { type SimOverrides, simParams } from '../../lib/sim/params';
import { RunRecorder } from '../../lib/sim/recorder';
import { RequestTable } from '../../lib/sim/requests';
import { FifoServer } from '../../lib/sim/cpu-server';
import { type StepTiming, StepTimeModel } from '../../lib/sim/step-time';
import { GPUS } from '../../lib/config/tables/gpus';
import { MODELS } from '../../lib/config/tables/models';

/** Step-time constants for unit tests: the old A10G values, no CPU, no fp8, synchronous scheduling. */
export const TEST_STEP_TIMING: StepTiming = {
  weightBandwidth: 0.8, kvBandwidth: 0.75, matmul: 0.8, attention: 0.43, attentionHalfContext: 0,
  kvReadFactor: 1, prefillAttentionFactor: 1, cpuStepSeconds: 0, cpuSeqSeconds: 0, asyncScheduling: false,
  penaltyGpuSecondsPerRow: 0, penaltyCpuSecondsPerToken: 0,
};

export const SMALL: SimOverrides = { numPrompts: 240, numPrefixes: 12, prefixLen: 512, suffixLen: 64, outputLen: 32, maxConcurrency: 48, replicas: 3 };

/** Params of a small run (config context overrides + simulate flags). */
export function smallParams(context: Record<string, unknown> = {}, overrides: SimOverrides = {}) {
  return simParams(loadConfig(context), { ...SMALL, ...overrides });
}

export interface EngineHarness {
  replica: Replica;
  reqs: RequestTable;
  recorder: RunRecorder;
  finished: number[];
  layout: BlockKeyLayout;
}

/** One replica with `numBlocks` blocks over a hand-made workload; requests are ids 0..n-1. */
export function engineHarness(opts: {
  numBlocks: number;
  limits?: Partial<EngineLimits>;
  workload?: Partial<WorkloadParams>;
  recordKvEvents?: boolean;
  /** vLLM async scheduling (one-step lag of finished requests and of arrivals); off by default. */
  asyncScheduling?: boolean;
  /** FA2's per-query-head KV re-read in mixed steps, with this much L2 (step-time.ts); off by default. */
  rereadL2Bytes?: number;
}): EngineHarness {
  const limits: EngineLimits = { maxNumSeqs: 256, maxNumBatchedTokens: 2048, blockSize: 16, statsMode: 'every-lookup', reserveFullPrompt: true, ...opts.limits };
  const w = buildWorkload({ numPrompts: 4, numPrefixes: 2, prefixLen: 64, suffixLen: 16, outputLen: 8, leadingTokens: 0, trailingTokens: 0, seed: 0, ...opts.workload });
  const reqs = new RequestTable(w, limits.blockSize);
  const layout = new BlockKeyLayout(limits.blockSize, w.segments);
  const model = MODELS['Qwen/Qwen2.5-7B-Instruct'];
  const stepTime = new StepTimeModel(modelCosts(model, 'auto'), GPUS.A10G, { ...TEST_STEP_TIMING, cpuStepSeconds: 0.01, cpuSeqSeconds: 0.0001, rereadL2Bytes: opts.rereadL2Bytes });
  const recorder = new RunRecorder();
  const finished: number[] = [];
  // No API-server cost and (unless asked) no async lag: these tests check the scheduler and the block pool.
  const output = { server: new FifoServer(), secondsPerToken: 0, lingerOneStep: opts.asyncScheduling ?? false };
  const replica = new Replica(0, opts.numBlocks, limits, reqs, layout, stepTime, recorder, (r) => finished.push(r), opts.recordKvEvents ?? false, output);
  return { replica, reqs, recorder, finished, layout };
}

/** Runs the replica until idle; returns the number of steps. */
export function drain(h: EngineHarness, maxSteps = 100000): number {
  let t = 0;
  let steps = 0;
  let end = h.replica.startStep(t);
  while (end >= 0) {
    if (++steps > maxSteps) throw new Error('engine did not drain');
    t = end;
    h.replica.finishStep(t);
    end = h.replica.startStep(t);
  }
  return steps;
}
