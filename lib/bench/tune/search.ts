/**
 * The search of `tune` (docs/tune.md, "Method"):
 *  1. prune: a candidate whose replica does not fit the GPU (lib/config/fit.ts, the planner's and the
 *     config check's arithmetic) or whose config does not validate (loadConfig, as `cdk synth`) is
 *     never simulated;
 *  2. goodput: for each candidate, the highest open-loop rate on a fixed geometric grid (32 steps per
 *     doubling, ~2.2%) at which the predicted run meets the SLO: bracket from a hint (the neighbour's
 *     goodput), then bisect; or, under a fixed load, one simulation;
 *  3. rounds: the configured deployment; every placement with its levers; seeded random samples of the
 *     whole space; then coordinate moves (every one-lever change) from the best candidate of each of
 *     the top placements, and the best candidate's levers on every placement, until nothing improves;
 *  4. lever contributions of the answer.
 * Work is shared: identical probes run once (pool.ts), candidates that deploy the same are one
 * (space.ts canonical), and a candidate first tries the goodput it must beat to reach the Pareto front
 * (the best goodput at no higher cost): if it fails there it stops ("dominated"), as it cannot change
 * the front or the answer. Decisions use whole chunks of results with a fixed size, so the answer is
 * the same whatever the worker count or timing; --budget-s cuts between chunks, and no probe starts
 * past it (a candidate it cuts is left unevaluated).
 */
import type { BenchConfig } from '../../config';
import { modelFacts } from '../../config';
import { checkFit, maxConcurrentSequences } from '../../config/fit';
import { GPUS } from '../../config/tables/gpus';
import { INSTANCE_TYPES } from '../../config/tables/instances';
import type { ModelFacts } from '../../config/tables/models';
import type { PriceStatus } from '../../config/tables/prices';
import { hourlyCost } from '../cost';
import { workloadContextTokens } from '../capacity/capacity';
import {
  compareScored, dominanceThreshold, feasible, type ObjectiveSpec, paretoFront, type Scored, type Slo, sloViolations,
} from './objective';
import { type CachedRunner, ProbeCancelled } from './pool';
import { calibrationDistanceOf, type IntervalMethod, intervalsOf, type Prediction, type PredictedResult, validate } from './predict';
import type { ProbeBuilder } from './probe';
import {
  baselineCandidate, type Candidate, candidateKey, canonical, hardwareNeighbours, type Hardware, HARDWARE_KEYS, LEVER_KEYS, LEVER_NAMES,
  type LeverName, type Levers, leverNeighbours, randomCandidates, relevantLevers, replicasOf, type SearchSpace,
} from './space';

/** Grid steps per doubling of the rate (2^(1/32) = 2.2% apart). */
export const GRID_STEPS_PER_OCTAVE = 32;
/** Grid bounds: 2^-7 (0.008 req/s) to 2^12 (4,096 req/s). */
export const GRID_MIN = -7 * GRID_STEPS_PER_OCTAVE;
export const GRID_MAX = 12 * GRID_STEPS_PER_OCTAVE;
/** Candidates decided together; fixed (not the worker count), so results do not depend on it. */
export const CHUNK = 16;
/**
 * Share of --budget-s for the search. The rest is for Occam's step and the lever contributions of the
 * answer, which end early enough to leave the prediction intervals of the answer and the baseline
 * their expected time (`intervalSeconds`); the Pareto points' intervals use what is left.
 */
export const SEARCH_SHARE = 0.75;

/** The offered rate of grid step k, to 4 significant digits (so `--request-rate` prints it exactly). */
export function gridRate(k: number): number {
  return Number((2 ** (k / GRID_STEPS_PER_OCTAVE)).toPrecision(4));
}

export function gridIndexNear(rate: number): number {
  if (!(rate > 0)) return GRID_MIN;
  return Math.min(GRID_MAX, Math.max(GRID_MIN, Math.round(GRID_STEPS_PER_OCTAVE * Math.log2(rate))));
}

