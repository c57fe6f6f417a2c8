/**
 * Issue 12 §2: the leave-one-out step (validation.ts looStep) on a linear least-squares problem, where
 * the exact refit without an anchor is known in closed form, and the per-anchor verdicts.
 */
import type { ValidationRow } from '../../lib/sim/calibration/fitted';
import type { ParamSpec } from '../../lib/sim/fit/fit';
import { solve } from '../../lib/sim/fit/lm';
import { Rng } from '../../lib/sim/rng';
import { anchorCases } from '../../lib/sim/anchor-predict';
import { fittedCalibration } from '../../lib/sim/calibration';
import { anchorVerdicts, fullRefit, type LinearRow, LOO_VARIANTS, looStep, missAnatomy, pinnedOnlyBy, validationRows } from '../../lib/sim/validation';

/** A linear model: residual_i(z) = a_i . z - y_i, three anchors of four rows over three parameters. */
function problem(seed: number) {
  const rng = new Rng(seed, 1);
  const specs: ParamSpec[] = [0, 1, 2].map((i) => ({ name: `p${i}`, prior: 1 + i, lower: 1e-6, upper: 1e6, sigma: 0.5 + 0.3 * i }));
  const zp = specs.map((s) => Math.log(s.prior));
  const data = ['a', 'b', 'c'].flatMap((group) => [0, 1, 2, 3].map(() => ({ group, a: specs.map(() => rng.normal()), y: rng.normal() })));
  const rowsAt = (z: readonly number[]): LinearRow[] => data.map((d) => ({ group: d.group, r: d.a.reduce((s, ai, i) => s + ai * z[i], 0) - d.y, j: d.a }));
  /** The exact minimiser of the residuals outside `skip` plus the priors. */
  const exact = (skip?: string): number[] => {
    const A = specs.map((s, a) => specs.map((_t, b) => (a === b ? 1 / s.sigma ** 2 : 0)));
    const g = specs.map((s, a) => zp[a] / s.sigma ** 2);
    for (const d of data) {
      if (d.group === skip) continue;
      for (let a = 0; a < 3; a++) {
        g[a] += d.a[a] * d.y;
        for (let b = 0; b < 3; b++) A[a][b] += d.a[a] * d.a[b];
      }
    }
    return solve(A, g)!;
  };
  return { specs, rowsAt, exact };
}

const close = (got: readonly number[], want: readonly number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 9));

describe('leave-one-out step (looStep) on a linear problem', () => {
  test('gauss-newton is the exact refit without the anchor from any start', () => {
    for (const seed of [1, 2, 3]) {
      const { specs, rowsAt, exact } = problem(seed);
      const start = [0.3, -0.7, 1.1];
      for (const anchor of ['a', 'b', 'c']) {
        const step = looStep(rowsAt(start), specs, start, anchor, 'gauss-newton');
        close(start.map((z, i) => z + step[i]), exact(anchor));
      }
    }
  });

  test('at the all-anchor optimum every variant is the exact refit', () => {
    const { specs, rowsAt, exact } = problem(4);
    const optimum = exact();
    for (const variant of LOO_VARIANTS) {
      for (const anchor of ['a', 'b', 'c']) {
        const step = looStep(rowsAt(optimum), specs, optimum, anchor, variant);
        close(optimum.map((z, i) => z + step[i]), exact(anchor));
      }
    }
  });

  test('away from the optimum, net-of-all-step moves by what removing the anchor changes (exact refit + the offset)', () => {
    const { specs, rowsAt, exact } = problem(5);
    const optimum = exact();
    const start = optimum.map((z, i) => z + 0.2 * (i + 1));
    const step = looStep(rowsAt(start), specs, start, 'b', 'net-of-all-step');
    close(start.map((z, i) => z + step[i]), exact('b').map((z, i) => z + 0.2 * (i + 1)));
    // The influence step assumes the start is stationary, so it is not the exact refit there.
    const influence = looStep(rowsAt(start), specs, start, 'b', 'influence');
    const miss = start.map((z, i) => Math.abs(z + influence[i] - exact('b')[i]));
    expect(Math.max(...miss)).toBeGreaterThan(0.01);
  });

  test('a parameter only the left-out anchor pins relaxes to its prior (gauss-newton)', () => {
    const specs: ParamSpec[] = [{ name: 'x', prior: 2, lower: 1e-6, upper: 1e6, sigma: 0.4 }, { name: 'y', prior: 1, lower: 1e-6, upper: 1e6, sigma: 0.4 }];
    // Anchor k alone depends on x (second column 0 elsewhere); the all-fit has x far from its prior.
    const z0 = [Math.log(2) + 0.5, 0.1];
    const rows: LinearRow[] = [
      { group: 'k', r: 0.01, j: [3, 0.5] },
      { group: 'other', r: -0.02, j: [0, 2] },
      { group: 'other', r: 0.03, j: [0, 1] },
    ];
    const step = looStep(rows, specs, z0, 'k', 'gauss-newton');
    expect(z0[0] + step[0]).toBeCloseTo(Math.log(2), 9);
  });
});

