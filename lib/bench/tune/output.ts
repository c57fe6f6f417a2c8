/**
 * What `tune` prints and writes: the Pareto table, the recommendation as `-c` overrides and a cdk.json
 * context snippet, the lever contributions, the `--json` document (best / pareto / baseline with
 * overrides, simulateArgs and predicted) and the Pareto plot. Everything is labelled SIMULATED.
 */
import { INSTANCE_TYPES } from '../../config/tables/instances';
import { base as plotBase, SIMULATED_SUBTITLE } from '../report/plots';
import { formatNumber } from '../report/format';
import { describeSlo, type ObjectiveSpec, objectiveValue, type Slo } from './objective';
import { intervalsOf, INTERVAL_KEYS, type PredictedResult } from './predict';
import type { ProbeBuilder, TuneLoad } from './probe';
import type { Contribution, Evaluation, Pruned, TuneOutcome } from './search';
import {
  type Candidate, describeHardware, describeLeverChanges, type Levers, overridesOf, pathOf, replicasOf, ROUND_ROBIN, type SearchSpace,
} from './space';

export const SIMULATED_BANNER = 'SIMULATED: tune ranks predictions of the simulator (docs/tune.md, docs/simulator.md), not measurements';

/** One configuration in `--json` (best, each pareto point, baseline). */
export interface TuneEntry {
  /** Config key -> value of the deployment (`-c key=value` each; the cdk.json context snippet). */
  readonly overrides: Record<string, string | number>;
  /** `llmd-bench simulate` arguments that reproduce `predicted`. */
  readonly simulateArgs: readonly string[];
  /** The simulate result keys of the path it recommends (`simulate --json` results.<router>); null when nothing was predicted. */
  readonly predicted: PredictedResult | null;
  /** `{key: [p10, p90]}` from the simulator's prediction intervals, when it gives them. */
  readonly intervals: Record<string, [number, number]>;
  /** Why `intervals` is empty although a fit is committed: 'budget' (not started within --budget-s) or an error. */
  readonly intervalsMissing?: string;
  /** `simulate --router`: llm-d (router.profile) or round-robin (the Kubernetes Service path). */
  readonly path: 'llm-d' | 'round-robin';
  readonly routerProfile: string | null;
  readonly hardware: { instanceType: string; count: number; tensorParallelSize: number; gpuModel: string; gpus: number; replicas: number };
  readonly status: Evaluation['status'];
  readonly meetsSlo: boolean;
  readonly sloViolations: readonly string[];
  /** SLO-meeting goodput, req/s (search: the offered open-loop rate; fixed load: the predicted throughput). */
  readonly goodputRps: number;
  readonly offeredRateRps: number | null;
  readonly outputTokensPerS: number;
  readonly costPerHour: number;
  readonly gpuCostPerHour: number;
  readonly priceStatus: string;
  readonly usdPerMillionOutputTokens: number | null;
  readonly gpuUsdPerMillionOutputTokens: number | null;
  /** Levers that differ from the configured deployment. */
  readonly changedLevers: readonly string[];
  /** How the configuration is off the simulator's calibrated space (empty: inside). */
  readonly outsideCalibration: readonly string[];
}

export interface EntryContext {
  readonly builder: ProbeBuilder;
  readonly baselineLevers: Levers;
  readonly speculativeIndexing: boolean;
}

const perMillion = (usdPerHour: number, tps: number) => (tps > 0 ? (usdPerHour / (tps * 3600)) * 1e6 : null);

export function entryOf(e: Evaluation, ctx: EntryContext): TuneEntry {
  const cand = e.candidate;
  const inst = INSTANCE_TYPES[cand.hw.instanceType];
  const search = ctx.builder.setup.load.mode === 'search';
  const rate = search ? (e.rate ?? e.resultRate) : undefined;
  return {
    overrides: overridesOf(cand, ctx.speculativeIndexing),
    simulateArgs: ctx.builder.simulateArgs(cand, rate),
    predicted: e.result ?? null,
    intervals: e.result ? intervalsOf(e.result) : {},
    ...(e.intervalsMissing ? { intervalsMissing: e.intervalsMissing } : {}),
    path: pathOf(cand),
    routerProfile: cand.levers.router === ROUND_ROBIN ? null : cand.levers.router,
    hardware: { ...cand.hw, gpuModel: inst.gpuModel as string, gpus: cand.hw.count * inst.gpus, replicas: replicasOf(cand.hw) },
    status: e.status,
    meetsSlo: e.status === 'ok' || e.status === 'capped',
    sloViolations: e.violations ?? (e.error ? [e.error] : []),
    goodputRps: e.goodput,
    offeredRateRps: search ? (e.rate ?? null) : null,
    outputTokensPerS: e.outputTps,
    costPerHour: e.cost.perHour,
    gpuCostPerHour: e.cost.gpuPerHour,
    priceStatus: e.cost.status,
    usdPerMillionOutputTokens: perMillion(e.cost.perHour, e.outputTps),
    gpuUsdPerMillionOutputTokens: perMillion(e.cost.gpuPerHour, e.outputTps),
    changedLevers: describeLeverChanges(cand, ctx.baselineLevers, ctx.speculativeIndexing),
    outsideCalibration: e.calibration,
  };
}