/** The smallest grid step whose rate is above `rate`. */
export function gridIndexAbove(rate: number): number {
  let k = Math.ceil(GRID_STEPS_PER_OCTAVE * Math.log2(Math.max(rate, 1e-9)));
  while (gridRate(k) <= rate) k++;
  while (gridRate(k - 1) > rate) k--;
  return k;
}

export type EvalStatus =
  /** Meets the SLO at `goodput` (search: and fails one grid step above). */
  | 'ok'
  /** Meets the SLO even at the top of the grid. */
  | 'capped'
  /** Search: fails the SLO at the goodput it had to beat to reach the front; stopped there. */
  | 'dominated'
  /** Search: fails the SLO at every rate down to the bottom of the grid. */
  | 'no-slo-rate'
  /** Fixed load: the predicted run misses the SLO. */
  | 'fails-slo'
  /** The simulator refused the configuration. */
  | 'error';

export interface CostInfo {
  /** The whole stack per hour (lib/bench/cost.ts hourlyCost): GPU and system nodes, EKS, FSx, NAT, EBS. */
  readonly perHour: number;
  readonly gpuPerHour: number;
  /** The least sure of the prices (verified, unverified, fallback). */
  readonly status: PriceStatus;
}

export interface Evaluation extends Scored {
  readonly candidate: Candidate;
  readonly status: EvalStatus;
  /** Offered rate of the goodput (search mode). */
  readonly rate?: number;
  /** Output tokens/s at the goodput. */
  readonly outputTps: number;
  /** The predicted run at the goodput (search: the lowest rate tried when none met the SLO; fixed: the run). */
  readonly result?: PredictedResult;
  /** The rate `result` was predicted at (search mode). */
  readonly resultRate?: number;
  /** Wall seconds of the simulation of `result` (what each member of its interval costs). */
  readonly resultWallS?: number;
  /** Why `result` has no prediction interval: 'budget' (not started within --budget-s) or a member's error. */
  readonly intervalsMissing?: string;
  readonly violations?: readonly string[];
  /** dominated: the goodput is below this. */
  readonly upperBound?: number;
  readonly error?: string;
  readonly cost: CostInfo;
  readonly probes: number;
  /** How the configuration is off the simulator's calibrated space (empty: inside). */
  readonly calibration: readonly string[];
}

export interface Pruned {
  readonly candidate: Candidate;
  readonly key: string;
  readonly kind: 'memory' | 'config';
  readonly reason: string;
}

export interface TuneInput {
  readonly config: BenchConfig;
  readonly builder: ProbeBuilder;
  readonly space: SearchSpace;
  readonly slo: Slo;
  readonly objective: ObjectiveSpec;
  readonly seed: number;
  readonly budgetS: number;
  /** Random candidates drawn from the whole space (round "samples"). */
  readonly samples: number;
  /** Placements whose best candidate gets coordinate moves each round. */
  readonly topHardware: number;
  readonly maxRounds: number;
  /** Every candidate to an exact goodput: no early stop at the front, no skipping of dearer ones. */
  readonly exhaustive?: boolean;
  readonly onProgress?: (p: TuneProgress) => void;
  /** Wall clock (tests pass a fake to exercise the budget). */
  readonly now?: () => number;
  /** How prediction intervals are computed (predict.ts simulatorIntervals); null: none. */
  readonly intervals: IntervalMethod | null;
}

export interface TuneProgress {
  readonly round: string;
  readonly evaluated: number;
  readonly pruned: number;
  readonly simulations: number;
  readonly elapsedS: number;
}

export interface Contribution {
  readonly lever: string;
  readonly key: string;
  readonly best: string | number;
  readonly resetTo: string | number;
  /** The answer with this lever reset (undefined when that is not a valid deployment). */
  readonly evaluation?: Evaluation;
  readonly invalid?: string;
}

export interface RoundLog {
  readonly name: string;
  readonly candidates: number;
  readonly evaluated: number;
  readonly improved: boolean;
}

export interface TuneOutcome {
  readonly baseline: Evaluation;
  readonly best: Evaluation;
  readonly pareto: readonly Evaluation[];
  readonly evaluations: readonly Evaluation[];
  readonly pruned: readonly Pruned[];
  readonly contributions: readonly Contribution[];
  readonly contributionsComplete: boolean;
  readonly rounds: readonly RoundLog[];
  readonly budgetExhausted: boolean;
  /** min-cost-for-rate: candidates dearer than a feasible answer, never simulated. */
  readonly skippedDearer: number;
  readonly wallS: number;
}

