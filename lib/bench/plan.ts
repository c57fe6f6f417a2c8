/** The ordered steps of `llmd-bench run`: per path an optional warm-up, the main run, then the ladder. */
import * as path from 'path';
import type { BenchConfig } from '../config';
import { BenchmarkRun, benchmarkJobName, resultFileName, validateRun } from '../../k8s/bench/benchmark-job';
import { PATH_LABELS, PathLabel, checksFileName, timeseriesFileName } from './result-format';
import { BenchError, EXIT } from './errors';

export type TargetOption = 'rr' | 'llm-d' | 'both';

export interface PlanOptions {
  readonly targets: TargetOption;
  readonly ladder: boolean;
  readonly warmup: boolean;
  /** Run only the ladder (skip the main run). */
  readonly ladderOnly?: boolean;
  readonly runId: string;
  /** Local results directory of this run. */
  readonly outDir: string;
}

export interface PlannedStep {
  readonly run: BenchmarkRun;
  readonly jobName: string;
  /** Local result file (warm-ups go to `warmup/`, which `report` ignores). */
  readonly resultPath: string;
  readonly timeseriesPath: string;
  /** The liveness checks and CPU throttling recorded after the run (run-checks.ts). */
  readonly checksPath: string;
  /** Whether the prefix caches are reset first (every measured run; warm-ups need no clean cache). */
  readonly resetCaches: boolean;
  readonly title: string;
}

export function targetLabels(option: TargetOption): PathLabel[] {
  switch (option) {
    case 'rr': return [PATH_LABELS.roundRobin];
    case 'llm-d': return [PATH_LABELS.llmd];
    case 'both': return [PATH_LABELS.roundRobin, PATH_LABELS.llmd];
    default: throw new BenchError(`--target ${JSON.stringify(option)}: must be rr, llm-d or both`, { exitCode: EXIT.badInput });
  }
}

export { newRunId } from './result-format';

export function planRun(config: BenchConfig, opts: PlanOptions): PlannedStep[] {
  const b = config.benchmark;
  const steps: PlannedStep[] = [];
  const add = (run: BenchmarkRun, title: string) => {
    // Refuse a bad run (e.g. --run-id with capitals) before anything is touched, not when its Job is
    // rendered, after the caches were reset and the results directory was made.
    try {
      validateRun(config, run);
    } catch (err) {
      throw new BenchError((err as Error).message, { exitCode: EXIT.badInput, hint: '--run-id takes 1-24 lower-case letters, digits or "-" (e.g. 20261125-2301)' });
    }
    const dir = run.phase === 'warmup' ? path.join(opts.outDir, 'warmup') : opts.outDir;
    const file = resultFileName(run);
    steps.push({
      run,
      jobName: benchmarkJobName(run),
      resultPath: path.join(dir, file),
      timeseriesPath: path.join(dir, timeseriesFileName(file.replace(/\.json$/, ''))),
      checksPath: path.join(dir, checksFileName(file.replace(/\.json$/, ''))),
      resetCaches: run.phase !== 'warmup',
      title,
    });
  };
  for (const label of targetLabels(opts.targets)) {
    if (opts.warmup) {
      add({ label, requestRate: b.requestRate, numPrompts: b.warmupNumPrompts, runId: opts.runId, phase: 'warmup' }, `${label}: warm-up (${b.warmupNumPrompts} prompts, discarded)`);
    }
    if (!opts.ladderOnly) {
      add({ label, requestRate: b.requestRate, numPrompts: b.numPrompts, runId: opts.runId, phase: 'main' }, `${label}: main run (${b.numPrompts} prompts, rate ${b.requestRate}, ${b.maxConcurrency} concurrent)`);
    }
    if (opts.ladder || opts.ladderOnly) {
      for (const rate of b.ladderRates) {
        // The main run already measured this rate (same file name); do not measure it twice.
        if (!opts.ladderOnly && rate === b.requestRate) continue;
        add({ label, requestRate: rate, numPrompts: b.ladderNumPrompts, runId: opts.runId, phase: 'ladder' }, `${label}: ladder ${rate} req/s (${b.ladderNumPrompts} prompts)`);
      }
    }
  }
  return steps;
}
