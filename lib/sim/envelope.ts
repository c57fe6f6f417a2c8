/**
 * How far a configuration is from what the public anchors cover (issue 12 §3), as one number d and
 * its parts, each 0 inside the anchored space and 1 for "one step out":
 *
 *  - GPU: 0 if an anchor ran on this GPU; 0.5 if only on other GPUs of its architecture (efficiencies
 *    are per architecture); 1 if no anchor ran on its architecture (held at priors: Ada, Blackwell);
 *  - model size: |log2(parameters / nearest anchored model's)| (2x the parameters = 1);
 *  - tensor parallelism: |log2(TP / nearest anchored TP)|;
 *  - workload shape: min over anchored workloads of sqrt(log2(input ratio)^2 + log2(output ratio)^2) / 2
 *    (4x longer prompts = 1), mean prompt and output tokens of the simulated requests;
 *  - load: |log2| of requests in flight per replica (Little's law on the simulated run) outside the
 *    anchored range, / 2;
 *  - KV cache dtype: 0.5 for fp8 on an architecture no fp8 anchor ran on; 0.75 where fp8 swaps the
 *    attention kernel (Ampere, Ada: FA2's mixed-step re-reads go away, which no anchor measured); the
 *    larger of the two when both hold.
 *
 * d = sqrt(sum of squares). Inside: d <= 0.5; near: <= 1; outside: > 1, or on an architecture no
 * anchor ran on whatever d (its GPU efficiencies are priors), with a plain warning. The
 * interval's model-discrepancy width is multiplied by (1 + d) (intervals.ts). The coverage is computed
 * by the fit from the anchors (anchor-predict.ts `coverage`) and committed in fitted.json.
 */
import type { BenchConfig } from '../config';
import { gpuFacts, gpuInstance, modelFacts } from '../config';
import { GPUS, REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS } from '../config/tables/gpus';
import { MODELS } from '../config/tables/models';
import { fittedCalibration } from './calibration/fitted';

export interface Coverage {
  readonly gpus: readonly string[];
  readonly architectures: readonly string[];
  readonly modelParameters: readonly number[];
  readonly tensorParallel: readonly number[];
  readonly workloads: readonly { readonly input: number; readonly output: number }[];
  readonly inFlightPerReplica: readonly [number, number];
  readonly fp8Architectures: readonly string[];
}

export interface DistancePart {
  readonly dimension: 'GPU' | 'model size' | 'tensor parallelism' | 'workload shape' | 'load' | 'KV cache dtype';
  readonly value: number;
  readonly detail: string;
}

export interface CalibrationDistance {
  readonly distance: number;
  readonly region: 'inside' | 'near' | 'outside';
  readonly parts: readonly DistancePart[];
  /** One line: how close, and to what. */
  readonly summary: string;
  /** A plain warning when outside (null otherwise). */
  readonly warning: string | null;
}

/** What the simulated run looked like (from its point result). */
export interface ObservedShape {
  readonly meanInputTokens: number;
  readonly meanOutputTokens: number;
  readonly inFlightPerReplica: number;
}

const EMPTY: Coverage = { gpus: [], architectures: [], modelParameters: [], tensorParallel: [], workloads: [], inFlightPerReplica: [1, 1], fp8Architectures: [] };

export function anchorCoverage(): Coverage {
  return fittedCalibration()?.coverage ?? EMPTY;
}

const log2 = (x: number) => Math.log(x) / Math.LN2;
const nearestLog2 = (x: number, xs: readonly number[]) => (xs.length === 0 ? 1 : Math.min(...xs.map((a) => Math.abs(log2(x / a)))));
const r2 = (x: number) => Math.round(x * 100) / 100;

