/**
 * `npm run bench:sim`: simulates both paths of the reference run (2 x 9000 requests, 8 replicas) with
 * the default config and prints wall time, events/s and peak memory (the issue's speed target: < 2 s
 * on 2 cores, < 500 MB), then the same with prediction intervals (budget: + < 10 s).
 *
 * `npm run bench:sim -- --fit` fits the timing model to the public anchors once (lib/sim/validation.ts:
 * all-anchor fit, leave-one-out refits, ensemble) and writes lib/sim/calibration/fitted.json. Minutes
 * of CPU; never per experiment.
 *
 * `npm run bench:sim -- --validate` re-simulates every anchor with the committed all-fit and
 * leave-one-out parameters and prints: anchor, metric, published, predicted (all-fit), predicted (left
 * out), error; then the issue's targets, and for each missed anchor its left-out verdict with the
 * parameters only it pins at the all-fit (validation.ts missAnatomy). docs/simulator.md carries its output.
 *
 * `npm run bench:sim -- --loo-full [--warm] [--anchors a,b]` redoes the leave-one-out refits in full
 * (a Levenberg-Marquardt fit without each anchor, from the priors or, with --warm, from the all-fit;
 * each anchor keeps the start that ends lower) and merges them into fitted.json. `--fit` writes
 * one-step Gauss-Newton refits; the committed ones are full: after a --fit, run --loo-full twice
 * (cold, then --warm; ~45 minutes with two processes on disjoint --anchors).
 *
 * `npm run bench:sim -- --leave-out a,b` refits once without all the named anchors (warm) and prints
 * their rows and verdicts: a diagnosis of anchors that pull against each other; writes nothing (~2.5 min).
 *
 * `npm run bench:sim -- --loo-variants` prints the verdicts under three linear approximations of the
 * leave-one-out refit side by side (writes nothing; ~2 minutes).
 *
 * `npm run bench:sim -- --holdout` predicts the held-out runs of test/fixtures/holdout/ (never fitted)
 * with the committed all-fit and prints published / predicted (scripts/holdout.ts).
 *
 * `npm run bench:sim -- --calibration` prints the predicted-vs-reference table of docs/simulator.md.
 *
 * `npm run bench:sim -- --what-if` prints the what-if tables of docs/simulator.md (each row is a
 * simulation of the reference workload with one setting changed).
 *
 * The llm-d path always runs the EndpointPickerConfig rendered from the config; "no-hit-lru 0" columns
 * are the same config with `router.scorers.noHitLru=0` (the scorer left out), the what-if that shows why
 * the scorer is on by default.
 */
import * as fs from 'fs';
import { writeFileAtomic } from '../lib/bench/results-io';
import { loadConfig } from '../lib/config';
import { type SimOverrides, type SimResult, simulate, simulateParallel } from '../lib/sim';
import { FITTED_FILE, type FittedCalibration, fittedCalibration, REFERENCE, type ReferencePath, TOLERANCE, type ValidationRow } from '../lib/sim/calibration';
import { anchorCases } from '../lib/sim/anchor-predict';
import { type AnchorVerdict, anchorVerdicts, discrepancy, fullRefit, inputsHash, linearizedRefits, linearizedRefitVariants, LOO_VARIANTS, missAnatomy, roundValues, runFit, validationRows } from '../lib/sim/validation';
import { FIXED_CONSTANTS, TIMING_PARAMS } from '../lib/sim/timing-params';
import { holdoutRows, holdoutTable } from './holdout';

/** Context that leaves the no-hit-lru-scorer out of the rendered EndpointPickerConfig. */
const NO_LRU = { 'router.scorers.noHitLru': 0 } as const;

