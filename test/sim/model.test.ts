import { GPUS } from '../../lib/config/tables/gpus';
import { kvBytesPerToken, MODELS, weightBytes } from '../../lib/config/tables/models';
import { kvCacheBlocks, modelCosts } from '../../lib/sim/hardware';
import { StepTimeModel } from '../../lib/sim/step-time';
import { TEST_STEP_TIMING } from './helpers';

const qwen = MODELS['Qwen/Qwen2.5-7B-Instruct'];
const a10g = GPUS.A10G;

describe('model and GPU facts', () => {
  test('Qwen2.5-7B: 56 KiB of KV per token, 15.2 GB of weights, 14.14 GB streamed per step', () => {
    expect(kvBytesPerToken(qwen)).toBe(57344);
    expect(weightBytes(qwen) / 1e9).toBeCloseTo(15.23, 2);
    const c = modelCosts(qwen, 'auto');
    expect(c.weightBytesPerStep / 1e9).toBeCloseTo(14.14, 2);
    expect((2 * c.linearParams) / 1e9).toBeCloseTo(13.05, 2); // matmul GFLOP per token
    expect(c.attentionFlopsPerPair).toBe(401408);
    expect(modelCosts(qwen, 'fp8').kvBytesPerToken).toBe(28672);
    expect(qwen.chatTemplateLeadingTokens).toBeLessThanOrEqual(qwen.chatTemplateOverheadTokens);
  });

  test('A10G KV cache: ~85 k tokens at 0.9 utilisation, twice that with fp8, none at 0.65', () => {
    const base = { gpu: a10g, model: qwen, gpuMemoryUtilization: 0.9, blockSize: 64, kvCacheDtype: 'auto' as const, nonKvMemoryGiB: 1.5 };
    const blocks = kvCacheBlocks(base);
    expect(blocks * 64).toBeGreaterThan(78000);
    expect(blocks * 64).toBeLessThan(94000);
    expect(kvCacheBlocks({ ...base, kvCacheDtype: 'fp8' })).toBeGreaterThanOrEqual(2 * blocks);
    expect(kvCacheBlocks({ ...base, blockSize: 16 })).toBeGreaterThanOrEqual(4 * blocks);
    expect(kvCacheBlocks({ ...base, gpuMemoryUtilization: 0.65 })).toBe(0);
  });
});

describe('step-time model', () => {
  const k = TEST_STEP_TIMING;
  const m = new StepTimeModel(modelCosts(qwen, 'auto'), a10g, k);

  test('batch-1 decode is bound by streaming the weights: 14.14 GB at 480 GB/s = 29.5 ms', () => {
    expect(m.duration(1, 1, 0, 0) * 1000).toBeCloseTo(29.46, 1);
  });

  test('a 2048-token prefill is compute-bound (~0.5-0.6 s on an A10G)', () => {
    const t = m.duration(2048, 1, 0, StepTimeModel.prefillPairs(2048, 0));
    expect(t).toBeGreaterThan(0.45);
    expect(t).toBeLessThan(0.65);
  });

  test('64 decodes at ~2.3 k context: weights + KV reads (~50 ms of GPU)', () => {
    const t = m.duration(64, 64, 64 * 2330, 0) * 1000;
    expect(t).toBeGreaterThan(45);
    expect(t).toBeLessThan(55);
  });

  test('more tokens, sequences or context never make a step faster', () => {
    const base = m.duration(100, 10, 10000, 1000);
    expect(m.duration(400, 10, 10000, 1000)).toBeGreaterThanOrEqual(base);
    expect(m.duration(100, 20, 10000, 1000)).toBeGreaterThanOrEqual(base);
    expect(m.duration(100, 10, 20000, 1000)).toBeGreaterThan(base);
    expect(m.duration(100, 10, 10000, 2e6)).toBeGreaterThan(base);
  });

  test('async scheduling overlaps CPU and GPU: max instead of sum', () => {
    const cpu = { ...k, cpuStepSeconds: 0.01, cpuSeqSeconds: 0.001 };
    const serial = new StepTimeModel(modelCosts(qwen, 'auto'), a10g, cpu);
    const overlapped = new StepTimeModel(modelCosts(qwen, 'auto'), a10g, { ...cpu, asyncScheduling: true });
    const gpu = m.duration(64, 64, 64 * 2330, 0);
    expect(serial.duration(64, 64, 64 * 2330, 0)).toBeCloseTo(gpu + 0.074, 6);
    expect(overlapped.duration(64, 64, 64 * 2330, 0)).toBeCloseTo(Math.max(gpu, 0.074), 6);
  });

  test('prefill attention pairs are causal', () => {
    expect(StepTimeModel.prefillPairs(4, 0)).toBe(1 + 2 + 3 + 4);
    expect(StepTimeModel.prefillPairs(2, 10)).toBe(11 + 12);
  });
});
