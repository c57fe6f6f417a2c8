/** Checks of the serving keys: the model fits the GPU, vLLM flags agree, the router is prefix-aware. */
import { goDurationMs } from '../duration';
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

/**
 * Host capacity a node keeps for itself and its daemonsets (kubelet/system reserve, eviction threshold,
 * aws-node, kube-proxy, FSx CSI node, GPU-operator and node-exporter pods): what a pod request may not use.
 */
export const NODE_RESERVED_CPU = 0.5;
export const NODE_RESERVED_MEMORY_GIB = 2.5;
/** The Envoy sidecar next to the EPP (k8s/charts/router-chart.ts requests exactly this). */
export const ENVOY_CPU_REQUEST = 0.5;
export const ENVOY_MEMORY_GIB = 0.5;

export const podsFit: Check = (c) => {
  const out: string[] = [];
  const gpu = INSTANCE_TYPES[c.gpuNodes.instanceType];
  if (gpu) {
    const perPod = Math.max(1, gpu.gpus);
    const cpu = (gpu.vcpu - NODE_RESERVED_CPU) / perPod;
    const mem = (gpu.memoryGiB - NODE_RESERVED_MEMORY_GIB) / perPod;
    if (c.vllm.cpuRequest > cpu) {
      out.push(problem('vllm.cpuRequest', c.vllm.cpuRequest, `must be <= ${cpu} on a ${c.gpuNodes.instanceType} (${gpu.vcpu} vCPU, ${NODE_RESERVED_CPU} kept for daemonsets, ${perPod} decode pod(s) per node) or the pods stay Pending`));
    }
    if (c.vllm.memoryRequestGiB > mem) {
      out.push(problem('vllm.memoryRequestGiB', c.vllm.memoryRequestGiB, `must be <= ${mem} on a ${c.gpuNodes.instanceType} (${gpu.memoryGiB} GiB, ${NODE_RESERVED_MEMORY_GIB} GiB kept for the kubelet and daemonsets, ${perPod} decode pod(s) per node) or the pods stay Pending`));
    }
  }
  if (c.vllm.memoryLimitGiB < c.vllm.memoryRequestGiB) {
    out.push(problem('vllm.memoryLimitGiB', c.vllm.memoryLimitGiB, `must be >= vllm.memoryRequestGiB (${c.vllm.memoryRequestGiB})`));
  }
  const sys = INSTANCE_TYPES[c.systemNodes.instanceType];
  if (sys) {
    const cpu = c.router.eppCpuRequest + ENVOY_CPU_REQUEST;
    const mem = c.router.eppMemoryGiB + ENVOY_MEMORY_GIB;
    if (cpu > sys.vcpu - NODE_RESERVED_CPU) {
      out.push(problem('router.eppCpuRequest', c.router.eppCpuRequest, `plus Envoy (${ENVOY_CPU_REQUEST}) must fit a ${c.systemNodes.instanceType} (${sys.vcpu} vCPU, ${NODE_RESERVED_CPU} kept for daemonsets)`));
    }
    if (mem > sys.memoryGiB - NODE_RESERVED_MEMORY_GIB) {
      out.push(problem('router.eppMemoryGiB', c.router.eppMemoryGiB, `plus Envoy (${ENVOY_MEMORY_GIB} GiB) must fit a ${c.systemNodes.instanceType} (${sys.memoryGiB} GiB, ${NODE_RESERVED_MEMORY_GIB} GiB kept for the kubelet and daemonsets)`));
    }
  }
  return out;
};

export const router: Check = (c) => {
  const out: string[] = [];
  if (c.router.scorers.prefixCache <= 0) {
    out.push(problem('router.scorers.prefixCache', c.router.scorers.prefixCache, 'must be > 0: without it the llm-d path is not prefix-aware and the A/B compares nothing'));
  }
  const ttl = goDurationMs(c.router.speculativeTtl);
  if (c.router.speculativeIndexing && (ttl < 100 || ttl > 60000)) {
    out.push(problem('router.speculativeTtl', c.router.speculativeTtl, 'must be between 100ms and 1m: shorter expires before the KV events arrive, longer keeps guesses the engine never confirmed'));
  }
  return out;
};

export const SERVING_CHECKS: readonly Check[] = [modelFits, vllm, podsFit, router];
