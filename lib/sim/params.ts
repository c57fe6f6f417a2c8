/**
 * Everything one simulation needs, resolved from `lib/config` (the same config that renders the
 * manifests) plus the `simulate` command-line overrides. Nothing here has a default of its own.
 */
import { endpointPickerConfigFor } from '../../k8s/router/profiles';
import { type BenchConfig, eppImage, fitInput, gpuFacts, gpuInstance, modelFacts, parseConfig, servedModelName, vllmImage } from '../config';
import { templateTokens } from '../config/checks/workload';
import { kvBlocksPerReplica } from '../config/fit';
import { type GpuFacts, hasFp8, REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS } from '../config/tables/gpus';
import type { HostCpuFacts } from '../config/tables/host-cpus';
import { type BuiltinProfileName, ROUTER_PROFILE_NAMES } from '../config/tables/router-profiles';
import { longestRequestTokens, type RunSpec, runSpec } from '../workload/spec';
import { fittedCalibration } from './calibration/fitted';
import type { EngineLimits } from './engine';
import { type ModelCosts, modelCosts } from './hardware';
import { cpuTimeScale, decodeHost, type HostFacts, renderHostCpu } from './host';
import { type EppConfigLike, type EppRouterParams, parseEndpointPickerConfig } from './routers/epp-config';
import { penaltyPassCosts, samplerPenaltiesApply } from './sampler-penalties';
import type { StepTiming } from './step-time';
import { completeTimingValues, type TimingValues } from './timing-params';
import type { InProcessTokenizer } from './epp-tokenizer';
import type { TemplateTokens } from './workloads';

/** Seconds of CPU on the request path, already scaled to the hosts that run them. */
export interface RequestPath {
  /** vLLM API server per request (HTTP, template: event loop) and per prompt token (tokeniser thread). */
  readonly apiRequestSeconds: number;
  readonly apiSecondsPerPromptToken: number;
  /** vLLM API server per streamed output token (detokenise, SSE chunk). */
  readonly apiOutputSecondsPerToken: number;
  /** API server processes per replica (vllm.apiServerCount): each a FIFO server of its own. */
  readonly apiServers: number;
  /** Render server pods and their cost per request / prompt token (the EPP's token-producer call). */
  readonly renderServers: number;
  readonly renderRequestSeconds: number;
  readonly renderSecondsPerPromptToken: number;
  /** llm-d path only: one pass through Envoy, and the EPP's scheduling. */
  readonly envoyHopSeconds: number;
  readonly eppScheduleSeconds: number;
  /** Async scheduling's one-step lag for finished requests. */
  readonly lingerOneStep: boolean;
  /** Validation only: an anchor setup's unexplained per-request latency (0 for every user simulation). */
  readonly setupLatencySeconds: number;
}

/**
 * How a simulation models the engine, beyond the config (the fitter, the intervals and validation
 * against public anchors use these; `simulate` leaves them unset).
 */
export interface SimModelOptions {
  /** Timing parameters to use instead of the fitted ones (names of lib/sim/timing-params.ts). */
  readonly timing?: Readonly<Record<string, number>>;
  /** Hardware of a published anchor that the registry does not have (validation only). */
  readonly gpu?: GpuFacts;
  readonly host?: HostFacts;
  readonly renderCpu?: HostCpuFacts;
  /** 'offline': vLLM's LLM class, no API server in the path (validation of offline anchors). */
  readonly frontend?: 'server' | 'offline';
  /** vLLM --enforce-eager (no CUDA graphs). */
  readonly enforceEager?: boolean;
  /** A closed-loop stage sends its requests all at t = 0 (vllm bench serve's burst) instead of over 1 s. */
  readonly burst?: boolean;
  /** The EPP tokenises in-process with a prefix store (llm-d <= 0.3) instead of calling render servers. */
  readonly eppTokenizer?: InProcessTokenizer;
  /** Validation only: a nuisance timing parameter (ms) added to every request's path (one anchor's setup). */
  readonly setupLatencyParam?: string;
}