interface Prepared {
  readonly candidate: Candidate;
  readonly key: string;
  readonly cost: CostInfo;
  readonly calibration: readonly string[];
}

const LEAST_SURE: Readonly<Record<PriceStatus, number>> = { verified: 0, unverified: 1, fallback: 2 };

export class Tuner {
  readonly evaluations = new Map<string, Evaluation>();
  readonly pruned = new Map<string, Pruned>();
  private readonly prepared = new Map<string, Prepared | Pruned>();
  private readonly model: ModelFacts;
  private readonly contextTokens: number;
  private readonly baselineLevers: Levers;
  private readonly speculative: boolean;
  private readonly started: number;
  private readonly now: () => number;
  private skippedDearer = 0;
  /** Seconds since the start after which no new probe starts (the deadline of the batch running). */
  private probeDeadline = Infinity;
  budgetExhausted = false;

  constructor(readonly input: TuneInput, readonly runner: CachedRunner) {
    this.model = modelFacts(input.config);
    this.contextTokens = workloadContextTokens(input.config);
    this.baselineLevers = baselineCandidate(input.config).levers;
    this.speculative = input.config.router.speculativeIndexing;
    this.now = input.now ?? (() => Date.now());
    this.started = this.now();
  }

  /** Seconds since the tuner started (its clock). */
  elapsedS(): number {
    return (this.now() - this.started) / 1000;
  }

  canonical(c: Candidate): Candidate {
    return canonical(c, this.baselineLevers, this.speculative);
  }

  /**
   * Memory (the planner's arithmetic: weights / TP + non-KV within gpu_memory_utilization x memory, a
   * maxModelLen sequence of KV, and at least one request of the workload), then the full config
   * validation; the cost of what passes.
   */
  prepare(cand: Candidate): Prepared | Pruned {
    const key = candidateKey(cand);
    const known = this.prepared.get(key);
    if (known) return known;
    const result = this.prepareUncached(cand, key);
    this.prepared.set(key, result);
    if ('kind' in result) this.pruned.set(key, result);
    return result;
  }

  private prepareUncached(cand: Candidate, key: string): Prepared | Pruned {
    const c = this.input.config;
    const instance = INSTANCE_TYPES[cand.hw.instanceType];
    const gpuModel = instance?.gpuModel;
    if (instance && gpuModel && instance.gpus % cand.hw.tensorParallelSize === 0 && this.model.numAttentionHeads % cand.hw.tensorParallelSize === 0) {
      const fitInput = {
        gpu: GPUS[gpuModel], model: this.model, tensorParallelSize: cand.hw.tensorParallelSize,
        gpuMemoryUtilization: cand.levers.gpuMemoryUtilization, kvCacheDtype: cand.levers.kvCacheDtype as 'auto' | 'fp8',
        nonKvMemoryGiB: c.sim.nonKvMemoryGiB, blockSize: cand.levers.blockSize,
      };
      const fit = checkFit({ ...fitInput, maxModelLen: c.vllm.maxModelLen, modelId: c.model.id, instanceType: cand.hw.instanceType, gpuModel });
      if (!fit.fits) return { candidate: cand, key, kind: 'memory', reason: fit.reason ?? 'does not fit' };
      if (maxConcurrentSequences(fitInput, this.contextTokens) < 1) {
        return { candidate: cand, key, kind: 'memory', reason: `a replica's KV cache (${fit.kvTokens} tokens) holds no ${this.contextTokens}-token request of the workload` };
      }
    }
    const rate = this.input.builder.setup.load.mode === 'search' ? gridRate(0) : undefined;
    const { config, problems } = validate(this.input.builder.context(cand, rate));
    if (!config) return { candidate: cand, key, kind: 'config', reason: problems?.[0] ?? 'invalid configuration' };
    const lines = hourlyCost(config);
    const status = lines.map((l) => l.priceStatus).reduce((a, s) => (LEAST_SURE[s] > LEAST_SURE[a] ? s : a), 'verified' as PriceStatus);
    return {
      candidate: cand,
      key,
      cost: { perHour: lines.reduce((a, l) => a + l.perHour, 0), gpuPerHour: lines[0].perHour, status },
      calibration: calibrationDistanceOf(config),
    };
  }

