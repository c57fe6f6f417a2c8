import { loadConfig } from '../../lib/config';
import { GPUS } from '../../lib/config/tables/gpus';
import { MODELS } from '../../lib/config/tables/models';
import { modelCosts } from '../../lib/sim/hardware';
import { simParams } from '../../lib/sim/params';
import { buildResult } from '../../lib/sim/results';
import { PENALTY_BYTES_PER_LOGIT, PENALTY_CPU_SECONDS_PER_TOKEN, samplerPenaltiesApply } from '../../lib/sim/sampler-penalties';
import { runSimulation } from '../../lib/sim/simulation';
import { StepTimeModel } from '../../lib/sim/step-time';
import { SMALL, TEST_STEP_TIMING } from './helpers';

const qwen25 = MODELS['Qwen/Qwen2.5-7B-Instruct'];
const llama = MODELS['meta-llama/Llama-3.1-8B-Instruct'];

describe('when vLLM runs the sampler penalty pass', () => {
  const applies = (context: Record<string, unknown>, model = qwen25) => samplerPenaltiesApply(loadConfig(context), model);

  test("Qwen2.5's generation_config penalty (1.05) applies unless the client sends its own", () => {
    expect(qwen25.generationRepetitionPenalty).toBe(1.05);
    // vllm bench serve: the chat backend sends none, the completions backend sends 1.0.
    expect(applies({ 'benchmark.harness': 'vllm', 'benchmark.backend': 'openai-chat' })).toBe(true);
    expect(applies({ 'benchmark.harness': 'vllm', 'benchmark.backend': 'openai' })).toBe(false);
    // inference-perf sends no sampling parameters at all, whatever the backend key says.
    expect(applies({ 'benchmark.harness': 'inference-perf', 'benchmark.backend': 'openai', 'workload.name': 'shared-prefix' })).toBe(true);
  });

  test('models whose generation_config sets no penalty never run it on auto', () => {
    for (const [id, m] of Object.entries(MODELS)) {
      if (id === 'Qwen/Qwen2.5-7B-Instruct') continue;
      expect([id, m.generationRepetitionPenalty ?? 1]).toEqual([id, 1]);
      expect(applies({ 'benchmark.harness': 'vllm', 'benchmark.backend': 'openai-chat' }, m)).toBe(false);
    }
  });

  test('sim.samplerPenalties on/off override the reading, and bad values are refused with the allowed ones', () => {
    expect(applies({ 'sim.samplerPenalties': 'on' }, llama)).toBe(true);
    expect(applies({ 'sim.samplerPenalties': 'off', 'benchmark.backend': 'openai-chat' })).toBe(false);
    expect(() => loadConfig({ 'sim.samplerPenalties': 'yes' })).toThrow(/sim\.samplerPenalties.*auto.*on.*off/s);
  });

  test('the reference run (vllm bench serve, chat endpoint, Qwen2.5) pays it: the simulator resolves it from the config', () => {
    const on = simParams(loadConfig({}));
    expect(on.backend).toBe('openai-chat');
    expect(on.stepTime.penaltyGpuSecondsPerRow).toBeGreaterThan(0);
    const off = simParams(loadConfig({ 'benchmark.backend': 'openai' }));
    expect(off.stepTime.penaltyGpuSecondsPerRow).toBe(0);
    expect(off.stepTime.penaltyCpuSecondsPerToken).toBe(0);
  });
});

describe('what the pass costs a step', () => {
  const a10g = GPUS.A10G;
  const costs = modelCosts(qwen25, 'auto');
  const perRow = (qwen25.vocabSize * PENALTY_BYTES_PER_LOGIT) / (TEST_STEP_TIMING.weightBandwidth * a10g.memoryBandwidthGBs * 1e9);
  const plain = new StepTimeModel(costs, a10g, TEST_STEP_TIMING);
  const penalised = new StepTimeModel(costs, a10g, { ...TEST_STEP_TIMING, penaltyGpuSecondsPerRow: perRow, penaltyCpuSecondsPerToken: PENALTY_CPU_SECONDS_PER_TOKEN });

  test('64 decodes of a 152k vocabulary: 0.83 GB of memory passes, ~1.7 ms at 480 GB/s, after the forward', () => {
    expect((64 * qwen25.vocabSize * PENALTY_BYTES_PER_LOGIT) / 1e9).toBeCloseTo(0.827, 3);
    const extra = penalised.duration(64, 64, 64 * 2000, 0, false, 200) - plain.duration(64, 64, 64 * 2000, 0);
    expect(extra * 1000).toBeCloseTo(64 * perRow * 1000, 6);
    expect(extra * 1000).toBeGreaterThan(1.6);
    expect(extra * 1000).toBeLessThan(1.9);
  });

  test('the CPU tensor build overlaps the forward, and only a longer build delays the pass', () => {
    const forward = plain.duration(8, 8, 8 * 500, 0);
    // 8 rows x 1,000 outputs x 52 ns = 0.4 ms: hidden behind a ~30 ms forward.
    expect(penalised.duration(8, 8, 8 * 500, 0, false, 1000) - forward).toBeCloseTo(8 * perRow, 9);
    // 8 rows x 100,000 outputs x 52 ns = 41.6 ms: longer than the forward, so the pass waits for it.
    const long = penalised.duration(8, 8, 8 * 500, 0, false, 100_000);
    expect(long).toBeCloseTo(8 * 100_000 * PENALTY_CPU_SECONDS_PER_TOKEN + 8 * perRow, 9);
    expect(long).toBeGreaterThan(forward);
  });
});

describe('the pass in a simulated run', () => {
  const run = (backend: string) => {
    const p = simParams(loadConfig({ 'benchmark.backend': backend }), SMALL);
    return buildResult(runSimulation(p, 'round-robin'), 'round-robin');
  };

  test('it never speeds a run up, and slows decode by a few percent on an A10G', () => {
    const chat = run('openai-chat');
    // The completions backend also drops the 29 chat-template tokens: compare per-token decode.
    const completions = run('openai');
    expect(chat.mean_tpot_ms).toBeGreaterThan(completions.mean_tpot_ms);
    expect(chat.mean_tpot_ms / completions.mean_tpot_ms).toBeLessThan(1.15);
    const off = buildResult(runSimulation(simParams(loadConfig({ 'sim.samplerPenalties': 'off' }), SMALL), 'round-robin'), 'round-robin');
    expect(chat.mean_tpot_ms).toBeGreaterThan(off.mean_tpot_ms);
    expect(chat.request_throughput).toBeLessThanOrEqual(off.request_throughput);
  });
});
