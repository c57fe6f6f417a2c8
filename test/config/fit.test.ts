/** lib/config/fit.ts: the one memory model the config checks, the simulator and planning use. */
import { fitInput, loadConfig } from '../../lib/config';
import {
  checkFit, fittingPlacements, GiB, kvBlocksPerReplica, kvBytesPerTokenPerGpu, kvHeadsPerGpu, kvTokensPerReplica, maxConcurrentSequences, perGpuMemory, replicasPerNode, VLLM_NON_KV_OVERHEAD_GIB, NON_KV_BOUND_GIB,
} from '../../lib/config/fit';
import * as fs from 'fs';
import * as path from 'path';
import { ROWS } from '../matrix/rows';
import { GPUS } from '../../lib/config/tables/gpus';
import { INSTANCE_TYPES } from '../../lib/config/tables/instances';
import { MODELS } from '../../lib/config/tables/models';

const reference = fitInput(loadConfig({}));
const qwen32 = MODELS['Qwen/Qwen3-32B'];
const llama70 = MODELS['meta-llama/Llama-3.1-70B-Instruct'];

describe('per-GPU memory of a replica', () => {
  test('the reference: 0.9 x 22.49 GiB, 15.2 GB of weights, 1.5 GiB non-KV, 56 KiB per token -> 1,332 blocks of 64', () => {
    const plan = perGpuMemory(reference);
    expect(plan.budgetBytes / GiB).toBeCloseTo(20.241, 3);
    expect(plan.weightBytes).toBe(7.616e9 * 2);
    expect(plan.nonKvBytes).toBe(VLLM_NON_KV_OVERHEAD_GIB * GiB);
    expect(plan.kvBytesPerToken).toBe(57344);
    expect(kvBlocksPerReplica(reference)).toBe(1332);
    expect(kvTokensPerReplica(reference)).toBe(85248);
  });

  test('TP splits the weights and the KV heads across the group', () => {
    const tp2 = { ...reference, model: qwen32, gpu: GPUS.L40S, tensorParallelSize: 2 };
    const plan = perGpuMemory(tp2);
    expect(plan.weightBytes).toBe(qwen32.parameters); // 2 bytes x parameters / 2 GPUs
    expect(kvHeadsPerGpu(qwen32, 2)).toBe(4);
    expect(plan.kvBytesPerToken).toBe(2 * 64 * 4 * 128 * 2);
    // 40.49 GiB usable - 30.51 GiB weights - 1.5 GiB = 8.48 GiB of KV at 128 KiB a token.
    expect(kvTokensPerReplica(tp2)).toBe(69440);
  });

  test('KV heads are replicated when TP exceeds them (vLLM: max(1, kv_heads // tp))', () => {
    const qwen25 = MODELS['Qwen/Qwen2.5-7B-Instruct']; // 4 KV heads
    expect(kvHeadsPerGpu(qwen25, 4)).toBe(1);
    expect(kvHeadsPerGpu(qwen25, 8)).toBe(1);
    expect(kvBytesPerTokenPerGpu(qwen25, 'auto', 8)).toBe(kvBytesPerTokenPerGpu(qwen25, 'auto', 4));
    expect(kvBytesPerTokenPerGpu(qwen25, 'fp8', 1)).toBe(kvBytesPerTokenPerGpu(qwen25, 'auto', 1) / 2);
  });

  test('fp8 KV at least doubles the tokens a replica holds', () => {
    expect(kvTokensPerReplica({ ...reference, kvCacheDtype: 'fp8' })).toBeGreaterThanOrEqual(2 * kvTokensPerReplica(reference));
  });

  test('concurrent sequences at a context, block-rounded', () => {
    // 2,205 prompt + 256 output tokens = 39 blocks of 64: 1,332 / 39.
    expect(maxConcurrentSequences(reference, 2461)).toBe(34);
    expect(maxConcurrentSequences(reference, 0)).toBe(0);
    expect(maxConcurrentSequences({ ...reference, gpuMemoryUtilization: 0.65 }, 2461)).toBe(0);
  });

  test('replicas per node = GPUs / TP', () => {
    expect(replicasPerNode(INSTANCE_TYPES['p5.48xlarge'], 2)).toBe(4);
    expect(replicasPerNode(INSTANCE_TYPES['g5.12xlarge'], 1)).toBe(4);
    expect(replicasPerNode(INSTANCE_TYPES['p5e.48xlarge'], 8)).toBe(1);
    expect(replicasPerNode(INSTANCE_TYPES['g5.12xlarge'], 8)).toBe(0);
  });
});

