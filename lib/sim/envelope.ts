/**
 * What the simulator was calibrated on, and whether a configuration is far from it. The fitted
 * constants of lib/config/sections/sim.ts (computeEfficiency, stepOverheadMs, perSequenceOverheadMs,
 * requestOverheadMs) come from one reference run: 8 x g5.xlarge (A10G, 4 vCPU per replica),
 * Qwen2.5-7B-Instruct, one GPU per replica, bf16 KV. Outside that point the structure of the model
 * still holds (weights, KV, FLOPs and all-reduces from the registry), but those factors are
 * extrapolated; `simulate` says so in its output and in every result's `sim_warnings`.
 */
import type { BenchConfig } from '../config';
import { gpuInstance } from '../config';

export const CALIBRATION_POINT = {
  gpuModel: 'A10G',
  modelId: 'Qwen/Qwen2.5-7B-Instruct',
  tensorParallelSize: 1,
  vcpuPerReplica: 4,
  kvCacheDtype: 'auto',
} as const;

/** The dimensions in which the configuration differs from the calibration point (empty: inside it). */
export function calibrationDistance(c: BenchConfig): string[] {
  const instance = gpuInstance(c);
  const out: string[] = [];
  if (instance.gpuModel !== CALIBRATION_POINT.gpuModel) out.push(`GPU ${instance.gpuModel}`);
  if (c.model.id !== CALIBRATION_POINT.modelId || c.model.configFile !== undefined) out.push(`model ${c.model.id}`);
  if (c.vllm.tensorParallelSize !== CALIBRATION_POINT.tensorParallelSize) out.push(`tensor parallelism ${c.vllm.tensorParallelSize} (all-reduce costs from datasheets and NCCL, not measured here)`);
  const vcpu = instance.vcpu / Math.max(1, Math.floor(instance.gpus / c.vllm.tensorParallelSize));
  if (vcpu !== CALIBRATION_POINT.vcpuPerReplica) out.push(`${vcpu} vCPUs per replica`);
  if (c.vllm.kvCacheDtype !== CALIBRATION_POINT.kvCacheDtype) out.push(`KV cache ${c.vllm.kvCacheDtype}`);
  return out;
}

/** The plain note `simulate` prints when the configuration is outside what was calibrated. */
export function calibrationNotes(c: BenchConfig): string[] {
  const d = calibrationDistance(c);
  if (d.length === 0) return [];
  return [`outside what was calibrated (A10G, Qwen2.5-7B-Instruct, TP=1, 4 vCPUs per replica, bf16 KV): ${d.join(', ')}. ` +
    'The fitted constants (sim.computeEfficiency, stepOverheadMs, perSequenceOverheadMs, requestOverheadMs) come from that one run; ' +
    'treat absolute numbers as rough estimates and the llm-d / round-robin ratio as the more robust output'];
}
