/**
 * What the simulator derives from the model and GPU tables: the work one GPU of a replica does per
 * token, and the KV cache of a replica. Every number follows from `tables/models.ts`, `tables/gpus.ts`,
 * the vLLM flags and lib/config/fit.ts (the one place of the memory arithmetic).
 *
 * Tensor parallelism (Megatron-style, as vLLM shards Llama-like models): q/k/v and gate/up are split by
 * columns, o and down by rows, the embedding and LM head by vocabulary, attention by heads; so each GPU
 * streams 1/TP of the weights, does 1/TP of the linear and attention FLOPs and holds its KV heads. The
 * row-parallel o and down projections end in one all-reduce each of the hidden state: two per layer.
 */
import { type FitInput, kvBlocksPerReplica, kvBytesPerTokenPerGpu, kvElementBytes, kvHeadsPerGpu } from '../config/fit';
import type { ModelFacts } from '../config/tables/models';

export { kvElementBytes };

export interface ModelCosts {
  /** GPUs per replica (vLLM --tensor-parallel-size); every figure below is per GPU. */
  readonly tensorParallelSize: number;
  /** Parameters of the linear layers of all decoder layers (q, k, v, o, gate, up, down) on one GPU. */
  readonly linearParams: number;
  /** Parameters of the LM head on one GPU (applied once per sequence per step, to the sampled position). */
  readonly lmHeadParams: number;
  /** Bytes one GPU streams from memory for its weights per step (embeddings are gathered, not streamed). */
  readonly weightBytesPerStep: number;
  /** FLOPs of attention per (query token x context token) on one GPU: QK^T and PV, 2 FLOPs per MAC, all layers. */
  readonly attentionFlopsPerPair: number;
  /** KV-cache bytes per token on one GPU at the configured KV dtype. */
  readonly kvBytesPerToken: number;
  /** KV bytes per token of ONE KV head in ONE layer (K and V): what a kernel streams per head. */
  readonly kvHeadBytesPerToken: number;
  /** Query heads that share each KV head on one GPU (GQA group; 1 without GQA). */
  readonly queryHeadsPerKvHead: number;
  /** All-reduces per step (2 per layer with TP > 1, else 0). */
  readonly allReducesPerStep: number;
  /** Bytes each all-reduce moves per token in the step (the hidden state in the model's dtype). */
  readonly allReduceBytesPerToken: number;
}

export function modelCosts(model: ModelFacts, kvCacheDtype: 'auto' | 'fp8', tensorParallelSize = 1): ModelCosts {
  const tp = tensorParallelSize;
  const h = model.hiddenSize;
  const q = model.numAttentionHeads * model.headDim;
  const kv = model.numKeyValueHeads * model.headDim;
  // q, k, v projections + output projection + gated MLP (gate, up, down).
  const perLayer = h * (q + 2 * kv) + q * h + 3 * h * model.intermediateSize;
  const linearParams = (perLayer * model.numLayers) / tp;
  const lmHeadParams = (h * model.vocabSize) / tp;
  return {
    tensorParallelSize: tp,
    linearParams,
    lmHeadParams,
    weightBytesPerStep: (linearParams + lmHeadParams) * model.dtypeBytes,
    attentionFlopsPerPair: (4 * model.numAttentionHeads * model.headDim * model.numLayers) / tp,
    kvBytesPerToken: kvBytesPerTokenPerGpu(model, kvCacheDtype, tp),
    kvHeadBytesPerToken: 2 * model.headDim * kvElementBytes(model, kvCacheDtype),
    queryHeadsPerKvHead: model.numAttentionHeads / tp / kvHeadsPerGpu(model, tp),
    allReducesPerStep: tp > 1 ? 2 * model.numLayers : 0,
    allReduceBytesPerToken: h * model.dtypeBytes,
  };
}

/** The inputs of the KV sizing: those of lib/config/fit.ts. */
export type KvSizing = Omit<FitInput, 'tensorParallelSize'> & { readonly tensorParallelSize?: number };

/**
 * KV blocks per replica, as vLLM sizes them at start-up (lib/config/fit.ts): gpu_memory_utilization x
 * device memory, minus the weights / TP, minus the profiled non-KV memory, divided by the bytes of one
 * block on one GPU.
 */
export function kvCacheBlocks(s: KvSizing): number {
  return kvBlocksPerReplica({ ...s, tensorParallelSize: s.tensorParallelSize ?? 1 });
}