export interface ContributionEntry {
  readonly lever: string;
  readonly key: string;
  readonly best: string | number;
  readonly resetTo: string | number;
  /** Goodput with the lever reset (null: not a valid deployment, or not evaluated within the budget). */
  readonly goodputRps: number | null;
  readonly lossRps: number | null;
  readonly lossFraction: number | null;
  readonly costPerHour: number | null;
  /** Cost with the lever reset minus the recommendation's, $/h. */
  readonly costChangePerHour: number | null;
  readonly invalid?: string;
}

export function contributionEntry(c: Contribution, best: Evaluation): ContributionEntry {
  const g = c.evaluation?.goodput ?? null;
  return {
    lever: c.lever,
    key: c.key,
    best: c.best,
    resetTo: c.resetTo,
    goodputRps: g,
    lossRps: g === null ? null : best.goodput - g,
    lossFraction: g === null || !(best.goodput > 0) ? null : (best.goodput - g) / best.goodput,
    costPerHour: c.evaluation?.cost.perHour ?? null,
    costChangePerHour: c.evaluation ? c.evaluation.cost.perHour - best.cost.perHour : null,
    ...(c.invalid ? { invalid: c.invalid } : {}),
  };
}

/** `{"context": {...}}` of the recommendation, for cdk.json. */
export function cdkContextSnippet(overrides: Record<string, string | number>): { context: Record<string, string | number> } {
  return { context: { ...overrides } };
}

export interface TuneReportInput {
  readonly outcome: TuneOutcome;
  /** best, pareto and baseline after their interval re-run. */
  readonly best: Evaluation;
  readonly pareto: readonly Evaluation[];
  readonly baseline: Evaluation;
  readonly ctx: EntryContext;
  readonly slo: Slo;
  readonly objective: ObjectiveSpec;
  readonly space: SearchSpace;
  readonly load: TuneLoad;
  readonly workload: string;
  readonly seed: number;
  readonly budgetS: number;
  /** Wall seconds of the whole run: the search, then the intervals. */
  readonly wallS: number;
  readonly workers: number;
  readonly simulations: number;
  readonly cacheHits: number;
  readonly simulatorFingerprint: string;
}

/** The `--json` document. */
export function tuneDocument(r: TuneReportInput): Record<string, unknown> {
  const o = r.outcome;
  const best = entryOf(r.best, r.ctx);
  const byKind = (k: Pruned['kind']) => o.pruned.filter((p) => p.kind === k).length;
  return {
    simulated: true,
    note: SIMULATED_BANNER,
    simulator: { fingerprint: r.simulatorFingerprint, intervals: INTERVAL_KEYS.filter((k) => best.predicted && `${k}_p10` in best.predicted) },
    objective: { name: r.objective.objective, ...(r.objective.targetRate !== undefined ? { targetRate: r.objective.targetRate } : {}) },
    slo: r.slo,
    workload: r.workload,
    load: r.load,
    seed: r.seed,
    best,
    pareto: r.pareto.map((e) => entryOf(e, r.ctx)),
    baseline: entryOf(r.baseline, r.ctx),
    cdkContext: cdkContextSnippet(best.overrides),
    contributions: o.contributions.map((c) => contributionEntry(c, r.best)),
    contributionsComplete: o.contributionsComplete,
    search: {
      space: { hardware: r.space.hardware, levers: r.space.values },
      candidatesEvaluated: o.evaluations.length,
      evaluatedExactly: o.evaluations.filter((e) => e.status !== 'dominated').length,
      stoppedDominated: o.evaluations.filter((e) => e.status === 'dominated').length,
      pruned: { memory: byKind('memory'), config: byKind('config') },
      skippedDearer: o.skippedDearer,
      simulations: r.simulations,
      cacheHits: r.cacheHits,
      rounds: o.rounds,
      workers: r.workers,
      wallS: Number(o.wallS.toFixed(2)),
      totalWallS: Number(r.wallS.toFixed(2)),
      budgetS: r.budgetS,
      paretoWithoutIntervals: paretoWithoutIntervals(r),
      budgetExhausted: o.budgetExhausted,
    },
    prunedCandidates: o.pruned.slice(0, 200).map((p) => ({ hardware: p.candidate.hw, levers: p.candidate.levers, kind: p.kind, reason: p.reason })),
  };
}

