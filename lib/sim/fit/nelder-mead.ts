/**
 * Nelder-Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients of Lagarias et
 * al. 1998: reflection 1, expansion 2, contraction 0.5, shrink 0.5). Derivative-free, deterministic,
 * a few dozen lines: enough for the 5-15 parameters of the timing model, whose objective is a
 * simulation (noisy in the last digits, no gradient). Bounds are handled by the caller's
 * reparameterisation (see fit.ts), so this minimiser is unconstrained.
 */

export interface NelderMeadOptions {
  /** Initial simplex: x0 plus `step` along each axis. */
  readonly step?: number;
  readonly maxIterations?: number;
  /** Stop when max |f(vertex) - f(best)| and the simplex's largest coordinate spread both fall below these. */
  readonly fTolerance?: number;
  readonly xTolerance?: number;
}

export interface NelderMeadResult {
  readonly x: number[];
  readonly f: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
}

export function nelderMead(f: (x: readonly number[]) => number, x0: readonly number[], options: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  const step = options.step ?? 0.5;
  const maxIterations = options.maxIterations ?? 200 * Math.max(n, 1);
  const fTol = options.fTolerance ?? 1e-10;
  const xTol = options.xTolerance ?? 1e-8;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };

  const simplex: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const v = x0.slice();
    v[i] += step;
    simplex.push(v);
  }
  const values = simplex.map(evaluate);
  const order = () => {
    const idx = simplex.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    const s = idx.map((i) => simplex[i]);
    const v = idx.map((i) => values[i]);
    for (let i = 0; i <= n; i++) {
      simplex[i] = s[i];
      values[i] = v[i];
    }
  };
  const along = (from: number[], to: number[], t: number) => from.map((c, i) => c + t * (to[i] - c));

  let iterations = 0;
  let converged = n === 0;
  while (!converged && iterations < maxIterations) {
    order();
    const fSpread = values[n] - values[0];
    let xSpread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) xSpread = Math.max(xSpread, Math.abs(simplex[i][j] - simplex[0][j]));
    if (fSpread <= fTol && xSpread <= xTol) {
      converged = true;
      break;
    }
    iterations++;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const worst = simplex[n];
    const reflected = along(centroid, worst, -1);
    const fr = evaluate(reflected);
    if (fr < values[0]) {
      const expanded = along(centroid, worst, -2);
      const fe = evaluate(expanded);
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
      continue;
    }
    if (fr < values[n - 1]) {
      simplex[n] = reflected;
      values[n] = fr;
      continue;
    }
    // Contraction: outside when the reflection beat the worst vertex, inside otherwise.
    const outside = fr < values[n];
    const contracted = outside ? along(centroid, worst, -0.5) : along(centroid, worst, 0.5);
    const fc = evaluate(contracted);
    if (fc < (outside ? fr : values[n])) {
      simplex[n] = contracted;
      values[n] = fc;
      continue;
    }
    for (let i = 1; i <= n; i++) {
      simplex[i] = along(simplex[0], simplex[i], 0.5);
      values[i] = evaluate(simplex[i]);
    }
  }
  order();
  return { x: simplex[0], f: values[0], iterations, evaluations, converged };
}