export function calibrationDistance(c: BenchConfig, shape: ObservedShape, cov: Coverage = anchorCoverage(), gpuName?: string): CalibrationDistance {
  const gpu = gpuFacts(c);
  const name = gpuName ?? gpuInstance(c).gpuModel ?? 'unknown';
  const model = modelFacts(c);
  const parts: DistancePart[] = [];
  const gpuValue = cov.gpus.includes(name) ? 0 : cov.architectures.includes(gpu.architecture) ? 0.5 : 1;
  parts.push({
    dimension: 'GPU', value: gpuValue,
    detail: gpuValue === 0 ? `${name} (anchored)` : gpuValue === 0.5 ? `${name} (no anchor on it; ${gpu.architecture} efficiencies fitted on ${cov.gpus.filter((g) => g !== name && GPUS[g]?.architecture === gpu.architecture).join(', ') || 'other GPUs of it'})` : `${name} (no anchor on ${gpu.architecture}: its efficiencies are priors)`,
  });
  const params = model.parameters;
  const m = nearestLog2(params, cov.modelParameters);
  parts.push({ dimension: 'model size', value: r2(m), detail: `${(params / 1e9).toFixed(1)} B parameters${m < 0.05 ? ' (anchored)' : ` (nearest anchored: ${nearestOf(params, cov.modelParameters)})`}` });
  const tp = c.vllm.tensorParallelSize;
  const t = nearestLog2(tp, cov.tensorParallel);
  parts.push({ dimension: 'tensor parallelism', value: r2(t), detail: `TP ${tp}${t === 0 ? ' (anchored)' : ` (anchored: ${cov.tensorParallel.join(', ')})`}` });
  const w = cov.workloads.length === 0 ? 1 : Math.min(...cov.workloads.map((a) => Math.hypot(log2(Math.max(1, shape.meanInputTokens) / a.input), log2(Math.max(1, shape.meanOutputTokens) / a.output)) / 2));
  parts.push({ dimension: 'workload shape', value: r2(w), detail: `${Math.round(shape.meanInputTokens).toLocaleString('en-US')} tokens in / ${Math.round(shape.meanOutputTokens).toLocaleString('en-US')} out${w < 0.1 ? ' (anchored)' : ''}` });
  const [lo, hi] = cov.inFlightPerReplica;
  const f = shape.inFlightPerReplica;
  const l = f < lo ? log2(lo / Math.max(f, 1e-3)) / 2 : f > hi ? log2(f / hi) / 2 : 0;
  parts.push({ dimension: 'load', value: r2(l), detail: `${f.toFixed(1)} requests in flight per replica${l === 0 ? ' (anchored range)' : ` (anchored: ${lo}-${hi})`}` });
  if (c.vllm.kvCacheDtype === 'fp8') {
    // On FA2 GPUs fp8 also swaps the attention kernel and so removes FA2's mixed-step re-reads
    // (tables/gpus.ts); the only fp8 anchor on such a GPU decoded alone (enforce-eager), never mixed.
    const swapsKernel = REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS[gpu.architecture];
    // 0.75 for the swap: the fp8 read is anchored on Ampere, the re-reads it removes are not ("near");
    // 0.5 where no fp8 anchor ran on the architecture; the larger when both hold.
    const anchored = cov.fp8Architectures.includes(gpu.architecture);
    const k = Math.max(swapsKernel ? 0.75 : 0, anchored ? 0 : 0.5);
    const reasons = [
      ...(anchored ? [] : [`fp8 anchored only on ${cov.fp8Architectures.join(', ') || 'no architecture'}`]),
      ...(swapsKernel ? [`on ${gpu.architecture} it also replaces FlashAttention 2 and its mixed-step KV re-reads: modelled from the kernel source, no anchor measured it`] : []),
    ];
    const why = reasons.length > 0 ? ` (${reasons.join('; ')})` : ' (anchored on this architecture)';
    parts.push({ dimension: 'KV cache dtype', value: k, detail: `fp8${why}` });
  }
  const distance = r2(Math.sqrt(parts.reduce((s, p) => s + p.value ** 2, 0)));
  const region = distance > 1 || gpuValue >= 1 ? 'outside' : distance <= 0.5 ? 'inside' : 'near';
  const far = parts.filter((p) => p.value > 0).sort((a, b) => b.value - a.value);
  const summary = `calibration distance ${distance.toFixed(2)} (${region === 'inside' ? 'inside the space the public anchors cover' : region === 'near' ? 'near the anchored space' : 'OUTSIDE the anchored space'}): ${parts.map((p) => `${p.dimension} ${p.detail}`).join('; ')}`;
  const warning = region === 'outside'
    ? `outside what the public anchors cover (distance ${distance.toFixed(2)}; furthest: ${far.slice(0, 3).map((p) => `${p.dimension} ${p.value.toFixed(2)}`).join(', ')}): the point prediction extrapolates the fitted model and its interval is widened ${(1 + distance).toFixed(1)}x; treat it as an estimate, not a forecast`
    : null;
  return { distance, region, parts, summary, warning };
}

function nearestOf(x: number, xs: readonly number[]): string {
  if (xs.length === 0) return 'none';
  const best = xs.reduce((a, b) => (Math.abs(log2(x / b)) < Math.abs(log2(x / a)) ? b : a));
  return `${(best / 1e9).toFixed(1)} B`;
}

/** Parameters of an anchored model id (registry). */
export function modelParameters(id: string): number | undefined {
  return MODELS[id]?.parameters;
}
