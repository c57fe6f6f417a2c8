/**
 * Prediction intervals (`<key>_p10` / `<key>_p90` in a simulate result, issue 12) reach the tune
 * report and the JSON when the simulator gives them, and are said to be missing when it does not.
 * The synthetic simulator (helpers.ts) adds them only to probes that ask for intervals.
 */
import { loadConfig } from '../../lib/config';
import { formatTuneReport, tuneDocument, type TuneEntry, type TuneReportInput } from '../../lib/bench/tune/output';
import type { Prediction, Probe } from '../../lib/bench/tune/predict';
import { intervalsOf } from '../../lib/bench/tune/predict';
import { type Evaluation, type Tuner, withIntervals } from '../../lib/bench/tune/search';
import { baselineCandidate } from '../../lib/bench/tune/space';
import { SyntheticRunner, syntheticPrediction, syntheticTuner } from './helpers';

class IntervalRunner extends SyntheticRunner {
  async run(probe: Probe): Promise<Prediction> {
    const p = syntheticPrediction(probe);
    if (!p.ok) return p;
    if (!probe.withIntervals) return { ...p, calibration: ['GPU stand-in (no anchor)'] };
    const r = p.result;
    return { ...p, calibration: ['GPU stand-in (no anchor)'], result: { ...r, request_throughput_p10: r.request_throughput * 0.9, request_throughput_p90: r.request_throughput * 1.1, mean_ttft_ms_p10: 250, mean_ttft_ms_p90: 380 } };
  }
}

async function report(tuner: Tuner, intervals: boolean): Promise<{ doc: Record<string, unknown>; text: string }> {
  const outcome = await tuner.run();
  const again = async (e: Evaluation) => (intervals ? withIntervals(tuner, e) : e);
  const config = loadConfig({});
  const input: TuneReportInput = {
    outcome, best: await again(outcome.best), pareto: await Promise.all(outcome.pareto.map(again)), baseline: await again(outcome.baseline),
    ctx: { builder: tuner.input.builder, baselineLevers: baselineCandidate(config).levers, speculativeIndexing: true },
    slo: tuner.input.slo, objective: tuner.input.objective, space: tuner.input.space, load: tuner.input.builder.setup.load,
    workload: 'test', seed: 0, budgetS: 600, workers: 1, simulations: 0, cacheHits: 0, simulatorFingerprint: 'test',
  };
  const doc = tuneDocument(input);
  return { doc, text: formatTuneReport(input, doc) };
}

describe('prediction intervals', () => {
  test('intervalsOf reads <key>_p10/_p90 pairs only', () => {
    expect(intervalsOf({ request_throughput: 5, request_throughput_p10: 4, request_throughput_p90: 6, mean_ttft_ms_p10: 3 })).toEqual({ request_throughput: [4, 6] });
  });

  test('shown in the Pareto table, the recommendation and the JSON when the simulator gives them', async () => {
    const { doc, text } = await report(syntheticTuner(new IntervalRunner(), { hardware: { instanceTypes: ['g5.xlarge'], counts: [2, 4] } }), true);
    const best = doc.best as TuneEntry;
    const g = best.predicted!.request_throughput;
    expect(best.intervals.request_throughput[0]).toBeCloseTo(0.9 * g, 9);
    expect(best.intervals.request_throughput[1]).toBeCloseTo(1.1 * g, 9);
    expect(best.intervals.mean_ttft_ms).toEqual([250, 380]);
    // A calibration distance that comes with the run is the one reported.
    expect(best.outsideCalibration).toEqual(['GPU stand-in (no anchor)']);
    expect((doc.simulator as { intervals: string[] }).intervals).toEqual(['request_throughput', 'mean_ttft_ms']);
    for (const e of doc.pareto as TuneEntry[]) expect(Object.keys(e.intervals)).toContain('request_throughput');
    expect(text).toMatch(/prediction intervals \(P10-P90\): request_throughput [\d.]+-[\d.]+, mean_ttft_ms 250(\.0)?-380/);
    expect(text).not.toContain('not given by this simulator version');
    // The Pareto table's P10-P90 column, on the row of the answer.
    const row = text.split('\n').find((l) => l.includes('<- best')) as string;
    expect(row.trim().split(/\s{2,}/)[2]).toBe(`${(0.9 * g).toFixed(1)}-${(1.1 * g).toFixed(1)}`);
  });

  test('said to be missing when the simulator gives none', async () => {
    const { doc, text } = await report(syntheticTuner(new SyntheticRunner(), { hardware: { instanceTypes: ['g5.xlarge'], counts: [2, 4] } }), true);
    expect((doc.best as TuneEntry).intervals).toEqual({});
    expect(text).toContain('prediction intervals: not given by this simulator version');
  });
});
