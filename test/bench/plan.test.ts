/** The order of a run's steps and the benchmark config checks. */
import { loadConfig, ConfigError } from '../../lib/config';
import { newRunId, planRun } from '../../lib/bench/plan';
import { BenchError } from '../../lib/bench/errors';

const config = loadConfig({});
const plan = (o: Partial<Parameters<typeof planRun>[1]> = {}, c = config) =>
  planRun(c, { targets: 'both', ladder: false, warmup: false, runId: 'r1', outDir: '/out', ...o });

describe('run plan', () => {
  test('both paths, main only: round-robin first, caches reset before each', () => {
    expect(plan().map((s) => [s.jobName, s.resetCaches, s.resultPath])).toEqual([
      ['llmd-bench-rr-main-inf-r1', true, '/out/round-robin_rate-inf_r1.json'],
      ['llmd-bench-llmd-main-inf-r1', true, '/out/llm-d_rate-inf_r1.json'],
    ]);
  });

  test('warm-up, main, then the ladder per path; warm-ups land in warmup/ and skip the reset', () => {
    const steps = plan({ ladder: true, warmup: true, targets: 'llm-d' });
    expect(steps.map((s) => `${s.run.phase}:${s.run.requestRate}:${s.run.numPrompts}`)).toEqual([
      'warmup:inf:300', 'main:inf:9000', 'ladder:5:1800', 'ladder:10:1800', 'ladder:15:1800', 'ladder:20:1800', 'ladder:25:1800', 'ladder:30:1800',
    ]);
    expect(steps[0]).toMatchObject({ resetCaches: false, resultPath: '/out/warmup/llm-d_rate-inf_r1.json' });
    expect(steps.slice(1).every((s) => s.resetCaches)).toBe(true);
    expect(steps.every((s) => s.run.label === 'llm-d')).toBe(true);
  });

  test('a run id no Job name may carry is refused while planning (bad input), before anything runs', () => {
    let err: unknown;
    try { plan({ runId: 'BAD_ID' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).exitCode).toBe(2);
    expect((err as BenchError).message).toMatch(/runId "BAD_ID": must be 1-24 lower-case letters/);
  });

  test('--ladder-only skips the main run; a numeric main rate is not measured twice', () => {
    expect(plan({ ladderOnly: true, targets: 'rr' }).map((s) => s.run.phase)).toEqual(Array(6).fill('ladder'));
    const c = loadConfig({ 'benchmark.requestRate': 20 });
    expect(plan({ ladder: true, targets: 'rr' }, c).map((s) => s.run.requestRate)).toEqual([20, 5, 10, 15, 25, 30]);
  });

  test('run ids sort by time and fit Job names', () => {
    expect(newRunId(Date.parse('2026-11-25T23:01:59Z'))).toBe('20261125-2301');
    expect(() => plan({ targets: 'blue' as never })).toThrow(/--target "blue": "blue" is not a path; use rr, llm-d, both, precise, approximate, load, random, custom/);
  });
});

describe('benchmark config checks', () => {
  const problems = (ctx: Record<string, unknown>) => {
    try {
      loadConfig(ctx);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  test('the defaults are valid and are the reference workload', () => {
    expect(problems({})).toEqual([]);
  });

  test.each([
    [{ 'benchmark.numPrompts': 9001 }, 'benchmark.numPrompts: got 9001; must be a multiple of benchmark.numPrefixes (150)'],
    [{ 'benchmark.ladderRates': '10,5' }, 'benchmark.ladderRates: got [10,5]; must be strictly ascending'],
    [{ 'benchmark.ladderRates': '' }, 'benchmark.ladderRates: got []; must list at least one request rate'],
    [{ 'benchmark.percentileMetrics': 'itl,e2el' }, 'benchmark.percentileMetrics: got ["itl","e2el"]; must include "ttft"'],
    [{ 'benchmark.metricPercentiles': '50,90' }, 'benchmark.metricPercentiles: got [50,90]; must include 99'],
    [{ 'benchmark.prometheusService': 'monitoring/prometheus' }, 'benchmark.prometheusService: got "monitoring/prometheus"; must be namespace/service:port'],
    [{ 'benchmark.clientCpu': 0 }, 'benchmark.clientCpu: got 0; must be > 0 CPU cores'],
  ])('%j', (ctx, message) => {
    expect(problems(ctx).some((p) => p.startsWith(message))).toBe(true);
  });
});
