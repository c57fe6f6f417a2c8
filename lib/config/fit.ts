/**
 * The one place that does GPU memory arithmetic: what a vLLM replica of a model needs on each GPU of
 * its tensor-parallel group, what KV cache is left, how many sequences that holds, and how many
 * replicas a node carries. The config checks (fit before anything is built), the simulator (KV blocks
 * per replica) and planning commands all call these functions, so they can never disagree.
 *
 * vLLM's sizing, which this follows (vllm/v1/worker/gpu_worker.py determine_available_memory and
 * vllm/v1/core/kv_cache_utils.py): each GPU of a replica may use `gpu_memory_utilization` x its total
 * memory; from that come its shard of the weights (the linear layers, embeddings and LM head are split
 * across the TP group), the profiled non-KV memory (activation peak of a max-num-batched-tokens step,
 * CUDA graphs, non-torch allocations) and the rest is KV cache. Every GPU holds the same number of
 * blocks; a token's KV on one GPU is 2 x layers x (KV heads on that GPU) x head_dim x bytes, where the
 * KV heads are split across the group and replicated when TP exceeds them
 * (vllm/config/model.py get_num_kv_heads: max(1, total_kv_heads // tp)). At start-up vLLM refuses a
 * max_model_len whose tokens do not fit the KV cache.
 */
import { type GpuFacts, GPUS } from './tables/gpus';
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES, type InstanceFacts } from './tables/instances';
import type { ModelFacts } from './tables/models';

export const GiB = 1024 ** 3;

/**
 * GPU memory vLLM keeps besides weights and KV cache, per GPU: activation peak of a 2,048-token step
 * (~0.5-1 GiB), non-torch memory and CUDA graphs (~0.5 GiB) for Qwen2.5-7B on an A10G (project
 * vllm-notes; the reference's KV usage back-solves to the same). Used for every model and GPU: vLLM
 * measures it at start-up (gpu_worker.py determine_available_memory: profile_run peak, non-torch,
 * profile_cudagraph_memory), it has no closed form upstream, and the public points (0.5-3.7 GiB,
 * docs/prediction-sources.md) cannot separate its terms. The bound and what it moves: docs/simulator.md
 * "Non-KV memory"; NON_KV_BOUND_GIB.
 */
export const VLLM_NON_KV_OVERHEAD_GIB = 1.5;

/** The range the non-KV memory of the registry's models spans at 2,048-token steps (docs/simulator.md). */
export const NON_KV_BOUND_GIB = { low: 0.5, high: 4 } as const;

/** Tensor-parallel sizes vLLM runs within one node here. */
export const TENSOR_PARALLEL_SIZES = [1, 2, 4, 8] as const;

export interface FitInput {
  readonly gpu: GpuFacts;
  readonly model: ModelFacts;
  /** GPUs per replica (vLLM --tensor-parallel-size). */
  readonly tensorParallelSize: number;
  readonly gpuMemoryUtilization: number;
  readonly kvCacheDtype: 'auto' | 'fp8';
  /** Non-KV memory per GPU, GiB (VLLM_NON_KV_OVERHEAD_GIB unless configured). */
  readonly nonKvMemoryGiB: number;
  /** KV block size in tokens (vLLM --block-size). */
  readonly blockSize: number;
}

/** Per-GPU memory of one replica, bytes. */
export interface GpuMemoryPlan {
  /** Total memory of one GPU as the driver reports it. */
  readonly totalBytes: number;
  /** What vLLM may use: gpu_memory_utilization x total. */
  readonly budgetBytes: number;
  /** This GPU's shard of the weights: weights / TP. */
  readonly weightBytes: number;
  readonly nonKvBytes: number;
  /** Budget left for KV cache (negative when the weights do not fit). */
  readonly kvBytes: number;
  /** KV bytes one token takes on this GPU. */
  readonly kvBytesPerToken: number;
}

/** KV heads each GPU of the TP group holds (replicated when TP exceeds the model's KV heads). */
export function kvHeadsPerGpu(model: ModelFacts, tensorParallelSize: number): number {
  return Math.max(1, Math.floor(model.numKeyValueHeads / tensorParallelSize));
}

