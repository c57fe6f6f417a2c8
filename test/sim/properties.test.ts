import { buildResult } from '../../lib/sim/results';
import { Rng } from '../../lib/sim/rng';
import type { RouterKind } from '../../lib/sim/routers/types';
import { runSimulation } from '../../lib/sim/simulation';
import { smallParams } from './helpers';

/** A handful of random small configurations, different block sizes, budgets, KV sizes and routers. */
const rng = new Rng(2024);
const cases = Array.from({ length: 6 }, (_, i) => {
  const routers: RouterKind[] = ['round-robin', 'random', 'llm-d', 'llm-d-no-speculative'];
  return {
    name: `case ${i}`,
    router: routers[i % routers.length],
    context: {
      'vllm.blockSize': [16, 32, 64, 128][rng.int(4)],
      'vllm.maxNumSeqs': [4, 16, 256][rng.int(3)],
      'vllm.maxNumBatchedTokens': [512, 2048][rng.int(2)],
      'vllm.gpuMemoryUtilization': [0.75, 0.9][rng.int(2)],
    },
    overrides: {
      seed: i,
      numPrompts: 120 + 12 * rng.int(10),
      numPrefixes: 12,
      prefixLen: 256 + 64 * rng.int(8),
      suffixLen: 1 + rng.int(200),
      outputLen: 1 + rng.int(64),
      replicas: 1 + rng.int(4),
      maxConcurrency: [8, 64, null][rng.int(3)],
      requestRate: i % 2 === 0 ? ('inf' as const) : 5 + rng.int(20),
    },
  };
});

describe.each(cases)('invariants: $name ($router)', ({ router, context, overrides }) => {
  const params = smallParams(context, overrides);
  const run = runSimulation(params, router);
  const result = buildResult(run, router);
  const q = run.reqs;

  test('every request completes exactly once, in causal order', () => {
    expect(result.completed).toBe(q.count);
    for (let r = 0; r < q.count; r++) {
      expect(Number.isFinite(q.finishTime[r])).toBe(true);
      expect(q.sendTime[r]).toBeLessThanOrEqual(q.firstTokenTime[r]);
      expect(q.firstTokenTime[r]).toBeLessThanOrEqual(q.finishTime[r]);
      expect(q.finishTime[r]).toBeLessThanOrEqual(run.duration);
    }
  });

  test('tokens are conserved: every prompt token in, every output token out', () => {
    let inTokens = 0;
    let outTokens = 0;
    for (let r = 0; r < q.count; r++) {
      expect(q.generated[r]).toBe(q.outputLen[r]);
      inTokens += q.promptLen[r];
      outTokens += q.outputLen[r];
    }
    expect(result.total_input_tokens).toBe(inTokens);
    expect(result.total_output_tokens).toBe(outTokens);
    expect(result.request_throughput).toBeCloseTo(q.count / result.duration, 9);
  });

  test('rates and fractions stay in [0, 1]; caches drain; the client limit holds', () => {
    for (const k of ['prefix_cache_hit_rate', 'prefix_cache_hit_rate_first_lookup', 'kv_cache_usage_mean', 'kv_cache_usage_p95'] as const) {
      expect(result[k]).toBeGreaterThanOrEqual(0);
      expect(result[k]).toBeLessThanOrEqual(1);
    }
    for (const rep of run.replicas) expect(rep.pool.usage).toBe(0);
    if (params.maxConcurrency !== null) expect(result.max_concurrent_requests).toBeLessThanOrEqual(params.maxConcurrency);
    expect(result.max_waiting).toBeLessThanOrEqual(q.count);
  });

  test('an open or closed loop never completes faster than it is offered requests', () => {
    if (params.requestRate !== 'inf') expect(result.request_throughput).toBeLessThanOrEqual(params.requestRate * (1 + 1e-9));
  });
});

describe('open loop behaves sensibly', () => {
  const offered = (rate: number) => buildResult(runSimulation(smallParams({}, { requestRate: rate, maxConcurrency: null, replicas: 1, numPrompts: 240 }), 'round-robin'), 'round-robin');
  const light = offered(0.5);
  const heavy = offered(400);

  test('below capacity the achieved rate follows the offered rate and nothing queues for long', () => {
    expect(light.request_throughput).toBeGreaterThan(0.45);
    expect(light.request_throughput).toBeLessThanOrEqual(0.5);
    expect(light.median_ttft_ms).toBeLessThan(1000);
  });

  test('above capacity queues build and TTFT grows, but throughput saturates below the offer', () => {
    expect(heavy.request_throughput).toBeLessThan(200);
    expect(heavy.max_waiting).toBeGreaterThan(50);
    expect(heavy.mean_ttft_ms).toBeGreaterThan(5 * light.mean_ttft_ms);
  });
});
