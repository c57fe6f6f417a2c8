/**
 * The step-time model across the registry and with tensor parallelism: TP 1 is the calibrated model
 * unchanged, TP > 1 splits weights, KV and FLOPs and adds two all-reduces per layer over the GPU link.
 */
import { loadConfig } from '../../lib/config';
import { GPUS, NCCL_BASE_LATENCY_US } from '../../lib/config/tables/gpus';
import { MODELS } from '../../lib/config/tables/models';
import { modelCosts } from '../../lib/sim/hardware';
import { calibrationDistance } from '../../lib/sim/envelope';
import { TEST_STEP_TIMING } from './helpers';
import { simParams } from '../../lib/sim/params';
import { allReduceLatencySeconds, StepTimeModel } from '../../lib/sim/step-time';

const k = { ...TEST_STEP_TIMING, matmul: 0.85, asyncScheduling: true };
const qwen32 = MODELS['Qwen/Qwen3-32B'];
const llama70 = MODELS['meta-llama/Llama-3.1-70B-Instruct'];

describe('per-GPU costs under TP', () => {
  test('TP 1 is the single-GPU model: no all-reduce, the whole weights', () => {
    const c = modelCosts(MODELS['Qwen/Qwen2.5-7B-Instruct'], 'auto');
    expect(c).toMatchObject({ tensorParallelSize: 1, allReducesPerStep: 0 });
    expect(c.weightBytesPerStep / 1e9).toBeCloseTo(14.14, 2);
  });

  test('TP p divides weights, linear and attention FLOPs and KV by p; 2 all-reduces of the hidden state per layer', () => {
    const one = modelCosts(qwen32, 'auto', 1);
    const two = modelCosts(qwen32, 'auto', 2);
    expect(two.weightBytesPerStep).toBeCloseTo(one.weightBytesPerStep / 2, 0);
    expect(two.linearParams).toBeCloseTo(one.linearParams / 2, 0);
    expect(two.attentionFlopsPerPair).toBe(one.attentionFlopsPerPair / 2);
    expect(two.kvBytesPerToken).toBe(one.kvBytesPerToken / 2);
    expect(two).toMatchObject({ allReducesPerStep: 128, allReduceBytesPerToken: 5120 * 2 });
  });
});

describe('all-reduce cost', () => {
  test('per-call latency: NCCL ring LL base + 2(p-1) link steps (NVLink 0.6 us, PCIe 1.0 us)', () => {
    expect(allReduceLatencySeconds(GPUS.H100, 8) * 1e6).toBeCloseTo(NCCL_BASE_LATENCY_US + 14 * 0.6, 9);
    expect(allReduceLatencySeconds(GPUS.L40S, 2) * 1e6).toBeCloseTo(NCCL_BASE_LATENCY_US + 2 * 1.0, 9);
  });

  test('a TP step pays exactly the ring all-reduce time over the busbw on top of the split work', () => {
    const p = 2;
    const costs = modelCosts(qwen32, 'auto', p);
    const m = new StepTimeModel(costs, GPUS.L40S, k);
    const noComm = new StepTimeModel({ ...costs, allReducesPerStep: 0 }, GPUS.L40S, k);
    const tokens = 64;
    const expected = 128 * (allReduceLatencySeconds(GPUS.L40S, p) + (2 * (p - 1) / p) * tokens * 5120 * 2 / (GPUS.L40S.link.allReduceBusGBs * 1e9));
    const step = (x: StepTimeModel) => x.duration(tokens, tokens, tokens * 2300, 0);
    expect(step(m) - step(noComm)).toBeCloseTo(expected, 12);
  });

  test('the same TP group is slower on PCIe than on NVLink for the same step (L40S vs H100 links)', () => {
    const costs = modelCosts(qwen32, 'auto', 2);
    const pcie = new StepTimeModel(costs, { ...GPUS.H100, link: GPUS.L40S.link }, k);
    const nvlink = new StepTimeModel(costs, GPUS.H100, k);
    expect(pcie.duration(2048, 1, 0, StepTimeModel.prefillPairs(2048, 0))).toBeGreaterThan(nvlink.duration(2048, 1, 0, StepTimeModel.prefillPairs(2048, 0)));
  });

  test('more GPUs make a weight-streaming decode step faster, but not p times faster', () => {
    const step = (tp: number) => new StepTimeModel(modelCosts(llama70, 'auto', tp), GPUS.H200, k).duration(64, 64, 64 * 2300, 0);
    expect(step(8)).toBeLessThan(step(4));
    expect(step(4)).toBeLessThan(step(2));
    expect(step(8)).toBeGreaterThan(step(2) / 4);
  });
});

