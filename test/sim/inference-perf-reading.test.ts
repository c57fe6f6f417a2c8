/**
 * How the llm-d ladder anchors are read (lib/sim/anchor-predict.ts inferencePerfStage): with
 * inference-perf's own formulas (kubernetes-sigs/inference-perf aa3fd7f: reportgen/base.py,
 * apis/completion.py, loadgen/load_generator.py, datagen/shared_prefix_datagen.py).
 */
import { anchorCases, inferencePerfStage, LLMD_LADDER_OUTPUT } from '../../lib/sim/anchor-predict';
import { loadAnchors } from '../../lib/sim/anchors';

const anchors = loadAnchors();
const precise = anchors.find((a) => a.id === 'llmd-precise-prefix-h100-qwen3-32b')!;

describe('inferencePerfStage', () => {
  const stage = { duration_s: 20, elapsed_s: 40, completed: 50, output_throughput: 1250, mean_tpot_ms: 22 };

  test('output tok/s is the stage tokens over first send to last end (no window correction)', () => {
    expect(inferencePerfStage(stage).outputTokensPerSecond).toBe(1250);
  });

  test('requests/s is achieved_rate: requests over the sending time', () => {
    expect(inferencePerfStage(stage).achievedRate).toBeCloseTo(2.5, 9);
  });

  test('pooled mean ITL counts two timestamps per streamed chunk: TPOT x (K - 1) / (2K + 1)', () => {
    // 1250 tok/s x 40 s / 50 requests = 1,000 tokens each
    expect(inferencePerfStage(stage).meanItlMs).toBeCloseTo((22 * 999) / 2001, 9);
    expect(inferencePerfStage(stage).meanItlMs).toBeLessThan(0.5 * 22);
  });
});

describe('the llm-d shared-prefix ladder reading', () => {
  test('every request generates the configured 1,000 tokens (ignore_eos, max_tokens = output_len)', () => {
    expect(precise.workload.ignoreEos).toBe(true);
    expect(LLMD_LADDER_OUTPUT).toBe(precise.workload.outputLen.tokens);
    const c = anchorCases([precise])[0];
    for (const run of c.runs) expect(run.context['workload.sharedPrefix.outputLen']).toBe(1000);
  });

  test('the published unsaturated rows up to 20 QPS agree with it within 15% (tok/s from req/s, TTFT and ITL)', () => {
    const durations: Record<number, number> = { 3: 20, 10: 20, 20: 38 };
    const K = LLMD_LADDER_OUTPUT;
    const checked: string[] = [];
    for (const o of precise.observations) {
      const rate = Number(o.id.split('-qps')[1]);
      if (o.regime !== 'flat' || !(rate in durations)) continue;
      const m = o.metrics as Record<string, number>;
      const n = m.stage_request_rate * durations[rate];
      // one response after the last send: TTFT + (K - 1) TPOT, TPOT = mean ITL x (2K + 1) / (K - 1)
      const e2e = (m.mean_ttft_ms + m.mean_itl_ms * (2 * K + 1)) / 1000;
      const tokPerS = (n * K) / (durations[rate] + e2e);
      expect({ id: o.id, ratio: Math.abs(tokPerS / m.output_token_rate - 1) < 0.15 }).toEqual({ id: o.id, ratio: true });
      checked.push(o.id);
    }
    expect(checked.length).toBe(10);
  });
});