/**
 * Bytes per KV element: `--kv-cache-dtype fp8` stores one byte, `auto` the model's dtype. vLLM accepts
 * fp8 on GPUs without fp8 tensor cores too (A10G, A100): its backend selection (vllm/platforms/cuda.py
 * get_valid_backends) skips FlashAttention 2 and takes FlashInfer, whose supported_kv_cache_dtypes
 * include fp8 (or Triton); the kernels store fp8 and compute in 16 bits. So it is sized, not refused.
 */
export function kvElementBytes(model: ModelFacts, kvCacheDtype: 'auto' | 'fp8'): number {
  return kvCacheDtype === 'fp8' ? 1 : model.dtypeBytes;
}

/** KV bytes one token takes on one GPU of the TP group. */
export function kvBytesPerTokenPerGpu(model: ModelFacts, kvCacheDtype: 'auto' | 'fp8', tensorParallelSize = 1): number {
  return 2 * model.numLayers * kvHeadsPerGpu(model, tensorParallelSize) * model.headDim * kvElementBytes(model, kvCacheDtype);
}

/** Bytes of the weights in the served dtype (the whole model, all GPUs of a replica together). */
export function modelWeightBytes(model: ModelFacts): number {
  return model.parameters * model.dtypeBytes;
}

/** Memory of one GPU of a replica: weights / TP, non-KV overhead, and the KV cache left. */
export function perGpuMemory(s: FitInput): GpuMemoryPlan {
  const totalBytes = s.gpu.usableMemoryGiB * GiB;
  const budgetBytes = s.gpuMemoryUtilization * s.gpu.usableMemoryGiB * GiB;
  const weightBytes = modelWeightBytes(s.model) / s.tensorParallelSize;
  const nonKvBytes = s.nonKvMemoryGiB * GiB;
  return {
    totalBytes,
    budgetBytes,
    weightBytes,
    nonKvBytes,
    kvBytes: budgetBytes - weightBytes - nonKvBytes,
    kvBytesPerToken: kvBytesPerTokenPerGpu(s.model, s.kvCacheDtype, s.tensorParallelSize),
  };
}

/** KV blocks of one replica, as vLLM allocates them at start-up (0 when nothing is left). */
export function kvBlocksPerReplica(s: FitInput): number {
  const plan = perGpuMemory(s);
  return Math.max(0, Math.floor(plan.kvBytes / (plan.kvBytesPerToken * s.blockSize)));
}

/** KV tokens one replica holds (whole blocks). */
export function kvTokensPerReplica(s: FitInput): number {
  return kvBlocksPerReplica(s) * s.blockSize;
}

/**
 * Sequences of `contextTokens` (prompt + output) whose KV fits one replica at once, block-rounded.
 * vLLM's --max-num-seqs caps the batch separately.
 */
export function maxConcurrentSequences(s: FitInput, contextTokens: number): number {
  if (!(contextTokens > 0)) return 0;
  return Math.floor(kvBlocksPerReplica(s) / Math.ceil(contextTokens / s.blockSize));
}

/** Replicas one node carries: its GPUs / TP (0 when a replica needs more GPUs than the node has). */
export function replicasPerNode(instance: InstanceFacts, tensorParallelSize: number): number {
  return Math.floor(instance.gpus / tensorParallelSize);
}

export interface FitResult {
  readonly fits: boolean;
  /** Why not, with the arithmetic (undefined when it fits). */
  readonly reason?: string;
  /** `weights`: the shard and overhead exceed the budget; `kv`: the KV left holds less than maxModelLen. */
  readonly failure?: 'weights' | 'kv';
  readonly plan: GpuMemoryPlan;
  readonly kvTokens: number;
}

const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
const gib = (bytes: number) => (bytes / GiB).toFixed(1);
/** "Llama-3.1-70B-Instruct" for "meta-llama/Llama-3.1-70B-Instruct". */
export const shortModelName = (id: string) => id.slice(id.lastIndexOf('/') + 1);
const dtypeName = (bytes: number) => (bytes === 2 ? 'bf16' : `${bytes * 8}-bit`);