/** Pareto points whose interval members were not started within --budget-s. */
function paretoWithoutIntervals(r: TuneReportInput): number {
  return r.pareto.filter((e) => e.intervalsMissing === 'budget').length;
}

const f2 = (v: number) => formatNumber(v, 2);
const f1 = (v: number) => formatNumber(v, 1);

/** A plain-text table; columns in `left` are left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][], left: readonly number[] = []): string {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (left.includes(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function pathLabel(c: Candidate): string {
  return c.levers.router === ROUND_ROBIN ? 'round-robin' : `llm-d ${c.levers.router}`;
}

function interval(e: TuneEntry, key: string, digits: number): string {
  const iv = e.intervals[key];
  return iv ? `${formatNumber(iv[0], digits)}-${formatNumber(iv[1], digits)}` : '-';
}

/** The Pareto front as a table (cheapest first). */
export function formatPareto(entries: readonly TuneEntry[], best: TuneEntry, search: boolean): string {
  const header = ['$/h', 'goodput req/s', 'P10-P90', 'out tok/s', '$/M out tok', 'p90 TTFT ms', 'p99 TPOT ms', 'placement', 'path', 'levers changed'];
  const rows = entries.map((e) => {
    const r = e.predicted as Record<string, number> | null;
    const mark = e === best || JSON.stringify(e.overrides) === JSON.stringify(best.overrides) ? ' <- best' : '';
    return [
      f2(e.costPerHour),
      `${f2(e.goodputRps)}${e.status === 'capped' ? '+' : ''}`,
      interval(e, 'request_throughput', 1),
      formatNumber(e.outputTokensPerS, 0),
      e.usdPerMillionOutputTokens === null ? '-' : f2(e.usdPerMillionOutputTokens),
      r?.p90_ttft_ms === undefined ? '-' : formatNumber(r.p90_ttft_ms, 0),
      r ? f1(r.p99_tpot_ms) : '-',
      `${describeHardware(e.hardware)}${e.outsideCalibration.length > 0 ? ' *' : ''}`,
      e.routerProfile === null ? 'round-robin' : `llm-d ${e.routerProfile}`,
      `${e.changedLevers.join(' ') || '(configured levers)'}${mark}`,
    ];
  });
  const note = search ? 'goodput: the highest open-loop rate whose predicted p90 TTFT / p99 TPOT meet the SLO' : 'goodput: predicted throughput at the given load, where the SLO is met';
  return `${table(header, rows, [7, 8, 9]).split('\n').map((l) => `  ${l}`).join('\n')}\n  (${note}; * = outside the simulator's calibrated space; + = meets the SLO at the top of the rate grid)`;
}

function entryLine(e: TuneEntry): string {
  const r = e.predicted as Record<string, number> | null;
  const parts = [
    `${describeHardware(e.hardware)} (${e.hardware.gpus} ${e.hardware.gpuModel}, ${e.hardware.replicas} replicas)`,
    e.routerProfile === null ? 'round-robin' : `llm-d ${e.routerProfile}`,
    e.meetsSlo ? `goodput ${f2(e.goodputRps)} req/s` : `misses the SLO (${e.sloViolations.join('; ') || e.status})`,
    `$${f2(e.costPerHour)}/h`,
  ];
  if (e.usdPerMillionOutputTokens !== null) parts.push(`$${f2(e.usdPerMillionOutputTokens)} per M output tokens`);
  if (r) parts.push(`mean/p90 TTFT ${formatNumber(r.mean_ttft_ms, 0)}/${r.p90_ttft_ms === undefined ? '-' : formatNumber(r.p90_ttft_ms, 0)} ms, p99 TPOT ${f1(r.p99_tpot_ms)} ms`);
  return parts.join(', ');
}

