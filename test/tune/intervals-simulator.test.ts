/**
 * tune's intervals (one member probe per ensemble parameter set, spread over the pool, combined in
 * predict.ts) are the intervals `simulate` computes for the same run in one job (lib/sim/index.ts).
 */
import { loadConfig } from '../../lib/config';
import { predict, type PredictedResult, simulatorIntervals } from '../../lib/bench/tune/predict';
import { INTERVAL_KEYS, simulate } from '../../lib/sim';

const CONTEXT = { 'benchmark.numPrompts': 450, 'benchmark.maxConcurrency': 96 };

describe('tune intervals = simulate intervals', () => {
  test('the same P10/P90 for every interval key, from member probes', () => {
    const method = simulatorIntervals();
    if (!method) throw new Error('no fit committed');
    const run = (member?: number): PredictedResult => {
      const p = predict({ context: CONTEXT, router: 'llm-d', ...(member !== undefined ? { member } : {}) });
      if (!p.ok) throw new Error(p.error);
      return p.result;
    };
    const point = run();
    const combined = method.combine(point, Array.from({ length: method.members }, (_, k) => run(k)));
    const direct = simulate(loadConfig(CONTEXT), { routers: ['llm-d'], intervals: true }).runs[0].result as unknown as Record<string, number>;
    for (const key of INTERVAL_KEYS) {
      expect(direct[`${key}_p10`]).toBeLessThan(direct[`${key}_p90`]);
      expect(combined[`${key}_p10`]).toBe(direct[`${key}_p10`]);
      expect(combined[`${key}_p90`]).toBe(direct[`${key}_p90`]);
      expect(combined[key]).toBe(direct[key]);
    }
  });
});