/** The timing values `simulate` uses by default: the committed fit (fitted.json), priors elsewhere. */
export function defaultTimingValues(): Record<string, number> {
  return completeTimingValues(fittedCalibration()?.params ?? {});
}

/** The step-time constants of a replica: efficiencies of its GPU's architecture, CPU scaled to its host. */
export function stepTimingFor(t: TimingValues, gpu: GpuFacts, host: HostFacts, o: { fp8Kv: boolean; asyncScheduling: boolean; eagerLayers: number; penaltyPass?: { vocab: number; runner: 'v1' | 'v2' } }): StepTiming {
  const a = gpu.architecture;
  const fp8 = hasFp8(gpu);
  const scale = cpuTimeScale(host);
  const pass = o.penaltyPass && { vocab: o.penaltyPass.vocab, ...penaltyPassCosts(o.penaltyPass.runner) };
  return {
    weightBandwidth: t[`weightBandwidth.${a}`],
    kvBandwidth: t[`kvBandwidth.${a}`],
    matmul: t[`matmul.${a}`],
    attention: t[`attention.${a}`],
    attentionHalfContext: t.attentionHalfContext,
    // kvBytesPerToken is already the fp8 size: the factor is (time relative to 16-bit) / 0.5.
    kvReadFactor: o.fp8Kv ? 2 * (fp8 ? t['fp8KvRead.fp8'] : t['fp8KvRead.noFp8']) : 1,
    prefillAttentionFactor: o.fp8Kv && !fp8 ? t['fp8KvPrefill.noFp8'] : 1,
    cpuStepSeconds: ((t.engineStepMs + t.eagerLayerMs * o.eagerLayers) / 1000) * scale,
    cpuSeqSeconds: (t.engineSeqMs / 1000) * scale,
    // The penalty pass streams logits-sized tensors: the weight-streaming efficiency of the architecture.
    penaltyGpuSecondsPerRow: pass ? (pass.vocab * pass.bytesPerLogit) / (t[`weightBandwidth.${a}`] * gpu.memoryBandwidthGBs * 1e9) : 0,
    penaltyCpuSecondsPerToken: pass ? pass.cpuSecondsPerToken * scale : 0,
    asyncScheduling: o.asyncScheduling,
    // FA2 (Ampere, Ada, 16-bit KV) re-reads each KV head per query head in steps with a prefill chunk.
    rereadL2Bytes: REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS[a] && !o.fp8Kv ? gpu.l2CacheMiB * 2 ** 20 : undefined,
  };
}

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
  readonly stepTime: StepTiming;
  /** CPU costs of the request path (API server, render server, Envoy, EPP), host-scaled, seconds. */
  readonly path: RequestPath;
  /** Set: the EPP tokenises in-process (epp-tokenizer.ts); unset: render servers (path.renderServers). */
  readonly eppTokenizer?: InProcessTokenizer;
  /** The timing parameters in use (lib/sim/timing-params.ts names; fitted values unless overridden). */
  readonly timing: TimingValues;
  /** The decode replicas' host (CPU speed class, vCPUs, busy processes). */
  readonly host: HostFacts;
  readonly kvEventLag: number;
  readonly metricsRefresh: number;
  readonly timeSeriesStep: number;
  /** The llm-d router of the configured profile (router.profile, or --epp-config), read from the rendered EndpointPickerConfig. */
  readonly epp: EppRouterParams;
  /** Each built-in profile, read from its rendered EndpointPickerConfig (the llm-d-<profile> routers). */
  readonly eppProfiles: Readonly<Record<BuiltinProfileName, EppRouterParams>>;
  readonly percentileMetrics: readonly string[];
  readonly metricPercentiles: readonly number[];
  /** Validation only: a closed-loop inference-perf stage is sent as one burst at t = 0. */
  readonly burst: boolean;
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

