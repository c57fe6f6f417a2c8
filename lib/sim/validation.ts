/**
 * Fit and leave-one-out validation of the timing model on the public anchors (issue 12 §2), and the
 * ensemble the intervals are drawn from (§3). Run by `npm run bench:sim -- --fit`, which writes
 * lib/sim/calibration/fitted.json; `--validate` re-simulates every anchor with the committed all-fit
 * and leave-one-out parameters and prints the table. Never run inside `npm test` (minutes of CPU).
 *
 *  1. Which parameters the anchors can pin: those some fitted observation's simulations depend on
 *     (its GPU architecture's efficiencies, the CPU and request-path terms its path uses, fp8/eager
 *     terms where used). The rest (Ada, Blackwell, fp8 on fp8-capable GPUs, ...) are held at their
 *     priors, and the identifiability table says so.
 *  2. Fit once on all anchors: Levenberg-Marquardt (fit/lm.ts) on the weighted log errors + priors.
 *  3. Leave-one-out: refit without anchor k, predict k. `--fit` writes one Gauss-Newton step from
 *     the all-fit (linearizedRefits); the committed refits are full ones (fullRefit, `--loo-full`:
 *     Levenberg-Marquardt from the priors and from the all-fit, the lower objective kept).
 *  4. Ensemble: draws from the Laplace posterior of the all-fit (J^T J, scaled by the reduced
 *     chi-square when > 1) for the fitted parameters, from the priors for the held ones. Seeded.
 *  5. Model discrepancy per metric family: the RMS leave-one-out log error (what the parameters cannot
 *     explain), added to the interval widths in intervals.ts.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ANCHOR_DIR, loadAnchors } from './anchors';
import { type AnchorCase, anchorCases, PREDICTOR_VERSION, predictCase, type Regime } from './anchor-predict';
import type { FittedCalibration, ValidationRow } from './calibration/fitted';
import type { FitObservation, ParamSpec } from './fit/fit';
import { cholesky, invert, levenbergMarquardt, type LmResult, solve } from './fit/lm';
import { Rng } from './rng';
import { ARCHITECTURES, priorTimingValues, TIMING_PARAMS } from './timing-params';
import { loadConfig } from '../config';
import { MODELS } from '../config/tables/models';
import type { Coverage } from './envelope';
import { VALIDATION_GPUS } from './anchor-predict';
import { gpuFacts } from '../config';

export const ENSEMBLE_SIZE = 12;
export const ENSEMBLE_SEED = 12;

/** A hash of what the fit reads: every anchor fixture, the parameter table and the predictor version. */
export function inputsHash(dir: string = ANCHOR_DIR): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    h.update(f);
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  h.update(JSON.stringify(TIMING_PARAMS));
  h.update(`predictor ${PREDICTOR_VERSION}`);
  return h.digest('hex').slice(0, 16);
}

/** The GPU architecture each run of a case simulates. */
function architecturesOf(c: AnchorCase): Set<string> {
  const out = new Set<string>();
  for (const run of c.runs) out.add((run.model.gpu ?? gpuFacts(loadConfig(run.context))).architecture);
  return out;
}

/** Parameters a case's predictions depend on (structurally). */
export function caseParams(c: AnchorCase): Set<string> {
  const out = new Set<string>(['attentionHalfContext', 'engineStepMs', 'engineSeqMs']);
  for (const a of architecturesOf(c)) for (const k of ['weightBandwidth', 'kvBandwidth', 'matmul', 'attention']) out.add(`${k}.${a}`);
  for (const run of c.runs) {
    if (run.model.frontend !== 'offline') for (const k of ['apiRequestMs', 'apiTokenUs', 'apiOutputUs']) out.add(k);
    if (run.router.startsWith('llm-d')) for (const k of ['envoyHopMs', 'eppScheduleMs']) out.add(k);
    if (run.model.enforceEager) out.add('eagerLayerMs');
    if (run.model.setupLatencyParam) out.add(run.model.setupLatencyParam);
    if (run.context['vllm.kvCacheDtype'] === 'fp8') {
      const gpu = run.model.gpu ?? gpuFacts(loadConfig(run.context));
      if (gpu.fp8Tflops === undefined) {
        out.add('fp8KvRead.noFp8');
        out.add('fp8KvPrefill.noFp8');
      } else {
        out.add('fp8KvRead.fp8');
      }
    }
  }
  return out;
}

