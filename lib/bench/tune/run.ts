/**
 * `tune` as a library (the CLI, scripts/bench-tune.ts and the tests call it): the search space from
 * the flags, the runner (worker threads or this thread), the search, the interval re-run of the
 * answer, and the document, report text and plot.
 */
import type { BenchConfig } from '../../config';
import { modelFacts } from '../../config';
import { writeJsonAtomic } from '../results-io';
import { renderSvg } from '../report/plots';
import { describeWorkload, resolveHarness, workloadSpec } from '../../workload/spec';
import { FLAG_KEYS, type WorkloadFlags } from '../../workload/flags';
import { describeSlo, type ObjectiveSpec, type Slo } from './objective';
import { CachedRunner, defaultWorkers, InProcessRunner, type ProbeRunner, WorkerPool } from './pool';
import { simulatorFingerprint, simulatorIntervals } from './predict';
import { ProbeBuilder, type TuneLoad } from './probe';
import { outcomeIntervals, Tuner, type TuneOutcome, type TuneProgress } from './search';
import {
  baselineCandidate, type HardwareSelection, hardwarePlacements, LEVER_NAMES, type LeverName, leverValues, type Levers, type SearchSpace,
} from './space';
import { entryOf, formatTuneReport, paretoPlotSpec, type TuneEntry, tuneDocument, type TuneReportInput } from './output';
import { DEFAULT_PROBE_SECONDS } from './defaults';

export interface TuneOptions {
  /** The validated config with the user's workload flags applied (the configured deployment). */
  readonly config: BenchConfig;
  readonly cdkContext: Readonly<Record<string, unknown>>;
  readonly userPairs: readonly string[];
  /** The workload and load flags as given (extra properties are ignored). */
  readonly flags: WorkloadFlags;
  readonly slo: Slo;
  readonly objective: ObjectiveSpec;
  readonly hardware: HardwareSelection;
  readonly levers: Partial<Record<LeverName, readonly (string | number)[]>>;
  readonly samples: number;
  readonly topHardware: number;
  readonly maxRounds: number;
  readonly exhaustive?: boolean;
  readonly budgetS: number;
  /** Seconds of arrivals per rate-search probe (default DEFAULT_PROBE_SECONDS). */
  readonly probeSeconds?: number;
  /** Worker threads; 0: this thread; undefined: one per core. */
  readonly workers?: number;
  readonly onProgress?: (p: TuneProgress) => void;
}

export interface TuneRun {
  readonly doc: Record<string, unknown>;
  readonly report: string;
  readonly outcome: TuneOutcome;
  readonly best: TuneEntry;
  readonly plotSpec: Record<string, unknown>;
  readonly reportInput: TuneReportInput;
}


/** The workload/load flags of WorkloadFlags only (a TuneFlags object carries more). */
function workloadFlagsOnly(flags: WorkloadFlags): WorkloadFlags {
  const out: Record<string, unknown> = {};
  for (const def of FLAG_KEYS) if (flags[def.prop] !== undefined) out[def.prop] = flags[def.prop];
  return out as WorkloadFlags;
}

export function tuneLoad(c: BenchConfig, flags: WorkloadFlags, probeSeconds: number = DEFAULT_PROBE_SECONDS): TuneLoad {
  if (flags.requestRate !== undefined || flags.stages !== undefined) return { mode: 'fixed' };
  return {
    mode: 'search', harness: resolveHarness(c), maxConcurrency: flags.maxConcurrency ?? 'none', probeSeconds,
    ...(flags.numPrompts !== undefined ? { numPrompts: flags.numPrompts } : {}),
    promptMultiple: c.workload.name === 'prefix-repetition' ? c.benchmark.numPrefixes : 1,
  };
}

export function searchSpace(c: BenchConfig, hardware: HardwareSelection, levers: TuneOptions['levers']): SearchSpace {
  const baseline = baselineCandidate(c).levers;
  const values = Object.fromEntries(LEVER_NAMES.map((n) => [n, leverValues(n, levers[n] as Levers[typeof n][] | undefined, baseline)])) as unknown as SearchSpace['values'];
  return { hardware: hardwarePlacements(c, modelFacts(c), hardware), values };
}

