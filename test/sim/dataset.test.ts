import { buildWorkload, promptsPerPrefix } from '../../lib/sim/dataset';
import { Rng } from '../../lib/sim/rng';
import { arrivalTimes } from '../../lib/sim/simulation';

const params = { numPrompts: 9000, numPrefixes: 150, prefixLen: 2048, suffixLen: 128, outputLen: 256, leadingTokens: 23, trailingTokens: 6, seed: 0 };

describe('prefix_repetition dataset', () => {
  const w = buildWorkload(params);

  test('num_prompts // num_prefixes prompts per prefix', () => {
    expect(w.count).toBe(9000);
    const perPrefix = new Map<number, number>();
    for (const p of w.prefixOf) perPrefix.set(p, (perPrefix.get(p) ?? 0) + 1);
    expect(perPrefix.size).toBe(150);
    expect([...perPrefix.values()].every((n) => n === 60)).toBe(true);
    expect(promptsPerPrefix(9000, 150)).toBe(60);
    // vLLM would send 9000 of 9100 (num_prompts // num_prefixes per prefix): refused, never rounded silently.
    expect(() => buildWorkload({ ...params, numPrompts: 9100 })).toThrow(/must be a multiple of numPrefixes \(150\)/);
  });

  test('prompt = template + prefix + suffix; output length fixed', () => {
    expect(w.promptLen[0]).toBe(23 + 2048 + 128 + 6);
    expect(w.promptLen.every((n) => n === 2205)).toBe(true);
    expect(w.outputLen.every((n) => n === 256)).toBe(true);
  });

  test('the order is a seeded shuffle: same seed same order, other seed other order', () => {
    expect(buildWorkload(params).prefixOf).toEqual(w.prefixOf);
    const other = buildWorkload({ ...params, seed: 1 }).prefixOf;
    expect(other).not.toEqual(w.prefixOf);
    // shuffled, not prefix-major: the first 60 requests are not all prefix 0
    expect(new Set(w.prefixOf.subarray(0, 60)).size).toBeGreaterThan(30);
  });

  test('rejects fewer prompts than prefixes, as vllm bench serve does', () => {
    expect(() => buildWorkload({ ...params, numPrompts: 10 })).toThrow(/multiple of numPrefixes/);
  });
});

describe('arrivals', () => {
  test('rate inf sends everything at t = 0', () => {
    expect(Array.from(arrivalTimes(5, 'inf', 1, new Rng(0)))).toEqual([0, 0, 0, 0, 0]);
  });

  test('a finite rate spreads N requests so the last leaves at N / rate (vllm bench serve rescaling)', () => {
    const t = arrivalTimes(1000, 20, 1, new Rng(0));
    expect(t[999]).toBeCloseTo(50, 9);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1]);
    // Poisson gaps: coefficient of variation ~1; burstiness 4 is smoother
    const cv = (a: Float64Array) => {
      const gaps = Array.from(a, (v, i) => v - (i ? a[i - 1] : 0));
      const m = gaps.reduce((x, y) => x + y, 0) / gaps.length;
      return Math.sqrt(gaps.reduce((x, y) => x + (y - m) ** 2, 0) / gaps.length) / m;
    };
    expect(cv(t)).toBeGreaterThan(0.85);
    expect(cv(t)).toBeLessThan(1.15);
    expect(cv(arrivalTimes(1000, 20, 4, new Rng(0)))).toBeLessThan(0.65);
  });
});

describe('Rng', () => {
  test('deterministic per (seed, stream), different across streams', () => {
    const a = Array.from({ length: 5 }, (_, __, r = new Rng(3, 1)) => r.next());
    const x = new Rng(3, 1);
    const y = new Rng(3, 2);
    const xs = [x.next(), x.next(), x.next()];
    const x2 = new Rng(3, 1);
    expect([x2.next(), x2.next(), x2.next()]).toEqual(xs);
    expect(y.next()).not.toBe(xs[0]);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  test('gamma has the requested mean', () => {
    const r = new Rng(7);
    let s = 0;
    for (let i = 0; i < 20000; i++) s += r.gamma(2, 0.5);
    expect(s / 20000).toBeCloseTo(1, 1);
  });
});