function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function changeText(c: ContributionEntry): string {
  const loss = c.lossRps ?? 0;
  const dc = c.costChangePerHour ?? 0;
  const cost = Math.abs(dc) < 5e-3 ? '' : `, ${dc > 0 ? '+' : '-'}$${f2(Math.abs(dc))}/h`;
  if (Math.abs(loss) < 5e-3) return `none${cost}`;
  return `${loss > 0 ? '-' : '+'}${f2(Math.abs(loss))} req/s (${loss > 0 ? '-' : '+'}${formatNumber(Math.abs(c.lossFraction ?? 0) * 100, 1)}%)${cost}`;
}

export function formatContributions(list: readonly ContributionEntry[], complete: boolean): string {
  if (list.length === 0) return '  (the answer is the configured deployment: nothing to reset)';
  const rows = list.map((c) => [
    c.lever, `${c.best} -> ${c.resetTo}`,
    c.invalid ? 'invalid' : c.goodputRps === null ? 'n/a' : f2(c.goodputRps),
    c.lossRps === null ? (c.invalid ? c.invalid.slice(0, 100) : 'not evaluated within the budget') : changeText(c),
  ]);
  const out = table(['lever', 'best -> configured', 'goodput req/s', 'change when reset'], rows, [0, 1, 3]).split('\n').map((l) => `  ${l}`).join('\n');
  return complete ? out : `${out}\n  (budget ran out before every lever was evaluated)`;
}

/** The console report. */
export function formatTuneReport(r: TuneReportInput, doc: Record<string, unknown>): string {
  const best = doc.best as TuneEntry;
  const baseline = doc.baseline as TuneEntry;
  const pareto = doc.pareto as TuneEntry[];
  const search = doc.search as Record<string, unknown>;
  const load = r.load.mode === 'search'
    ? `open-loop rate search, ${r.load.numPrompts !== undefined ? `${r.load.numPrompts} requests` : `${r.load.probeSeconds} s of arrivals`} per probe, concurrency ${r.load.maxConcurrency}, ${r.load.harness}`
    : 'the load given (one simulation per candidate)';
  const v = objectiveValue({ goodput: r.best.goodput, costPerHour: r.best.cost.perHour, key: r.best.key }, r.objective);
  const out = [
    SIMULATED_BANNER,
    `Workload: ${r.workload}; ${load}; seed ${r.seed}`,
    `SLO: ${describeSlo(r.slo)}; objective ${r.objective.objective}${r.objective.targetRate !== undefined ? ` (target ${r.objective.targetRate} req/s)` : ''}`,
    `Search: ${search.candidatesEvaluated} candidates evaluated (${search.stoppedDominated} stopped early as dominated), ` +
      `${(search.pruned as { memory: number; config: number }).memory + (search.pruned as { memory: number; config: number }).config} pruned ` +
      `(${(search.pruned as { memory: number }).memory} memory, ${(search.pruned as { config: number }).config} config)` +
      `${r.outcome.skippedDearer > 0 ? `, ${r.outcome.skippedDearer} dearer than the answer skipped` : ''}; ` +
      `${r.simulations} simulations (${r.cacheHits} cache hits), ${r.outcome.rounds.length} rounds, ${r.workers || 'no'} worker thread${r.workers === 1 ? '' : 's'}, ` +
      `search and Occam's step ${f1(r.outcome.wallS)} s, ${f1(r.wallS)} s with the intervals${r.outcome.budgetExhausted ? ` - BUDGET EXHAUSTED (--budget-s ${r.budgetS}): the answer is the best found so far` : ` (budget ${r.budgetS} s)`}`,
    '',
    'Pareto front, cost per hour vs SLO-meeting goodput (SIMULATED):',
    pareto.length > 0 ? formatPareto(pareto, best, r.load.mode === 'search') : '  (no candidate met the SLO)',
    ...(search.paretoWithoutIntervals as number > 0 ? [`  (P10-P90 of ${search.paretoWithoutIntervals} point${search.paretoWithoutIntervals === 1 ? '' : 's'} not computed within --budget-s: -)`] : []),
    '',
    `Recommended (${r.objective.objective}: ${formatNumber(v.value, 3)} ${v.unit}), SIMULATED:`,
    `  ${entryLine(best)}`,
  ];
  if (r.objective.objective === 'min-cost-for-rate' && r.objective.targetRate !== undefined && best.goodputRps < r.objective.targetRate) {
    out.push(`  NOTE: no candidate reached the target of ${r.objective.targetRate} req/s; this is the highest goodput found.`);
  }
  if (Object.keys(best.intervals).length > 0) {
    out.push(`  prediction intervals (P10-P90): ${Object.entries(best.intervals).map(([k, [lo, hi]]) => `${k} ${formatNumber(lo, 1)}-${formatNumber(hi, 1)}`).join(', ')}`);
  } else if (best.intervalsMissing) {
    out.push(`  prediction intervals: none (${best.intervalsMissing})`);
  } else {
    out.push('  prediction intervals: none (no fit committed in lib/sim/calibration/fitted.json; docs/tune.md, "Limits")');
  }
  if (best.outsideCalibration.length > 0) out.push(`  outside the simulator's calibrated space: ${best.outsideCalibration.join('; ')}`);
  out.push(
    `  -c overrides: ${Object.entries(best.overrides).map(([k, val]) => `-c ${shellQuote(`${k}=${val}`)}`).join(' ')}`,
    '  cdk.json snippet (merge into its "context"):',
    ...JSON.stringify(cdkContextSnippet(best.overrides), null, 2).split('\n').map((l) => `    ${l}`),
    `  reproduce: npx llmd-bench simulate ${best.simulateArgs.map(shellQuote).join(' ')}`,
    '',
    `Configured deployment (baseline), SIMULATED:`,
    `  ${entryLine(baseline)}`,
    '',
    'Lever contributions: what the recommendation loses when one setting goes back to the configured value (SIMULATED):',
    formatContributions(doc.contributions as ContributionEntry[], r.outcome.contributionsComplete),
  );
  return out.join('\n');
}