export async function tune(o: TuneOptions): Promise<TuneRun> {
  const c = o.config;
  const userFlags = workloadFlagsOnly(o.flags);
  const flags: WorkloadFlags = { ...userFlags, workload: userFlags.workload ?? c.workload.name, seed: userFlags.seed ?? c.benchmark.seed };
  const load = tuneLoad(c, userFlags, o.probeSeconds);
  const builder = new ProbeBuilder({
    cdkContext: o.cdkContext, userPairs: o.userPairs, flags, workload: flags.workload!, load, speculativeIndexing: c.router.speculativeIndexing,
  });
  const space = searchSpace(c, o.hardware, o.levers);
  const workers = o.workers ?? defaultWorkers();
  const inner: ProbeRunner = workers > 0 ? new WorkerPool(workers) : new InProcessRunner();
  const runner = new CachedRunner(inner);
  try {
    const tuner = new Tuner({
      config: c, builder, space, slo: o.slo, objective: o.objective, seed: flags.seed!, budgetS: o.budgetS, intervals: simulatorIntervals(),
      samples: o.samples, topHardware: o.topHardware, maxRounds: o.maxRounds, exhaustive: o.exhaustive, onProgress: o.onProgress,
    }, runner);
    const outcome = await tuner.run();
    const { best, baseline, pareto } = await outcomeIntervals(tuner, outcome);
    const wallS = tuner.elapsedS();
    const ctx = { builder, baselineLevers: baselineCandidate(c).levers, speculativeIndexing: c.router.speculativeIndexing };
    const reportInput: TuneReportInput = {
      outcome, best, pareto, baseline, ctx, slo: o.slo, objective: o.objective, space, load, wallS,
      workload: describeWorkload(workloadSpec(c)), seed: flags.seed!, budgetS: o.budgetS, workers,
      simulations: runner.simulations, cacheHits: runner.hits, simulatorFingerprint: simulatorFingerprint(),
    };
    const doc = tuneDocument(reportInput);
    const bestEntry = doc.best as TuneEntry;
    const plotSpec = paretoPlotSpec(
      outcome.evaluations.filter((e) => e.status === 'ok' || e.status === 'capped').map((e) => entryOf(e, ctx)),
      doc.pareto as TuneEntry[], bestEntry, doc.baseline as TuneEntry,
      `${describeSlo(o.slo)}; ${o.objective.objective}; ${describeWorkload(workloadSpec(c))}`,
    );
    return { doc, report: formatTuneReport(reportInput, doc), outcome, best: bestEntry, plotSpec, reportInput };
  } finally {
    await inner.close();
  }
}

/** The CLI's run: progress on stderr, the report on stdout, the files. */
export async function runTuneSearch(o: TuneOptions & { json?: string; svg?: string; progress: boolean }): Promise<void> {
  const draw = (p: TuneProgress) => process.stderr.write(`\r[tune] ${p.round}: ${p.evaluated} candidates, ${p.pruned} pruned, ${p.simulations} simulations, ${p.elapsedS.toFixed(1)} s\x1b[K`);
  const run = await tune({ ...o, onProgress: o.progress ? draw : undefined });
  if (o.progress) process.stderr.write('\r\x1b[K');
  process.stdout.write(`${run.report}\n`);
  const wrote: string[] = [];
  if (o.json) {
    writeJsonAtomic(o.json, run.doc);
    wrote.push(o.json);
  }
  if (o.svg) {
    const fs = require('fs') as typeof import('fs');
    fs.writeFileSync(o.svg, await renderSvg(run.plotSpec));
    wrote.push(o.svg);
  }
  process.stdout.write(wrote.length > 0 ? `\nwrote ${wrote.join(', ')}\n` : '\n(--json FILE writes the document and the Pareto plot beside it)\n');
}
