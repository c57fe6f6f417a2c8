/**
 * The search of `tune` against a synthetic simulator whose truth is known (helpers.ts): the rate
 * search finds the grid's highest passing rate, early stops never drop a Pareto point, the answer
 * does not depend on completion order, --budget-s cuts between chunks, and the objectives pick what
 * they say. No real simulation runs here (test/tune/reproduce.test.ts does that).
 */
import { candidateKey, DEFAULT_LEVER_VALUES, hardwarePlacements, LEVER_KEYS, overridesOf } from '../../lib/bench/tune/space';
import { loadConfig, modelFacts } from '../../lib/config';
import { gridIndexAbove, gridIndexNear, gridRate, type Evaluation, type TuneOutcome } from '../../lib/bench/tune/search';
import { paretoFront } from '../../lib/bench/tune/objective';
import { searchRng } from '../../lib/bench/tune/space';
import { SMALL_LEVERS, SyntheticRunner, syntheticCapacity, syntheticTuner } from './helpers';

/** The true goodput of a capacity: the highest grid rate below it. */
function truth(cap: number): number {
  return gridRate(gridIndexAbove(cap) - 1) < cap ? gridRate(gridIndexAbove(cap) - 1) : gridRate(gridIndexAbove(cap) - 2);
}

function capacityOf(tuner: ReturnType<typeof syntheticTuner>, e: Evaluation): number {
  const probe = tuner.input.builder.probe(e.candidate, 1);
  return syntheticCapacity(probe.context, probe.router);
}

/** The outcome without timings: what must not depend on workers or timing. */
function summary(o: TuneOutcome) {
  return {
    best: o.best.key,
    bestGoodput: o.best.goodput,
    pareto: o.pareto.map((e) => [e.key, e.goodput]),
    evaluations: o.evaluations.map((e) => [e.key, e.status, e.goodput]).sort(),
    contributions: o.contributions.map((c) => [c.lever, c.evaluation?.goodput]),
  };
}

describe('the rate grid', () => {
  test('32 steps per doubling, 4 significant digits, indices round-trip', () => {
    expect(gridRate(0)).toBe(1);
    expect(gridRate(32)).toBe(2);
    expect(gridRate(1)).toBe(1.022);
    expect(gridIndexNear(gridRate(77))).toBe(77);
    for (const r of [0.5, 3, 24, 24.01, 100]) {
      const k = gridIndexAbove(r);
      expect(gridRate(k)).toBeGreaterThan(r);
      expect(gridRate(k - 1)).toBeLessThanOrEqual(r);
    }
  });
});

describe('tune search on a synthetic simulator', () => {
  let outcome: TuneOutcome;
  let tuner: ReturnType<typeof syntheticTuner>;
  beforeAll(async () => {
    tuner = syntheticTuner(new SyntheticRunner(), { hardware: { instanceTypes: ['g5.xlarge', 'g6.xlarge'], counts: [2, 4, 8] } });
    outcome = await tuner.run();
  });

  test('every exact goodput is the highest grid rate that meets the SLO', () => {
    const exact = outcome.evaluations.filter((e) => e.status === 'ok');
    expect(exact.length).toBeGreaterThan(5);
    for (const e of exact) expect(e.goodput).toBe(truth(capacityOf(tuner, e)));
    // The configured deployment: 8 replicas x 3 req/s, llm-d, bf16 KV.
    expect(outcome.baseline.goodput).toBe(truth(24));
  });

  test('a candidate stopped early as dominated really is: its true goodput is at most its bound', () => {
    const stopped = outcome.evaluations.filter((e) => e.status === 'dominated');
    expect(stopped.length).toBeGreaterThan(0);
    for (const e of stopped) expect(truth(capacityOf(tuner, e))).toBeLessThan(e.upperBound as number);
  });

  test('the Pareto front equals the brute-force front of every candidate\'s true goodput', () => {
    const all = outcome.evaluations.map((e) => ({ key: e.key, costPerHour: e.costPerHour, goodput: truth(capacityOf(tuner, e)) }));
    const brute = paretoFront(all, outcome.best.key).map((p) => [p.costPerHour, p.goodput]);
    expect(outcome.pareto.map((e) => [e.costPerHour, e.goodput])).toEqual(brute);
  });

  test('goodput per dollar picks the cheaper GPU of equal count, fp8, llm-d; settings that buy nothing stay as configured', () => {
    const c = outcome.best.candidate;
    expect(c.levers.kvCacheDtype).toBe('fp8');
    expect(c.levers.router).toBe('precise');
    // blockSize and maxNumSeqs (>= 128) change nothing in the synthetic model: Occam's step keeps the configured values.
    expect(c.levers.blockSize).toBe(64);
    expect(c.levers.maxNumSeqs).toBe(256);
    const perDollar = (e: Evaluation) => e.goodput / e.costPerHour;
    for (const e of outcome.evaluations.filter((x) => x.status === 'ok')) expect(perDollar(e)).toBeLessThanOrEqual(perDollar(outcome.best) + 1e-12);
  });

  test('contributions: resetting fp8 costs what the synthetic model says', () => {
    const fp8 = outcome.contributions.find((x) => x.lever === 'kvCacheDtype');
    expect(fp8?.evaluation?.goodput).toBe(truth(capacityOf(tuner, outcome.best) / 1.2));
  });

  test('the same answer whatever order the probes complete in', async () => {
    const rand = searchRng(7);
    const shuffled = await syntheticTuner(new SyntheticRunner(() => rand() * 3), { hardware: { instanceTypes: ['g5.xlarge', 'g6.xlarge'], counts: [2, 4, 8] } }).run();
    expect(summary(shuffled)).toEqual(summary(outcome));
  });
});

