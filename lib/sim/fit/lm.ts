/**
 * Levenberg-Marquardt for the timing model (the objective of fit.ts, solved as least squares): the
 * residuals are sqrt(weight) x ln(predicted / published) of every observation plus one prior residual
 * (ln(x / prior) / sigma) per parameter, in z = ln(x) clamped to [ln lower, ln upper]. A simulation
 * per residual evaluation is expensive, so the Jacobian is taken by forward differences and only the
 * groups (anchors) whose prediction depends on a parameter are re-simulated for it (`dependsOn`).
 * Converges in ~5-15 iterations on this problem, where Nelder-Mead needs hundreds of evaluations.
 *
 * Also returns J^T J at the optimum: its inverse (scaled by the reduced chi-square when the data
 * disagree more than their stated uncertainties) is the Laplace approximation of the posterior
 * covariance of z, from which the interval ensemble is drawn (validation.ts).
 */
import type { FitObservation, ParamSpec, Params, Predictor } from './fit';

export interface LmOptions {
  readonly maxIterations?: number;
  /** Forward-difference step in ln(x). */
  readonly step?: number;
  /** Stop when an accepted step lowers the cost by less than this fraction. */
  readonly relTolerance?: number;
  readonly start?: Params;
  /** Whether `group`'s prediction depends on parameter `name` (default: every group on every parameter). */
  readonly dependsOn?: (group: string, name: string) => boolean;
  readonly onIteration?: (iteration: number, cost: number, lambda: number) => void;
}

export interface LmResult {
  readonly params: Params;
  readonly cost: number;
  readonly dataCost: number;
  readonly priorCost: number;
  readonly iterations: number;
  readonly evaluations: number;
  /** Predictions at the optimum, by observation key. */
  readonly predicted: Readonly<Record<string, number>>;
  /** J^T J at the optimum in z = ln(x) (rows: data + prior residuals), specs order. */
  readonly jtj: number[][];
  /** d ln(prediction) / d ln(parameter) at the optimum: sensitivity[param][key]. */
  readonly sensitivity: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Data residuals and their count (for the reduced chi-square). */
  readonly dataResiduals: number;
}

const BAD_LOG = 5; // ln error assigned to a non-positive or non-finite prediction