export function simParams(config: BenchConfig, o: SimOverrides = {}, eppConfig?: EppConfigLike, m: SimModelOptions = {}): SimParams {
  const c = withSimOverrides(config, o);
  const model = modelFacts(c);
  const gpu = m.gpu ?? gpuFacts(c);
  if (!model) throw new Error(`no model facts for ${c.model.id}`);
  if (!gpu) throw new Error(`no GPU facts for ${c.gpuNodes.instanceType}`);
  const run = runSpec(c);
  const template: TemplateTokens = templateTokens(c) > 0
    ? { leading: model.chatTemplateLeadingTokens, trailing: model.chatTemplateOverheadTokens - model.chatTemplateLeadingTokens }
    : { leading: 0, trailing: 0 };
  const s = c.sim;
  // KV blocks per replica from the one memory model the config's fit check uses (lib/config/fit.ts).
  const numBlocks = kvBlocksPerReplica({ ...fitInput(c), gpu });
  const longest = longestRequestTokens(run.workload) + template.leading + template.trailing;
  // The config checks refuse workloads longer than vllm.maxModelLen; a KV cache must still hold one request.
  if (numBlocks * c.vllm.blockSize < longest) {
    throw new Error(`a replica's KV cache (${numBlocks} blocks x ${c.vllm.blockSize} tokens) cannot hold one request of ${longest} tokens`);
  }
  const timing = m.timing ? completeTimingValues({ ...defaultTimingValues(), ...m.timing }) : defaultTimingValues();
  const host = m.host ?? decodeHost(c);
  const scale = cpuTimeScale(host);
  const renderCpu = m.renderCpu ?? renderHostCpu(c);
  const offline = m.frontend === 'offline';
  const api = offline ? 0 : 1;
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
    stepTime: stepTimingFor(timing, gpu, host, {
      fp8Kv: c.vllm.kvCacheDtype === 'fp8',
      asyncScheduling: s.vllmAsyncScheduling,
      eagerLayers: m.enforceEager ? model.numLayers : 0,
      penaltyPass: samplerPenaltiesApply(c, model) ? { vocab: model.vocabSize, runner: s.vllmModelRunner } : undefined,
    }),
    path: {
      apiRequestSeconds: api * (timing.apiRequestMs / 1000) * scale,
      apiSecondsPerPromptToken: api * (timing.apiTokenUs / 1e6) * scale,
      apiOutputSecondsPerToken: api * (timing.apiOutputUs / 1e6) * scale,
      apiServers: c.vllm.apiServerCount,
      renderServers: c.router.renderReplicas,
      renderRequestSeconds: (timing.apiRequestMs / 1000) / renderCpu.speedClass,
      renderSecondsPerPromptToken: (timing.apiTokenUs / 1e6) / renderCpu.speedClass,
      envoyHopSeconds: timing.envoyHopMs / 1000,
      eppScheduleSeconds: timing.eppScheduleMs / 1000,
      lingerOneStep: s.vllmAsyncScheduling,
      setupLatencySeconds: m.setupLatencyParam ? timing[m.setupLatencyParam] / 1000 : 0,
    },
    eppTokenizer: m.eppTokenizer,
    timing,
    host,
    kvEventLag: s.kvEventLagMs / 1000,
    metricsRefresh: s.metricsRefreshMs / 1000,
    timeSeriesStep: s.timeSeriesStepS,
    epp: parseEndpointPickerConfig(eppConfig ?? endpointPickerConfigFor(c, c.router.profile)),
    eppProfiles: Object.fromEntries(ROUTER_PROFILE_NAMES.map((name) => [name, parseEndpointPickerConfig(endpointPickerConfigFor(c, name))])) as Record<BuiltinProfileName, EppRouterParams>,
    percentileMetrics: c.benchmark.percentileMetrics,
    metricPercentiles: c.benchmark.metricPercentiles,
    burst: m.burst ?? false,
    deployment: { instanceType: c.gpuNodes.instanceType, gpu: gpuInstance(c).gpuModel ?? 'unknown', vllmImage: vllmImage(c).tagged, eppImage: eppImage(c).tagged },
  };
}
