/**
 * Everything one simulation needs, resolved from `lib/config` (the same config that renders the
 * manifests) plus the `simulate` command-line overrides. Nothing here has a default of its own.
 */
import { endpointPickerConfig } from '../../k8s/router/endpoint-picker-config';
import { type BenchConfig, fitInput, gpuFacts, modelFacts, servedModelName } from '../config';
import { kvBlocksPerReplica } from '../config/fit';
import type { GpuFacts } from '../config/tables/gpus';
import type { WorkloadParams } from './dataset';
import type { EngineLimits } from './engine';
import { calibrationNotes } from './envelope';
import { type ModelCosts, modelCosts } from './hardware';
import { type EppConfigLike, type EppRouterParams, parseEndpointPickerConfig } from './routers/epp-config';
import type { StepTimeConstants } from './step-time';

/** `simulate` flags that override the config (undefined = take the config's value). */
export interface SimOverrides {
  readonly requestRate?: number | 'inf';
  /** null = no client limit (`--max-concurrency none`). */
  readonly maxConcurrency?: number | null;
  readonly numPrompts?: number;
  readonly numPrefixes?: number;
  readonly prefixLen?: number;
  readonly suffixLen?: number;
  readonly outputLen?: number;
  readonly replicas?: number;
  readonly seed?: number;
  readonly burstiness?: number;
}

export interface SimParams {
  readonly modelId: string;
  readonly backend: string;
  readonly workload: WorkloadParams;
  readonly requestRate: number | 'inf';
  readonly burstiness: number;
  readonly maxConcurrency: number | null;
  readonly replicas: number;
  /** GPUs per replica (vllm.tensorParallelSize). */
  readonly tensorParallelSize: number;
  /** KV blocks per replica. */
  readonly numBlocks: number;
  readonly limits: EngineLimits;
  readonly gpu: GpuFacts;
  readonly costs: ModelCosts;
  readonly stepTime: StepTimeConstants;
  /** Seconds. */
  readonly requestOverhead: number;
  readonly eppOverhead: number;
  readonly kvEventLag: number;
  readonly metricsRefresh: number;
  readonly timeSeriesStep: number;
  /** The llm-d router, read from the rendered EndpointPickerConfig. */
  readonly epp: EppRouterParams;
  readonly percentileMetrics: readonly string[];
  readonly metricPercentiles: readonly number[];
  /** Plain notes when the configuration is outside what the fitted constants were calibrated on. */
  readonly calibrationNotes: readonly string[];
}

export function simParams(c: BenchConfig, o: SimOverrides = {}, eppConfig?: EppConfigLike): SimParams {
  const model = modelFacts(c);
  const gpu = gpuFacts(c);
  if (!model) throw new Error(`no model facts for ${c.model.id}`);
  if (!gpu) throw new Error(`no GPU facts for ${c.gpuNodes.instanceType}`);
  const chat = c.benchmark.backend === 'openai-chat';
  const leading = chat ? model.chatTemplateLeadingTokens : 0;
  const trailing = chat ? model.chatTemplateOverheadTokens - model.chatTemplateLeadingTokens : 0;
  const s = c.sim;
  // KV blocks per replica from the one memory model the config's fit check uses (lib/config/fit.ts).
  const numBlocks = kvBlocksPerReplica(fitInput(c));
  const workload: WorkloadParams = {
    numPrompts: o.numPrompts ?? c.benchmark.numPrompts,
    numPrefixes: o.numPrefixes ?? c.benchmark.numPrefixes,
    prefixLen: o.prefixLen ?? c.benchmark.prefixLen,
    suffixLen: o.suffixLen ?? c.benchmark.suffixLen,
    outputLen: o.outputLen ?? c.benchmark.outputLen,
    leadingTokens: leading,
    trailingTokens: trailing,
    seed: o.seed ?? c.benchmark.seed,
  };
  const longest = workload.leadingTokens + workload.prefixLen + workload.suffixLen + workload.trailingTokens + workload.outputLen;
  // The config check (checks/serving.ts) covers the config's lengths; flags bypass it, so repeat it here.
  if (longest > c.vllm.maxModelLen) {
    throw new Error(`a request of ${longest} tokens (prompt with chat template + output) exceeds vllm.maxModelLen (${c.vllm.maxModelLen}): ` +
      'vLLM would reject every request. Shorten the workload or raise it with -c vllm.maxModelLen=N');
  }
  const maxConcurrency = o.maxConcurrency === undefined ? c.benchmark.maxConcurrency : o.maxConcurrency;
  if (maxConcurrency !== null && !(Number.isInteger(maxConcurrency) && maxConcurrency > 0)) {
    throw new Error(`maxConcurrency ${JSON.stringify(maxConcurrency)}: must be a positive whole number or null (no client limit)`);
  }
  if (numBlocks * c.vllm.blockSize < longest) {
    throw new Error(`a replica's KV cache (${numBlocks} blocks x ${c.vllm.blockSize} tokens) cannot hold one request of ${longest} tokens`);
  }
  return {
    modelId: servedModelName(c),
    backend: c.benchmark.backend,
    workload,
    requestRate: o.requestRate ?? c.benchmark.requestRate,
    burstiness: o.burstiness ?? 1,
    maxConcurrency,
    replicas: o.replicas ?? c.vllm.replicas,
    tensorParallelSize: c.vllm.tensorParallelSize,
    numBlocks,
    limits: {
      maxNumSeqs: c.vllm.maxNumSeqs,
      maxNumBatchedTokens: c.vllm.maxNumBatchedTokens,
      blockSize: c.vllm.blockSize,
      statsMode: s.prefixCacheStats,
      reserveFullPrompt: s.vllmReserveFullPrompt,
    },
    gpu,
    costs: modelCosts(model, c.vllm.kvCacheDtype, c.vllm.tensorParallelSize),
    stepTime: {
      stepOverheadMs: s.stepOverheadMs,
      perSequenceOverheadMs: s.perSequenceOverheadMs,
      computeEfficiency: s.computeEfficiency,
      weightBandwidthEfficiency: s.weightBandwidthEfficiency,
      kvBandwidthEfficiency: s.kvBandwidthEfficiency,
      attentionEfficiency: s.attentionEfficiency,
      asyncScheduling: s.vllmAsyncScheduling,
    },
    requestOverhead: s.requestOverheadMs / 1000,
    eppOverhead: s.eppOverheadMs / 1000,
    kvEventLag: s.kvEventLagMs / 1000,
    metricsRefresh: s.metricsRefreshMs / 1000,
    timeSeriesStep: s.timeSeriesStepS,
    epp: parseEndpointPickerConfig(eppConfig ?? endpointPickerConfig(c)),
    percentileMetrics: c.benchmark.percentileMetrics,
    metricPercentiles: c.benchmark.metricPercentiles,
    calibrationNotes: calibrationNotes(c),
  };
}