export function levenbergMarquardt(specs: readonly ParamSpec[], observations: readonly FitObservation[], predict: Predictor, o: LmOptions = {}): LmResult {
  const n = specs.length;
  const h = o.step ?? 0.05;
  const maxIt = o.maxIterations ?? 15;
  const relTol = o.relTolerance ?? 1e-3;
  const dependsOn = o.dependsOn ?? (() => true);
  const groups = [...new Set(observations.map((x) => x.group))];
  const byGroup = new Map(groups.map((g) => [g, observations.filter((x) => x.group === g)]));
  const lo = specs.map((s) => Math.log(s.lower));
  const hi = specs.map((s) => Math.log(s.upper));
  const clamp = (z: number[]) => z.map((v, i) => Math.min(hi[i], Math.max(lo[i], v)));
  const toParams = (z: readonly number[]): Params => Object.fromEntries(specs.map((s, i) => [s.name, Math.exp(z[i])]));
  let evaluations = 0;

  /** Predictions of every group at z (groups listed in `only` re-simulated, the rest copied from `base`). */
  const predictAll = (z: readonly number[], base?: Record<string, Record<string, number>>, only?: ReadonlySet<string>): Record<string, Record<string, number>> => {
    const p = toParams(z);
    const out: Record<string, Record<string, number>> = {};
    for (const g of groups) {
      if (base && only && !only.has(g)) {
        out[g] = base[g];
        continue;
      }
      evaluations++;
      out[g] = predict(g, p);
    }
    return out;
  };
  const dataResiduals = (pred: Record<string, Record<string, number>>): number[] => observations.map((x) => {
    const v = pred[x.group][x.key];
    if (v === undefined) throw new Error(`predict("${x.group}") returned no value for ${x.key}`);
    const e = v > 0 && Number.isFinite(v) ? Math.log(v / x.published) : BAD_LOG;
    return Math.sqrt(x.weight) * e;
  });
  const priorResiduals = (z: readonly number[]): number[] => specs.map((s, i) => (Number.isFinite(s.sigma) ? (z[i] - Math.log(s.prior)) / s.sigma : 0));
  const sq = (r: readonly number[]) => r.reduce((a, b) => a + b * b, 0);

  let z = clamp(specs.map((s) => Math.log(o.start?.[s.name] ?? s.prior)));
  let pred = predictAll(z);
  let rd = dataResiduals(pred);
  let rp = priorResiduals(z);
  let cost = sq(rd) + sq(rp);
  let lambda = 1e-2;
  let J: number[][] = [];
  let iterations = 0;
  let converged = false;

  const jacobian = (): number[][] => {
    // Columns: d r / d z_j for data rows (forward differences) and prior rows (analytic).
    const cols: number[][] = [];
    for (let j = 0; j < n; j++) {
      const zj = z.slice();
      const dz = zj[j] + h > hi[j] ? -h : h;
      zj[j] += dz;
      const affected = new Set(groups.filter((g) => dependsOn(g, specs[j].name)));
      const col = new Array<number>(observations.length + n).fill(0);
      if (affected.size > 0) {
        const pj = predictAll(zj, pred, affected);
        const rj = dataResiduals(pj);
        for (let i = 0; i < observations.length; i++) col[i] = (rj[i] - rd[i]) / dz;
      }
      if (Number.isFinite(specs[j].sigma)) col[observations.length + j] = 1 / specs[j].sigma;
      cols.push(col);
    }
    return cols;
  };

  for (; iterations < maxIt; iterations++) {
    J = jacobian();
    const r = [...rd, ...rp];
    const A = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => dot(J[a], J[b])));
    const g = Array.from({ length: n }, (_, a) => dot(J[a], r));
    let accepted = false;
    for (let tries = 0; tries < 10; tries++) {
      const M = A.map((row, a) => row.map((v, b) => (a === b ? v + lambda * (v + 1e-9) : v)));
      const delta = solve(M, g.map((v) => -v));
      if (!delta) {
        lambda *= 10;
        continue;
      }
      const z2 = clamp(z.map((v, i) => v + delta[i]));
      const pred2 = predictAll(z2);
      const rd2 = dataResiduals(pred2);
      const rp2 = priorResiduals(z2);
      const cost2 = sq(rd2) + sq(rp2);
      if (cost2 < cost) {
        const improvement = (cost - cost2) / cost;
        z = z2;
        pred = pred2;
        rd = rd2;
        rp = rp2;
        cost = cost2;
        // A small gain from a near Gauss-Newton step is convergence; from a heavily damped one it is not.
        if (improvement < relTol && lambda <= 1) converged = true;
        lambda = Math.max(1e-6, lambda / 3);
        accepted = true;
        o.onIteration?.(iterations + 1, cost, lambda);
        break;
      }
      lambda *= 4;
    }
    if (!accepted || converged) {
      iterations++;
      break;
    }
  }
  J = jacobian();
  const jtj = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => dot(J[a], J[b])));
  const flat: Record<string, number> = {};
  for (const g of groups) for (const x of byGroup.get(g)!) flat[x.key] = pred[g][x.key];
  const sensitivity: Record<string, Record<string, number>> = {};
  specs.forEach((s, j) => {
    sensitivity[s.name] = Object.fromEntries(observations.map((x, i) => [x.key, J[j][i] / Math.sqrt(x.weight)]));
  });
  return {
    params: toParams(z),
    cost,
    dataCost: sq(rd),
    priorCost: sq(rp),
    iterations,
    evaluations,
    predicted: flat,
    jtj,
    sensitivity,
    dataResiduals: observations.length,
  };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Solves M x = b by Gaussian elimination with partial pivoting; null when singular. */
export function solve(M: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length;
  const A = M.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    if (Math.abs(A[p][c]) < 1e-14) return null;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = c + 1; r < n; r++) {
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = A[r][n];
    for (let k = r + 1; k < n; k++) s -= A[r][k] * x[k];
    x[r] = s / A[r][r];
  }
  return x;
}

/** Inverse of a symmetric positive-definite matrix (via solve per column); null when singular. */
export function invert(M: readonly (readonly number[])[]): number[][] | null {
  const n = M.length;
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    const x = solve(M, e);
    if (!x) return null;
    cols.push(x);
  }
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
}

/** Lower-triangular Cholesky factor of a symmetric positive-definite matrix (jitter added when needed). */
export function cholesky(M: readonly (readonly number[])[]): number[][] {
  const n = M.length;
  for (let jitter = 0; jitter < 8; jitter++) {
    const eps = jitter === 0 ? 0 : 1e-10 * 10 ** jitter;
    const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = M[i][j] + (i === j ? eps : 0);
        for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
        if (i === j) {
          if (s <= 0) {
            ok = false;
            break;
          }
          L[i][j] = Math.sqrt(s);
        } else {
          L[i][j] = s / L[j][j];
        }
      }
    }
    if (ok) return L;
  }
  throw new Error('matrix is not positive definite');
}
