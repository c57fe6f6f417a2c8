import { histogramPercentile, mean, percentileSorted, std, weightedMean, weightedPercentiles } from '../../lib/sim/stats';

describe('statistics as numpy computes them', () => {
  test('linear-interpolation percentiles', () => {
    const s = Float64Array.of(1, 2, 3, 4);
    expect(percentileSorted(s, 50)).toBe(2.5);
    expect(percentileSorted(s, 99)).toBeCloseTo(3.97, 10);
    expect(percentileSorted(s, 0)).toBe(1);
    expect(mean([1, 2, 3])).toBe(2);
    expect(std([1, 3])).toBe(1);
  });

  test('weighted percentiles equal the percentiles of the expanded list', () => {
    const values = [0.05, 0.2, 0.07, 0.6];
    const weights = [10, 1, 5, 2];
    const expanded = values.flatMap((v, i) => Array<number>(weights[i]).fill(v)).sort((a, b) => a - b);
    const ps = [1, 25, 50, 90, 99];
    const got = weightedPercentiles(values, weights, ps);
    ps.forEach((p, i) => expect(got[i]).toBeCloseTo(percentileSorted(Float64Array.from(expanded), p), 9));
    expect(weightedMean(values, weights)).toBeCloseTo(mean(expanded), 12);
  });

  test('histogram percentile over [0, 1]', () => {
    const h = new Float64Array(11);
    h[2] = 5;
    h[9] = 5;
    expect(histogramPercentile(h, 40)).toBeCloseTo(0.2);
    expect(histogramPercentile(h, 95)).toBeCloseTo(0.9);
  });
});
