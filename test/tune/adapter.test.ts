/**
 * The one adapter between tune and the simulator (lib/bench/tune/predict.ts) against the interface of
 * issue 12's simulator (a stand-in here): the rate search asks for no intervals, the answer's re-run
 * does, and a calibration distance that comes with the run (`{region, parts}`) reaches the prediction.
 */
const calls: { intervals?: boolean }[] = [];
jest.mock('../../lib/sim', () => ({
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
import { calibrationDistanceOf, describeDistance, intervalsOf, predict } from '../../lib/bench/tune/predict';

describe('the simulator adapter', () => {
  test('passes withIntervals as the simulator\'s intervals option; reads the intervals and the calibration of the run', () => {
    const p = predict({ context: {}, router: 'llm-d', withIntervals: false });
    expect(calls.at(-1)?.intervals).toBe(false);
    if (!p.ok) throw new Error(p.error);
    expect(p.calibration).toEqual(['GPU L4 (no anchor on ada)']);
    expect(intervalsOf(p.result)).toEqual({ request_throughput: [9, 11] });
    predict({ context: {}, router: 'llm-d', withIntervals: true });
    expect(calls.at(-1)?.intervals).toBe(true);
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
