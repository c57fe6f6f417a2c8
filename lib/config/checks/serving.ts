/** Checks of the serving keys: the model fits the GPU, vLLM flags agree, the router is prefix-aware. */
import { goDurationMs } from '../duration';
import { checkFit, type FitInput, fittingPlacements, replicasPerNode, VLLM_NON_KV_OVERHEAD_GIB } from '../fit';
import { ModelConfigError, resolveModelFacts } from '../model-config';
import { decodePodShare, decodeShmGiB, engineProcesses, maxApiServers, NODE_RESERVED_CPU, NODE_RESERVED_MEMORY_GIB } from '../pod-sizing';
import { problem } from '../problems';
import type { BenchConfig } from '../schema';
import { GPUS } from '../tables/gpus';
import { INSTANCE_TYPES } from '../tables/instances';
import { MODELS, type ModelFacts } from '../tables/models';
import type { Check } from './types';

export { NODE_RESERVED_CPU, NODE_RESERVED_MEMORY_GIB, VLLM_NON_KV_OVERHEAD_GIB };

/** The model facts the config selects, or the problem that prevents them. */
function modelOrProblem(c: BenchConfig): { model?: ModelFacts; problem?: string } {
  try {
    const model = resolveModelFacts(c.model);
    if (model) return { model };
    return { problem: problem('model.id', c.model.id, `no architecture facts for this model; allowed: ${Object.keys(MODELS).join(', ')} (add a row to lib/config/tables/models.ts), or give its Hugging Face config.json with -c model.configFile=<path>`) };
  } catch (e) {
    if (e instanceof ModelConfigError) return { problem: problem('model.configFile', c.model.configFile, e.message) };
    throw e;
  }
}

function fitInputFor(c: BenchConfig, model: ModelFacts, tp: number, gpu = GPUS[INSTANCE_TYPES[c.gpuNodes.instanceType]?.gpuModel ?? '']): FitInput {
  return { gpu, model, tensorParallelSize: tp, gpuMemoryUtilization: c.vllm.gpuMemoryUtilization, kvCacheDtype: c.vllm.kvCacheDtype, nonKvMemoryGiB: c.sim.nonKvMemoryGiB, blockSize: c.vllm.blockSize };
}

/**
 * The replica must fit before anything is built (lib/config/fit.ts): weights / TP + non-KV memory
 * within gpu_memory_utilization x the GPU's memory, and a maxModelLen sequence in the KV left. vLLM
 * also needs the attention heads to split evenly across the TP group (ModelConfig.verify_with_parallel_config:
 * "Total number of attention heads (...) must be divisible by tensor parallel size").
 */