function fitObservationsOf(c: AnchorCase): FitObservation[] {
  return c.observations
    .filter((o) => o.role === 'fit' && typeof o.published === 'number' && o.published > 0)
    .map((o) => ({ group: c.anchor, key: o.key, published: o.published as number, weight: 1 / o.uncertainty ** 2 }));
}

export interface FitLog {
  (line: string): void;
}

/** Parameters some fitted observation of these cases depends on: what a fit over them can move. */
function pinnableParams(cases: readonly AnchorCase[], deps: ReadonlyMap<string, ReadonlySet<string>> = new Map(cases.map((c) => [c.anchor, caseParams(c)]))): Set<string> {
  const out = new Set<string>();
  for (const c of cases) if (fitObservationsOf(c).length > 0) for (const p of deps.get(c.anchor)!) out.add(p);
  return out;
}

/**
 * The fit over these anchor cases: each anchor's case and the parameters its simulations depend on,
 * the fitted observations, the parameters some fitted observation can pin (fitted) and the rest (held
 * at their priors). The all-anchor fit and the leave-one-out steps share it.
 */
function fitProblem(cases: readonly AnchorCase[]) {
  const byAnchor = new Map(cases.map((c) => [c.anchor, c]));
  const deps = new Map(cases.map((c) => [c.anchor, caseParams(c)]));
  const observations = cases.flatMap(fitObservationsOf);
  const pinnable = pinnableParams(cases, deps);
  const specs: ParamSpec[] = TIMING_PARAMS.filter((p) => pinnable.has(p.name)).map((p) => ({ name: p.name, prior: p.prior, lower: p.lower, upper: p.upper, sigma: p.sigma }));
  const held = TIMING_PARAMS.filter((p) => !pinnable.has(p.name)).map((p) => p.name);
  return { byAnchor, deps, observations, specs, held };
}

/** Runs the fit, the leave-one-out refits and the ensemble; returns the content of fitted.json. */
export function runFit(log: FitLog = () => undefined, options: { maxIterations?: number; start?: Readonly<Record<string, number>> } = {}): FittedCalibration {
  const started = Date.now();
  const cases = anchorCases(loadAnchors());
  const { byAnchor, deps, observations, specs, held } = fitProblem(cases);
  log(`${cases.length} anchors, ${observations.length} fitted observations, ${specs.length} parameters fitted, ${held.length} held at priors`);

  const predictor = cachedPredictor(byAnchor, deps);
  const predict = predictor.predict;
  const dependsOn = (group: string, name: string) => deps.get(group)!.has(name);
  const lm = (obs: FitObservation[], start?: Record<string, number>, label = 'all', maxIterations = options.maxIterations ?? 12): LmResult => levenbergMarquardt(specs, obs, predict, {
    start, dependsOn, maxIterations,
    onIteration: (i, cost, lambda) => log(`  [${label}] iteration ${i}: cost ${cost.toFixed(3)} (lambda ${lambda.toExponential(1)}), ${predictor.simulations()} anchor simulations, ${((Date.now() - started) / 1000).toFixed(0)} s`),
  });

  // A warm start (--continue: the committed all-fit) resumes a fit that ran out of iterations.
  const start = startWithin(specs, options.start);
  const all = lm(observations, start);
  log(`all-anchor fit: cost ${all.cost.toFixed(3)} (data ${all.dataCost.toFixed(3)}, priors ${all.priorCost.toFixed(3)}), ${all.iterations} iterations`);
  // Leave-one-out: one Gauss-Newton step without each anchor (an LM refit from the all-fit rarely moves).
  const refits = linearizedRefits(all.params, log);

  const validation = validationRows(cases, all.params, refits);
  const modelSigma = discrepancy(validation);
  const ensemble = drawEnsemble(specs, all, held);
  const identifiability = identifiabilityTable(specs, held, all);
  return {
    version: 1,
    inputsHash: inputsHash(),
    generated: 'npm run bench:sim -- --fit (lib/sim/validation.ts)',
    method: `Levenberg-Marquardt on sqrt(w) ln(predicted/published) + ln(x/prior)/sigma; forward differences (5% in ln x); all-fit <= ${options.maxIterations ?? 12} iterations (${all.iterations} run)${start ? ', warm-started from the previous committed all-fit' : ''}; leave-one-out refits: one Gauss-Newton step from the all-fit without the anchor (Jacobian at the all-fit; linearizedRefits); ensemble: ${ENSEMBLE_SIZE} Laplace draws (seed ${ENSEMBLE_SEED})`,
    fitted: specs.map((s) => s.name),
    heldAtPrior: held,
    params: roundValues(all.params),
    refits: Object.fromEntries(Object.entries(refits).map(([k, v]) => [k, roundValues(v)])),
    ensemble: ensemble.map(roundValues),
    modelSigma,
    validation,
    identifiability,
    coverage: coverageOf(cases),
    cost: {
      simulatedRequestsPerEvaluation: Object.fromEntries(cases.map((c) => [c.anchor, c.simulatedRequests])),
      anchorSimulations: predictor.simulations(),
      wallSeconds: Math.round((Date.now() - started) / 1000),
    },
  };
}

