/**
 * Prediction intervals (`<key>_p10` / `<key>_p90` in a simulate result, issue 12) reach the tune
 * report and the JSON when the simulator gives them, and are said to be missing when it does not.
 * An interval is one probe per ensemble member at the rate of the point, combined with the point
 * (predict.ts simulatorIntervals; test/tune/intervals-simulator.test.ts checks that against simulate).
 */
import { loadConfig } from '../../lib/config';
import { formatTuneReport, tuneDocument, type TuneEntry, type TuneReportInput } from '../../lib/bench/tune/output';
import type { IntervalMethod, Prediction, Probe } from '../../lib/bench/tune/predict';
import { intervalsOf } from '../../lib/bench/tune/predict';
import { type Evaluation, outcomeIntervals, type Tuner } from '../../lib/bench/tune/search';
import { baselineCandidate } from '../../lib/bench/tune/space';
import { SyntheticRunner, syntheticPrediction, syntheticTuner } from './helpers';

/** Member k of an interval predicts (0.9 + 0.05 k) x the point's throughput. */
class IntervalRunner extends SyntheticRunner {
  readonly memberProbes: Probe[] = [];
  async run(probe: Probe): Promise<Prediction> {
    const p = syntheticPrediction(probe);
    if (!p.ok) return p;
    if (probe.member === undefined) return { ...p, calibration: ['GPU stand-in (no anchor)'] };
    this.memberProbes.push(probe);
    return { ...p, result: { ...p.result, request_throughput: p.result.request_throughput * (0.9 + 0.05 * probe.member) } };
  }
}

/** Five members; P10/P90 of throughput = the lowest/highest member, mean TTFT a fixed 250-380. */
const SYNTHETIC_INTERVALS: IntervalMethod = {
  members: 5,
  combine: (point, members) => {
    const tp = members.map((m) => m.request_throughput);
    return { ...point, request_throughput_p10: Math.min(...tp), request_throughput_p90: Math.max(...tp), mean_ttft_ms_p10: 250, mean_ttft_ms_p90: 380 };
  },
};

async function report(tuner: Tuner): Promise<{ doc: Record<string, unknown>; text: string }> {
  const outcome = await tuner.run();
  const config = loadConfig({});
  const input: TuneReportInput = {
    outcome, ...(await outcomeIntervals(tuner, outcome)),
    ctx: { builder: tuner.input.builder, baselineLevers: baselineCandidate(config).levers, speculativeIndexing: true },
    slo: tuner.input.slo, objective: tuner.input.objective, space: tuner.input.space, load: tuner.input.builder.setup.load,
    workload: 'test', seed: 0, budgetS: tuner.input.budgetS, wallS: tuner.elapsedS(), workers: 1, simulations: 0, cacheHits: 0, simulatorFingerprint: 'test',
  };
  const doc = tuneDocument(input);
  return { doc, text: formatTuneReport(input, doc) };
}

