/**
 * The resolved workload and load shape of a run, from the validated config: one object both
 * consumers read, so a predicted and a measured run are the same traffic. The in-cluster harness
 * renders it to its arguments/config (k8s/bench/benchmark-job.ts, k8s/bench/inference-perf-config.ts);
 * the simulator turns it into requests (lib/sim/workloads.ts). The config checks
 * (lib/config/checks/workload.ts) refuse every combination the harness cannot run, so nothing here
 * bends input.
 */
import type { BenchConfig } from '../config/schema';
import type { Harness } from '../config/sections/benchmark';
import type { WorkloadName } from '../config/sections/workload';
import { describeLength, type LengthDist, lengthBounds, parseLength } from './lengths';
import { type LoadStage, parseStage, parseStages, stageRequests } from './stages';

export type WorkloadSpec =
  | { readonly name: 'prefix-repetition'; readonly numPrefixes: number; readonly prefixLen: number; readonly suffixLen: number; readonly outputLen: number }
  | { readonly name: 'shared-prefix'; readonly groups: number; readonly promptsPerGroup: number; readonly systemPromptLen: LengthDist; readonly questionLen: LengthDist; readonly outputLen: LengthDist }
  | { readonly name: 'multi-turn'; readonly conversations: number; readonly turns: number; readonly systemPromptLen: number; readonly userLen: LengthDist; readonly outputLen: LengthDist; readonly thinkTimeS: LengthDist }
  | { readonly name: 'random'; readonly inputLen: LengthDist; readonly outputLen: LengthDist };

/**
 * How requests are sent.
 *  - vllm harness: `numPrompts` requests at `requestRate` (inf: all at once; else gamma gaps of shape
 *    `burstiness`, rescaled so the last leaves at N / rate), at most `maxConcurrency` in flight.
 *  - inference-perf: `stages` run back to back; each stage is either `poisson` (rate, whole seconds)
 *    or `concurrent` (N requests, closed loop of `concurrency`), the first optionally a warm-up.
 */
export interface LoadSpec {
  readonly requestRate: number | 'inf';
  readonly burstiness: number;
  /** null: no client limit. */
  readonly maxConcurrency: number | null;
  readonly numPrompts: number;
  /** inference-perf: the measured stages, in order (a run without --stages is one stage). */
  readonly stages: readonly RunStage[];
  /** inference-perf: a stage run first and excluded from every result. */
  readonly warmup: RunStage | null;
  /** True when the user asked for stages (results then carry a per-stage table). */
  readonly staged: boolean;
}

export type RunStage =
  | { readonly kind: 'poisson'; readonly rate: number; readonly durationS: number; readonly requests: number }
  | { readonly kind: 'concurrent'; readonly requests: number; readonly concurrency: number };

export interface RunSpec {
  readonly workload: WorkloadSpec;
  readonly load: LoadSpec;
  readonly harness: Harness;
  readonly seed: number;
}

/** inference-perf `none` has no literal: its workers always cap in-flight requests; this is the cap we give it. */
export const INFERENCE_PERF_UNLIMITED_CONCURRENCY = 4096;

export function workloadSpec(c: BenchConfig, name: WorkloadName = c.workload.name): WorkloadSpec {
  const b = c.benchmark;
  const w = c.workload;
  switch (name) {
    case 'prefix-repetition':
      return { name, numPrefixes: b.numPrefixes, prefixLen: b.prefixLen, suffixLen: b.suffixLen, outputLen: b.outputLen };
    case 'shared-prefix':
      return {
        name,
        groups: w.sharedPrefix.groups,
        promptsPerGroup: w.sharedPrefix.promptsPerGroup,
        systemPromptLen: parseLength(w.sharedPrefix.systemPromptLen),
        questionLen: parseLength(w.sharedPrefix.questionLen),
        outputLen: parseLength(w.sharedPrefix.outputLen),
      };
    case 'multi-turn':
      return {
        name,
        conversations: w.multiTurn.conversations,
        turns: w.multiTurn.turns,
        systemPromptLen: w.multiTurn.systemPromptLen,
        userLen: parseLength(w.multiTurn.userLen),
        outputLen: parseLength(w.multiTurn.outputLen),
        thinkTimeS: parseLength(w.multiTurn.thinkTimeS, 'seconds'),
      };
    default:
      return { name: 'random', inputLen: parseLength(w.random.inputLen), outputLen: parseLength(w.random.outputLen) };
  }
}

/** The vllm harness runs prefix-repetition and random with fixed lengths; inference-perf the rest. */
export function vllmCanRun(c: BenchConfig): string | undefined {
  const w = c.workload.name;
  if (w === 'shared-prefix' || w === 'multi-turn') return `vllm bench serve has no ${w} dataset`;
  if (c.benchmark.stages.length > 0 || c.benchmark.warmupStage !== '') return 'vllm bench serve runs no load stages';
  if (w === 'random') {
    const spec = workloadSpec(c) as Extract<WorkloadSpec, { name: 'random' }>;
    if (spec.inputLen.kind !== 'fixed' || spec.outputLen.kind !== 'fixed') {
      return 'vllm bench serve\'s random dataset draws lengths only from [len(1-r), len(1+r)] with one ratio for input and output, so it runs fixed lengths here';
    }
  }
  return undefined;
}

