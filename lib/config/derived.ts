/** Values computed from the config that several consumers need; computed here once. */
import { type FitInput, replicasPerNode as replicasPerNodeOf } from './fit';
import { resolveModelFacts } from './model-config';
import type { BenchConfig } from './schema';
import { GPUS, GpuFacts } from './tables/gpus';
import { INSTANCE_TYPES, InstanceFacts } from './tables/instances';
import type { ModelFacts } from './tables/models';

export function gpuInstance(c: BenchConfig): InstanceFacts {
  return INSTANCE_TYPES[c.gpuNodes.instanceType];
}

export function gpuFacts(c: BenchConfig): GpuFacts {
  return GPUS[gpuInstance(c).gpuModel as string];
}

/** The model's architecture facts: the registry row of model.id, or model.configFile (validated by the checks). */
export function modelFacts(c: BenchConfig): ModelFacts {
  return resolveModelFacts(c.model) as ModelFacts;
}

/** GPUs across the GPU node group. */
export function gpusAvailable(c: BenchConfig): number {
  return c.gpuNodes.count * gpuInstance(c).gpus;
}

/** Decode replicas on one GPU node: its GPUs / vllm.tensorParallelSize. */
export function replicasPerNode(c: BenchConfig): number {
  return replicasPerNodeOf(gpuInstance(c), c.vllm.tensorParallelSize);
}

/** The inputs of lib/config/fit.ts for the configured deployment. */
export function fitInput(c: BenchConfig): FitInput {
  return {
    gpu: gpuFacts(c),
    model: modelFacts(c),
    tensorParallelSize: c.vllm.tensorParallelSize,
    gpuMemoryUtilization: c.vllm.gpuMemoryUtilization,
    kvCacheDtype: c.vllm.kvCacheDtype,
    nonKvMemoryGiB: c.sim.nonKvMemoryGiB,
    blockSize: c.vllm.blockSize,
  };
}

/** Name vLLM serves the model under; the router and the benchmark use the same. */
export function servedModelName(c: BenchConfig): string {
  return c.model.id;
}

/** Directory of the weights inside the pods: <mountPath>/<model id>. */
export function modelDir(c: BenchConfig): string {
  return `${c.modelStore.mountPath.replace(/\/$/, '')}/${c.model.id}`;
}

/**
 * Suffix of the namespace the weights loader runs in (`<project.namespace>-loader`, Pod Security
 * `baseline`, the only place the read-write claim exists); k8s/names.ts and a config check use it.
 */
export const LOADER_NAMESPACE_SUFFIX = '-loader';

export function loaderNamespace(c: BenchConfig): string {
  return `${c.project.namespace}${LOADER_NAMESPACE_SUFFIX}`;
}
