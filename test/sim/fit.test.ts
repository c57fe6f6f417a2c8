/**
 * The fit / leave-one-out harness on synthetic problems whose answer is known: recovery of the true
 * parameters, bounds, priors holding unpinned parameters, leave-one-out exposing an inconsistent group,
 * and the sensitivity table naming which observation pins which parameter.
 */
import { type FitObservation, fit, leaveOneOut, type ParamSpec, type Params, type Predictor, sensitivities, unpinned } from '../../lib/sim/fit/fit';
import { nelderMead } from '../../lib/sim/fit/nelder-mead';

describe('nelderMead', () => {
  test('finds the minimum of the Rosenbrock function', () => {
    const rosen = (x: readonly number[]) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    const r = nelderMead(rosen, [-1.2, 1], { maxIterations: 5000 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  test('treats a non-finite objective as infinitely bad instead of stopping on it', () => {
    const r = nelderMead((x) => (x[0] < 0 ? Number.NaN : (x[0] - 2) ** 2), [1], { maxIterations: 500 });
    expect(r.x[0]).toBeCloseTo(2, 4);
  });
});

/**
 * A toy "step-time" model: a group is a GPU with bandwidth bw; its observations are times of steps
 * with w weight-bytes and n sequences: t = w / (eff * bw) + t0 + tSeq * n. `unused` moves nothing.
 */
const TRUTH = { eff: 0.8, t0: 2, tSeq: 0.1, unused: 3 };
const GPUS: Record<string, number> = { a: 600, b: 1555, c: 3350, d: 300 };
const POINTS = [[14, 1], [14, 32], [14, 128], [60, 8]] as const;
const model = (gpu: string, p: Params) => Object.fromEntries(POINTS.map(([w, n], i) => [`${gpu}/${i}`, (w * 1000) / (p.eff * GPUS[gpu]) + p.t0 + p.tSeq * n]));
let calls = 0;
const predict: Predictor = (group, p) => {
  calls++;
  return model(group, p);
};
/** Exact synthetic data, weighted as measurements good to 1 % (weight = 1 / 0.01^2). */
const observe = (truth: Params, groups = Object.keys(GPUS)): FitObservation[] =>
  groups.flatMap((g) => Object.entries(model(g, truth)).map(([key, v]) => ({ group: g, key, published: v, weight: 1e4 })));

const specs: ParamSpec[] = [
  { name: 'eff', prior: 0.6, lower: 0.2, upper: 1, sigma: 1 },
  { name: 't0', prior: 5, lower: 0.1, upper: 50, sigma: 2 },
  { name: 'tSeq', prior: 0.5, lower: 0.001, upper: 5, sigma: 2 },
  { name: 'unused', prior: 1, lower: 0.1, upper: 10, sigma: 0.5 },
];

describe('fit', () => {
  test('recovers the true parameters from exact data, and holds an unpinned one at its prior', () => {
    const r = fit(specs, observe(TRUTH), predict, { maxIterations: 4000 });
    expect(r.params.eff).toBeCloseTo(TRUTH.eff, 2);
    expect(r.params.t0).toBeCloseTo(TRUTH.t0, 1);
    expect(r.params.tSeq).toBeCloseTo(TRUTH.tSeq, 2);
    expect(r.params.unused).toBeCloseTo(1, 3); // the prior, not the "truth" no observation can see
    expect(r.dataLoss).toBeLessThan(1e-4);
  });

  test('never leaves the bounds, even when the data ask for it', () => {
    const r = fit(specs, observe({ ...TRUTH, eff: 1.6 }), predict, { maxIterations: 3000 });
    expect(r.params.eff).toBeLessThanOrEqual(1);
    expect(r.params.eff).toBeGreaterThan(0.95);
    for (const s of specs) {
      expect(r.params[s.name]).toBeGreaterThanOrEqual(s.lower);
      expect(r.params[s.name]).toBeLessThanOrEqual(s.upper);
    }
  });

  test('a tight prior wins over weak data; a flat one does not pull', () => {
    const one = observe(TRUTH).filter((o) => o.key === 'a/0').map((o) => ({ ...o, weight: 1 })) // a 100 %-uncertain number;
    const tight = fit([{ name: 't0', prior: 5, lower: 0.1, upper: 50, sigma: 0.05 }], one, (g, p) => predict(g, { ...TRUTH, ...p }));
    expect(tight.params.t0).toBeGreaterThan(4.5);
    const flat = fit([{ name: 't0', prior: 5, lower: 0.1, upper: 50, sigma: Number.POSITIVE_INFINITY }], one, (g, p) => predict(g, { ...TRUTH, ...p }));
    expect(flat.params.t0).toBeCloseTo(TRUTH.t0, 1);
  });

  test('rejects bad specs and bad observations with the name of what is wrong', () => {
    expect(() => fit([{ ...specs[0], prior: 2 }], observe(TRUTH), predict)).toThrow(/eff: prior 2 is outside \[0.2, 1\]/);
    expect(() => fit([specs[0], specs[0]], observe(TRUTH), predict)).toThrow(/eff is declared twice/);
    const obs = observe(TRUTH);
    expect(() => fit(specs, [...obs, obs[0]], predict)).toThrow(/a\/0 appears twice/);
    expect(() => fit(specs, [{ ...obs[0], published: 0 }], predict)).toThrow(/a\/0: published value must be > 0/);
    expect(() => fit(specs, [{ ...obs[0], key: 'a/9' }], predict)).toThrow(/returned no value for a\/9/);
  });

  test('calls predict once per group per evaluation, not once per observation', () => {
    calls = 0;
    const r = fit(specs, observe(TRUTH), predict, { maxIterations: 50 });
    expect(calls).toBe((r.evaluations + 1) * Object.keys(GPUS).length);
  });
});

describe('leaveOneOut', () => {
  test('consistent data: every left-out group is predicted as well as by the all-fit', () => {
    const r = leaveOneOut(specs.slice(0, 3), observe(TRUTH), predict, { maxIterations: 3000 });
    expect(Object.keys(r.refits).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(r.rows).toHaveLength(16);
    for (const row of r.rows) {
      expect(Math.abs(row.errorAll)).toBeLessThan(0.01);
      expect(Math.abs(row.errorLeftOut)).toBeLessThan(0.02);
    }
  });

  test('a group that disagrees with the others shows a larger left-out error than all-fit error', () => {
    const obs = observe(TRUTH).map((o) => (o.group === 'd' ? { ...o, published: o.published * 1.3 } : o));
    const r = leaveOneOut(specs.slice(0, 3), obs, predict, { maxIterations: 3000 });
    const d = r.rows.filter((row) => row.group === 'd');
    const mean = (xs: number[]) => xs.reduce((s, x) => s + Math.abs(x), 0) / xs.length;
    expect(mean(d.map((row) => row.errorLeftOut))).toBeGreaterThan(mean(d.map((row) => row.errorAll)));
    expect(mean(d.map((row) => row.errorLeftOut))).toBeGreaterThan(0.15);
  });

  test('needs two groups', () => {
    expect(() => leaveOneOut(specs, observe(TRUTH, ['a']), predict)).toThrow(/at least two groups/);
  });
});

describe('sensitivities', () => {
  test('names which observation pins which parameter, and finds the unpinned one', () => {
    const s = sensitivities(specs, observe(TRUTH), predict, TRUTH);
    // A 14 GB decode at batch 1 on the slow GPU is almost all weight streaming: d ln t / d ln eff ~ -1.
    expect(s.eff['d/0']).toBeLessThan(-0.9);
    // tSeq matters most at 128 sequences on the fastest GPU.
    expect(s.tSeq['c/2']).toBeGreaterThan(s.tSeq['d/0']);
    expect(unpinned(s)).toEqual(['unused']);
  });
});
