/**
 * Everything one simulation needs, resolved from `lib/config` (the same config that renders the
 * manifests) plus the `simulate` command-line overrides. Nothing here has a default of its own.
 */
import { endpointPickerConfigFor } from '../../k8s/router/profiles';
import { type BenchConfig, eppImage, fitInput, gpuFacts, gpuInstance, modelFacts, parseConfig, servedModelName, vllmImage } from '../config';
import { templateTokens } from '../config/checks/workload';
import { kvBlocksPerReplica } from '../config/fit';
import type { GpuFacts } from '../config/tables/gpus';
import { type BuiltinProfileName, ROUTER_PROFILE_NAMES } from '../config/tables/router-profiles';
import { longestRequestTokens, type RunSpec, runSpec } from '../workload/spec';
import type { EngineLimits } from './engine';
import { calibrationNotes } from './envelope';
import { type ModelCosts, modelCosts } from './hardware';
import { type EppConfigLike, type EppRouterParams, parseEndpointPickerConfig } from './routers/epp-config';
import type { StepTimeConstants } from './step-time';
import type { TemplateTokens } from './workloads';

/**
 * Programmatic overrides of the config (scripts, tests; the CLI's flags become config keys instead).
 * undefined = take the config's value. Everything but `replicas` is validated as config.
 */
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
  /** The workload, load shape and harness (the same object the benchmark Job is rendered from). */
  readonly run: RunSpec;
  /** Chat-template tokens around each prompt (vllm bench serve's openai-chat backend only). */
  readonly template: TemplateTokens;
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
  /** The llm-d router of the configured profile (router.profile, or --epp-config), read from the rendered EndpointPickerConfig. */
  readonly epp: EppRouterParams;
  /** Each built-in profile, read from its rendered EndpointPickerConfig (the llm-d-<profile> routers). */
  readonly eppProfiles: Readonly<Record<BuiltinProfileName, EppRouterParams>>;
  readonly percentileMetrics: readonly string[];
  readonly metricPercentiles: readonly number[];
  /** Plain notes when the configuration is outside what the fitted constants were calibrated on. */
  readonly calibrationNotes: readonly string[];
  /** What the simulated stack would run on (the llm-d-benchmark export describes it). */
  readonly deployment: SimDeployment;
}

/** The instance, its GPU (registry key) and the image references (`repository:tag`) of the simulated stack. */
export interface SimDeployment {
  readonly instanceType: string;
  readonly gpu: string;
  readonly vllmImage: string;
  readonly eppImage: string;
}

/** The config with the programmatic overrides applied and validated (ConfigError names the key). */
export function withSimOverrides(c: BenchConfig, o: SimOverrides): BenchConfig {
  const b: Record<string, unknown> = {};
  if (o.requestRate !== undefined) b.requestRate = o.requestRate;
  if (o.maxConcurrency !== undefined) b.maxConcurrency = o.maxConcurrency ?? 'none';
  if (o.numPrompts !== undefined) b.numPrompts = o.numPrompts;
  if (o.numPrefixes !== undefined) b.numPrefixes = o.numPrefixes;
  if (o.prefixLen !== undefined) b.prefixLen = o.prefixLen;
  if (o.suffixLen !== undefined) b.suffixLen = o.suffixLen;
  if (o.outputLen !== undefined) b.outputLen = o.outputLen;
  if (o.seed !== undefined) b.seed = o.seed;
  if (o.burstiness !== undefined) b.burstiness = o.burstiness;
  if (Object.keys(b).length === 0) return c;
  const copy = JSON.parse(JSON.stringify(c)) as Record<string, any>;
  copy.benchmark = { ...copy.benchmark, ...b };
  return parseConfig(copy);
}

export function simParams(config: BenchConfig, o: SimOverrides = {}, eppConfig?: EppConfigLike): SimParams {
  const c = withSimOverrides(config, o);
  const model = modelFacts(c);
  const gpu = gpuFacts(c);
  if (!model) throw new Error(`no model facts for ${c.model.id}`);
  if (!gpu) throw new Error(`no GPU facts for ${c.gpuNodes.instanceType}`);
  const run = runSpec(c);
  const template: TemplateTokens = templateTokens(c) > 0
    ? { leading: model.chatTemplateLeadingTokens, trailing: model.chatTemplateOverheadTokens - model.chatTemplateLeadingTokens }
    : { leading: 0, trailing: 0 };
  const s = c.sim;
  // KV blocks per replica from the one memory model the config's fit check uses (lib/config/fit.ts).
  const numBlocks = kvBlocksPerReplica(fitInput(c));
  const longest = longestRequestTokens(run.workload) + template.leading + template.trailing;
  // The config checks refuse workloads longer than vllm.maxModelLen; a KV cache must still hold one request.
  if (numBlocks * c.vllm.blockSize < longest) {
    throw new Error(`a replica's KV cache (${numBlocks} blocks x ${c.vllm.blockSize} tokens) cannot hold one request of ${longest} tokens`);
  }
  return {
    modelId: servedModelName(c),
    backend: run.harness === 'inference-perf' ? 'openai' : c.benchmark.backend,
    run,
    template,
    requestRate: run.load.requestRate,
    burstiness: run.load.burstiness,
    maxConcurrency: run.load.maxConcurrency,
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
    epp: parseEndpointPickerConfig(eppConfig ?? endpointPickerConfigFor(c, c.router.profile)),
    eppProfiles: Object.fromEntries(ROUTER_PROFILE_NAMES.map((name) => [name, parseEndpointPickerConfig(endpointPickerConfigFor(c, name))])) as Record<BuiltinProfileName, EppRouterParams>,
    percentileMetrics: c.benchmark.percentileMetrics,
    metricPercentiles: c.benchmark.metricPercentiles,
    calibrationNotes: calibrationNotes(c),
    deployment: { instanceType: c.gpuNodes.instanceType, gpu: gpuInstance(c).gpuModel ?? 'unknown', vllmImage: vllmImage(c).tagged, eppImage: eppImage(c).tagged },
  };
}
