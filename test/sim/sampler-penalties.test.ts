import { loadConfig } from '../../lib/config';
import { GPUS } from '../../lib/config/tables/gpus';
import { MODELS } from '../../lib/config/tables/models';
import { modelCosts } from '../../lib/sim/hardware';
import { simParams } from '../../lib/sim/params';
import { buildResult } from '../../lib/sim/results';
import { PENALTY_BYTES_PER_LOGIT_V1, PENALTY_BYTES_PER_LOGIT_V2, PENALTY_CPU_SECONDS_PER_TOKEN, samplerPenaltiesApply } from '../../lib/sim/sampler-penalties';
import { cpuTimeScale } from '../../lib/sim/host';
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

  test('the reference run (vllm bench serve, chat endpoint, Qwen2.5) pays it: the exact per-row cost of each model runner', () => {
    const v1 = simParams(loadConfig({}));
    expect(v1.backend).toBe('openai-chat');
    const bandwidth = v1.timing['weightBandwidth.ampere'] * GPUS.A10G.memoryBandwidthGBs * 1e9;
    expect(v1.stepTime.penaltyGpuSecondsPerRow).toBeCloseTo((qwen25.vocabSize * PENALTY_BYTES_PER_LOGIT_V1) / bandwidth, 12);
    expect(v1.stepTime.penaltyCpuSecondsPerToken).toBeCloseTo(PENALTY_CPU_SECONDS_PER_TOKEN * cpuTimeScale(v1.host), 15);
    // Model runner v2 (the pinned v0.27.1's default for dense models): one fused kernel, no CPU build.
    const v2 = simParams(loadConfig({ 'sim.vllmModelRunner': 'v2' }));
    expect(v2.stepTime.penaltyGpuSecondsPerRow).toBeCloseTo((qwen25.vocabSize * PENALTY_BYTES_PER_LOGIT_V2) / bandwidth, 12);
    expect(v2.stepTime.penaltyCpuSecondsPerToken).toBe(0);
    const off = simParams(loadConfig({ 'benchmark.backend': 'openai' }));
    expect(off.stepTime.penaltyGpuSecondsPerRow).toBe(0);
    expect(off.stepTime.penaltyCpuSecondsPerToken).toBe(0);
  });
});

describe('what the pass costs a step', () => {
  const a10g = GPUS.A10G;
  const costs = modelCosts(qwen25, 'auto');
  const perRow = (qwen25.vocabSize * PENALTY_BYTES_PER_LOGIT_V1) / (TEST_STEP_TIMING.weightBandwidth * a10g.memoryBandwidthGBs * 1e9);
  const plain = new StepTimeModel(costs, a10g, TEST_STEP_TIMING);
  const penalised = new StepTimeModel(costs, a10g, { ...TEST_STEP_TIMING, penaltyGpuSecondsPerRow: perRow, penaltyCpuSecondsPerToken: PENALTY_CPU_SECONDS_PER_TOKEN });

  test('the pass runs after the forward: 64 decodes add exactly 64 rows of it', () => {
    const extra = penalised.duration(64, 64, 64 * 2000, 0, false, 200) - plain.duration(64, 64, 64 * 2000, 0);
    expect(extra).toBeCloseTo(64 * perRow, 12);
  });

  test('the CPU tensor build overlaps the forward, and only a longer build delays the pass', () => {
    const forward = plain.duration(8, 8, 8 * 500, 0);
    // 8 rows x 1,000 outputs x 52 ns = 0.4 ms: hidden behind a ~30 ms forward.
    expect(penalised.duration(8, 8, 8 * 500, 0, false, 1000) - forward).toBeCloseTo(8 * perRow, 9);
    // 8 rows x 100,000 outputs x 52 ns = 41.6 ms: longer than the forward, so the pass waits for it.
    const long = penalised.duration(8, 8, 8 * 500, 0, false, 100_000);
    expect(long).toBeCloseTo(8 * 100_000 * PENALTY_CPU_SECONDS_PER_TOKEN + 8 * perRow, 9);
    expect(long).toBeGreaterThan(forward);
    // The wait lengthens the device side of the step but is not GPU-busy time (DCGM's utilisation).
    expect(penalised.lastDeviceSeconds).toBeCloseTo(8 * 100_000 * PENALTY_CPU_SECONDS_PER_TOKEN + 8 * perRow, 9);
    expect(penalised.lastGpuSeconds).toBeCloseTo(plain.lastGpuSeconds + 8 * perRow, 12);
  });
});

describe('the pass in a simulated run', () => {
  const result = (context: Record<string, unknown>) => {
    const p = simParams(loadConfig(context), SMALL);
    return buildResult(runSimulation(p, 'round-robin'), 'round-robin');
  };

  test('it slows decode and never speeds a run up; v2 costs less than v1', () => {
    const v1 = result({});
    const v2 = result({ 'sim.vllmModelRunner': 'v2' });
    const off = result({ 'sim.samplerPenalties': 'off' });
    expect(v1.mean_tpot_ms).toBeGreaterThan(v2.mean_tpot_ms);
    expect(v2.mean_tpot_ms).toBeGreaterThan(off.mean_tpot_ms);
    expect(v1.mean_tpot_ms / off.mean_tpot_ms).toBeLessThan(1.1);
    expect(v1.request_throughput).toBeLessThan(off.request_throughput);
  });

  test('a tensor build longer than the forward makes steps longer but is not counted as GPU-busy', () => {
    const base = simParams(loadConfig({}), { ...SMALL, outputLen: 48, numPrompts: 48, maxConcurrency: 8, replicas: 1 });
    const totals = (penaltyCpuSecondsPerToken: number) => {
      const run = runSimulation({ ...base, stepTime: { ...base.stepTime, penaltyCpuSecondsPerToken } }, 'round-robin');
      return { gpu: run.replicas.reduce((a, r) => a + r.gpuSeconds, 0), busy: run.replicas.reduce((a, r) => a + r.busySeconds, 0) };
    };
    const none = totals(0);
    // 0.2 ms per element: 8 rows x 48 outputs = 77 ms of build at the end, ~2x a decode forward.
    const slow = totals(2e-4);
    expect(slow.busy).toBeGreaterThan(1.3 * none.busy);
    // The same requests do the same GPU work (forward + pass), whatever the wait for the build.
    expect(slow.gpu / none.gpu).toBeGreaterThan(0.95);
    expect(slow.gpu / none.gpu).toBeLessThan(1.05);
  });

  test('the engine passes each step the output length of its longest-running request', () => {
    const spy = jest.spyOn(StepTimeModel.prototype, 'duration');
    try {
      const p = simParams(loadConfig({}), { ...SMALL, outputLen: 48, numPrompts: 48, maxConcurrency: 8 });
      runSimulation(p, 'round-robin');
      const longest = spy.mock.calls.map((c) => c[5] ?? 0);
      // Decodes run up to the last output token (48) and never beyond it; the first steps are prefills.
      expect(Math.max(...longest)).toBe(48);
      expect(Math.min(...longest)).toBe(0);
      expect(longest.every((n) => n >= 0 && n <= 48)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