/** predictCase of an anchor, numeric keys only, cached on the values of the parameters it depends on. */
function cachedPredictor(byAnchor: ReadonlyMap<string, AnchorCase>, deps: ReadonlyMap<string, ReadonlySet<string>>) {
  const priors = priorTimingValues();
  const cache = new Map<string, Record<string, number>>();
  let simulations = 0;
  const predict = (group: string, params: Readonly<Record<string, number>>): Record<string, number> => {
    const relevant = [...deps.get(group)!].sort();
    const key = `${group}|${relevant.map((n) => (params[n] ?? priors[n]).toPrecision(10)).join(',')}`;
    const hit = cache.get(key);
    if (hit) return hit;
    simulations++;
    const out = predictCase(byAnchor.get(group)!, { ...priors, ...params });
    const numeric = Object.fromEntries(Object.entries(out).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    cache.set(key, numeric);
    return numeric;
  };
  return { predict, simulations: () => simulations };
}

/**
 * The leave-one-out refit done in full: Levenberg-Marquardt on every anchor but `left` (one anchor;
 * several for a leave-k-out diagnosis of anchors that pull against each other), from the
 * priors (`start` undefined: as cold as the all-fit, same iteration limit) or from `start` (the
 * all-fit: warm). Parameters no other anchor pins stay at their priors either way. Returns the
 * objective without the left-out anchors at the result, so starts can be compared. Minutes per refit;
 * `npm run bench:sim -- --loo-full` runs it per anchor and stores the better start, `--leave-out`
 * once for several.
 */
export function fullRefit(left: string | readonly string[], log: FitLog = () => undefined, options: { maxIterations?: number; start?: Readonly<Record<string, number>> } = {}): { params: Record<string, number>; cost: number; iterations: number; simulations: number; wallSeconds: number } {
  const started = Date.now();
  const cases = anchorCases(loadAnchors());
  const leftOut = typeof left === 'string' ? [left] : [...left];
  for (const a of leftOut) if (!cases.some((c) => c.anchor === a)) throw new Error(`no anchor "${a}" (anchors: ${cases.map((c) => c.anchor).join(', ')})`);
  const anchor = leftOut.join(' + ');
  const allSpecs = fitProblem(cases).specs;
  const { byAnchor, deps, observations, specs } = fitProblem(cases.filter((c) => !leftOut.includes(c.anchor)));
  const predictor = cachedPredictor(byAnchor, deps);
  const start = startWithin(specs, options.start);
  const r = levenbergMarquardt(specs, observations, predictor.predict, {
    start,
    dependsOn: (g, name) => deps.get(g)!.has(name),
    maxIterations: options.maxIterations ?? 12,
    onIteration: (i, cost, lambda) => log(`  [without ${anchor}${start ? ', warm' : ''}] iteration ${i}: cost ${cost.toFixed(3)} (lambda ${lambda.toExponential(1)}), ${predictor.simulations()} anchor simulations, ${((Date.now() - started) / 1000).toFixed(0)} s`),
  });
  const params = Object.fromEntries(allSpecs.map((s) => [s.name, r.params[s.name] ?? s.prior]));
  return { params, cost: r.cost, iterations: r.iterations, simulations: predictor.simulations(), wallSeconds: Math.round((Date.now() - started) / 1000) };
}

/** The values of `start` for the parameters being fitted (undefined: start at the priors). */
function startWithin(specs: readonly ParamSpec[], start?: Readonly<Record<string, number>>): Record<string, number> | undefined {
  return start ? Object.fromEntries(specs.filter((sp) => start[sp.name] !== undefined).map((sp) => [sp.name, start[sp.name]])) : undefined;
}

/** Parameter values to six significant digits, as fitted.json stores them. */
export function roundValues(v: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Number(x.toPrecision(6))]));
}

