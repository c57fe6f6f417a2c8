/**
 * The calibration test (issue 6): the reference run's parameters, both paths, the timing model fitted to
 * all public anchors (lib/sim/calibration/fitted.json, issue 12), against the published reference
 * (lib/sim/calibration/reference.ts). The llm-d path
 * runs the EndpointPickerConfig the workloads chart renders from the same config, unchanged.
 */
import { weightOf } from '../../lib/sim/routers/epp-config';
import { defaultConfig } from '../../lib/config';
import { simulate } from '../../lib/sim';
import { REFERENCE, TOLERANCE } from '../../lib/sim/calibration';

const config = defaultConfig();
const sim = simulate(config, { routers: ['round-robin', 'llm-d'], intervals: false });
const [rr, llmd] = sim.runs.map((r) => r.result);
const paths = [
  ['round-robin', rr, REFERENCE.roundRobin],
  ['llm-d', llmd, REFERENCE.llmd],
] as const;

const within = (got: number, want: number, tol: number) => Math.abs(got / want - 1) <= tol;

describe.each(paths)('%s against the reference run', (_name, got, want) => {
  test(`request and output throughput within ±${TOLERANCE.throughput * 100}%`, () => {
    expect({ got: got.request_throughput, ok: within(got.request_throughput, want.request_throughput, TOLERANCE.throughput) }).toMatchObject({ ok: true });
    expect({ got: got.output_throughput, ok: within(got.output_throughput, want.output_throughput, TOLERANCE.throughput) }).toMatchObject({ ok: true });
  });

  test(`mean TTFT and mean TPOT within ±${TOLERANCE.meanTtft * 100}%`, () => {
    expect({ got: got.mean_ttft_ms, ok: within(got.mean_ttft_ms, want.mean_ttft_ms, TOLERANCE.meanTtft) }).toMatchObject({ ok: true });
    expect({ got: got.mean_tpot_ms, ok: within(got.mean_tpot_ms, want.mean_tpot_ms, TOLERANCE.meanTpot) }).toMatchObject({ ok: true });
  });

  test(`prefix-cache hit rate (as vLLM counts it) within ${TOLERANCE.hitRatePoints * 100} points`, () => {
    expect(Math.abs(got.prefix_cache_hit_rate - want.prefix_cache_hit_rate)).toBeLessThanOrEqual(TOLERANCE.hitRatePoints);
  });

  test('every request completes, none fails', () => {
    expect(got.completed).toBe(9000);
    expect(got.failed).toBe(0);
  });
});

describe('KV regime', () => {
  test('round-robin saturates the KV cache', () => {
    expect(rr.kv_cache_usage_mean).toBeGreaterThan(0.85);
    expect(rr.kv_cache_usage_p95).toBeGreaterThan(0.97);
  });

  test('llm-d runs at roughly two thirds of it on average (the published 64-71%)', () => {
    expect(llmd.kv_cache_usage_mean).toBeGreaterThan(0.55);
    expect(llmd.kv_cache_usage_mean).toBeLessThan(0.8);
    // Not at the tail: FA2's mixed-step re-reads give the model KV peaks (p95 ~0.95-1.0, a few hundred
    // preemptions) the dashboard did not show (docs/simulator.md, Validation, "still missing").
  });
});

test('the llm-d path is the rendered EndpointPickerConfig (no-hit-lru-scorer included), not a copy', () => {
  expect(weightOf(sim.params.epp, 'no-hit-lru')).toBe(config.router.scorers.noHitLru);
  expect(weightOf(sim.params.epp, 'no-hit-lru')).toBeGreaterThan(0);
  expect(sim.params.epp.scorers.find((s) => s.type === 'no-hit-lru')).toMatchObject({ producer: 'precise-prefix-cache-producer' });
  expect(sim.params.epp.producers).toEqual([expect.objectContaining({ kind: 'precise', works: true })]);
  expect(sim.params.epp.warnings).toEqual([]);
});

test('both paths run on the same constants and workload', () => {
  expect(sim.runs[0].raw.params).toBe(sim.runs[1].raw.params);
  expect(rr.total_input_tokens).toBe(llmd.total_input_tokens);
});