describe('simulation parameters from the registry', () => {
  test('a TP deployment simulates replicas = GPUs / TP with per-GPU costs and its link', () => {
    const p = simParams(loadConfig({ 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' }));
    expect(p).toMatchObject({ replicas: 8, tensorParallelSize: 2, gpu: { memoryBandwidthGBs: 3350, link: { kind: 'nvlink' } } });
    expect(p.costs.tensorParallelSize).toBe(2);
  });

  test('outside the anchored space simulate says so, naming what differs', () => {
    const shape = { meanInputTokens: 2205, meanOutputTokens: 256, inFlightPerReplica: 64 };
    expect(calibrationDistance(loadConfig({}), shape).region).toBe('inside');
    const c = loadConfig({ 'gpuNodes.instanceType': 'p5e.48xlarge', 'gpuNodes.count': '1', 'model.id': 'meta-llama/Llama-3.1-70B-Instruct', 'vllm.tensorParallelSize': '8' });
    const far = calibrationDistance(c, shape);
    expect(far.region).toBe('outside');
    expect(far.parts.map((p) => p.dimension)).toEqual(['GPU', 'model size', 'tensor parallelism', 'workload shape', 'load']);
    expect(far.parts.find((p) => p.dimension === 'tensor parallelism')!.value).toBe(2); // TP 8 vs anchored 1, 2
    expect(far.warning).toMatch(/^outside what the public anchors cover \(distance /);
    // fp8 is anchored on Ampere, but only decode-only (enforce-eager): on an FA2 GPU it also swaps the
    // kernel and removes the mixed-step re-reads, which no anchor measured. On Hopper it swaps nothing.
    const fp8OnA10g = calibrationDistance(loadConfig({ 'vllm.kvCacheDtype': 'fp8' }), shape).parts.find((p) => p.dimension === 'KV cache dtype')!;
    expect(fp8OnA10g.value).toBe(0.75);
    expect(calibrationDistance(loadConfig({ 'vllm.kvCacheDtype': 'fp8' }), shape).region).toBe('near');
    expect(fp8OnA10g.detail).toMatch(/replaces FlashAttention 2 .*no anchor measured it/);
    const h100 = { 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '1', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' };
    const fp8OnH100 = calibrationDistance(loadConfig({ ...h100, 'vllm.kvCacheDtype': 'fp8' }), shape).parts.find((p) => p.dimension === 'KV cache dtype')!;
    expect(fp8OnH100.value).toBe(0.5); // no fp8 anchor on Hopper
    expect(fp8OnH100.detail).toMatch(/fp8 anchored only on ampere/);
    // Ada: no fp8 anchor AND a kernel swap: the larger value, both reasons.
    const fp8OnL40s = calibrationDistance(loadConfig({ 'gpuNodes.instanceType': 'g6e.xlarge', 'vllm.kvCacheDtype': 'fp8' }), shape).parts.find((p) => p.dimension === 'KV cache dtype')!;
    expect(fp8OnL40s.value).toBe(0.75);
    expect(fp8OnL40s.detail).toMatch(/fp8 anchored only on ampere; on ada it also replaces FlashAttention 2/);
  });
});