/**
 * Whether a replica fits: weights / TP + non-KV overhead within gpu_memory_utilization x memory, and
 * the KV left holding at least one `maxModelLen` sequence (vLLM refuses to start otherwise). The
 * reason carries the arithmetic, e.g. "Llama-3.1-70B-Instruct bf16 needs 141.1 GB of weights ...;
 * g5.xlarge TP=1 has 20.2 GiB usable per GPU (0.9 x 22.49 GiB of one A10G)".
 */
export function checkFit(s: FitInput & { readonly maxModelLen: number; readonly modelId: string; readonly instanceType: string; readonly gpuModel: string }): FitResult {
  const plan = perGpuMemory(s);
  const kvTokens = kvTokensPerReplica(s);
  const tp = s.tensorParallelSize;
  const where = `${s.instanceType} TP=${tp} has ${gib(plan.budgetBytes)} GiB usable per GPU (${s.gpuMemoryUtilization} x ${s.gpu.usableMemoryGiB} GiB of one ${s.gpuModel})`;
  if (plan.weightBytes + plan.nonKvBytes > plan.budgetBytes) {
    const total = modelWeightBytes(s.model);
    return {
      fits: false,
      failure: 'weights',
      plan,
      kvTokens,
      reason: `${shortModelName(s.modelId)} ${dtypeName(s.model.dtypeBytes)} needs ${gb(total)} GB of weights (${(s.model.parameters / 1e9).toFixed(2)} B parameters x ${s.model.dtypeBytes} B), ` +
        `${gib(plan.weightBytes)} GiB per GPU at TP=${tp} + ${s.nonKvMemoryGiB} GiB non-KV; ${where}`,
    };
  }
  if (kvTokens < s.maxModelLen) {
    return {
      fits: false,
      failure: 'kv',
      plan,
      kvTokens,
      reason: `${shortModelName(s.modelId)} at TP=${tp} leaves ${gib(Math.max(0, plan.kvBytes))} GiB per GPU for KV (${gib(plan.budgetBytes)} GiB usable - ${gib(plan.weightBytes)} GiB weights - ${s.nonKvMemoryGiB} GiB non-KV) ` +
        `= ${kvTokens} tokens at ${(plan.kvBytesPerToken / 1024).toFixed(0)} KiB per token per GPU, fewer than vllm.maxModelLen (${s.maxModelLen}); vLLM would refuse to start`,
    };
  }
  return { fits: true, plan, kvTokens };
}

/** Where a model fits: one GPU model at its smallest workable tensor-parallel size. */
export interface Placement {
  readonly gpuModel: string;
  readonly tensorParallelSize: number;
  /** Instance types of that GPU with a multiple of that many GPUs. */
  readonly instanceTypes: readonly string[];
  readonly kvTokens: number;
}

/**
 * For every GPU of the registry, the smallest tensor-parallel size at which a replica of `model` fits
 * (weights, non-KV memory and one maxModelLen sequence, and TP dividing the attention heads), with
 * the instance types that can host it. Used by the fit check's message and by planning.
 */
export function fittingPlacements(model: ModelFacts, s: Omit<FitInput, 'gpu' | 'model' | 'tensorParallelSize'> & { readonly maxModelLen: number; readonly modelId: string }): Placement[] {
  const out: Placement[] = [];
  for (const gpuModel of Object.keys(GPUS)) {
    const types = GPU_INSTANCE_TYPES.filter((t) => INSTANCE_TYPES[t].gpuModel === gpuModel);
    for (const tp of TENSOR_PARALLEL_SIZES) {
      const hosts = types.filter((t) => INSTANCE_TYPES[t].gpus % tp === 0);
      if (hosts.length === 0 || model.numAttentionHeads % tp !== 0) continue;
      const fit = checkFit({ ...s, gpu: GPUS[gpuModel], model, tensorParallelSize: tp, instanceType: hosts[0], gpuModel });
      if (fit.fits) {
        out.push({ gpuModel, tensorParallelSize: tp, instanceTypes: hosts, kvTokens: fit.kvTokens });
        break;
      }
    }
  }
  return out;
}
