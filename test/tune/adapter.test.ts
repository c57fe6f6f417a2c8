/**
 * The one adapter between tune and the simulator (lib/bench/tune/predict.ts) against the interface of
 * the simulator (a stand-in here): no probe asks for the simulator's intervals, an interval member runs
 * one parameter set of the committed ensemble, and a calibration distance that comes with the run
 * (`{region, parts}`) reaches the prediction.
 */
const calls: { intervals?: boolean; model?: { timing?: unknown } }[] = [];
jest.mock('../../lib/sim', () => ({
  INTERVAL_MEMBERS: 8,
  simulate: (_c: unknown, options: { intervals?: boolean }) => {
    calls.push(options);
    return {
      runs: [{ result: { request_throughput: 10, request_throughput_p10: 9, request_throughput_p90: 11, completed: 5 } }],
      calibration: { region: 'outside', parts: [{ dimension: 'GPU', value: 1, detail: 'L4 (no anchor on ada)' }, { dimension: 'tensor parallelism', value: 0, detail: 'TP 1 (anchored)' }] },
    };
  },
}));
jest.mock('../../lib/sim/envelope', () => ({
  // Issue 12's signature: the distance needs the run's observed shape.
  calibrationDistance: (_c: unknown, _shape: unknown) => { throw new Error('needs the observed shape'); },
}));

import { loadConfig } from '../../lib/config';
import { calibrationDistanceOf, describeDistance, intervalsOf, predict, simulatorIntervals } from '../../lib/bench/tune/predict';
import { fittedCalibration } from '../../lib/sim/calibration/fitted';

describe('the simulator adapter', () => {
  test('runs every probe without the simulator\'s intervals; reads the result and the calibration of the run', () => {
    const p = predict({ context: {}, router: 'llm-d' });
    expect(calls.at(-1)?.intervals).toBe(false);
    expect(calls.at(-1)?.model).toBeUndefined();
    if (!p.ok) throw new Error(p.error);
    expect(p.calibration).toEqual(['GPU L4 (no anchor on ada)']);
    expect(intervalsOf(p.result)).toEqual({ request_throughput: [9, 11] });
  });

  test('an interval member runs parameter set k of the committed ensemble; one beyond it is an error', () => {
    const ensemble = fittedCalibration()!.ensemble;
    expect(predict({ context: {}, router: 'llm-d', member: 3 }).ok).toBe(true);
    expect(calls.at(-1)?.model?.timing).toEqual(ensemble[3]);
    expect(calls.at(-1)?.intervals).toBe(false);
    const p = predict({ context: {}, router: 'llm-d', member: ensemble.length });
    expect(p).toEqual({ ok: false, error: `no parameter set ${ensemble.length} in the committed ensemble (lib/sim/calibration/fitted.json)` });
    expect(simulatorIntervals()?.members).toBe(Math.min(8, ensemble.length));
  });

  test('before a run: no distance when the simulator computes it from the run', () => {
    expect(calibrationDistanceOf(loadConfig({}))).toEqual([]);
  });

  test('describeDistance: the current list as is; inside the anchors is nothing to say', () => {
    expect(describeDistance(['GPU L4'])).toEqual(['GPU L4']);
    expect(describeDistance({ region: 'inside', parts: [{ dimension: 'GPU', value: 0.3, detail: 'x' }] })).toEqual([]);
    expect(describeDistance(null)).toEqual([]);
  });
});