  /** The points of the front so far (exact goodputs only). */
  private frontPoints(): Evaluation[] {
    return [...this.evaluations.values()].filter((e) => e.status === 'ok' || e.status === 'capped');
  }

  /**
   * Goodput of one prepared candidate. `threshold`: the goodput it must beat (early stop below it);
   * `hint`: where the rate search starts; `order`: its place in the chunk (earlier ones' probes first).
   */
  async evaluate(p: Prepared, opts: { threshold?: number; hint?: number; order?: number }): Promise<Evaluation> {
    const { builder, slo } = this.input;
    const base = { candidate: p.candidate, key: p.key, cost: p.cost, costPerHour: p.cost.perHour, calibration: p.calibration };
    let probes = 0;
    const run = async (rate?: number) => {
      probes++;
      const pred = await this.runner.run(builder.probe(p.candidate, rate), () => this.elapsedS() < this.probeDeadline, opts.order);
      if (!pred.ok) return { error: pred.error };
      return { result: pred.result, violations: sloViolations(pred.result, slo), calibration: pred.calibration, wallS: pred.wallSeconds };
    };
    if (builder.setup.load.mode === 'fixed') {
      const r = await run();
      if (!r.result) return { ...base, status: 'error', goodput: 0, outputTps: 0, error: r.error, probes };
      const meets = r.violations.length === 0;
      return {
        ...base, status: meets ? 'ok' : 'fails-slo', goodput: meets ? r.result.request_throughput : 0,
        outputTps: meets ? r.result.output_throughput : 0, result: r.result, resultWallS: r.wallS, violations: r.violations, probes,
        calibration: r.calibration ?? base.calibration,
      };
    }
    const seen = new Map<number, { result?: PredictedResult; violations?: string[]; error?: string; calibration?: readonly string[]; wallS?: number }>();
    const probe = async (k: number) => {
      const r = await run(gridRate(k));
      seen.set(k, r);
      if (r.error !== undefined) throw new SimError(r.error);
      return r.violations!.length === 0;
    };
    const outputTps = (k: number) => {
      const r = seen.get(k)?.result as PredictedResult;
      return gridRate(k) * (r.completed > 0 ? r.total_output_tokens / r.completed : 0);
    };
    const done = (status: EvalStatus, k: number, extra: Partial<Evaluation> = {}): Evaluation => {
      const r = seen.get(k);
      const good = status === 'ok' || status === 'capped';
      return {
        ...base, status, goodput: good ? gridRate(k) : 0, rate: good ? gridRate(k) : undefined, outputTps: good ? outputTps(k) : 0,
        result: r?.result, resultRate: gridRate(k), resultWallS: r?.wallS, violations: r?.violations, probes, calibration: r?.calibration ?? base.calibration, ...extra,
      };
    };
    try {
      let lo = -Infinity;
      let hi = Infinity;
      if (opts.threshold !== undefined && opts.threshold > 0) {
        const kT = gridIndexAbove(opts.threshold);
        if (kT > GRID_MAX) return { ...base, status: 'dominated', goodput: 0, outputTps: 0, upperBound: opts.threshold, probes };
        if (!(await probe(kT))) return done('dominated', kT, { goodput: 0, upperBound: gridRate(kT) });
        lo = kT;
      } else {
        const k = opts.hint !== undefined ? gridIndexNear(opts.hint) : 0;
        if (await probe(k)) lo = k;
        else hi = k;
      }
      let step = 8;
      while (lo === -Infinity) {
        const k = Math.max(GRID_MIN, hi - step);
        if (await probe(k)) lo = k;
        else if (k === GRID_MIN) return done('no-slo-rate', k);
        else hi = k;
        step *= 2;
      }
      while (hi === Infinity) {
        const k = Math.min(GRID_MAX, lo + step);
        if (k === lo) return done('capped', lo);
        if (await probe(k)) lo = k;
        else hi = k;
        step *= 2;
      }
      while (hi - lo > 1) {
        const m = Math.floor((lo + hi) / 2);
        if (await probe(m)) lo = m;
        else hi = m;
      }
      return done('ok', lo);
    } catch (err) {
      if (err instanceof SimError) return { ...base, status: 'error', goodput: 0, outputTps: 0, error: err.message, probes };
      throw err;
    }
  }