describe('prediction intervals', () => {
  test('intervalsOf reads <key>_p10/_p90 pairs only', () => {
    expect(intervalsOf({ request_throughput: 5, request_throughput_p10: 4, request_throughput_p90: 6, mean_ttft_ms_p10: 3 })).toEqual({ request_throughput: [4, 6] });
  });

  test('shown in the Pareto table, the recommendation and the JSON; one member probe per ensemble member at the point\'s rate', async () => {
    const runner = new IntervalRunner();
    const tuner = syntheticTuner(runner, { hardware: { instanceTypes: ['g5.xlarge'], counts: [2, 4] }, intervals: SYNTHETIC_INTERVALS });
    const { doc, text } = await report(tuner);
    const best = doc.best as TuneEntry;
    const g = best.predicted!.request_throughput;
    expect(best.intervals.request_throughput[0]).toBeCloseTo(0.9 * g, 9);
    expect(best.intervals.request_throughput[1]).toBeCloseTo(1.1 * g, 9);
    expect(best.intervals.mean_ttft_ms).toEqual([250, 380]);
    // The answer's members: 0..4, each at the rate its point was predicted at.
    const own = runner.memberProbes.filter((p) => Number(p.context['gpuNodes.count']) === best.hardware.count && p.router === best.path &&
      Number(p.context['benchmark.requestRate']) === best.offeredRateRps && p.context['router.profile'] === best.routerProfile);
    expect(own.map((p) => p.member).sort()).toEqual([0, 1, 2, 3, 4]);
    // A calibration distance that comes with the run is the one reported.
    expect(best.outsideCalibration).toEqual(['GPU stand-in (no anchor)']);
    expect((doc.simulator as { intervals: string[] }).intervals).toEqual(['request_throughput', 'mean_ttft_ms']);
    for (const e of doc.pareto as TuneEntry[]) expect(Object.keys(e.intervals)).toContain('request_throughput');
    expect((doc.search as { paretoWithoutIntervals: number }).paretoWithoutIntervals).toBe(0);
    expect(text).toMatch(/prediction intervals \(P10-P90\): request_throughput [\d.]+-[\d.]+, mean_ttft_ms 250(\.0)?-380/);
    expect(text).not.toContain('prediction intervals: none');
    // The Pareto table's P10-P90 column, on the row of the answer.
    const row = text.split('\n').find((l) => l.includes('<- best')) as string;
    expect(row.trim().split(/\s{2,}/)[2]).toBe(`${(0.9 * g).toFixed(1)}-${(1.1 * g).toFixed(1)}`);
  });

  test('past --budget-s the Pareto points get no interval, the answer and the baseline still do; the report says so', async () => {
    let t = 0;
    const runner = new IntervalRunner(undefined, () => { t += 1000; }); // each probe "takes" a second
    const tuner = syntheticTuner(runner, { hardware: { instanceTypes: ['g5.xlarge'], counts: [2, 4] }, intervals: SYNTHETIC_INTERVALS, budgetS: 3600, now: () => t });
    const outcome = await tuner.run();
    expect(outcome.pareto.length).toBeGreaterThan(1);
    t = 3601 * 1000; // the search ended past its budget
    const { best, baseline, pareto } = await outcomeIntervals(tuner, outcome);
    expect(Object.keys(intervalsOf(best.result!))).toContain('request_throughput');
    expect(Object.keys(intervalsOf(baseline.result!))).toContain('request_throughput');
    const cut = pareto.filter((e) => e.key !== best.key && e.key !== baseline.key);
    expect(cut.length).toBeGreaterThan(0);
    for (const e of cut) {
      expect(intervalsOf(e.result!)).toEqual({});
      expect(e.intervalsMissing).toBe('budget');
    }
    const input: TuneReportInput = {
      outcome, best, baseline, pareto, ctx: { builder: tuner.input.builder, baselineLevers: baselineCandidate(loadConfig({})).levers, speculativeIndexing: true },
      slo: tuner.input.slo, objective: tuner.input.objective, space: tuner.input.space, load: tuner.input.builder.setup.load,
      workload: 'test', seed: 0, budgetS: 3600, wallS: tuner.elapsedS(), workers: 1, simulations: 0, cacheHits: 0, simulatorFingerprint: 'test',
    };
    const doc = tuneDocument(input);
    expect((doc.search as { paretoWithoutIntervals: number }).paretoWithoutIntervals).toBe(cut.length);
    expect(formatTuneReport(input, doc)).toContain(`(P10-P90 of ${cut.length} point${cut.length === 1 ? '' : 's'} not computed within --budget-s: -)`);
  });

  test('a member that fails leaves the answer without intervals, and the report says why', async () => {
    class FailingMember extends IntervalRunner {
      async run(probe: Probe): Promise<Prediction> {
        return probe.member === 2 ? { ok: false, error: 'boom' } : super.run(probe);
      }
    }
    const { doc, text } = await report(syntheticTuner(new FailingMember(), { hardware: { instanceTypes: ['g5.xlarge'], counts: [2, 4] }, intervals: SYNTHETIC_INTERVALS }));
    expect((doc.best as TuneEntry).intervals).toEqual({});
    expect((doc.best as TuneEntry).intervalsMissing).toBe('a parameter set of the ensemble failed: boom');
    expect(text).toContain('prediction intervals: none (a parameter set of the ensemble failed: boom)');
    expect((doc.search as { paretoWithoutIntervals: number }).paretoWithoutIntervals).toBe(0);
  });

  test('the whole run, intervals included, ends within one probe of --budget-s when the intervals fit in it', async () => {
    // One worker; every probe "takes" 1 s and says so (wallSeconds), so an interval costs 5 s.
    for (const budgetS of [16, 90]) {
      let t = 0;
      const starts: { at: number; member: boolean }[] = [];
      class Timed extends IntervalRunner {
        async run(probe: Probe): Promise<Prediction> {
          starts.push({ at: t / 1000, member: probe.member !== undefined });
          t += 1000;
          const p = await super.run(probe);
          return p.ok ? { ...p, wallSeconds: 1 } : p;
        }
      }
      const tuner = syntheticTuner(new Timed(), { hardware: { instanceTypes: ['g5.xlarge', 'g6.xlarge'], gpuBudget: 8 }, intervals: SYNTHETIC_INTERVALS, budgetS, now: () => t });
      const outcome = await tuner.run();
      const reserve = tuner.intervalSeconds([outcome.best, outcome.baseline]);
      expect(reserve).toBe(outcome.best.key === outcome.baseline.key ? 5 : 10);
      // Search, Occam's step and the contributions start nothing past the budget minus that reserve.
      for (const st of starts.filter((x) => !x.member)) expect(st.at).toBeLessThan(budgetS - reserve);
      const { best } = await outcomeIntervals(tuner, outcome);
      expect(Object.keys(intervalsOf(best.result!))).toContain('request_throughput');
      expect(tuner.elapsedS()).toBeLessThanOrEqual(budgetS + 1);
    }
  });

  test('Occam\'s step leaves the answer\'s and the baseline\'s intervals their expected time', () => {
    const tuner = syntheticTuner(new IntervalRunner(), { intervals: SYNTHETIC_INTERVALS });
    const e = (key: string, wall: number) => ({ key, result: {}, resultWallS: wall }) as unknown as Evaluation;
    // 5 members x (2 s + 0.5 s) on one worker; a repeated evaluation counts once; no result, no interval.
    expect(tuner.intervalSeconds([e('a', 2), e('b', 0.5), e('a', 2)])).toBeCloseTo(12.5, 9);
    expect(tuner.intervalSeconds([{ key: 'c' } as Evaluation])).toBe(0);
    expect(syntheticTuner(new IntervalRunner()).intervalSeconds([e('a', 2)])).toBe(0);
  });

  test('none when the simulator gives none (no fit committed)', async () => {
    const { doc, text } = await report(syntheticTuner(new SyntheticRunner(), { hardware: { instanceTypes: ['g5.xlarge'], counts: [2, 4] } }));
    expect((doc.best as TuneEntry).intervals).toEqual({});
    expect(text).toContain('prediction intervals: none (no fit committed');
  });
});