describe('objectives', () => {
  test('min-cost-for-rate: the cheapest placement that reaches the target; dearer ones are never simulated', async () => {
    const tuner = syntheticTuner(new SyntheticRunner(), {
      hardware: { instanceTypes: ['g5.xlarge'], gpuBudget: 8 },
      levers: { kvCacheDtype: ['auto'], router: ['precise'], maxNumSeqs: [256], blockSize: [64] },
      objective: { objective: 'min-cost-for-rate', targetRate: 10 },
      samples: 0,
    });
    const o = await tuner.run();
    // 3 req/s per replica: 4 replicas (12) is the first above 10.
    expect(o.best.candidate.hw.count).toBe(4);
    expect(o.best.goodput).toBeGreaterThanOrEqual(10);
    expect(o.skippedDearer).toBeGreaterThan(0);
  });

  test('max-goodput: the most replicas', async () => {
    const o = await syntheticTuner(new SyntheticRunner(), {
      hardware: { instanceTypes: ['g5.xlarge', 'g5.12xlarge'], counts: [1, 3] },
      objective: { objective: 'max-goodput' },
      samples: 0,
    }).run();
    expect(o.best.candidate.hw).toEqual({ instanceType: 'g5.12xlarge', count: 3, tensorParallelSize: 1 });
  });
});

describe('--budget-s', () => {
  test('stops between chunks when the budget is spent; the baseline is always evaluated', async () => {
    let t = 0;
    const runner = new SyntheticRunner(undefined, () => { t += 1000; }); // each probe "takes" a second
    const o = await syntheticTuner(runner, { hardware: { instanceTypes: ['g5.xlarge', 'g6.xlarge'], gpuBudget: 8 }, budgetS: 30, now: () => t }).run();
    expect(o.budgetExhausted).toBe(true);
    expect(o.baseline.goodput).toBeGreaterThan(0);
    // Nothing started after the search deadline but the chunk in flight (<= 16 candidates x ~10 probes).
    expect(runner.calls).toBeLessThan(30 + 16 * 12);
    expect(o.evaluations.length).toBeLessThan(16 * 3);
    // The answer is the best of what was evaluated.
    for (const e of o.evaluations.filter((x) => x.status === 'ok')) expect(e.goodput / e.costPerHour).toBeLessThanOrEqual(o.best.goodput / o.best.costPerHour + 1e-12);
  });
});