describe('checkFit', () => {
  const at = (gpu: keyof typeof GPUS, tp: number, instanceType: string, extra: Record<string, unknown> = {}) =>
    checkFit({ ...reference, model: llama70, gpu: GPUS[gpu], tensorParallelSize: tp, maxModelLen: 4096, modelId: 'meta-llama/Llama-3.1-70B-Instruct', instanceType, gpuModel: gpu, ...extra });

  test('a 70B model: not on one A10G, not on 2 x A100-40GB, barely on 4 (21 k KV tokens), yes on 4 x A100-80GB, 8 x H200', () => {
    expect(at('A10G', 1, 'g5.xlarge')).toMatchObject({ fits: false, failure: 'weights' });
    expect(at('A10G', 1, 'g5.xlarge').reason).toBe('Llama-3.1-70B-Instruct bf16 needs 141.1 GB of weights (70.55 B parameters x 2 B), 131.4 GiB per GPU at TP=1 + 1.5 GiB non-KV; ' +
      'g5.xlarge TP=1 has 20.2 GiB usable per GPU (0.9 x 22.49 GiB of one A10G)');
    expect(at('A100-40GB', 2, 'p4d.24xlarge')).toMatchObject({ fits: false, failure: 'weights' });
    const tight = at('A100-40GB', 4, 'p4d.24xlarge');
    expect(tight.fits).toBe(true);
    expect(tight.kvTokens).toBeLessThan(25_000);
    expect(at('A100-80GB', 4, 'p4de.24xlarge')).toMatchObject({ fits: true });
    expect(at('H200', 8, 'p5e.48xlarge').kvTokens).toBeGreaterThan(2_000_000);
  });

  test('the KV left must hold one maxModelLen sequence', () => {
    const tight = at('A100-80GB', 2, 'p4de.24xlarge', { maxModelLen: 65536 });
    expect(tight).toMatchObject({ fits: false, failure: 'kv' });
    expect(tight.reason).toMatch(/^Llama-3\.1-70B-Instruct at TP=2 leaves 4\.8 GiB per GPU for KV \(72\.0 GiB usable - 65\.7 GiB weights - 1\.5 GiB non-KV\) = \d+ tokens at 160 KiB per token per GPU, fewer than vllm\.maxModelLen \(65536\)/);
    expect(at('A100-80GB', 2, 'p4de.24xlarge').fits).toBe(true);
  });

  test('fittingPlacements: per GPU the smallest TP that holds the model, with the instances that host it', () => {
    const { gpu: _g, model: _m, tensorParallelSize: _t, ...rest } = reference;
    const placements = fittingPlacements(llama70, { ...rest, maxModelLen: 4096, modelId: 'meta-llama/Llama-3.1-70B-Instruct' });
    const byGpu = Object.fromEntries(placements.map((p) => [p.gpuModel, [p.tensorParallelSize, p.instanceTypes]]));
    expect(byGpu).toEqual({
      A10G: [8, ['g5.48xlarge']],
      L4: [8, ['g6.48xlarge']],
      L40S: [4, ['g6e.12xlarge', 'g6e.24xlarge', 'g6e.48xlarge']],
      'A100-40GB': [4, ['p4d.24xlarge']],
      'A100-80GB': [2, ['p4de.24xlarge']],
      H100: [2, ['p5.48xlarge']],
      H200: [2, ['p5e.48xlarge', 'p5en.48xlarge']],
      B200: [1, ['p6-b200.48xlarge']],
    });
    for (const p of placements) expect(p.kvTokens).toBeGreaterThanOrEqual(4096);
  });
});

describe('the non-KV memory assumption and its bound (docs/simulator.md "Non-KV memory")', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'simulator.md'), 'utf8');
  const fmt = (n: number) => n.toLocaleString('en-US');
  const atBound = ROWS.map((row) => {
    const c = loadConfig(row.context);
    const base = fitInput(c);
    return { row, c, kv: [NON_KV_BOUND_GIB.low, VLLM_NON_KV_OVERHEAD_GIB, NON_KV_BOUND_GIB.high].map((g) => ({ ...base, nonKvMemoryGiB: g })) };
  });

  test('the default sits inside the bound, and the bound covers the public measurements it cites', () => {
    expect(NON_KV_BOUND_GIB.low).toBeLessThanOrEqual(VLLM_NON_KV_OVERHEAD_GIB);
    expect(VLLM_NON_KV_OVERHEAD_GIB).toBeLessThanOrEqual(NON_KV_BOUND_GIB.high);
    // llm-d's H100 x 2 Qwen3-32B pod holds 307,328 tokens: its non-KV memory lies inside the bound.
    const p5 = atBound.find((a) => a.row.name.startsWith('2 x p5.48xlarge'))!;
    expect(kvTokensPerReplica(p5.kv[2])).toBeLessThan(307328);
    expect(kvTokensPerReplica(p5.kv[1])).toBeGreaterThan(307328);
  });

  test('every matrix row fits across the whole bound, so no verdict rests on the 1.5 GiB', () => {
    for (const { row, c, kv } of atBound) {
      for (const s of kv) {
        const f = checkFit({ ...s, maxModelLen: c.vllm.maxModelLen, modelId: c.model.id, instanceType: c.gpuNodes.instanceType, gpuModel: INSTANCE_TYPES[c.gpuNodes.instanceType]?.gpuModel ?? '' });
        expect([row.name, s.nonKvMemoryGiB, f.fits, f.reason]).toEqual([row.name, s.nonKvMemoryGiB, true, undefined]);
      }
    }
  });

  test('the documented table is the arithmetic of lib/config/fit.ts', () => {
    for (const { row, kv } of atBound) {
      expect(doc).toContain(`| ${row.name} | ${kv.map((s) => fmt(kvTokensPerReplica(s))).join(' | ')} |`);
    }
  });
});
