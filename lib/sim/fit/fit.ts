/**
 * Fitting a parameter vector to published anchors, and leave-one-out validation (issue 12 §2).
 *
 * Independent of the simulator: the caller supplies `predict(group, params)`, which returns the
 * predicted value of every observation key of one group (an anchor: one simulation can answer all its
 * observations at once). The objective is the weighted sum of squared log errors plus, per parameter,
 * a log-normal prior penalty ((ln(x / prior) / sigma)^2): a parameter no observation moves stays at its
 * prior instead of drifting, and `sensitivities()` says which observation pins which parameter.
 *
 * Bounds are enforced by optimising u = logit((ln x - ln lower) / (ln upper - ln lower)), so every
 * point Nelder-Mead tries maps into [lower, upper] and parameters move in relative (log) steps.
 */
import { nelderMead, type NelderMeadOptions } from './nelder-mead';

export interface ParamSpec {
  readonly name: string;
  /** Where the prior is centred (the cited value from docs/prediction-sources.md). */
  readonly prior: number;
  readonly lower: number;
  readonly upper: number;
  /** Width of the log-normal prior: standard deviation of ln(x / prior). Infinity = flat within bounds. */
  readonly sigma: number;
}

export interface FitObservation {
  /** The leave-one-out unit (an anchor id). */
  readonly group: string;
  /** Unique key, e.g. `<anchor>/<observation>/<metric>`. */
  readonly key: string;
  readonly published: number;
  /**
   * 1 / (relative uncertainty of the published number)^2: a throughput good to 5 % weighs 400, a
   * "low-confidence" TTFT good to 50 % weighs 4. With this scale the data term and the prior term are
   * both chi-squares and compare directly.
   */
  readonly weight: number;
}

export type Params = Readonly<Record<string, number>>;
/** Predicted values for the observation keys of one group. Must be deterministic for a given input. */
export type Predictor = (group: string, params: Params) => Readonly<Record<string, number>>;

export interface Residual {
  readonly group: string;
  readonly key: string;
  readonly published: number;
  readonly predicted: number;
  /** ln(predicted / published). */
  readonly logError: number;
}

export interface FitResult {
  readonly params: Params;
  /** Data part of the objective (weighted squared log errors). */
  readonly dataLoss: number;
  /** Prior part of the objective. */
  readonly priorLoss: number;
  readonly residuals: readonly Residual[];
  readonly converged: boolean;
  readonly evaluations: number;
}

export interface FitOptions extends NelderMeadOptions {
  /** Start here instead of at the priors (leave-one-out refits start from the all-anchor fit). */
  readonly start?: Params;
}

function checkSpecs(specs: readonly ParamSpec[]): void {
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) throw new Error(`parameter ${s.name} is declared twice`);
    names.add(s.name);
    if (!(s.lower > 0 && s.lower < s.upper)) throw new Error(`parameter ${s.name}: bounds must satisfy 0 < lower < upper (got ${s.lower}, ${s.upper})`);
    if (!(s.prior >= s.lower && s.prior <= s.upper)) throw new Error(`parameter ${s.name}: prior ${s.prior} is outside [${s.lower}, ${s.upper}]`);
    if (!(s.sigma > 0)) throw new Error(`parameter ${s.name}: sigma must be > 0 (Infinity for a flat prior)`);
  }
}

const EDGE = 1e-9;
function toU(s: ParamSpec, x: number): number {
  const t = Math.min(1 - EDGE, Math.max(EDGE, Math.log(x / s.lower) / Math.log(s.upper / s.lower)));
  return Math.log(t / (1 - t));
}
function fromU(s: ParamSpec, u: number): number {
  const t = 1 / (1 + Math.exp(-u));
  return s.lower * Math.exp(t * Math.log(s.upper / s.lower));
}

function priorLoss(specs: readonly ParamSpec[], p: Params): number {
  let loss = 0;
  for (const s of specs) if (Number.isFinite(s.sigma)) loss += (Math.log(p[s.name] / s.prior) / s.sigma) ** 2;
  return loss;
}

/** Residuals of every observation under `params` (one predict call per group). */
export function residuals(observations: readonly FitObservation[], predict: Predictor, params: Params): Residual[] {
  const byGroup = new Map<string, FitObservation[]>();
  for (const o of observations) {
    if (!(o.published > 0)) throw new Error(`${o.key}: published value must be > 0 for a log error (got ${o.published})`);
    byGroup.set(o.group, [...(byGroup.get(o.group) ?? []), o]);
  }
  const out: Residual[] = [];
  for (const [group, obs] of byGroup) {
    const predicted = predict(group, params);
    for (const o of obs) {
      const v = predicted[o.key];
      if (v === undefined) throw new Error(`predict("${group}") returned no value for ${o.key}`);
      out.push({ group, key: o.key, published: o.published, predicted: v, logError: v > 0 ? Math.log(v / o.published) : Number.POSITIVE_INFINITY });
    }
  }
  return out;
}