describe('anchor verdicts (the targets of issue 12)', () => {
  const row = (o: Partial<ValidationRow>): ValidationRow => ({
    anchor: 'x', observation: 'o', metric: 'm', role: 'fit', published: 1, predictedAll: 1, predictedLeftOut: 1, errorAll: 0, errorLeftOut: 0, family: 'throughput', ...o,
  });

  test('left-out throughput within 15%, TTFT within 35% and the same regimes are met; one more percent is not', () => {
    const ok = anchorVerdicts([row({ errorLeftOut: 0.15 }), row({ family: 'ttft', errorLeftOut: -0.35 }), row({ role: 'check', family: 'regime', published: 'flat', predictedLeftOut: 'flat', errorLeftOut: null })]);
    expect(ok).toEqual([expect.objectContaining({ anchor: 'x', met: true, regimes: 1, regimesSame: 1 })]);
    expect(anchorVerdicts([row({ errorLeftOut: 0.16 })])[0].met).toBe(false);
    expect(anchorVerdicts([row({ family: 'ttft', errorLeftOut: 0.36 })])[0].met).toBe(false);
    expect(anchorVerdicts([row({ role: 'check', family: 'regime', published: 'flat', predictedLeftOut: 'queue-growing', errorLeftOut: null })])[0].met).toBe(false);
  });

  test('check and excluded rows do not count against the targets; anchors are judged apart', () => {
    const v = anchorVerdicts([
      row({ role: 'check', errorLeftOut: 0.5 }),
      row({ role: 'excluded', family: 'ttft', errorLeftOut: 2 }),
      row({ anchor: 'y', errorLeftOut: -0.2 }),
    ]);
    expect(v.map((x) => [x.anchor, x.met])).toEqual([['x', true], ['y', false]]);
  });
});

describe('full leave-one-out refit (fullRefit)', () => {
  test('an unknown anchor is refused with the list of anchors', () => {
    expect(() => fullRefit('no-such-anchor')).toThrow(/no anchor "no-such-anchor" \(anchors: .*reference-a10g-qwen25-7b/);
    // Leave-k-out: every name is checked before any fitting starts.
    expect(() => fullRefit(['reference-a10g-qwen25-7b', 'no-such-anchor'])).toThrow(/no anchor "no-such-anchor"/);
  });
});

describe('what a missed anchor\'s left-out error is made of (pinnedOnlyBy, missAnatomy)', () => {
  const cases = anchorCases();
  const FP8 = 'vllm-issue-42058-a100-80gb-qwen3-8b-fp8kv';

  test('the parameters only one anchor pins are those no other fitted anchor simulates', () => {
    // The only enforce-eager run, and the only fp8 KV cache on a GPU without fp8 tensor cores.
    expect(pinnedOnlyBy(cases, FP8)).toEqual(['eagerLayerMs', 'fp8KvPrefill.noFp8', 'fp8KvRead.noFp8']);
    expect(pinnedOnlyBy(cases, 'llmd-precise-prefix-h100-qwen3-32b')).toEqual(['setupLatencyMs.llmdLadder2025']);
    // The reference shares every parameter (A10G = Ampere like the A40 and A100 anchors; llm-d path like the H100 guides).
    expect(pinnedOnlyBy(cases, 'reference-a10g-qwen25-7b')).toEqual([]);
    expect(pinnedOnlyBy(cases, 'no-such-anchor')).toEqual([]);
  });

  test('its own parameters come from the all-fit, every other one from the refit without it', () => {
    const fitted = fittedCalibration()!;
    // A refit that moved the anchor's own parameters far off and a shared one (matmul) by 10%.
    const refit = { ...fitted.params, eagerLayerMs: 0.2, 'fp8KvRead.noFp8': 1.8, 'fp8KvPrefill.noFp8': 1.5, 'matmul.ampere': fitted.params['matmul.ampere'] * 0.9 };
    const [m] = missAnatomy(cases, fitted.params, { [FP8]: refit }, [FP8]);
    const mine = cases.filter((c) => c.anchor === FP8);
    const verdict = (params: Record<string, number>) => anchorVerdicts(validationRows(mine, fitted.params, { [FP8]: params }))[0];
    const own = { eagerLayerMs: fitted.params.eagerLayerMs, 'fp8KvRead.noFp8': fitted.params['fp8KvRead.noFp8'], 'fp8KvPrefill.noFp8': fitted.params['fp8KvPrefill.noFp8'] };
    const expected = verdict({ ...refit, ...own });
    expect(m.ownParamsAtAllFit!.throughputErrors).toEqual(expected.throughputErrors);
    expect(m.ownParamsAtAllFit!.ttftErrors).toEqual(expected.ttftErrors);
    // Not the all-fit's verdict (the shared parameter stays the refit's: TTFTs are prefill, i.e. matmul) ...
    const allFit = verdict(fitted.params);
    expect(m.ownParamsAtAllFit!.ttftErrors).not.toEqual(allFit.ttftErrors);
    // ... and not the plain left-out one, which is far off with those own values.
    const plain = verdict(refit);
    expect(Math.max(...plain.throughputErrors.map(Math.abs))).toBeGreaterThan(Math.max(...m.ownParamsAtAllFit!.throughputErrors.map(Math.abs)) + 0.2);
  });

  test('a missed anchor without a refit in the fit is an error, not the all-fit under another name', () => {
    const fitted = fittedCalibration()!;
    expect(() => missAnatomy(cases, fitted.params, {}, [FP8])).toThrow(/no leave-one-out refit for vllm-issue-42058/);
  });

  test('an anchor that pins nothing alone gets no restored verdict', () => {
    const fitted = fittedCalibration()!;
    expect(missAnatomy(cases, fitted.params, fitted.refits, ['reference-a10g-qwen25-7b'])).toEqual([{ anchor: 'reference-a10g-qwen25-7b', pinnedOnlyHere: [] }]);
  });
});
