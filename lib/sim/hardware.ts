/**
 * What the simulator derives from the model and GPU tables: the work of one token and the size of the
 * KV cache. Every number follows from `tables/models.ts`, `tables/gpus.ts` and the vLLM flags.
 */
import type { GpuFacts } from '../config/tables/gpus';
import type { ModelFacts } from '../config/tables/models';

const GiB = 1024 ** 3;

export interface ModelCosts {
  /** Parameters of the linear layers of all decoder layers (q, k, v, o, gate, up, down). */
  readonly linearParams: number;
  /** Parameters of the LM head (applied once per sequence per step, to the sampled position). */
  readonly lmHeadParams: number;
  /** Bytes a step streams from memory for the weights (embeddings are gathered, not streamed). */
  readonly weightBytesPerStep: number;
  /** FLOPs of attention per (query token x context token): QK^T and PV, 2 FLOPs per MAC, all layers. */
  readonly attentionFlopsPerPair: number;
  /** KV-cache bytes per token at the configured KV dtype. */
  readonly kvBytesPerToken: number;
}

/** `kvCacheDtype` fp8 stores one byte per element instead of the model's dtype. */
export function kvElementBytes(model: ModelFacts, kvCacheDtype: 'auto' | 'fp8'): number {
  return kvCacheDtype === 'fp8' ? 1 : model.dtypeBytes;
}

export function modelCosts(model: ModelFacts, kvCacheDtype: 'auto' | 'fp8'): ModelCosts {
  const h = model.hiddenSize;
  const q = model.numAttentionHeads * model.headDim;
  const kv = model.numKeyValueHeads * model.headDim;
  // q, k, v projections + output projection + gated MLP (gate, up, down).
  const perLayer = h * (q + 2 * kv) + q * h + 3 * h * model.intermediateSize;
  const linearParams = perLayer * model.numLayers;
  const lmHeadParams = h * model.vocabSize;
  return {
    linearParams,
    lmHeadParams,
    weightBytesPerStep: (linearParams + lmHeadParams) * model.dtypeBytes,
    attentionFlopsPerPair: 4 * model.numAttentionHeads * model.headDim * model.numLayers,
    kvBytesPerToken: 2 * model.numLayers * kv * kvElementBytes(model, kvCacheDtype),
  };
}

export interface KvSizing {
  readonly gpu: GpuFacts;
  readonly model: ModelFacts;
  readonly gpuMemoryUtilization: number;
  readonly blockSize: number;
  readonly kvCacheDtype: 'auto' | 'fp8';
  /** Activation peak + CUDA graphs + non-torch memory, GiB. */
  readonly nonKvMemoryGiB: number;
}

/**
 * KV blocks per replica, as vLLM sizes them at start-up: gpu_memory_utilization x device memory, minus
 * weights, minus the profiled non-KV memory, divided by the bytes of one block across all layers.
 */
export function kvCacheBlocks(s: KvSizing): number {
  const budget = s.gpuMemoryUtilization * s.gpu.usableMemoryGiB * GiB;
  const kvBytes = budget - s.model.parameters * s.model.dtypeBytes - s.nonKvMemoryGiB * GiB;
  const blockBytes = modelCosts(s.model, s.kvCacheDtype).kvBytesPerToken * s.blockSize;
  return Math.max(0, Math.floor(kvBytes / blockBytes));
}