async function bench(): Promise<void> {
  const config = loadConfig({});
  const started = process.hrtime.bigint();
  const sim = simulate(config, { routers: ['round-robin', 'llm-d'], intervals: false });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const events = sim.runs.reduce((a, r) => a + r.events, 0);
  const requests = sim.runs.reduce((a, r) => a + r.result.completed, 0);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  for (const r of sim.runs) {
    process.stdout.write(`${r.router.padEnd(12)} ${r.result.completed} requests  ${r.wallSeconds.toFixed(3)} s  ${r.events} events  ${(r.events / r.wallSeconds / 1e3).toFixed(0)} k events/s  ${r.result.request_throughput.toFixed(2)} req/s predicted\n`);
  }
  process.stdout.write(`both paths: ${requests} requests, ${sim.params.replicas} replicas, wall ${wall.toFixed(3)} s, ${(events / wall / 1e3).toFixed(0)} k events/s, peak RSS ${peakMiB.toFixed(0)} MiB\n`);
  process.stdout.write(`target: < 2 s and < 500 MB: ${wall < 2 && peakMiB < 500 ? 'MET' : 'MISSED'}\n`);
  // The same with prediction intervals, as `simulate` runs them (ensemble on two worker threads).
  const t2 = process.hrtime.bigint();
  const withIntervals = await simulateParallel(config, { routers: ['round-robin', 'llm-d'], threads: 2 });
  const wall2 = Number(process.hrtime.bigint() - t2) / 1e9;
  if (!withIntervals.intervals) {
    process.stdout.write('no committed fit (lib/sim/calibration/fitted.json): no intervals\n');
    return;
  }
  const added = wall2 - wall;
  process.stdout.write(`with intervals (${withIntervals.intervals.members} parameter sets, 2 threads): wall ${wall2.toFixed(3)} s, + ${added.toFixed(1)} s; target + < 10 s: ${added < 10 ? 'MET' : 'MISSED'}\n`);
}

interface WhatIf {
  readonly name: string;
  readonly context?: Record<string, unknown>;
  readonly overrides?: SimOverrides;
}

const WHAT_IFS: readonly WhatIf[] = [
  { name: 'reference parameters' },
  { name: 'vllm.blockSize=16', context: { 'vllm.blockSize': 16 } },
  { name: 'vllm.blockSize=32', context: { 'vllm.blockSize': 32 } },
  { name: 'vllm.blockSize=128', context: { 'vllm.blockSize': 128 } },
  { name: 'vllm.maxNumSeqs=32', context: { 'vllm.maxNumSeqs': 32 } },
  { name: 'vllm.maxNumSeqs=48', context: { 'vllm.maxNumSeqs': 48 } },
  { name: 'vllm.maxNumBatchedTokens=512', context: { 'vllm.maxNumBatchedTokens': 512 } },
  { name: 'vllm.maxNumBatchedTokens=8192', context: { 'vllm.maxNumBatchedTokens': 8192 } },
  { name: 'vllm.kvCacheDtype=fp8', context: { 'vllm.kvCacheDtype': 'fp8' } },
  { name: 'vllm.gpuMemoryUtilization=0.95', context: { 'vllm.gpuMemoryUtilization': 0.95 } },
  { name: '--replicas 4', overrides: { replicas: 4 } },
  { name: '--replicas 12', overrides: { replicas: 12 } },
  { name: '--replicas 16', overrides: { replicas: 16 } },
  { name: '--max-concurrency 256', overrides: { maxConcurrency: 256 } },
  { name: '--max-concurrency 1024', overrides: { maxConcurrency: 1024 } },
  { name: '--num-prefixes 300', overrides: { numPrefixes: 300 } },
  { name: 'older guide weights (prefix 3, kv 2, queue 2, no-hit-lru 2)', context: { 'router.scorers.prefixCache': 3, 'router.scorers.kvCacheUtilization': 2, 'router.scorers.queue': 2, 'router.scorers.noHitLru': 2 } },
];

const RATES = [5, 10, 15, 20, 25, 30];

function row(name: string, rr: SimResult, llmd: SimResult, noLru: SimResult): string {
  const cell = (r: SimResult) => `${r.request_throughput.toFixed(1)} | ${Math.round(r.mean_ttft_ms).toLocaleString('en-US')} | ${r.mean_tpot_ms.toFixed(0)}`;
  return `| ${name} | ${cell(rr)} | ${cell(llmd)} | ${(llmd.request_throughput / rr.request_throughput).toFixed(2)}x | ${cell(noLru)} |`;
}