/** Every observation of every anchor, predicted with the all-fit and with the fit that left its anchor out. */
export function validationRows(cases: readonly AnchorCase[], all: Readonly<Record<string, number>>, refits: Readonly<Record<string, Readonly<Record<string, number>>>>): ValidationRow[] {
  const priors = priorTimingValues();
  return cases.flatMap((c) => caseRows(c, predictCase(c, { ...priors, ...all }), predictCase(c, { ...priors, ...(refits[c.anchor] ?? all) })));
}

/** The rows of one case from its predictions with the all-fit (`a`) and with its left-out refit (`l`). */
function caseRows(c: AnchorCase, a: Readonly<Record<string, number | Regime>>, l: Readonly<Record<string, number | Regime>>): ValidationRow[] {
  return c.observations.map((o) => {
    const pa = o.predict ? a[o.key] : null;
    const pl = o.predict ? l[o.key] : null;
    const err = (v: number | Regime | null): number | null => (typeof v === 'number' && typeof o.published === 'number' ? v / o.published - 1 : null);
    return {
      anchor: c.anchor, observation: o.observation, metric: o.metric, role: o.role, family: o.family,
      published: o.published,
      predictedAll: typeof pa === 'number' ? Number(pa.toPrecision(5)) : pa,
      predictedLeftOut: typeof pl === 'number' ? Number(pl.toPrecision(5)) : pl,
      errorAll: err(pa), errorLeftOut: err(pl),
      note: o.note,
    };
  });
}

/** RMS leave-one-out log error of the fitted observations, per metric family (floored at 5%). */
export function discrepancy(rows: readonly ValidationRow[]): Record<'throughput' | 'ttft' | 'tpot', number> {
  const out = { throughput: 0.05, ttft: 0.05, tpot: 0.05 };
  for (const fam of ['throughput', 'ttft', 'tpot'] as const) {
    const errs = rows.filter((r) => r.role === 'fit' && r.family === fam && r.errorLeftOut !== null).map((r) => Math.log(1 + (r.errorLeftOut as number)));
    if (errs.length > 0) out[fam] = Math.max(0.05, Number(Math.sqrt(errs.reduce((s, e) => s + e * e, 0) / errs.length).toFixed(4)));
  }
  return out;
}

function drawEnsemble(specs: readonly ParamSpec[], all: LmResult, held: readonly string[]): Record<string, number>[] {
  const n = specs.length;
  const dof = Math.max(1, all.dataResiduals - n);
  const chi2 = Math.max(1, all.dataCost / dof);
  const inv = invert(all.jtj);
  const cov = inv ? inv.map((row) => row.map((v) => v * chi2)) : specs.map((s, i) => specs.map((_, j) => (i === j ? s.sigma ** 2 : 0)));
  const L = cholesky(cov);
  const rng = new Rng(ENSEMBLE_SEED, 7);
  const heldSpecs = TIMING_PARAMS.filter((p) => held.includes(p.name));
  const out: Record<string, number>[] = [];
  for (let k = 0; k < ENSEMBLE_SIZE; k++) {
    const e = specs.map(() => rng.normal());
    const member: Record<string, number> = {};
    specs.forEach((s, i) => {
      let dz = 0;
      for (let j = 0; j <= i; j++) dz += L[i][j] * e[j];
      member[s.name] = clampTo(s.lower, s.upper, all.params[s.name] * Math.exp(dz));
    });
    for (const p of heldSpecs) member[p.name] = clampTo(p.lower, p.upper, p.prior * Math.exp(p.sigma * rng.normal()));
    out.push(member);
  }
  return out;
}