  /**
   * Evaluates candidates (canonical, deduplicated against everything seen) in chunks of CHUNK, cheapest
   * first; each chunk's early-stop thresholds come from the results before it. Returns the new
   * evaluations; stops between chunks at `deadline` (seconds since the start).
   */
  async batch(name: string, cands: readonly { candidate: Candidate; hint?: number; exact?: boolean }[], deadlineOf: () => number): Promise<Evaluation[]> {
    const todo: { p: Prepared; hint?: number; exact?: boolean }[] = [];
    const inBatch = new Set<string>();
    for (const c of cands) {
      const cand = this.canonical(c.candidate);
      const key = candidateKey(cand);
      const known = this.evaluations.get(key);
      if (inBatch.has(key) || (known && !(c.exact && known.status === 'dominated'))) continue;
      const p = this.prepare(cand);
      if ('kind' in p) continue;
      inBatch.add(key);
      todo.push({ p, hint: c.hint, exact: c.exact });
    }
    todo.sort((a, b) => a.p.cost.perHour - b.p.cost.perHour || (a.p.key < b.p.key ? -1 : a.p.key > b.p.key ? 1 : 0));
    const out: Evaluation[] = [];
    for (let i = 0; i < todo.length; i += CHUNK) {
      // Re-read per chunk: the time the intervals need grows as the answer moves to slower probes.
      const deadline = deadlineOf();
      if (this.elapsedS() >= deadline) {
        this.budgetExhausted = true;
        break;
      }
      const front = this.frontPoints();
      const cheapestFeasible = this.input.objective.objective === 'min-cost-for-rate'
        ? Math.min(...front.filter((e) => feasible(e, this.input.objective)).map((e) => e.costPerHour))
        : Infinity;
      const chunk = todo.slice(i, i + CHUNK).filter((t) => {
        if (t.exact || this.input.exhaustive || t.p.cost.perHour <= cheapestFeasible + 1e-9) return true;
        this.skippedDearer++;
        return false;
      });
      // No probe starts past the deadline: a candidate whose rate search it cuts is dropped unevaluated
      // (the run overshoots by at most one probe per worker).
      this.probeDeadline = deadline;
      let results: (Evaluation | undefined)[];
      try {
        results = await Promise.all(chunk.map((t, order) => this.evaluate(t.p, {
          hint: t.hint, order,
          threshold: t.exact || this.input.exhaustive ? undefined : dominanceThreshold(front, t.p.cost.perHour),
        }).catch((err: unknown) => {
          if (err instanceof ProbeCancelled) return undefined;
          throw err;
        })));
      } finally {
        this.probeDeadline = Infinity;
      }
      for (const e of results) {
        if (e === undefined) {
          this.budgetExhausted = true;
          continue;
        }
        this.evaluations.set(e.key, e);
        out.push(e);
      }
      this.input.onProgress?.({ round: name, evaluated: this.evaluations.size, pruned: this.pruned.size, simulations: this.runner.simulations, elapsedS: this.elapsedS() });
    }
    return out;
  }

  /** The best evaluation under the objective (only ones with an exact goodput, then the rest). */
  best(evals: Iterable<Evaluation> = this.evaluations.values()): Evaluation | undefined {
    let best: Evaluation | undefined;
    for (const e of evals) {
      if (e.status === 'dominated' || e.status === 'error') continue;
      if (!best || compareScored(e, best, this.input.objective) < 0) best = e;
    }
    return best;
  }