function whatIf(): void {
  const out: string[] = [];
  out.push('| what changes | RR req/s | RR TTFT ms | RR TPOT ms | llm-d req/s | llm-d TTFT ms | llm-d TPOT ms | llm-d / RR | no-hit-lru 0: llm-d req/s | TTFT ms | TPOT ms |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const w of WHAT_IFS) {
    const config = loadConfig(w.context ?? {});
    const base = simulate(config, { routers: ['round-robin', 'llm-d'], overrides: w.overrides, intervals: false });
    const noLru = simulate(loadConfig({ ...w.context, ...NO_LRU }), { routers: ['llm-d'], overrides: w.overrides, intervals: false });
    out.push(row(w.name, base.runs[0].result, base.runs[1].result, noLru.runs[0].result));
    process.stderr.write('.');
  }
  out.push('', '| speculative indexing | llm-d req/s | mean TTFT ms | P99 TTFT ms | hit rate | preemptions |', '|---|---|---|---|---|---|');
  for (const [name, context] of [['rendered config (no-hit-lru 2)', {}], ['no-hit-lru 0', NO_LRU]] as const) {
    const sim = simulate(loadConfig(context), { routers: ['llm-d', 'llm-d-no-speculative'], intervals: false });
    for (const run of sim.runs) {
      const r = run.result;
      out.push(`| ${name}, ${run.router === 'llm-d' ? 'on' : 'off'} | ${r.request_throughput.toFixed(1)} | ${Math.round(r.mean_ttft_ms).toLocaleString('en-US')} | ${Math.round(r.p99_ttft_ms).toLocaleString('en-US')} | ${(r.prefix_cache_hit_rate * 100).toFixed(1)}% | ${r.sim_num_preemptions} |`);
    }
  }
  out.push('', '| seed | llm-d req/s | llm-d mean TTFT ms | llm-d P99 TPOT ms | no-hit-lru 0: req/s | mean TTFT ms | P99 TPOT ms |', '|---|---|---|---|---|---|---|');
  for (const seed of [0, 1, 2, 3, 4]) {
    const a = simulate(loadConfig({}), { routers: ['llm-d'], overrides: { seed } }).runs[0].result;
    const b = simulate(loadConfig(NO_LRU), { routers: ['llm-d'], overrides: { seed } }).runs[0].result;
    const f = (r: SimResult) => `${r.request_throughput.toFixed(1)} | ${Math.round(r.mean_ttft_ms).toLocaleString('en-US')} | ${Math.round(r.p99_tpot_ms)}`;
    out.push(`| ${seed} | ${f(a)} | ${f(b)} |`);
  }
  out.push('', '| offered req/s (open loop, 1800 prompts) | RR achieved | RR median TTFT ms | RR P99 TTFT ms | llm-d achieved | llm-d median TTFT ms | llm-d P99 TTFT ms |', '|---|---|---|---|---|---|---|');
  for (const rate of RATES) {
    const config = loadConfig({});
    const overrides: SimOverrides = { requestRate: rate, maxConcurrency: null, numPrompts: config.benchmark.ladderNumPrompts };
    const rr = simulate(config, { routers: ['round-robin'], overrides }).runs[0].result;
    const ld = simulate(config, { routers: ['llm-d'], overrides }).runs[0].result;
    const f = (r: SimResult) => `${r.request_throughput.toFixed(1)} | ${Math.round(r.median_ttft_ms).toLocaleString('en-US')} | ${Math.round(r.p99_ttft_ms).toLocaleString('en-US')}`;
    out.push(`| ${rate} | ${f(rr)} | ${f(ld)} |`);
  }
  process.stderr.write('\n');
  process.stdout.write(`${out.join('\n')}\n`);
}