export const modelFits: Check = (c) => {
  const { model, problem: missing } = modelOrProblem(c);
  if (!model) return [missing as string];
  const out: string[] = [];
  const tp = c.vllm.tensorParallelSize;
  const instance = INSTANCE_TYPES[c.gpuNodes.instanceType];
  const gpu = instance?.gpuModel ? GPUS[instance.gpuModel] : undefined;
  if (model.numAttentionHeads % tp !== 0) {
    out.push(problem('vllm.tensorParallelSize', tp, `must divide the model's ${model.numAttentionHeads} attention heads (vLLM refuses otherwise)`));
  } else if (gpu && instance && instance.gpus % tp === 0) {
    const fit = checkFit({ ...fitInputFor(c, model, tp, gpu), maxModelLen: c.vllm.maxModelLen, modelId: c.model.id, instanceType: c.gpuNodes.instanceType, gpuModel: instance.gpuModel as string });
    if (!fit.fits) {
      const where = fittingPlacements(model, { ...fitInputFor(c, model, tp, gpu), maxModelLen: c.vllm.maxModelLen, modelId: c.model.id })
        .map((pl) => `${pl.instanceTypes.slice(0, 2).join('/')} TP=${pl.tensorParallelSize}`);
      const hint = fit.failure === 'weights'
        ? ` It fits on: ${where.join(', ') || 'no instance type of lib/config/tables/instances.ts'} (or raise vllm.tensorParallelSize where the node has the GPUs)`
        : ' Raise vllm.gpuMemoryUtilization or vllm.tensorParallelSize, lower vllm.maxModelLen, use -c vllm.kvCacheDtype=fp8, or a larger GPU';
      out.push(problem(fit.failure === 'weights' ? 'model.id' : 'vllm.gpuMemoryUtilization', fit.failure === 'weights' ? c.model.id : c.vllm.gpuMemoryUtilization, `${fit.reason}.${hint}`));
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

/** Prometheus's request (constructs/helm/kube-prometheus-stack.ts requests exactly this). */
export const PROMETHEUS_CPU_REQUEST = 0.5;
export const PROMETHEUS_MEMORY_GIB = 2;

export const podsFit: Check = (c) => {
  const out: string[] = [];
  const gpu = INSTANCE_TYPES[c.gpuNodes.instanceType];
  if (gpu && gpu.gpus > 0 && gpu.gpus % c.vllm.tensorParallelSize === 0) {
    const perPod = replicasPerNode(gpu, c.vllm.tensorParallelSize);
    const { cpu, memoryGiB: mem } = decodePodShare(gpu, perPod);
    if (c.vllm.cpuRequest > cpu) {
      out.push(problem('vllm.cpuRequest', c.vllm.cpuRequest, `must be <= ${cpu} on a ${c.gpuNodes.instanceType} (${gpu.vcpu} vCPU, ${NODE_RESERVED_CPU} kept for daemonsets, ${perPod} decode pod(s) per node) or the pods stay Pending`));
    }
    if (c.vllm.memoryRequestGiB > mem) {
      out.push(problem('vllm.memoryRequestGiB', c.vllm.memoryRequestGiB, `must be <= ${mem} on a ${c.gpuNodes.instanceType} (${gpu.memoryGiB} GiB, ${NODE_RESERVED_MEMORY_GIB} GiB kept for the kubelet and daemonsets, ${perPod} decode pod(s) per node) or the pods stay Pending`));
    }
    const maxApi = maxApiServers(cpu, c.vllm.tensorParallelSize);
    if (c.vllm.apiServerCount > maxApi) {
      out.push(problem('vllm.apiServerCount', c.vllm.apiServerCount, `must be <= ${maxApi} on a ${c.gpuNodes.instanceType} at TP=${c.vllm.tensorParallelSize}: the decode pod's ${cpu} vCPUs minus ${engineProcesses(c.vllm.tensorParallelSize)} for the engine process(es); more API servers only time-share the cores and slow the engine's step loop`));
    }
  }
  if (c.vllm.memoryLimitGiB < c.vllm.memoryRequestGiB) {
    out.push(problem('vllm.memoryLimitGiB', c.vllm.memoryLimitGiB, `must be >= vllm.memoryRequestGiB (${c.vllm.memoryRequestGiB})`));
  }
  const shm = decodeShmGiB(c.vllm.tensorParallelSize);
  if (c.vllm.memoryLimitGiB <= shm) {
    out.push(problem('vllm.memoryLimitGiB', c.vllm.memoryLimitGiB, `must be above the decode pod's /dev/shm size (${shm} GiB at TP=${c.vllm.tensorParallelSize}), which counts against it`));
  }
  const sys = INSTANCE_TYPES[c.systemNodes.instanceType];
  if (sys) {
    const cpu = c.router.eppCpuRequest + c.router.envoyCpuRequest;
    const mem = c.router.eppMemoryGiB + c.router.envoyMemoryGiB;
    if (cpu > sys.vcpu - NODE_RESERVED_CPU) {
      out.push(problem('router.eppCpuRequest', c.router.eppCpuRequest, `plus router.envoyCpuRequest (${c.router.envoyCpuRequest}) must fit a ${c.systemNodes.instanceType} (${sys.vcpu} vCPU, ${NODE_RESERVED_CPU} kept for daemonsets): choose a larger systemNodes.instanceType or lower the requests`));
    }
    if (mem > sys.memoryGiB - NODE_RESERVED_MEMORY_GIB) {
      out.push(problem('router.eppMemoryGiB', c.router.eppMemoryGiB, `plus router.envoyMemoryGiB (${c.router.envoyMemoryGiB}) must fit a ${c.systemNodes.instanceType} (${sys.memoryGiB} GiB, ${NODE_RESERVED_MEMORY_GIB} GiB kept for the kubelet and daemonsets)`));
    }
  }
  return out;
};

/**
 * The large pods of the system node group must fit on it together, or one stays Pending after the
 * whole deploy (the benchmark client only at `llmd-bench run`): the EPP pod (EPP + Envoy), every
 * render pod, the benchmark client and Prometheus, placed first-fit in decreasing order onto
 * `systemNodes.count` nodes (each minus what the node keeps for itself). CoreDNS, the operators and
 * Grafana request little and are left out.
 */
export const systemPodsFit: Check = (c) => {
  const sys = INSTANCE_TYPES[c.systemNodes.instanceType];
  if (!sys) return [];
  const pods = [
    { name: 'the EPP pod', cpu: c.router.eppCpuRequest + c.router.envoyCpuRequest, mem: c.router.eppMemoryGiB + c.router.envoyMemoryGiB },
    { name: 'the benchmark client', cpu: c.benchmark.clientCpu, mem: c.benchmark.clientMemoryGiB },
    { name: 'Prometheus', cpu: PROMETHEUS_CPU_REQUEST, mem: PROMETHEUS_MEMORY_GIB },
    ...Array.from({ length: c.router.renderReplicas }, (_, i) => ({ name: `render pod ${i + 1}`, cpu: c.router.renderCpuRequest, mem: c.router.renderMemoryGiB })),
  ];
  const usable = { cpu: sys.vcpu - NODE_RESERVED_CPU, mem: sys.memoryGiB - NODE_RESERVED_MEMORY_GIB };
  const tooBig = pods.filter((p) => p.cpu > usable.cpu || p.mem > usable.mem);
  if (tooBig.length > 0) {
    // The EPP pod alone is reported by podsFit; more nodes would not help either way.
    return tooBig.filter((p) => p !== pods[0]).map((p) => problem('systemNodes.instanceType', c.systemNodes.instanceType,
      `${p.name} (${p.cpu} CPU / ${p.mem} GiB) does not fit one node (${usable.cpu} CPU / ${usable.mem} GiB usable): choose a larger instance type or lower its request`));
  }
  const free = Array.from({ length: c.systemNodes.count }, () => ({ ...usable }));
  for (const pod of [...pods].sort((a, b) => b.cpu - a.cpu || b.mem - a.mem)) {
    const node = free.find((n) => n.cpu >= pod.cpu && n.mem >= pod.mem);
    if (!node) {
      const need = pods.map((p) => `${p.name} ${p.cpu} CPU / ${p.mem} GiB`).join(', ');
      return [problem('systemNodes.count', c.systemNodes.count,
        `${c.systemNodes.count} x ${c.systemNodes.instanceType} (${usable.cpu} CPU / ${usable.mem} GiB usable each) cannot hold ${need} (${pod.name} would stay Pending); ` +
        'add a node, choose a larger systemNodes.instanceType, or lower router.*CpuRequest / router.renderReplicas / benchmark.clientCpu')];
    }
    node.cpu -= pod.cpu;
    node.mem -= pod.mem;
  }
  return [];
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

/** Gated Hub models need a token; the loader would fail after the whole deploy. */
export const gatedModel: Check = (c) => {
  const row = MODELS[c.model.id];
  if (!row?.gated || c.modelStore.modelSource !== 'huggingface' || c.modelStore.hfTokenSecretName !== undefined) return [];
  return [`model.id: ${c.model.id} is gated on the Hugging Face Hub; accept its licence there and set modelStore.hfTokenSecretName (a Secrets Manager secret holding your token), or the loader Job fails with 401/403`];
};

export const SERVING_CHECKS: readonly Check[] = [modelFits, vllm, podsFit, systemPodsFit, router];
export const SERVING_WARNINGS: readonly Check[] = [gatedModel];