  /** Per placement, its best candidate; the `k` best placements under the objective. */
  topPlacements(k: number): Evaluation[] {
    const perHw = new Map<string, Evaluation>();
    for (const e of this.evaluations.values()) {
      if (e.status !== 'ok' && e.status !== 'capped') continue;
      const hk = JSON.stringify(e.candidate.hw);
      const cur = perHw.get(hk);
      if (!cur || compareScored(e, cur, { objective: 'max-goodput' }) < 0) perHw.set(hk, e);
    }
    let tops = [...perHw.values()].sort((a, b) => compareScored(a, b, this.input.objective));
    // min-cost-for-rate: a placement that misses the target and costs no less than one that reaches it cannot win.
    const feasibleCost = Math.min(...tops.filter((e) => feasible(e, this.input.objective)).map((e) => e.costPerHour));
    if (this.input.objective.objective === 'min-cost-for-rate') tops = tops.filter((e) => feasible(e, this.input.objective) || e.costPerHour < feasibleCost - 1e-9);
    return tops.slice(0, k);
  }

  /** A rough rate for a placement from the baseline's goodput, scaled by GPU memory bandwidth (a start, not a result). */
  hintFor(hw: Hardware, baseline: Evaluation): number | undefined {
    const g = baseline.goodput;
    if (!(g > 0)) return undefined;
    const bw = (h: Hardware) => {
      const inst = INSTANCE_TYPES[h.instanceType];
      return h.count * inst.gpus * GPUS[inst.gpuModel as string].memoryBandwidthGBs;
    };
    return g * bw(hw) / bw(baseline.candidate.hw);
  }

  async run(): Promise<TuneOutcome> {
    const { input } = this;
    // The search stops at SEARCH_SHARE of the budget, earlier if the intervals of the answer so far and
    // the baseline would not fit after it.
    const searchDeadline = () => Math.min(input.budgetS * SEARCH_SHARE, this.restS(baseline));
    const rounds: RoundLog[] = [];
    const baseCand = this.canonical(baselineCandidate(input.config));
    const basePrep = this.prepare(baseCand);
    if ('kind' in basePrep) throw new Error(`the configured deployment cannot be evaluated: ${basePrep.reason}`);
    const baseline = await this.evaluate(basePrep, { hint: replicasOf(baseCand.hw) });
    this.evaluations.set(baseline.key, baseline);
    rounds.push({ name: 'baseline', candidates: 1, evaluated: 1, improved: true });

    const log = (name: string, cands: number, evals: Evaluation[], improved: boolean) => rounds.push({ name, candidates: cands, evaluated: evals.length, improved });
    const hw = input.space.hardware.map((h) => ({ candidate: { hw: h, levers: baseCand.levers }, hint: this.hintFor(h, baseline) }));
    log('placements', hw.length, await this.batch('placements', hw, searchDeadline), true);
    const samples = randomCandidates(input.samples, input.space, input.seed, this.baselineLevers, this.speculative)
      .map((c) => ({ candidate: c, hint: this.hintFor(c.hw, baseline) }));
    if (samples.length > 0) log('samples', samples.length, await this.batch('samples', samples, searchDeadline), true);

    for (let r = 1; r <= input.maxRounds && !this.budgetExhausted; r++) {
      const tops = this.topPlacements(input.topHardware);
      if (tops.length === 0) break;
      const before = tops.map((e) => `${e.key}@${e.goodput}`).join('|');
      const moves: { candidate: Candidate; hint?: number }[] = [];
      for (const inc of tops) {
        for (const n of leverNeighbours(inc.candidate, input.space, this.baselineLevers, this.speculative)) moves.push({ candidate: n, hint: inc.goodput });
      }
      const lead = tops[0];
      for (const n of hardwareNeighbours(lead.candidate, input.space)) moves.push({ candidate: n, hint: this.hintFor(n.hw, lead) });
      const evals = await this.batch(`moves ${r}`, moves, searchDeadline);
      const after = this.topPlacements(input.topHardware).map((e) => `${e.key}@${e.goodput}`).join('|');
      log(`moves ${r}`, moves.length, evals, after !== before);
      if (after === before) break;
    }

    // Occam's step and the contributions leave the intervals of the answer and the baseline their time.
    const best = await this.simplify(this.best() ?? baseline, baseline, () => this.restS(baseline));
    const { contributions, complete } = await this.contributions(best, baseline, () => this.restS(baseline, best));
    const all = [...this.evaluations.values()];
    return {
      baseline: this.evaluations.get(baseline.key) ?? baseline,
      best,
      pareto: paretoFront(all.filter((e) => e.status === 'ok' || e.status === 'capped'), best.key),
      evaluations: all,
      pruned: [...this.pruned.values()],
      contributions,
      contributionsComplete: complete,
      rounds,
      budgetExhausted: this.budgetExhausted,
      skippedDearer: this.skippedDearer,
      wallS: this.elapsedS(),
    };
  }

