/**
 * `llmd-bench plan`: the capacity planner. For the configured model (a registry row or
 * `model.configFile`) and every supported GPU instance type x tensor-parallel size: per-GPU memory
 * (weights, non-KV overhead, KV left), KV tokens per replica, sequences that fit at a context,
 * replicas per node, whether it fits (and why not), and $/h in the configured region.
 *
 * Every number comes from lib/config/fit.ts, the one memory arithmetic the config checks (the fit
 * check before `cdk synth` builds anything), the simulator and `tune` use; a test keeps the plan and
 * the config check in agreement on every registry row. Not to be confused with lib/bench/plan.ts
 * (the run plan of `llmd-bench run`).
 */
import type { BenchConfig } from '../../config';
import { modelFacts } from '../../config';
import { templateTokens } from '../../config/checks/workload';
import {
  checkFit, type FitInput, GiB, maxConcurrentSequences, modelWeightBytes, replicasPerNode, TENSOR_PARALLEL_SIZES,
} from '../../config/fit';
import { GPUS } from '../../config/tables/gpus';
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES } from '../../config/tables/instances';
import type { ModelFacts } from '../../config/tables/models';
import { ec2HourlyPrice, type PriceStatus } from '../../config/tables/prices';
import { longestRequestTokens, workloadSpec } from '../../workload/spec';

/** One instance type x TP row of the plan. */
export interface CapacityRow {
  readonly instanceType: string;
  readonly gpuModel: string;
  readonly gpusPerNode: number;
  readonly vcpu: number;
  readonly tensorParallelSize: number;
  readonly replicasPerNode: number;
  /** Per GPU of a replica, GiB: gpu_memory_utilization x total, the weight shard, non-KV, and KV left (may be negative). */
  readonly budgetGiB: number;
  readonly weightsGiB: number;
  readonly nonKvGiB: number;
  readonly kvGiB: number;
  readonly kvTokensPerReplica: number;
  /** Sequences of `contextTokens` whose KV fits one replica at once (vLLM's --max-num-seqs caps the batch separately). */
  readonly maxConcurrentSequences: number;
  readonly fits: boolean;
  /** Why not (the arithmetic), when it does not fit. */
  readonly reason?: string;
  /** `heads`: TP does not divide the attention heads; `weights`; `kv`: less than one maxModelLen sequence of KV. */
  readonly failure?: 'heads' | 'weights' | 'kv';
  /** On-demand $/h of one node in the region (undefined: no price known). */
  readonly usdPerHourNode?: number;
  readonly usdPerHourReplica?: number;
  readonly priceStatus?: PriceStatus;
}

export interface CapacityPlan {
  readonly modelId: string;
  readonly modelSource: 'registry' | 'configFile';
  readonly parameters: number;
  readonly weightBytes: number;
  readonly dtypeBytes: number;
  readonly region: string;
  readonly gpuMemoryUtilization: number;
  readonly kvCacheDtype: 'auto' | 'fp8';
  readonly blockSize: number;
  readonly nonKvMemoryGiB: number;
  readonly maxModelLen: number;
  readonly contextTokens: number;
  /** Where contextTokens came from. */
  readonly contextSource: string;
  readonly rows: readonly CapacityRow[];
}

export interface CapacityOptions {
  /** Context (prompt + output tokens) for the concurrent-sequence column; default the workload's longest request. */
  readonly contextTokens?: number;
  /** Instance types to list (default: every GPU type of the registry). */
  readonly instanceTypes?: readonly string[];
  /** TP sizes to list (default 1, 2, 4, 8; only those dividing the node's GPUs appear). */
  readonly tensorParallelSizes?: readonly number[];
}

/** The longest request of the configured workload, chat template included: prompt + output tokens. */
export function workloadContextTokens(c: BenchConfig): number {
  return longestRequestTokens(workloadSpec(c)) + templateTokens(c);
}

/** The fit inputs of a config on another GPU / TP (everything else as configured). */
export function fitInputAt(c: BenchConfig, model: ModelFacts, gpuModel: string, tensorParallelSize: number): FitInput {
  return {
    gpu: GPUS[gpuModel],
    model,
    tensorParallelSize,
    gpuMemoryUtilization: c.vllm.gpuMemoryUtilization,
    kvCacheDtype: c.vllm.kvCacheDtype,
    nonKvMemoryGiB: c.sim.nonKvMemoryGiB,
    blockSize: c.vllm.blockSize,
  };
}

/**
 * Whether a replica of the configured model fits `instanceType` at `tensorParallelSize`, with the
 * config's vLLM memory settings: the same checks as the config's fit check (lib/config/checks/serving.ts
 * modelFits): TP divides the attention heads (vLLM refuses otherwise), then lib/config/fit.ts checkFit.
 */
