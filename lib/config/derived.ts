/** Values computed from the config that several consumers need; computed here once. */
import type { BenchConfig } from './schema';
import { GPUS, GpuFacts } from './tables/gpus';
import { INSTANCE_TYPES, InstanceFacts } from './tables/instances';
import { MODELS, ModelFacts } from './tables/models';

export function gpuInstance(c: BenchConfig): InstanceFacts {
  return INSTANCE_TYPES[c.gpuNodes.instanceType];
}

export function gpuFacts(c: BenchConfig): GpuFacts {
  return GPUS[gpuInstance(c).gpuModel as string];
}

export function modelFacts(c: BenchConfig): ModelFacts {
  return MODELS[c.model.id];
}

/** GPUs across the GPU node group. */
export function gpusAvailable(c: BenchConfig): number {
  return c.gpuNodes.count * gpuInstance(c).gpus;
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