  /**
   * Expected wall seconds of the prediction intervals of `evals` (distinct ones): each is one
   * simulation per ensemble member, as long as the simulation of its point, over the workers.
   */
  intervalSeconds(evals: readonly Evaluation[]): number {
    const members = this.input.intervals?.members ?? 0;
    if (members === 0) return 0;
    const walls = [...new Map(evals.map((e) => [e.key, e.result ? (e.resultWallS ?? 0) : 0])).values()];
    // Spread over the workers, but never shorter than the longest single member.
    return Math.max(...walls, (members * walls.reduce((a, b) => a + b, 0)) / Math.max(1, this.runner.inner.workers));
  }

  /** Seconds since the start by which new work must stop to leave the intervals of `answer` and the baseline their time. */
  private restS(baseline: Evaluation, answer: Evaluation = this.best() ?? baseline): number {
    return this.input.budgetS - this.intervalSeconds([answer, baseline]);
  }

  /** The settings of `best` that differ from the configured deployment, each with `best` reset in it. */
  private resets(best: Evaluation, baseline: Evaluation): { lever: string; key: string; from: string | number; to: string | number; cand: Candidate }[] {
    const b = best.candidate;
    const base = baseline.candidate;
    const relevant = relevantLevers(b.levers, this.speculative);
    const out: { lever: string; key: string; from: string | number; to: string | number; cand: Candidate }[] = [];
    for (const f of ['instanceType', 'count', 'tensorParallelSize'] as const) {
      if (b.hw[f] !== base.hw[f]) out.push({ lever: f, key: HARDWARE_KEYS[f], from: b.hw[f], to: base.hw[f], cand: this.canonical({ hw: { ...b.hw, [f]: base.hw[f] }, levers: b.levers }) });
    }
    for (const name of LEVER_NAMES) {
      if (!relevant.has(name) || b.levers[name] === this.baselineLevers[name]) continue;
      const key = name === 'router' ? (b.levers.router === 'round-robin' || base.levers.router === 'round-robin' ? 'path (simulate --router)' : LEVER_KEYS.router) : LEVER_KEYS[name as LeverName];
      out.push({ lever: name, key, from: b.levers[name], to: this.baselineLevers[name], cand: this.canonical({ hw: b.hw, levers: { ...b.levers, [name]: this.baselineLevers[name] } }) });
    }
    return out;
  }

  /**
   * Occam's step: a setting of the answer that buys nothing goes back to its configured value. In a
   * fixed order, each differing setting is reset when the result is at least as good under the
   * objective (the answer then changes fewer things, and only what pays).
   */
  async simplify(best: Evaluation, baseline: Evaluation, deadline: () => number): Promise<Evaluation> {
    let current = best;
    for (;;) {
      // Every single reset of the current answer at once (in parallel); the first in lever order that
      // is not worse is taken, then the next pass starts from it.
      const resets = this.resets(current, baseline).filter((r) => !('kind' in this.prepare(r.cand)));
      await this.batch('simplify', resets.map((r) => ({ candidate: r.cand, hint: current.goodput, exact: true })), deadline);
      const next = resets.map((r) => this.evaluations.get(candidateKey(r.cand))).find((e) => e !== undefined && e.status !== 'dominated' && e.status !== 'error' &&
        e.goodput >= current.goodput && e.costPerHour <= current.costPerHour + 1e-9 && (feasible(e, this.input.objective) || !feasible(current, this.input.objective)));
      if (!next) return current;
      current = next;
    }
  }

