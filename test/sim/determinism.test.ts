import { runSimulation } from '../../lib/sim/simulation';
import { buildResult, buildTimeSeries } from '../../lib/sim/results';
import { smallParams } from './helpers';

describe('determinism', () => {
  const once = (seed: number) => {
    const run = runSimulation(smallParams({}, { seed }), 'llm-d');
    return JSON.stringify({ result: buildResult(run, 'llm-d'), series: buildTimeSeries(run, 'llm-d') });
  };

  test('a seed reproduces a run bit for bit', () => {
    expect(once(3)).toBe(once(3));
  });

  test('another seed gives another run', () => {
    expect(once(4)).not.toBe(once(3));
  });
});