function clampTo(lo: number, hi: number, x: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function identifiabilityTable(specs: readonly ParamSpec[], held: readonly string[], all: LmResult): FittedCalibration['identifiability'] {
  const rows: { param: string; pinnedBy: { key: string; sensitivity: number }[] }[] = [];
  for (const s of specs) {
    const sens = Object.entries(all.sensitivity[s.name] ?? {})
      .map(([key, v]) => ({ key, sensitivity: Number(v.toFixed(3)) }))
      .filter((x) => Math.abs(x.sensitivity) >= 0.01)
      .sort((a, b) => Math.abs(b.sensitivity) - Math.abs(a.sensitivity))
      .slice(0, 4);
    rows.push({ param: s.name, pinnedBy: sens });
  }
  for (const name of held) rows.push({ param: name, pinnedBy: [] });
  return rows;
}

/** What the anchors cover, for the calibration distance (envelope.ts). */
export function coverageOf(cases: readonly AnchorCase[]): Coverage {
  const cov = cases.map((c) => c.coverage);
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const flights = cov.flatMap((c) => c.inFlightPerReplica);
  const params = uniq(cov.map((c) => MODELS[c.modelId]?.parameters).filter((x): x is number => x !== undefined));
  return {
    gpus: uniq(cov.map((c) => c.gpu)).sort(),
    architectures: uniq(cov.map((c) => c.architecture)).sort(),
    modelParameters: params.sort((a, b) => a - b),
    tensorParallel: uniq(cov.map((c) => c.tensorParallel)).sort((a, b) => a - b),
    workloads: cov.flatMap((c) => c.workloads),
    inFlightPerReplica: [Math.min(...flights), Math.max(...flights)],
    fp8Architectures: uniq(cov.filter((c) => c.kvCacheDtypes.includes('fp8')).map((c) => c.architecture)).sort(),
  };
}

/** Architectures some anchor runs on (for the calibration distance). */
export function anchoredArchitectures(): string[] {
  const out = new Set<string>();
  for (const c of anchorCases()) for (const a of architecturesOf(c)) out.add(a);
  return ARCHITECTURES.filter((a) => out.has(a));
}

export { VALIDATION_GPUS };

/**
 * How a leave-one-out refit is approximated from the all-fit (`--loo-variants` compares them; `--fit`
 * and `--loo` write 'gauss-newton'; the committed refits are full ones, fullRefit):
 *  - 'gauss-newton': one Gauss-Newton step of the objective without anchor k from the all-fit. Exact
 *    for a linear model from any start; a parameter only k pinned relaxes to its prior.
 *  - 'influence': the infinitesimal jackknife, δ = (H without k)⁻¹ J_kᵀ r_k: takes the all-fit as
 *    stationary (what LM's rejected steps suggest) and removes only k's pull.
 *  - 'net-of-all-step': the Gauss-Newton step without k minus the step with every anchor: what removing
 *    k changes, net of the move the linear model would still make with all anchors.
 * The three agree at a stationary all-fit of a linear model; where they disagree on a verdict, the
 * verdict rests on the linearization, not on the model.
 */
export type LooVariant = 'gauss-newton' | 'influence' | 'net-of-all-step';
export const LOO_VARIANTS: readonly LooVariant[] = ['gauss-newton', 'influence', 'net-of-all-step'];

/** One linearized residual: its anchor, sqrt(w) x log error, and its row of the Jacobian in z = ln x. */
export interface LinearRow {
  readonly group: string;
  readonly r: number;
  readonly j: readonly number[];
}

/**
 * The leave-one-out step in z = ln(x) for anchor `anchor`: normal equations of the weighted residual
 * rows and the priors (P = diag(1/σ²)) at z0,
 *   δ = −(Σ_{i∉k} J_i J_iᵀ + P)⁻¹ (Σ_{i∉k} J_i r_i + P (z0 − z_prior))      (gauss-newton)
 * and the two variants above. Pure: the same rows give the same steps.
 */
export function looStep(rows: readonly LinearRow[], specs: readonly ParamSpec[], z0: readonly number[], anchor: string, variant: LooVariant): number[] {
  const n = specs.length;
  const normal = (skip: string | undefined) => {
    const A = specs.map((s, a) => specs.map((_t, b) => (a === b ? 1 / s.sigma ** 2 : 0)));
    const g = specs.map((s, a) => (z0[a] - Math.log(s.prior)) / s.sigma ** 2);
    for (const row of rows) {
      if (row.group === skip) continue;
      for (let a = 0; a < n; a++) {
        g[a] += row.j[a] * row.r;
        for (let b = 0; b < n; b++) A[a][b] += row.j[a] * row.j[b];
      }
    }
    return { A, g };
  };
  const zero = () => new Array<number>(n).fill(0);
  const without = normal(anchor);
  if (variant === 'influence') {
    const gk = zero();
    for (const row of rows) if (row.group === anchor) for (let a = 0; a < n; a++) gk[a] += row.j[a] * row.r;
    return solve(without.A, gk) ?? zero();
  }
  const step = solve(without.A, without.g.map((v) => -v)) ?? zero();
  if (variant === 'gauss-newton') return step;
  const all = normal(undefined);
  const stepAll = solve(all.A, all.g.map((v) => -v)) ?? zero();
  return step.map((d, a) => d - stepAll[a]);
}

/**
 * Leave-one-out refits by a linear step from the all-fit (default: one Gauss-Newton step, the
 * committed method): with J and the residuals at the all-fit, the fit without anchor k moves by
 * looStep(...), clamped to the bounds. An LM refit from the all-fit often cannot move at all (the
 * simulated objective is not smooth at the 5% difference step: every trial step is "worse" by noise),
 * which silently returns the all-fit as the "left-out" prediction; a linear step always removes anchor
 * k's pull (a parameter only k pinned relaxes to its prior). Costs one Jacobian (one simulation per
 * parameter and dependent anchor), shared by every variant asked for.
 */
export function linearizedRefits(all: Readonly<Record<string, number>>, log: FitLog = () => undefined): Record<string, Record<string, number>> {
  return linearizedRefitVariants(all, ['gauss-newton'], log)['gauss-newton'];
}

export function linearizedRefitVariants(all: Readonly<Record<string, number>>, variants: readonly LooVariant[], log: FitLog = () => undefined): Record<LooVariant, Record<string, Record<string, number>>> {
  const cases = anchorCases(loadAnchors());
  const { byAnchor, deps, observations, specs } = fitProblem(cases);
  const predictor = cachedPredictor(byAnchor, deps);
  // maxIterations 0: predictions and the Jacobian at the all-fit, no step.
  const at = levenbergMarquardt(specs, observations, predictor.predict, { start: { ...all }, maxIterations: 0, dependsOn: (g, name) => deps.get(g)!.has(name) });
  log(`Jacobian at the all-fit: ${predictor.simulations()} anchor simulations`);
  const z0 = specs.map((s) => Math.log(all[s.name] ?? s.prior));
  const rows: LinearRow[] = observations.map((x) => {
    const v = at.predicted[x.key];
    const w = Math.sqrt(x.weight);
    return { group: x.group, r: w * (v > 0 && Number.isFinite(v) ? Math.log(v / x.published) : 5), j: specs.map((s) => w * at.sensitivity[s.name][x.key]) };
  });
  const out = {} as Record<LooVariant, Record<string, Record<string, number>>>;
  for (const variant of variants) {
    out[variant] = {};
    for (const c of cases) {
      const delta = looStep(rows, specs, z0, c.anchor, variant);
      out[variant][c.anchor] = Object.fromEntries(specs.map((s, a) => [s.name, clampTo(s.lower, s.upper, Math.exp(z0[a] + delta[a]))]));
    }
  }
  return out;
}

/** Issue 12's targets per anchor: left-out throughput within ±15%, TTFT within ±35%, regimes the same. */
export interface AnchorVerdict {
  readonly anchor: string;
  readonly throughputErrors: readonly number[];
  readonly ttftErrors: readonly number[];
  readonly regimes: number;
  readonly regimesSame: number;
  readonly met: boolean;
}

export const LOO_TARGETS = { throughput: 0.15, ttft: 0.35 } as const;

export function anchorVerdicts(rows: readonly ValidationRow[]): AnchorVerdict[] {
  return [...new Set(rows.map((r) => r.anchor))].map((anchor) => {
    const mine = rows.filter((r) => r.anchor === anchor && r.role !== 'excluded');
    const errors = (family: string) => mine.filter((r) => r.role === 'fit' && r.family === family && r.errorLeftOut !== null).map((r) => r.errorLeftOut as number);
    const throughputErrors = errors('throughput');
    const ttftErrors = errors('ttft');
    const regimeRows = mine.filter((r) => r.family === 'regime');
    const regimesSame = regimeRows.filter((r) => r.predictedLeftOut === r.published).length;
    const met = throughputErrors.every((e) => Math.abs(e) <= LOO_TARGETS.throughput) && ttftErrors.every((e) => Math.abs(e) <= LOO_TARGETS.ttft) && regimesSame === regimeRows.length;
    return { anchor, throughputErrors, ttftErrors, regimes: regimeRows.length, regimesSame, met };
  });
}

/**
 * Parameters that only `anchor`'s fitted observations can move: every other anchor's simulations are
 * independent of them, so a refit without the anchor holds them at their priors, and the left-out
 * prediction of the anchor is as good as those priors.
 */
export function pinnedOnlyBy(cases: readonly AnchorCase[], anchor: string): string[] {
  const mine = cases.filter((c) => c.anchor === anchor);
  // The rule the fits use (fitProblem): pinnable with the anchor, not without it.
  const elsewhere = pinnableParams(cases.filter((c) => c.anchor !== anchor));
  return [...pinnableParams(mine)].filter((p) => !elsewhere.has(p)).sort();
}

export interface MissAnatomy {
  readonly anchor: string;
  readonly pinnedOnlyHere: readonly string[];
  /** The left-out verdict with those parameters at the all-fit; undefined when nothing is pinned only here. */
  readonly ownParamsAtAllFit?: AnchorVerdict;
}

/**
 * What a missed anchor's left-out error is made of: the verdict again with the parameters only it pins
 * at their all-fit values and everything else from the refit without it. A verdict that turns to met
 * says the miss is those parameters' priors (no other anchor can inform them); one that stays missed
 * says the other anchors pull the shared parameters away from it. A diagnosis only: the verdicts of
 * the issue's targets stay those of `anchorVerdicts` on the plain leave-one-out rows.
 */
export function missAnatomy(cases: readonly AnchorCase[], all: Readonly<Record<string, number>>, refits: Readonly<Record<string, Readonly<Record<string, number>>>>, anchors: readonly string[]): MissAnatomy[] {
  const priors = priorTimingValues();
  return anchors.map((anchor) => {
    const pinnedOnlyHere = pinnedOnlyBy(cases, anchor);
    if (pinnedOnlyHere.length === 0) return { anchor, pinnedOnlyHere };
    const refit = refits[anchor];
    if (!refit) throw new Error(`no leave-one-out refit for ${anchor} in the fit: run npm run bench:sim -- --loo-full --anchors ${anchor}`);
    const missing = pinnedOnlyHere.filter((p) => all[p] === undefined);
    if (missing.length > 0) throw new Error(`the all-fit has no value for ${missing.join(', ')} (pinned by ${anchor}): the fit is older than its anchors; re-run --fit`);
    const c = cases.find((x) => x.anchor === anchor)!;
    const l = predictCase(c, { ...priors, ...refit, ...Object.fromEntries(pinnedOnlyHere.map((p) => [p, all[p]])) });
    // Only the left-out side is judged; the all-fit side is the same prediction, not re-simulated.
    return { anchor, pinnedOnlyHere, ownParamsAtAllFit: anchorVerdicts(caseRows(c, l, l))[0] };
  });
}
