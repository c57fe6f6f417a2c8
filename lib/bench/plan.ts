/** The ordered steps of `llmd-bench run`: per path an optional warm-up, the main run, then the ladder. */
import * as path from 'path';
import type { BenchConfig } from '../config';
import { BenchmarkRun, benchmarkJobName, resultFileName, validateRun } from '../../k8s/bench/benchmark-job';
import { deployedProfiles } from '../../k8s/router/profiles';
import { CUSTOM_PROFILE, ROUTER_PROFILE_NAMES } from '../config/tables/router-profiles';
import { configuredStages, resolveHarness } from '../workload/spec';
import { meanStageRate, stageRequests } from '../workload/stages';
import { PATH_LABELS, type RunLabel, checksFileName, timeseriesFileName } from './result-format';
import { BenchError, EXIT } from './errors';

/**
 * `--target`: a comma-separated list of rr, llm-d, both, or router profiles (precise, approximate,
 * load, random, custom): each measured in turn, round-robin first.
 */
export type TargetOption = string;

/** The words `--target` takes. */
export const TARGET_WORDS = ['rr', 'llm-d', 'both', ...ROUTER_PROFILE_NAMES, CUSTOM_PROFILE] as const;

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
  /**
   * Whether the prefix caches are reset (and, on an llm-d path, the EPP restarted) first: every measured
   * run; warm-ups need no clean cache. Either way an llm-d step runs through its own profile's file.
   */
  readonly resetCaches: boolean;
  readonly title: string;
}

export function targetLabels(option: TargetOption, config?: BenchConfig): RunLabel[] {
  const out: RunLabel[] = [];
  const deployed = config ? deployedProfiles(config) : undefined;
  for (const word of option.split(',').map((w) => w.trim()).filter(Boolean)) {
    if (word === 'rr') out.push(PATH_LABELS.roundRobin);
    else if (word === 'llm-d') out.push(PATH_LABELS.llmd);
    else if (word === 'both') out.push(PATH_LABELS.roundRobin, PATH_LABELS.llmd);
    else if ((ROUTER_PROFILE_NAMES as readonly string[]).includes(word) || word === CUSTOM_PROFILE) {
      const profile = deployed?.find((p) => p.name === word);
      if (deployed && !profile) {
        throw new BenchError(`--target ${word}: router profile "${word}" is not deployed (router.profile=${config!.router.profile}, router.profiles=${config!.router.profiles.join(',')})`, {
          exitCode: EXIT.badInput,
          hint: `add it and redeploy: -c router.profiles=${[...new Set([...config!.router.profiles, word])].join(',')} (cdk deploy), then run again with the same -c`,
        });
      }
      out.push(`llm-d-${word}` as RunLabel);
    } else {
      throw new BenchError(`--target ${JSON.stringify(option)}: "${word}" is not a path; use ${TARGET_WORDS.join(', ')} (comma-separated for several)`, {
        exitCode: EXIT.badInput, hint: 'e.g. --target both, or --target rr,precise,approximate (a router profile must be deployed: router.profiles)',
      });
    }
  }
  if (out.length === 0) throw new BenchError('--target: name at least one path', { exitCode: EXIT.badInput, hint: 'e.g. --target both' });
  // Round-robin first, then in the order given.
  const unique = [...new Set(out)];
  return [...unique.filter((l) => l === PATH_LABELS.roundRobin), ...unique.filter((l) => l !== PATH_LABELS.roundRobin)];
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
    // inference-perf runs a finite rate as one stage of whole seconds (the config checks cover the main run).
    const staged = run.phase === 'main' && config.benchmark.stages.length > 0;
    if (resolveHarness(config) === 'inference-perf' && !staged && run.requestRate !== 'inf') {
      const seconds = run.numPrompts / run.requestRate;
      if (Math.abs(seconds - Math.round(seconds)) > 1e-9 || seconds < 1) {
        throw new BenchError(`${title}: inference-perf runs ${run.numPrompts} prompts at ${run.requestRate} req/s as one stage of ${seconds.toFixed(2)} s, not a whole number of seconds`, {
          exitCode: EXIT.badInput, hint: 'pick prompt counts that are whole seconds at every rate (benchmark.ladderNumPrompts, warmupNumPrompts)',
        });
      }
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
  for (const label of targetLabels(opts.targets, config)) {
    if (opts.warmup) {
      add({ label, requestRate: b.requestRate, numPrompts: b.warmupNumPrompts, runId: opts.runId, phase: 'warmup' }, `${label}: warm-up (${b.warmupNumPrompts} prompts, discarded)`);
    }
    if (!opts.ladderOnly) {
      const stages = configuredStages(config);
      if (stages.length > 0) {
        // A staged run is filed under its mean offered rate (the result's request_rate says the same).
        const requests = stages.reduce((a, st) => a + stageRequests(st), 0);
        add({ label, requestRate: meanStageRate(stages), numPrompts: requests, runId: opts.runId, phase: 'main' },
          `${label}: main run (stages ${b.stages.join(',')}${b.warmupStage ? ` after warm-up ${b.warmupStage}` : ''}, ${requests} requests)`);
      } else {
        add({ label, requestRate: b.requestRate, numPrompts: b.numPrompts, runId: opts.runId, phase: 'main' }, `${label}: main run (${b.numPrompts} prompts, rate ${b.requestRate}, ${b.maxConcurrency} concurrent)`);
      }
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
