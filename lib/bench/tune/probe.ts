/**
 * From a candidate and an offered rate to (a) the `llmd-bench simulate` argument list that predicts it
 * and (b) the config context that argument list produces. Both come from the same pieces (the user's
 * `-c` pairs, the candidate's `-c` pairs, the workload and load flags), assembled the way the CLI
 * assembles them (lib/config/cli-context.ts loadCliConfig, lib/workload/flags.ts), so running the
 * arguments reproduces the prediction.
 */
import { parseContextPairs } from '../../config/cli-context';
import type { Harness } from '../../config/sections/benchmark';
import type { WorkloadName } from '../../config/sections/workload';
import { FLAG_KEYS, type WorkloadFlags, workloadFlagContext } from '../../workload/flags';
import type { Probe } from './predict';
import { type Candidate, overridesOf, pathOf } from './space';

/**
 * How each candidate is loaded.
 *  - `search`: open loop (by default): the rate R is searched. A probe offers R for `probeSeconds`
 *    (R x seconds requests, a whole number per prefix for prefix-repetition; or `numPrompts` when
 *    given) at `maxConcurrency` (none = no client limit), sent at `--request-rate R` (vllm bench
 *    serve) or as one inference-perf stage `--stages R:D` (D whole seconds).
 *  - `fixed`: the load the user gave (--request-rate or --stages, with their concurrency): one probe.
 */
export type TuneLoad =
  | {
    readonly mode: 'search';
    readonly harness: Harness;
    readonly maxConcurrency: number | 'none';
    readonly probeSeconds: number;
    /** Requests per probe instead of R x probeSeconds. */
    readonly numPrompts?: number;
    /** Request counts are rounded to a multiple of this (prefix-repetition: the prefixes). */
    readonly promptMultiple: number;
  }
  | { readonly mode: 'fixed' };

/** Requests of a search probe at `rate`. */
export function probePrompts(load: Extract<TuneLoad, { mode: 'search' }>, rate: number): number {
  if (load.numPrompts !== undefined) return load.numPrompts;
  const m = load.promptMultiple;
  return Math.max(1, Math.round((rate * load.probeSeconds) / m)) * m;
}

export interface ProbeSetup {
  /** cdk.json "context" (simulate reads the same file). */
  readonly cdkContext: Readonly<Record<string, unknown>>;
  /** The user's `-c key=value` pairs. */
  readonly userPairs: readonly string[];
  /** The workload and load flags as given to tune (complete: workload, seed, ...). */
  readonly flags: WorkloadFlags;
  readonly workload: WorkloadName;
  readonly load: TuneLoad;
  /** router.speculativeIndexing of the configured deployment (which levers the precise profile reads). */
  readonly speculativeIndexing: boolean;
}

/** A flag value as typed on the command line. */
function argValue(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The workload/load flags as arguments, in FLAG_KEYS order. */
export function flagsToArgs(flags: WorkloadFlags): string[] {
  const out: string[] = [];
  for (const def of FLAG_KEYS) {
    const v = flags[def.prop];
    if (v !== undefined) out.push(def.flag, argValue(v));
  }
  return out;
}

/** Whole seconds of an inference-perf stage of `numPrompts` requests at `rate`. */
export function stageSeconds(rate: number, numPrompts: number): number {
  return Math.max(1, Math.round(numPrompts / rate));
}

export class ProbeBuilder {
  constructor(readonly setup: ProbeSetup) {}

  /** The candidate's `-c` pairs after the user's (minus the user's pairs of the same keys). */
  pairs(cand: Candidate): string[] {
    const overrides = overridesOf(cand, this.setup.speculativeIndexing);
    const own = Object.entries(overrides).map(([k, v]) => `${k}=${v}`);
    const user = this.setup.userPairs.filter((p) => !(p.slice(0, p.indexOf('=')) in overrides));
    return [...user, ...own];
  }

  /** The workload and load flags of a probe at `rate` (search mode) or as given (fixed mode). */
  flags(rate?: number): WorkloadFlags {
    const { flags, load } = this.setup;
    if (load.mode === 'fixed') return flags;
    if (rate === undefined) throw new Error('a search probe needs a rate');
    const { requestRate: _r, stages: _s, numPrompts: _n, ...rest } = flags;
    const base: WorkloadFlags = { ...rest, maxConcurrency: load.maxConcurrency };
    if (load.harness === 'inference-perf') {
      const seconds = load.numPrompts !== undefined ? stageSeconds(rate, load.numPrompts) : Math.max(1, Math.round(load.probeSeconds));
      return { ...base, stages: [`${rate}:${seconds}`] };
    }
    return { ...base, numPrompts: probePrompts(load, rate), requestRate: rate };
  }

  /** `llmd-bench simulate` arguments that predict the candidate at `rate`. */
  simulateArgs(cand: Candidate, rate?: number): string[] {
    return [...this.pairs(cand).flatMap((p) => ['-c', p]), '--router', pathOf(cand), ...flagsToArgs(this.flags(rate))];
  }

  /** The config context `simulate` builds from those arguments. */
  context(cand: Candidate, rate?: number): Record<string, unknown> {
    const flags = this.flags(rate);
    return { ...this.setup.cdkContext, ...parseContextPairs(this.pairs(cand)), ...workloadFlagContext(flags, flags.workload ?? this.setup.workload).context };
  }

  probe(cand: Candidate, rate: number | undefined): Probe {
    return { context: this.context(cand, rate), router: pathOf(cand) };
  }
}