  /**
   * What the answer loses when one of its settings goes back to the configured value: each placement
   * field and each lever its path reads (and the path itself) that differs from the baseline.
   */
  async contributions(best: Evaluation, baseline: Evaluation, deadline: () => number): Promise<{ contributions: Contribution[]; complete: boolean }> {
    const prepared = this.resets(best, baseline).map((f) => ({ f, cand: f.cand, p: this.prepare(f.cand) }));
    await this.batch('contributions', prepared.filter((x) => !('kind' in x.p)).map((x) => ({ candidate: x.cand, hint: best.goodput, exact: true })), deadline);
    let complete = true;
    const contributions = prepared.map(({ f, cand, p }): Contribution => {
      const c: Contribution = { lever: f.lever, key: f.key, best: f.from, resetTo: f.to };
      if ('kind' in p) return { ...c, invalid: p.reason };
      const e = this.evaluations.get(candidateKey(cand));
      if (e && e.status !== 'dominated') return { ...c, evaluation: e };
      complete = false;
      return c;
    });
    return { contributions, complete };
  }
}

class SimError extends Error {}

/** The prediction intervals of an evaluation's result, when the simulator gives them. */
export function evaluationIntervals(e: Evaluation): Record<string, [number, number]> {
  return e.result ? intervalsOf(e.result) : {};
}

/**
 * The intervals of an outcome's answer, baseline and Pareto points, all at once over the pool: the
 * answer's members first, then the baseline's, then the Pareto points' in front order. The answer and
 * the baseline always get theirs (the search left them their expected time); a Pareto point gets its
 * members only if, when its first member would start, they are expected to end within --budget-s (all
 * or none: a point cut there keeps no interval, and the report says so).
 */
export async function outcomeIntervals(tuner: Tuner, outcome: TuneOutcome): Promise<{ best: Evaluation; baseline: Evaluation; pareto: Evaluation[] }> {
  const fits = (e: Evaluation) => {
    let decided: boolean | undefined;
    return () => (decided ??= tuner.elapsedS() + tuner.intervalSeconds([e]) <= tuner.input.budgetS);
  };
  const [best, baseline, ...pareto] = await Promise.all([
    withIntervals(tuner, outcome.best, { priority: 0 }),
    withIntervals(tuner, outcome.baseline, { priority: 1 }),
    ...outcome.pareto.map((e, i) => withIntervals(tuner, e, { priority: 2 + i, admit: fits(e) })),
  ]);
  return { best, baseline, pareto };
}

/**
 * The evaluation with prediction intervals in its result: one probe per ensemble member at the rate of
 * its result (on the worker pool, `priority` like a chunk's place), combined with the point. `admit`
 * as in CachedRunner.run. Without them, `intervalsMissing` says why: the budget, or a member's error.
 */
export async function withIntervals(tuner: Tuner, e: Evaluation, opts: { admit?: () => boolean; priority?: number } = {}): Promise<Evaluation> {
  const method = tuner.input.intervals;
  if (!e.result || !method) return e;
  const rate = tuner.input.builder.setup.load.mode === 'search' ? e.resultRate : undefined;
  const point = tuner.input.builder.probe(e.candidate, rate);
  const settled = await Promise.allSettled(Array.from({ length: method.members }, (_, k) => tuner.runner.run({ ...point, member: k }, opts.admit, opts.priority)));
  const thrown = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected' && !(x.reason instanceof ProbeCancelled));
  if (thrown) throw thrown.reason;
  if (settled.some((x) => x.status === 'rejected')) return { ...e, intervalsMissing: 'budget' };
  const members = settled.map((x) => (x as PromiseFulfilledResult<Prediction>).value);
  const failed = members.find((m): m is Extract<Prediction, { ok: false }> => !m.ok);
  if (failed) return { ...e, intervalsMissing: `a parameter set of the ensemble failed: ${failed.error}` };
  return { ...e, result: method.combine(e.result, members.map((m) => (m as Extract<Prediction, { ok: true }>).result)) };
}