/** A vega-lite spec of the Pareto front: every evaluated candidate, the front, the answer and the baseline. */
export function paretoPlotSpec(points: readonly TuneEntry[], pareto: readonly TuneEntry[], best: TuneEntry, baseline: TuneEntry, subtitle: string): Record<string, unknown> {
  const point = (e: TuneEntry, kind: string) => ({
    kind, cost: Number(e.costPerHour.toFixed(4)), goodput: Number(e.goodputRps.toFixed(4)),
    label: `${describeHardware(e.hardware)} ${e.routerProfile ?? 'round-robin'}`,
  });
  const data = [
    ...points.filter((e) => e.meetsSlo).map((e) => point(e, 'evaluated')),
    ...pareto.map((e) => point(e, 'Pareto front')),
    point(best, 'recommended'),
    ...(baseline.meetsSlo ? [point(baseline, 'configured')] : []),
  ];
  const kinds = ['evaluated', 'Pareto front', 'recommended', 'configured'];
  const color = { field: 'kind', type: 'nominal', scale: { domain: kinds, range: ['#c7c7c7', '#4c78a8', '#e45756', '#54a24b'] }, legend: { title: null } };
  const x = { field: 'cost', type: 'quantitative', title: 'cost of the stack ($/h, on-demand)', scale: { zero: false } };
  const y = { field: 'goodput', type: 'quantitative', title: 'SLO-meeting goodput (req/s)' };
  return {
    ...plotBase('Simulated: tune, cost vs SLO-meeting goodput', `${SIMULATED_SUBTITLE} · ${subtitle}`, data),
    layer: [
      { transform: [{ filter: "datum.kind === 'evaluated'" }], mark: { type: 'point', filled: true, size: 30, opacity: 0.6 }, encoding: { x, y, color } },
      { transform: [{ filter: "datum.kind === 'Pareto front'" }], mark: { type: 'line', point: { filled: true, size: 60 }, interpolate: 'step-after' }, encoding: { x, y, color } },
      { transform: [{ filter: "datum.kind === 'configured'" }], mark: { type: 'point', shape: 'triangle-up', filled: true, size: 140 }, encoding: { x, y, color } },
      { transform: [{ filter: "datum.kind === 'recommended'" }], mark: { type: 'point', shape: 'diamond', filled: true, size: 180 }, encoding: { x, y, color } },
      { transform: [{ filter: "datum.kind === 'recommended'" }], mark: { type: 'text', dx: 8, dy: -10, align: 'left', fontSize: 11 }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
}

/** Placeholder-free description of the levers of a candidate (for logs). */
export function describeCandidate(c: Candidate, baseline: Levers, speculativeIndexing: boolean): string {
  return `${describeHardware(c.hw)}, ${pathLabel(c)}${describeLeverChanges(c, baseline, speculativeIndexing).map((s) => `, ${s}`).join('')}`;
}