export function capacityRow(c: BenchConfig, model: ModelFacts, instanceType: string, tensorParallelSize: number, contextTokens: number): CapacityRow {
  const instance = INSTANCE_TYPES[instanceType];
  const gpuModel = instance.gpuModel as string;
  const input = fitInputAt(c, model, gpuModel, tensorParallelSize);
  const fit = checkFit({ ...input, maxModelLen: c.vllm.maxModelLen, modelId: c.model.id, instanceType, gpuModel });
  const perNode = replicasPerNode(instance, tensorParallelSize);
  const price = ec2HourlyPrice(instanceType, c.aws.region);
  const headsOk = model.numAttentionHeads % tensorParallelSize === 0;
  const failure = !headsOk ? 'heads' as const : fit.failure;
  const reason = !headsOk
    ? `TP=${tensorParallelSize} does not divide the model's ${model.numAttentionHeads} attention heads (vLLM refuses it)`
    : fit.reason;
  return {
    instanceType,
    gpuModel,
    gpusPerNode: instance.gpus,
    vcpu: instance.vcpu,
    tensorParallelSize,
    replicasPerNode: perNode,
    budgetGiB: fit.plan.budgetBytes / GiB,
    weightsGiB: fit.plan.weightBytes / GiB,
    nonKvGiB: fit.plan.nonKvBytes / GiB,
    kvGiB: fit.plan.kvBytes / GiB,
    kvTokensPerReplica: fit.kvTokens,
    maxConcurrentSequences: maxConcurrentSequences(input, contextTokens),
    fits: headsOk && fit.fits,
    ...(failure ? { failure, reason } : {}),
    ...(price ? { usdPerHourNode: price.usdPerHour, usdPerHourReplica: perNode > 0 ? price.usdPerHour / perNode : undefined, priceStatus: price.status } : {}),
  };
}

/** The plan: one row per GPU instance type x TP dividing its GPUs, in registry order. */
export function capacityPlan(c: BenchConfig, options: CapacityOptions = {}): CapacityPlan {
  const model = modelFacts(c);
  const contextTokens = options.contextTokens ?? workloadContextTokens(c);
  const types = options.instanceTypes ?? GPU_INSTANCE_TYPES;
  const tps = options.tensorParallelSizes ?? TENSOR_PARALLEL_SIZES;
  const rows: CapacityRow[] = [];
  for (const t of types) {
    for (const tp of tps) {
      if (INSTANCE_TYPES[t].gpus % tp !== 0) continue;
      rows.push(capacityRow(c, model, t, tp, contextTokens));
    }
  }
  return {
    modelId: c.model.id,
    modelSource: c.model.configFile === undefined ? 'registry' : 'configFile',
    parameters: model.parameters,
    weightBytes: modelWeightBytes(model),
    dtypeBytes: model.dtypeBytes,
    region: c.aws.region,
    gpuMemoryUtilization: c.vllm.gpuMemoryUtilization,
    kvCacheDtype: c.vllm.kvCacheDtype,
    blockSize: c.vllm.blockSize,
    nonKvMemoryGiB: c.sim.nonKvMemoryGiB,
    maxModelLen: c.vllm.maxModelLen,
    contextTokens,
    contextSource: options.contextTokens === undefined ? `the longest ${c.workload.name} request of the configured workload (prompt + output${templateTokens(c) > 0 ? ' + chat template' : ''})` : '--context-tokens',
    rows,
  };
}

const f1 = (v: number) => v.toFixed(1);
const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** The plan as a table, then the reasons of the rows that do not fit. */
export function formatCapacityPlan(plan: CapacityPlan): string {
  const header = ['instance', 'GPU', 'GPUs', 'TP', 'replicas/node', 'weights GiB/GPU', 'non-KV GiB', 'KV GiB/GPU', 'KV tokens/replica', `seqs @ ${plan.contextTokens}`, '$/h node', '$/h replica', 'fits'];
  const reasons: string[] = [];
  const body = plan.rows.map((r) => {
    let fits = 'yes';
    if (!r.fits) {
      reasons.push(`${r.instanceType} TP=${r.tensorParallelSize}: ${r.reason}`);
      fits = `no (${r.failure}) [${reasons.length}]`;
    }
    const price = r.usdPerHourNode === undefined ? 'n/a' : `${r.usdPerHourNode.toFixed(2)}${r.priceStatus === 'verified' ? '' : r.priceStatus === 'fallback' ? '*' : ''}`;
    return [
      r.instanceType, r.gpuModel, String(r.gpusPerNode), String(r.tensorParallelSize), String(r.replicasPerNode),
      f1(r.weightsGiB), f1(r.nonKvGiB), f1(r.kvGiB), r.fits || r.failure === 'kv' ? int(r.kvTokensPerReplica) : '-',
      r.fits ? int(r.maxConcurrentSequences) : '-', price, r.usdPerHourReplica === undefined ? 'n/a' : r.usdPerHourReplica.toFixed(2), fits,
    ];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const weights = (plan.weightBytes / 1e9).toFixed(1);
  const out = [
    `Capacity plan: ${plan.modelId} (${(plan.parameters / 1e9).toFixed(2)} B parameters, ${plan.dtypeBytes * 8}-bit weights, ${weights} GB${plan.modelSource === 'configFile' ? ', from model.configFile' : ''})`,
    `vLLM: gpu_memory_utilization ${plan.gpuMemoryUtilization}, KV cache ${plan.kvCacheDtype === 'auto' ? 'bf16 (auto)' : 'fp8'}, block ${plan.blockSize}, max_model_len ${plan.maxModelLen}, non-KV ${plan.nonKvMemoryGiB} GiB per GPU (sim.nonKvMemoryGiB)`,
    `Context for "seqs": ${plan.contextTokens} tokens, ${plan.contextSource}; prices: ${plan.region} on-demand (* = us-east-1 price shown, none known here)`,
    '',
    line(header),
    ...body.map(line),
  ];
  if (reasons.length > 0) out.push('', 'Why not:', ...reasons.map((r, i) => `  [${i + 1}] ${r}`));
  out.push('', 'Same arithmetic as the config\'s fit check (lib/config/fit.ts); change the vLLM settings with -c vllm.gpuMemoryUtilization=..., vllm.kvCacheDtype=fp8, vllm.blockSize=..., vllm.maxModelLen=...');
  return out.join('\n');
}