function calibrationTable(): void {
  const config = loadConfig({});
  const ref = simulate(config, { routers: ['round-robin', 'llm-d'], intervals: false });
  const rendered = simulate(loadConfig(NO_LRU), { routers: ['llm-d'], intervals: false });
  const [rr, llmd] = ref.runs.map((r) => r.result as unknown as Record<string, number>);
  const asIs = rendered.runs[0].result as unknown as Record<string, number>;
  const rows: [string, keyof ReferencePath, number, string][] = [
    ['duration (s)', 'duration', 1, 'n'],
    ['request throughput (req/s)', 'request_throughput', 2, 'n'],
    ['output token throughput (tok/s)', 'output_throughput', 0, 'n'],
    ['total token throughput (tok/s)', 'total_token_throughput', 0, 'n'],
    ['mean TTFT (ms)', 'mean_ttft_ms', 0, 'n'],
    ['median TTFT (ms)', 'median_ttft_ms', 0, 'n'],
    ['P99 TTFT (ms)', 'p99_ttft_ms', 0, 'n'],
    ['mean TPOT (ms)', 'mean_tpot_ms', 1, 'n'],
    ['P99 TPOT (ms)', 'p99_tpot_ms', 1, 'n'],
    ['prefix cache hit rate', 'prefix_cache_hit_rate', 1, 'pct'],
  ];
  const fmt = (v: number, d: number, kind: string) => (kind === 'pct' ? `${(v * 100).toFixed(d)}%` : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
  const err = (got: number, want: number, kind: string) => (kind === 'pct' ? `${((got - want) * 100).toFixed(1)} pt` : `${((got / want - 1) * 100).toFixed(1)}%`);
  const out = [
    '| metric | RR reference | RR predicted | error | llm-d reference | llm-d predicted | error | llm-d, no-hit-lru 0 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, key, d, kind] of rows) {
    const a = REFERENCE.roundRobin[key] as number;
    const b = REFERENCE.llmd[key] as number;
    out.push(`| ${name} | ${fmt(a, d, kind)} | ${fmt(rr[key], d, kind)} | ${err(rr[key], a, kind)} | ${fmt(b, d, kind)} | ${fmt(llmd[key], d, kind)} | ${err(llmd[key], b, kind)} | ${fmt(asIs[key], d, kind)} |`);
  }
  const kv = (r: Record<string, number>) => `${(r.kv_cache_usage_mean * 100).toFixed(0)}% mean, ${(r.kv_cache_usage_p95 * 100).toFixed(0)}% p95`;
  out.push(`| GPU KV cache usage | 98-99% | ${kv(rr)} | | 64-71% | ${kv(llmd)} | | ${kv(asIs)} |`);
  out.push(`| hit rate, first lookups | | ${(rr.prefix_cache_hit_rate_first_lookup * 100).toFixed(1)}% | | | ${(llmd.prefix_cache_hit_rate_first_lookup * 100).toFixed(1)}% | | ${(asIs.prefix_cache_hit_rate_first_lookup * 100).toFixed(1)}% |`);
  out.push(`| preemptions | | ${rr.sim_num_preemptions} | | | ${llmd.sim_num_preemptions} | | ${asIs.sim_num_preemptions} |`);
  out.push(`| llm-d / RR request throughput | 2.34x | | | | ${(llmd.request_throughput / rr.request_throughput).toFixed(2)}x | | ${(asIs.request_throughput / rr.request_throughput).toFixed(2)}x |`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function fit(): void {
  const started = Date.now();
  // --iterations N bounds the Levenberg-Marquardt iterations of the all-fit.
  const flag = (name: string): number | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const result = runFit((line) => process.stderr.write(`${line}\n`), {
    maxIterations: flag('--iterations'),
    // --continue: start the all-fit at the committed one (a fit that stopped at its iteration limit).
    start: process.argv.includes('--continue') ? fittedCalibration()?.params : undefined,
  });
  fs.writeFileSync(FITTED_FILE, `${JSON.stringify(result, null, 1)}\n`);
  process.stdout.write(`wrote ${FITTED_FILE} (inputs ${result.inputsHash}) in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const fmtValue = (v: number | string | null): string => {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  const a = Math.abs(v);
  return a >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
};
const fmtErr = (e: number | null, row: ValidationRow, which: 'predictedAll' | 'predictedLeftOut'): string => {
  if (row.family === 'regime') return row[which] === row.published ? 'same' : 'DIFFERENT';
  return e === null ? '-' : `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`;
};

/** The committed fit; every mode that reads it needs one. */
function committedFit(): FittedCalibration {
  const fitted = fittedCalibration();
  if (!fitted) throw new Error(`no ${FITTED_FILE}: run npm run bench:sim -- --fit first`);
  return fitted;
}

/** The fit's method text with its leave-one-out part replaced by `refits` (the method names how they were made). */
function withLooMethod(method: string, refits: string): string {
  return method.replace(/; leave-one-out refits.*?(?=; ensemble)/, '').replace(/; ensemble/, `; leave-one-out refits: ${refits}; ensemble`);
}

/** The validation table (Markdown) and the target checks. */
function validate(): void {
  const started = Date.now();
  const fitted = committedFit();
  const hash = inputsHash();
  if (hash !== fitted.inputsHash) process.stderr.write(`warning: fitted.json was fitted to other inputs (${fitted.inputsHash}, now ${hash}): re-run --fit\n`);
  const showAll = process.argv.includes('--all');
  const cases = anchorCases();
  const rows = validationRows(cases, fitted.params, fitted.refits);
  const out = rowTable(rows, showAll);
  const excluded = rows.filter((r) => r.role === 'excluded');
  process.stdout.write(`${out.join('\n')}\n\n${excluded.length} published numbers excluded with a reason (--all lists them).\n\n`);
  // The issue's targets, per anchor.
  const verdicts = anchorVerdicts(rows);
  const lines = ['| anchor | left-out throughput errors (target ±15%) | left-out TTFT errors (target ±35% or same regime) | verdict |', '|---|---|---|---|', ...verdictRows(verdicts)];
  // Why each missed anchor missed (a diagnosis; the verdicts above are the targets).
  const missed = verdicts.filter((v) => !v.met).map((v) => v.anchor);
  const anatomy = missAnatomy(cases, fitted.params, fitted.refits, missed);
  if (missed.length > 0) {
    lines.push('', '| missed anchor | parameters only it pins (held at their priors without it) | left out, those at the all-fit |', '|---|---|---|');
    for (const m of anatomy) {
      const verdict = m.ownParamsAtAllFit ? verdictCell(m.ownParamsAtAllFit) : '- (the miss is in parameters other anchors pin too)';
      lines.push(`| ${m.anchor} | ${m.pinnedOnlyHere.length > 0 ? m.pinnedOnlyHere.map((p) => `\`${p}\``).join(', ') : 'none'} | ${verdict} |`);
    }
  }
  const ref = simulate(loadConfig({}), { routers: ['round-robin', 'llm-d'], intervals: false });
  const [rr, ld] = ref.runs.map((r) => r.result);
  const within = (got: number, want: number, tol: number) => Math.abs(got / want - 1) <= tol;
  const refOk = [[rr, REFERENCE.roundRobin], [ld, REFERENCE.llmd]].every(([g, w]) => within((g as SimResult).request_throughput, (w as ReferencePath).request_throughput, TOLERANCE.throughput)
    && within((g as SimResult).mean_ttft_ms, (w as ReferencePath).mean_ttft_ms, TOLERANCE.meanTtft) && within((g as SimResult).mean_tpot_ms, (w as ReferencePath).mean_tpot_ms, TOLERANCE.meanTpot));
  process.stdout.write(`${lines.join('\n')}\n\nreference run within issue 6's tolerances (throughput ±10%, mean TTFT and TPOT ±25%) with the default parameters: ${refOk ? 'met' : 'MISSED'}\n`);
  const rediagnosed = anatomy.filter((m) => m.ownParamsAtAllFit).length;
  process.stdout.write(`validate: ${rows.filter((r) => r.role !== 'excluded').length} predictions x 2 parameter sets${rediagnosed > 0 ? `, ${rediagnosed} missed anchors re-simulated for the diagnosis` : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function worstError(xs: readonly number[]): string {
  return xs.length === 0 ? '-' : `max ${(Math.max(...xs.map(Math.abs)) * 100).toFixed(1)}% over ${xs.length}`;
}

/** A verdict's TTFT cell: the worst error and, where the anchor has them, the regimes kept. */
function ttftCell(v: AnchorVerdict): string {
  return `${worstError(v.ttftErrors)}${v.regimes > 0 ? `; regimes ${v.regimesSame}/${v.regimes} same` : ''}`;
}

/** A verdict in one cell: met or MISSED, then why. */
function verdictCell(v: AnchorVerdict): string {
  return `${v.met ? 'met' : 'MISSED'}: throughput ${worstError(v.throughputErrors)}; TTFT ${ttftCell(v)}`;
}

/** The verdict table rows (anchor | throughput | TTFT | verdict). */
function verdictRows(vs: readonly AnchorVerdict[]): string[] {
  return vs.map((v) => `| ${v.anchor} | ${worstError(v.throughputErrors)} | ${ttftCell(v)} | ${v.met ? 'met' : 'MISSED'} |`);
}

/** Validation rows as the Markdown table of --validate. */
function rowTable(rows: readonly ValidationRow[], showAll: boolean): string[] {
  const out = [
    '| anchor | observation | metric | role | published | predicted (all-fit) | predicted (left out) | error (all-fit) | error (left out) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.role === 'excluded' && !showAll) continue;
    out.push(`| ${r.anchor} | ${r.observation} | ${r.metric} | ${r.role} | ${fmtValue(r.published)} | ${fmtValue(r.predictedAll)} | ${fmtValue(r.predictedLeftOut)} | ${fmtErr(r.errorAll, r, 'predictedAll')} | ${fmtErr(r.errorLeftOut, r, 'predictedLeftOut')} |`);
  }
  return out;
}

/**
 * `--loo-variants`: the verdicts under each linear approximation of the leave-one-out refit
 * (validation.ts LooVariant) from the committed all-fit, side by side. A verdict that changes between
 * them rests on the approximation; one that does not is the model's. Writes nothing.
 */
function looVariants(): void {
  const started = Date.now();
  const fitted = committedFit();
  const refits = linearizedRefitVariants(fitted.params, LOO_VARIANTS, (line) => process.stderr.write(`${line}\n`));
  const cases = anchorCases();
  const verdicts = LOO_VARIANTS.map((v) => anchorVerdicts(validationRows(cases, fitted.params, refits[v])));
  const out = [`| anchor | ${LOO_VARIANTS.join(' | ')} |`, `|---|${LOO_VARIANTS.map(() => '---|').join('')}`];
  for (let i = 0; i < verdicts[0].length; i++) {
    out.push(`| ${verdicts[0][i].anchor} | ${verdicts.map((vs) => verdictCell(vs[i])).join(' | ')} |`);
  }
  const met = verdicts.map((vs) => vs.filter((v) => v.met).length);
  out.push('', `met: ${LOO_VARIANTS.map((v, i) => `${v} ${met[i]}/${verdicts[i].length}`).join(', ')} (the committed refits are full ones: --loo-full); ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** fitted.json's cost without the refits' parameter sets (fitted.json keeps them; the docs need the costs). */
function costSummary(cost: FittedCalibration['cost']): unknown {
  const c = cost as Record<string, unknown>;
  const loo = c.looFull as Record<string, Record<string, unknown>> | undefined;
  if (!loo) return cost;
  const starts = (x: Record<string, unknown>) => Object.fromEntries(Object.entries(x).map(([k, v]) => {
    if (v === null || typeof v !== 'object') return [k, v];
    const { params: _p, ...rest } = v as Record<string, unknown>;
    return [k, rest];
  }));
  return { ...c, looFull: Object.fromEntries(Object.entries(loo).map(([a, x]) => [a, starts(x)])) };
}

/** The constants table and the identifiability table of docs/simulator.md, from the committed fit. */
function docsTables(): void {
  const fitted = fittedCalibration();
  const out = ['| parameter | unit | prior [bounds], σ(ln) | fitted | mechanism | source of the prior |', '|---|---|---|---|---|---|'];
  for (const p of TIMING_PARAMS) {
    const v = fitted?.params[p.name];
    const status = v === undefined ? 'held at prior' : `**${fmtValue(v)}**`;
    out.push(`| \`${p.name}\` | ${p.unit} | ${p.prior} [${p.lower}, ${p.upper}], ${p.sigma} | ${status} | ${p.mechanism} | ${p.source} |`);
  }
  out.push('', '| fixed constant | value | mechanism | source |', '|---|---|---|---|');
  for (const c of FIXED_CONSTANTS) out.push(`| ${c.name} | ${c.value} | ${c.mechanism} | ${c.source} |`);
  out.push('', '| parameter | pinned by (d ln prediction / d ln parameter at the all-fit, largest first) |', '|---|---|');
  for (const r of fitted?.identifiability ?? []) {
    out.push(`| \`${r.param}\` | ${r.pinnedBy.length === 0 ? (fitted!.heldAtPrior.includes(r.param) ? 'no anchor: held at its prior' : 'no observation moves it by 1%: effectively its prior') : r.pinnedBy.map((x) => `${x.key} (${x.sensitivity})`).join('; ')} |`);
  }
  if (fitted) out.push('', `model discrepancy (RMS leave-one-out log error, floored at 0.05): throughput ${fitted.modelSigma.throughput}, TTFT ${fitted.modelSigma.ttft}, TPOT ${fitted.modelSigma.tpot}; fit: ${fitted.method}; ${JSON.stringify(costSummary(fitted.cost))}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * `--loo`: replaces the committed leave-one-out refits (full ones from --loo-full included) by
 * one-step Gauss-Newton refits from the committed all-fit (validation.ts linearizedRefits), then the
 * validation rows and the model discrepancy that depend on them. The all-fit and the ensemble are
 * unchanged. ~35 s; --loo-full is the committed method.
 */
function loo(): void {
  const started = Date.now();
  const fitted = committedFit();
  const refits = linearizedRefits(fitted.params, (line) => process.stderr.write(`${line}\n`));
  const rounded = Object.fromEntries(Object.entries(refits).map(([k, v]) => [k, roundValues(v)]));
  const validation = validationRows(anchorCases(), fitted.params, rounded);
  const method = withLooMethod(fitted.method, 'one Gauss-Newton step from the all-fit without the anchor (Jacobian at the all-fit; validation.ts linearizedRefits)');
  // The linear refits replace every full one (--loo-full), so their record goes too.
  const { looFull: _replaced, ...cost } = fitted.cost as Record<string, unknown>;
  const next = { ...fitted, method, refits: rounded, validation, modelSigma: discrepancy(validation), cost: { ...cost, looWallSeconds: Math.round((Date.now() - started) / 1000) } };
  fs.writeFileSync(FITTED_FILE, `${JSON.stringify(next, null, 1)}\n`);
  process.stdout.write(`rewrote the leave-one-out refits of ${FITTED_FILE} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/**
 * `--loo-full [--warm] [--anchors a,b]`: the leave-one-out refits done in full (validation.ts
 * fullRefit: a Levenberg-Marquardt fit without the anchor, from the priors or, with --warm, from the
 * all-fit), for the anchors named (default: all), merged into the committed fitted.json with the
 * validation rows and the model discrepancy that depend on them. Minutes per anchor; two processes
 * with different --anchors can run side by side (mergeFullRefit holds a lock file).
 */
function looFull(): void {
  const i = process.argv.indexOf('--anchors');
  const names = i > 0 ? (process.argv[i + 1] ?? '').split(',').filter(Boolean) : anchorCases().map((c) => c.anchor);
  // --warm: start at the committed all-fit instead of the priors. Each anchor keeps the start whose
  // result has the lower objective without it (both are refits; the better one is the refit).
  const warm = process.argv.includes('--warm');
  const start = warm ? committedFit().params : undefined;
  const kind = warm ? 'warm' : 'cold';
  for (const anchor of names) {
    const r = fullRefit(anchor, (line) => process.stderr.write(`${line}\n`), { start });
    process.stderr.write(`refit without ${anchor} (${kind}): cost ${r.cost.toFixed(3)}, ${r.iterations} iterations, ${r.simulations} anchor simulations, ${r.wallSeconds} s\n`);
    const refit = roundValues(r.params);
    // Merged after each anchor, so an interrupted run keeps what it finished.
    const kept = mergeFullRefit(anchor, refit, kind, { cost: Number(r.cost.toFixed(3)), iterations: r.iterations, simulations: r.simulations, wallSeconds: r.wallSeconds });
    process.stdout.write(`without ${anchor}: ${kind} refit cost ${r.cost.toFixed(3)}; kept the ${kept} one in ${FITTED_FILE}\n`);
  }
}

/**
 * `--leave-out a,b[,...]`: a diagnosis, not a target. One warm refit (from the committed all-fit)
 * without all the anchors named, then their predictions with it: do anchors that miss their
 * leave-one-out targets pull the shared parameters against each other (leaving both out changes the
 * verdict) or against the rest (it does not)? Writes nothing; ~2.5 minutes for two anchors.
 */
function leaveOut(): void {
  const i = process.argv.indexOf('--leave-out');
  const names = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
  if (names.length === 0) throw new Error('--leave-out needs anchor names, comma-separated (npm run bench:sim -- --leave-out a,b)');
  const fitted = committedFit();
  const r = fullRefit(names, (line) => process.stderr.write(`${line}\n`), { start: fitted.params });
  const cases = anchorCases().filter((c) => names.includes(c.anchor));
  const refit = roundValues(r.params);
  const rows = validationRows(cases, fitted.params, Object.fromEntries(names.map((n) => [n, refit])));
  const out = [`refit without ${names.join(' + ')} (warm): cost ${r.cost.toFixed(3)}, ${r.iterations} iterations, ${r.wallSeconds} s`, '', ...rowTable(rows, false), '',
    '| anchor | throughput errors (left out together) | TTFT errors | verdict |', '|---|---|---|---|', ...verdictRows(anchorVerdicts(rows))];
  const moved = Object.keys(refit).filter((k) => Math.abs(Math.log(refit[k] / fitted.params[k])) > 0.02);
  out.push('', `parameters moved by more than 2% from the all-fit: ${moved.length === 0 ? 'none' : moved.map((k) => `${k} ${fmtValue(fitted.params[k])} -> ${fmtValue(refit[k])}`).join('; ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

interface StartStats {
  cost: number;
  iterations: number;
  simulations: number;
  wallSeconds: number;
  /** The refit from this start (absent in entries written before it was kept per start). */
  params?: Record<string, number>;
}

interface LooFullStats {
  cold?: StartStats;
  warm?: StartStats;
  kept: 'cold' | 'warm';
}

/**
 * Records one start's refit of `anchor` and makes the refit of the start with the lower objective the
 * committed one; the validation rows and the model discrepancy follow. Under a lock file, written
 * atomically: two --loo-full processes may merge at the same time.
 */
function mergeFullRefit(anchor: string, refit: Record<string, number>, kind: 'cold' | 'warm', stat: Omit<StartStats, 'params'>): 'cold' | 'warm' {
  return withFittedLock(() => {
    const fitted = JSON.parse(fs.readFileSync(FITTED_FILE, 'utf8')) as FittedCalibration;
    const stored = ((fitted.cost as Record<string, unknown>).looFull as Record<string, LooFullStats | StartStats> | undefined) ?? {};
    // An entry without `kept` is a cold refit's stats (the first format).
    const previous: Record<string, LooFullStats> = Object.fromEntries(Object.entries(stored).map(([a, v]) => [a, 'kept' in v ? v : { cold: v, kept: 'cold' as const }]));
    const mine: LooFullStats = { ...previous[anchor], [kind]: { ...stat, params: refit }, kept: kind };
    const starts = (['cold', 'warm'] as const).filter((k) => mine[k] !== undefined);
    mine.kept = starts.reduce((x, y) => (mine[y]!.cost < mine[x]!.cost ? y : x));
    // A kept start recorded before its parameters were stored is the refit already committed.
    const keptParams = mine[mine.kept]!.params ?? (mine.kept === previous[anchor]?.kept ? fitted.refits[anchor] : undefined);
    if (!keptParams) throw new Error(`the ${mine.kept} refit without ${anchor} is the better one but its parameters were not stored: rerun it (--loo-full${mine.kept === 'warm' ? ' --warm' : ''} --anchors ${anchor})`);
    const refits = { ...fitted.refits, [anchor]: keptParams };
    const full = { ...previous, [anchor]: mine };
    const fullNames = Object.keys(full).sort();
    const rest = Object.keys(refits).filter((x) => !fullNames.includes(x)).sort();
    const validation = validationRows(anchorCases(), fitted.params, refits);
    const method = withLooMethod(fitted.method, `Levenberg-Marquardt without the anchor (<= 12 iterations, from the priors and/or from the all-fit, the lower objective kept; validation.ts fullRefit) for ${fullNames.join(', ')}${rest.length > 0 ? `; one Gauss-Newton step from the all-fit (linearizedRefits) for ${rest.join(', ')}` : ''}`);
    const { looWallSeconds: _stale, ...cost } = fitted.cost as Record<string, unknown>;
    const next = { ...fitted, method, refits, validation, modelSigma: discrepancy(validation), cost: { ...cost, looFull: full } };
    writeFileAtomic(FITTED_FILE, `${JSON.stringify(next, null, 1)}\n`);
    return mine.kept;
  });
}

/** Runs `fn` holding fitted.json's lock file (waits up to 2 minutes for another holder). */
function withFittedLock<T>(fn: () => T): T {
  const lock = `${FITTED_FILE}.lock`;
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() > until) throw new Error(`${lock} has been held for 2 minutes: another --loo-full merging, or a stale lock (remove it if no other process runs)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

if (process.argv.includes('--fit')) fit();
else if (process.argv.includes('--loo-full')) looFull();
else if (process.argv.includes('--leave-out')) leaveOut();
else if (process.argv.includes('--loo-variants')) looVariants();
else if (process.argv.includes('--loo')) loo();
else if (process.argv.includes('--docs')) docsTables();
else if (process.argv.includes('--validate')) validate();
else if (process.argv.includes('--holdout')) process.stdout.write(`${holdoutTable(holdoutRows())}\n`);
else if (process.argv.includes('--calibration')) calibrationTable();
else if (process.argv.includes('--what-if')) whatIf();
else bench().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