/** Why inference-perf cannot run this workload, or undefined. */
export function inferencePerfCanRun(c: BenchConfig): string | undefined {
  if (c.workload.name === 'prefix-repetition') return 'inference-perf has no prefix_repetition dataset (its shared_prefix is the same idea: --workload shared-prefix)';
  return undefined;
}

/** The harness a run uses: the configured one, or for `auto` vllm when it can run the workload. */
export function resolveHarness(c: BenchConfig): Harness {
  if (c.benchmark.harness !== 'auto') return c.benchmark.harness;
  return vllmCanRun(c) === undefined ? 'vllm' : 'inference-perf';
}

/** The configured stages (parsed). */
export function configuredStages(c: BenchConfig): LoadStage[] {
  return c.benchmark.stages.length > 0 ? parseStages(c.benchmark.stages) : [];
}

export function configuredWarmup(c: BenchConfig): LoadStage | null {
  return c.benchmark.warmupStage === '' ? null : parseStage(c.benchmark.warmupStage);
}

function poisson(s: LoadStage): RunStage {
  return { kind: 'poisson', rate: s.rate, durationS: s.durationS, requests: stageRequests(s) };
}

/**
 * The load of a run. `override` replaces the rate and prompt count (ladder steps and warm-ups of
 * `run`). Without stages, an inference-perf run is one stage: `concurrent` at rate inf (closed loop of
 * maxConcurrency), `poisson` at a finite rate for numPrompts / rate seconds.
 */
export function loadSpec(c: BenchConfig, override: { requestRate?: number | 'inf'; numPrompts?: number } = {}): LoadSpec {
  const b = c.benchmark;
  const harness = resolveHarness(c);
  const requestRate = override.requestRate ?? b.requestRate;
  const numPrompts = override.numPrompts ?? b.numPrompts;
  const maxConcurrency = b.maxConcurrency === 'none' ? null : b.maxConcurrency;
  const staged = configuredStages(c).length > 0 && override.requestRate === undefined;
  let stages: RunStage[] = [];
  let warmup: RunStage | null = null;
  if (harness === 'inference-perf') {
    if (staged) {
      stages = configuredStages(c).map(poisson);
    } else if (requestRate === 'inf') {
      stages = [{ kind: 'concurrent', requests: numPrompts, concurrency: maxConcurrency ?? INFERENCE_PERF_UNLIMITED_CONCURRENCY }];
    } else {
      stages = [poisson({ rate: requestRate, durationS: Math.round(numPrompts / requestRate) })];
    }
    const w = configuredWarmup(c);
    warmup = w && override.requestRate === undefined ? poisson(w) : null;
  }
  return { requestRate, burstiness: b.burstiness, maxConcurrency, numPrompts, stages, warmup, staged };
}

export function runSpec(c: BenchConfig, override: { requestRate?: number | 'inf'; numPrompts?: number; seed?: number } = {}): RunSpec {
  return { workload: workloadSpec(c), load: loadSpec(c, override), harness: resolveHarness(c), seed: override.seed ?? c.benchmark.seed };
}

/** Requests a run sends (the measured ones; a warm-up stage comes on top). */
export function measuredRequests(run: RunSpec): number {
  return run.harness === 'inference-perf' ? run.load.stages.reduce((a, s) => a + s.requests, 0) : run.load.numPrompts;
}

/** Largest prompt + output a request of this workload can reach (before any chat template). */
export function longestRequestTokens(w: WorkloadSpec): number {
  const max = (d: LengthDist) => lengthBounds(d).max;
  switch (w.name) {
    case 'prefix-repetition': return w.prefixLen + w.suffixLen + w.outputLen;
    case 'shared-prefix': return max(w.systemPromptLen) + max(w.questionLen) + max(w.outputLen);
    case 'multi-turn': return w.systemPromptLen + w.turns * (max(w.userLen) + max(w.outputLen));
    default: return max(w.inputLen) + max(w.outputLen);
  }
}

/** One line for tables and logs: "shared-prefix: 32 groups x 32 prompts, system 2048 + question 256 -> 256". */
export function describeWorkload(w: WorkloadSpec): string {
  switch (w.name) {
    case 'prefix-repetition': return `prefix-repetition: ${w.numPrefixes} prefixes x ${w.prefixLen}+${w.suffixLen} tokens -> ${w.outputLen}`;
    case 'shared-prefix': return `shared-prefix: ${w.groups} groups x ${w.promptsPerGroup} prompts, system ${describeLength(w.systemPromptLen)} + question ${describeLength(w.questionLen)} -> ${describeLength(w.outputLen)}`;
    case 'multi-turn': return `multi-turn: ${w.conversations} conversations x ${w.turns} turns, system ${w.systemPromptLen}, user ${describeLength(w.userLen)} -> ${describeLength(w.outputLen)}, think ${describeLength(w.thinkTimeS, 'seconds')}`;
    default: return `random: ${describeLength(w.inputLen)} -> ${describeLength(w.outputLen)}`;
  }
}