function dataLoss(observations: readonly FitObservation[], res: readonly Residual[]): number {
  const weight = new Map(observations.map((o) => [o.key, o.weight]));
  return res.reduce((sum, r) => sum + (weight.get(r.key) ?? 0) * r.logError ** 2, 0);
}

/** Fits `specs` to `observations`: weighted squared log error + log-normal priors, within bounds. */
export function fit(specs: readonly ParamSpec[], observations: readonly FitObservation[], predict: Predictor, options: FitOptions = {}): FitResult {
  checkSpecs(specs);
  const keys = new Set<string>();
  for (const o of observations) {
    if (keys.has(o.key)) throw new Error(`observation key ${o.key} appears twice`);
    keys.add(o.key);
  }
  const toParams = (u: readonly number[]): Params => Object.fromEntries(specs.map((s, i) => [s.name, fromU(s, u[i])]));
  const objective = (u: readonly number[]) => {
    const p = toParams(u);
    return dataLoss(observations, residuals(observations, predict, p)) + priorLoss(specs, p);
  };
  const start = specs.map((s) => toU(s, options.start?.[s.name] ?? s.prior));
  const r = nelderMead(objective, start, options);
  const params = toParams(r.x);
  const res = residuals(observations, predict, params);
  return { params, dataLoss: dataLoss(observations, res), priorLoss: priorLoss(specs, params), residuals: res, converged: r.converged, evaluations: r.evaluations };
}

export interface LeaveOneOutRow {
  readonly group: string;
  readonly key: string;
  readonly published: number;
  /** Predicted by the fit on all groups. */
  readonly predictedAll: number;
  /** Predicted by the fit without this group. */
  readonly predictedLeftOut: number;
  /** predicted / published - 1, both ways. */
  readonly errorAll: number;
  readonly errorLeftOut: number;
}

export interface LeaveOneOutResult {
  readonly all: FitResult;
  /** The parameters fitted without each group. */
  readonly refits: Readonly<Record<string, Params>>;
  readonly rows: readonly LeaveOneOutRow[];
}

/** Fits on all groups, then refits without each group k and predicts k with that refit. */
export function leaveOneOut(specs: readonly ParamSpec[], observations: readonly FitObservation[], predict: Predictor, options: FitOptions = {}): LeaveOneOutResult {
  const all = fit(specs, observations, predict, options);
  const groups = [...new Set(observations.map((o) => o.group))];
  if (groups.length < 2) throw new Error('leave-one-out needs observations from at least two groups');
  const refits: Record<string, Params> = {};
  const rows: LeaveOneOutRow[] = [];
  const allByKey = new Map(all.residuals.map((r) => [r.key, r]));
  for (const g of groups) {
    const held = observations.filter((o) => o.group === g);
    const rest = observations.filter((o) => o.group !== g);
    const refit = fit(specs, rest, predict, { ...options, start: options.start ?? all.params });
    refits[g] = refit.params;
    for (const r of residuals(held, predict, refit.params)) {
      const a = allByKey.get(r.key)!;
      rows.push({
        group: g,
        key: r.key,
        published: r.published,
        predictedAll: a.predicted,
        predictedLeftOut: r.predicted,
        errorAll: a.predicted / r.published - 1,
        errorLeftOut: r.predicted / r.published - 1,
      });
    }
  }
  return { all, refits, rows };
}

/**
 * d ln(prediction) / d ln(parameter) for every observation at `params` (central differences of
 * relative size `h`). A row of zeros is a parameter no observation pins: it stays at its prior.
 */
export function sensitivities(specs: readonly ParamSpec[], observations: readonly FitObservation[], predict: Predictor, params: Params, h = 0.01): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of specs) {
    const up = residuals(observations, predict, { ...params, [s.name]: params[s.name] * (1 + h) });
    const down = residuals(observations, predict, { ...params, [s.name]: params[s.name] * (1 - h) });
    const span = Math.log((1 + h) / (1 - h));
    out[s.name] = Object.fromEntries(up.map((r, i) => [r.key, (r.logError - down[i].logError) / span]));
  }
  return out;
}

/** Parameters whose largest |sensitivity| over all observations is below `threshold`. */
export function unpinned(sens: Record<string, Record<string, number>>, threshold = 0.01): string[] {
  return Object.entries(sens).filter(([, row]) => Object.values(row).every((v) => Math.abs(v) < threshold)).map(([name]) => name);
}