describe('--budget-s bounds the whole run', () => {
  test('no probe starts past the deadline: a run ends within one probe per worker of its budget', async () => {
    // Each probe "takes" a second on the fake clock (one worker). Unbounded, this search takes 220 s
    // and its first chunk alone ~100 s; cutting only between chunks ended a 200 s budget at 212 s and
    // a 60 s one at ~116 s (the first chunk ran whole).
    for (const budgetS of [200, 60]) {
      let t = 0;
      const runner = new SyntheticRunner(undefined, () => { t += 1000; });
      const o = await syntheticTuner(runner, { hardware: { instanceTypes: ['g5.xlarge', 'g6.xlarge'], gpuBudget: 8 }, budgetS, now: () => t }).run();
      expect(o.budgetExhausted).toBe(true);
      expect(o.wallS).toBeLessThanOrEqual(budgetS + 1);
      expect(o.baseline.goodput).toBeGreaterThan(0);
      expect(o.evaluations.length).toBeGreaterThan(1);
      // What was cut is not recorded as evaluated: every evaluation carries its probes' outcome.
      for (const e of o.evaluations) expect(['ok', 'capped', 'fails-slo', 'dominated', 'error']).toContain(e.status);
    }
  });
});

describe('candidates', () => {
  test('candidates that deploy the same are simulated once', async () => {
    const runner = new SyntheticRunner();
    // Scorer weights do not matter to round-robin and 2/1/1/2 routes as 4/2/2/4: one candidate each.
    const tuner = syntheticTuner(runner, {
      levers: { ...SMALL_LEVERS, router: ['round-robin'], prefixCache: [2, 4], kvCacheUtilization: [1, 2], queue: [1, 2], noHitLru: [2, 4], kvCacheDtype: ['auto'], maxNumSeqs: [256], blockSize: [64] },
      samples: 16,
    });
    const o = await tuner.run();
    const keys = new Set(o.evaluations.map((e) => candidateKey(e.candidate)));
    expect(keys.size).toBe(o.evaluations.length);
    expect(o.evaluations.filter((e) => e.candidate.levers.router === 'round-robin').length).toBe(1);
  });
});

describe('the API server lever', () => {
  test('vllm.apiServerCount is searched (1, 2, 4), written as an override, and counts beyond the pod are pruned by the config check', async () => {
    expect(LEVER_KEYS.apiServerCount).toBe('vllm.apiServerCount');
    expect(DEFAULT_LEVER_VALUES.apiServerCount).toEqual([1, 2, 4]);
    const tuner = syntheticTuner(new SyntheticRunner(), {
      levers: { ...SMALL_LEVERS, apiServerCount: [1, 2, 4], router: ['precise'], kvCacheDtype: ['auto'], maxNumSeqs: [256], blockSize: [64] },
      samples: 8,
    });
    const o = await tuner.run();
    const counts = new Set(o.evaluations.map((e) => e.candidate.levers.apiServerCount));
    expect(counts).toEqual(new Set([1, 2]));
    // 4 on a g5.xlarge (3.5 vCPUs per pod) is refused by the same validation as cdk synth.
    const four = o.pruned.filter((p) => p.candidate.levers.apiServerCount === 4);
    expect(four.length).toBeGreaterThan(0);
    expect(four.every((p) => p.kind === 'config' && /vllm.apiServerCount: got 4; must be <= 2/.test(p.reason))).toBe(true);
    expect(overridesOf(o.evaluations.find((e) => e.candidate.levers.apiServerCount === 2)!.candidate, true)['vllm.apiServerCount']).toBe(2);
  });
});

describe('placements', () => {
  test('--gpus N: per instance type the count that gives exactly N GPUs; TPs that divide the node and the 28 heads', () => {
    const c = loadConfig({});
    const hw = hardwarePlacements(c, modelFacts(c), { instanceTypes: ['g5.xlarge', 'g5.12xlarge', 'g5.48xlarge', 'g6e.12xlarge'], gpus: 8 });
    expect(hw.map((h) => `${h.count}x${h.instanceType}/TP${h.tensorParallelSize}`)).toEqual([
      '8xg5.xlarge/TP1',
      '2xg5.12xlarge/TP1', '2xg5.12xlarge/TP2', '2xg5.12xlarge/TP4',
      '1xg5.48xlarge/TP1', '1xg5.48xlarge/TP2', '1xg5.48xlarge/TP4', // TP 8 does not divide 28 heads
      '2xg6e.12xlarge/TP1', '2xg6e.12xlarge/TP2', '2xg6e.12xlarge/TP4',
    ]);
    expect(hardwarePlacements(c, modelFacts(c), { instanceTypes: ['g5.12xlarge'], gpus: 6 })).toEqual([]);
  });
});
