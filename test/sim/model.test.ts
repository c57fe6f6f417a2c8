import { GPUS, REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS } from '../../lib/config/tables/gpus';
import { stepTimingFor } from '../../lib/sim/params';
import { completeTimingValues } from '../../lib/sim/timing-params';
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

describe('FlashAttention 2 re-reads the KV per query head in steps with a prefill chunk', () => {
  const costs = modelCosts(qwen, 'auto');
  const fa2 = new StepTimeModel(costs, a10g, { ...TEST_STEP_TIMING, rereadL2Bytes: 6 * 2 ** 20 });
  const packed = new StepTimeModel(costs, a10g, TEST_STEP_TIMING);
  const l2Tokens = (6 * 2 ** 20) / 512; // one KV head of one layer: K + V, 128 x 2 bytes each

  test('Qwen2.5-7B: 7 query heads per KV head, 512 bytes per token of one KV head and layer', () => {
    expect(costs.queryHeadsPerKvHead).toBe(7);
    expect(costs.kvHeadBytesPerToken).toBe(512);
    expect(modelCosts(qwen, 'auto', 2).queryHeadsPerKvHead).toBe(7);
    expect(modelCosts(qwen, 'fp8').kvHeadBytesPerToken).toBe(256);
  });

  test('r = 1 while the step KV of one head fits in L2, then 1 + (g - 1)(1 - L2/D)', () => {
    expect(fa2.kvReads(l2Tokens)).toBe(1);
    expect(fa2.kvReads(2 * l2Tokens)).toBeCloseTo(1 + 6 * 0.5, 9);
    expect(fa2.kvReads(64 * 2330)).toBeCloseTo(1 + 6 * (1 - l2Tokens / (64 * 2330)), 9);
    expect(fa2.kvReads(1e9)).toBeLessThan(7);
    expect(packed.kvReads(1e9)).toBe(1);
  });

  test('only mixed steps pay: a decode-only step costs the same as with a packing kernel', () => {
    const ctx = 64 * 2330;
    expect(fa2.duration(64, 64, ctx, 0, false)).toBe(packed.duration(64, 64, ctx, 0, false)); // decode-only: packed
    expect(fa2.duration(64, 64, ctx, 0, true)).toBeGreaterThan(packed.duration(64, 64, ctx, 0, true));
    const chunk = StepTimeModel.prefillPairs(256, 0);
    const extra = fa2.duration(320, 65, ctx, chunk, true) - packed.duration(320, 65, ctx, chunk, true);
    const kvOnce = (ctx * costs.kvBytesPerToken) / (TEST_STEP_TIMING.kvBandwidth * a10g.memoryBandwidthGBs * 1e9);
    expect(extra).toBeCloseTo(kvOnce * (fa2.kvReads(ctx) - 1), 9);
  });

  test('which GPUs re-read: FA2 (Ampere, Ada) with a 16-bit KV cache; not Hopper (FA3), Blackwell (FlashInfer) or fp8 KV', () => {
    const t = completeTimingValues({});
    const host = { cpu: { cpu: 'x', microarchitecture: 'unknown', maxBoostGHz: 0, speedClass: 1, threadsPerCore: 2 }, vcpusPerReplica: 4, busyProcesses: 2 } as const;
    const at = (gpu: keyof typeof GPUS, fp8Kv = false) => stepTimingFor(t, GPUS[gpu], host, { fp8Kv, asyncScheduling: false, eagerLayers: 0 }).rereadL2Bytes;
    expect(at('A10G')).toBe(6 * 2 ** 20);
    expect(at('L40S')).toBe(96 * 2 ** 20);
    expect(at('A10G', true)).toBeUndefined();
    expect(at('H100')).toBeUndefined();
    expect(at('B200')).toBeUndefined();
    expect(Object.entries(REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS).filter(([, v]) => v).map(([a]) => a)).toEqual(['ampere', 'ada']);
  });
});
