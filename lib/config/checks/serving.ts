/** Checks of the serving keys: the model fits the GPU, vLLM flags agree, the router is prefix-aware. */
import { problem } from '../problems';
import { GPUS } from '../tables/gpus';
import { INSTANCE_TYPES } from '../tables/instances';
import { kvBytesPerToken, MODELS, weightBytes } from '../tables/models';
import type { Check } from './types';

const GiB = 1024 ** 3;
/** What vLLM needs besides weights and KV: activation peak, CUDA graphs, non-torch memory (vllm-notes). */
export const VLLM_NON_KV_OVERHEAD_GIB = 1.5;

export const modelFits: Check = (c) => {
  const model = MODELS[c.model.id];
  if (!model) {
    return [problem('model.id', c.model.id, `no architecture facts for this model; allowed: ${Object.keys(MODELS).join(', ')} (add a row to lib/config/tables/models.ts)`)];
  }
  const out: string[] = [];
  const gpuModel = INSTANCE_TYPES[c.gpuNodes.instanceType]?.gpuModel;
  const gpu = gpuModel ? GPUS[gpuModel] : undefined;
  if (gpu) {
    const budget = c.vllm.gpuMemoryUtilization * gpu.usableMemoryGiB * GiB;
    const kvBytes = budget - weightBytes(model) - VLLM_NON_KV_OVERHEAD_GIB * GiB;
    const perToken = kvBytesPerToken(model) / (c.vllm.kvCacheDtype === 'fp8' ? 2 : 1);
    const kvTokens = Math.floor(kvBytes / perToken);
    if (kvTokens < c.vllm.maxModelLen) {
      out.push(problem('vllm.gpuMemoryUtilization', c.vllm.gpuMemoryUtilization,
        `leaves room for ~${Math.max(0, kvTokens)} KV tokens on a ${gpuModel} after ${(weightBytes(model) / GiB).toFixed(1)} GiB of weights, ` +
        `fewer than vllm.maxModelLen (${c.vllm.maxModelLen}); vLLM would refuse to start. Raise it, lower maxModelLen, or use a larger GPU`));
    }
  }
  const promptTokens = c.benchmark.prefixLen + c.benchmark.suffixLen + model.chatTemplateOverheadTokens;
  const needed = promptTokens + c.benchmark.outputLen;
  if (c.vllm.maxModelLen < needed) {
    out.push(problem('vllm.maxModelLen', c.vllm.maxModelLen, `must be >= prefixLen + suffixLen + chat template (${promptTokens}) + outputLen (${c.benchmark.outputLen}) = ${needed}, or every benchmark request fails`));
  }
  if (c.vllm.maxModelLen > model.maxPositionEmbeddings) {
    out.push(problem('vllm.maxModelLen', c.vllm.maxModelLen, `must be <= ${model.maxPositionEmbeddings}, the model's max_position_embeddings`));
  }
  return out;
};

export const vllm: Check = (c) => {
  const out: string[] = [];
  if (c.vllm.port === c.vllm.kvEventsPort) {
    out.push(problem('vllm.kvEventsPort', c.vllm.kvEventsPort, `must differ from vllm.port (${c.vllm.port})`));
  }
  if (c.vllm.maxNumBatchedTokens < c.vllm.maxNumSeqs) {
    out.push(problem('vllm.maxNumBatchedTokens', c.vllm.maxNumBatchedTokens, `must be >= vllm.maxNumSeqs (${c.vllm.maxNumSeqs}); vLLM rejects it otherwise`));
  }
  if (c.vllm.maxNumBatchedTokens < c.vllm.blockSize) {
    out.push(problem('vllm.maxNumBatchedTokens', c.vllm.maxNumBatchedTokens, `must be >= vllm.blockSize (${c.vllm.blockSize})`));
  }
  return out;
};

export const router: Check = (c) => {
  const out: string[] = [];
  if (c.router.scorers.prefixCache <= 0) {
    out.push(problem('router.scorers.prefixCache', c.router.scorers.prefixCache, 'must be > 0: without it the llm-d path is not prefix-aware and the A/B compares nothing'));
  }
  return out;
};

export const SERVING_CHECKS: readonly Check[] = [modelFits, vllm, router];
