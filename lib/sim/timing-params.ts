/**
 * THE table of the timing model's constants (issue 12 §1): every mechanism's constant with its prior
 * (the cited value of docs/prediction-sources.md), bounds, prior width and source. The fit
 * (scripts/bench-sim.ts --fit, lib/sim/validation.ts) moves the ones the public anchors pin and holds
 * the rest at their priors; the fitted values and the parameter ensemble are committed as data in
 * lib/sim/calibration/fitted.json. docs/simulator.md prints this table with the fitted values.
 *
 * CPU constants are seconds of ONE reference core: the g5's AMD EPYC 7R32 (lib/config/tables/host-cpus.ts,
 * speed class 1.0); a host's CPU time is this / its speed class x its contention factor (host.ts).
 */
import type { GpuArchitecture } from '../config/tables/gpus';

export const ARCHITECTURES: readonly GpuArchitecture[] = ['ampere', 'ada', 'hopper', 'blackwell'];

/** The nuisance latency of the 2025-09 llm-d ladder anchor (see its spec below). */
export const SETUP_LATENCY_LADDER_2025 = 'setupLatencyMs.llmdLadder2025';

export interface TimingParamSpec {
  readonly name: string;
  readonly unit: string;
  /** Where the prior is centred (the cited value). */
  readonly prior: number;
  readonly lower: number;
  readonly upper: number;
  /** Standard deviation of ln(value / prior): how far the sources leave it open. */
  readonly sigma: number;
  /** What it is, in the model. */
  readonly mechanism: string;
  /** Where the prior comes from. */
  readonly source: string;
}

const FA2 = 'FlashAttention-2 (arXiv 2307.08691): 50-73% of peak forward on A100';
const FA3 = 'FlashAttention-3 (arXiv 2407.08608): up to 75% of peak (740 TFLOPS) on H100';
/** FlashInfer blog 2024-02-02 Fig. 9: GQA-grouped batch decode, batch 64, 32/4 heads, dim 128, L2 flushed. */
const KV_BENCH = 'FlashInfer blog (2024-02-02) Fig. 9, a decode kernel that reads each KV head once for its query heads (batch 64, group 8, head dim 128, 2k-8k context, L2 flushed)';

const gpu = (arch: GpuArchitecture, weights: [number, number], kv: [number, number], matmul: [number, number], attention: [number, number], why: Record<'w' | 'kv' | 'mm' | 'at', string>): TimingParamSpec[] => [
  { name: `weightBandwidth.${arch}`, unit: 'fraction', prior: weights[0], lower: 0.4, upper: 0.95, sigma: weights[1], mechanism: `ηw (${arch}): achieved / peak memory bandwidth streaming the weights in a decode step`, source: why.w },
  { name: `kvBandwidth.${arch}`, unit: 'fraction', prior: kv[0], lower: 0.15, upper: 0.95, sigma: kv[1], mechanism: `ηkv (${arch}): achieved / peak memory bandwidth of paged decode attention reading the KV cache once (FA2's per-query-head re-reads in mixed steps are modelled apart: step-time.ts)`, source: why.kv },
  { name: `matmul.${arch}`, unit: 'fraction', prior: matmul[0], lower: 0.25, upper: 0.95, sigma: matmul[1], mechanism: `ηmm (${arch}): achieved / peak dense bf16 FLOPS of the linear layers in prefill-sized steps`, source: why.mm },
  { name: `attention.${arch}`, unit: 'fraction', prior: attention[0], lower: 0.15, upper: 0.9, sigma: attention[1], mechanism: `ηattn (${arch}): achieved / peak FLOPS of prefill flash attention at long context`, source: why.at },
];

export const TIMING_PARAMS: readonly TimingParamSpec[] = [
  ...gpu('ampere', [0.8, 0.12], [0.75, 0.15], [0.7, 0.2], [0.62, 0.25], {
    kv: `${KV_BENCH}: 0.71-0.79 of peak on an A100 PCIe`,
    w: 'A100 40GB, Llama-3.1-8B batch 1: 75 tok/s x 16.1 GB = 0.77 of 1.555 TB/s including the step CPU (anchor a100-40gb-llama31-8b-sweep); GDDR6 streaming ~80% (project vllm-notes)',
    mm: 'cuBLAS-class bf16 GEMMs; H100 TP 2 prefill 0.59-0.77 (anchor llmd-calibration-h100-qwen3-32b); earlier A10G fit 0.85 on a 70 TFLOPS peak',
    at: FA2,
  }),
  ...gpu('ada', [0.8, 0.15], [0.75, 0.3], [0.6, 0.35], [0.55, 0.35], {
    kv: `no Ada measurement: as Ampere (${KV_BENCH}: 0.71-0.79 on an A100), wider`,
    w: 'GDDR6 streaming ~80% of peak (as Ampere GDDR6); no Ada anchor',
    mm: 'no Ada anchor; wide because the L4/L40S datasheet peaks are quoted with FP16 accumulation',
    at: 'FlashAttention-2 on Ada (FA3 is Hopper-only); no Ada anchor',
  }),
  ...gpu('hopper', [0.8, 0.15], [0.8, 0.15], [0.65, 0.2], [0.6, 0.25], {
    kv: `${KV_BENCH}: 0.735-0.89 of peak on an H100 SXM`,
    w: 'HBM3 streaming as HBM2e; vLLM v0.6.0 blog: 8B on H100 at 13 ms/token was CPU-bound (0.37 of peak), so no direct bound',
    mm: 'H100 TP 2, Qwen3-32B 8,192-token chunk: 0.59-0.77 of 2 x 989 TFLOPS (anchor llmd-calibration-h100-qwen3-32b)',
    at: FA3,
  }),
  ...gpu('blackwell', [0.75, 0.25], [0.65, 0.4], [0.6, 0.35], [0.55, 0.35], {
    kv: 'no Blackwell measurement: below the Hopper figure (newer kernels), wide',
    w: 'no Blackwell anchor; HBM3e streaming assumed a little below Hopper (newer kernels)',
    mm: 'no Blackwell anchor',
    at: 'no Blackwell anchor; FlashAttention-3-class kernels assumed',
  }),
  {
    name: 'attentionHalfContext', unit: 'tokens', prior: 300, lower: 30, upper: 4000, sigma: 0.8,
    mechanism: 'Lhalf: prefill attention efficiency = ηattn x L / (L + Lhalf) at context L (short sequences under-fill the GPU)',
    source: 'FlashAttention-2/-3 benchmark figures: at 512 tokens ~0.6-0.7 of the 8k-16k throughput',
  },
  {
    name: 'fp8KvRead.noFp8', unit: 'x bf16 time', prior: 1.0, lower: 0.5, upper: 2.0, sigma: 0.3,
    mechanism: 'decode attention time with an fp8 KV cache relative to a 16-bit one, on GPUs without fp8 tensor cores (Ampere): half the bytes, but the kernel dequantises',
    source: 'vLLM PR 49077: A100 attention kernel 1.6x slower reading fp8 KV (483.9 vs 301.8 us); vLLM issue 42058: A100 decode +0.4 to +5.5% faster end to end',
  },
  {
    name: 'fp8KvRead.fp8', unit: 'x bf16 time', prior: 0.55, lower: 0.4, upper: 1.2, sigma: 0.3,
    mechanism: 'the same on GPUs with fp8 tensor cores (Ada, Hopper, Blackwell): the byte halving counts',
    source: 'vLLM PR 49077: H100 kernel time unchanged at short context (latency-bound); half the bytes at long context',
  },
  {
    name: 'fp8KvPrefill.noFp8', unit: 'x bf16 time', prior: 1.1, lower: 1.0, upper: 1.6, sigma: 0.15,
    mechanism: 'prefill attention time with an fp8 KV cache on GPUs without fp8 tensor cores',
    source: 'vLLM issue 42058: A100 prefill 2.4-4.9% slower end to end at 1k-16k (attention ~10-40% of it)',
  },
  {
    name: 'engineStepMs', unit: 'ms', prior: 3, lower: 0.3, upper: 40, sigma: 0.8,
    mechanism: 'T0: engine-core CPU per step (scheduling, input preparation, launching the CUDA graph) on the reference core',
    source: 'vLLM PR 24174: 4.6 ms between forward passes with 10 sequences (V1, L20 host); anchor a100-40gb: <= 3 ms not hidden at batch 1',
  },
  {
    name: 'engineSeqMs', unit: 'ms', prior: 0.15, lower: 0.01, upper: 3, sigma: 0.9,
    mechanism: 'tSeq: engine-core CPU per sequence per step (sampling bookkeeping, output batch) on the reference core',
    source: 'vLLM PR 24174 (T0 2-3 ms + ~0.1-0.2 ms x 10 sequences); vLLM PR 818 (V0): sampler 8.5% of a step',
  },
  {
    name: 'eagerLayerMs', unit: 'ms', prior: 0.8, lower: 0.05, upper: 5, sigma: 0.8,
    mechanism: 'extra CPU per decoder layer per step without CUDA graphs (--enforce-eager: every kernel launched from Python)',
    source: 'vllm-omni issue 7960 (vLLM 0.29 V1, 2026, 28-layer 7B LM on an A800): eager TPOT 22-23 ms vs 13 ms with CUDA graphs; the launches overlap the GPU, so the eager step is CPU time, ~0.8 ms per layer (host not named); vLLM PR 10058 (2024 V1 prototype, Llama-3.1-8B, batch 8): <= 0.3. Only the enforce_eager anchor uses it',
  },
  {
    name: 'apiRequestMs', unit: 'ms', prior: 2, lower: 0.2, upper: 30, sigma: 0.8,
    mechanism: 'API server CPU per request besides tokenising (HTTP parsing, request validation, chat template, response setup)',
    source: 'structural; no measurement found',
  },
  {
    name: 'apiTokenUs', unit: 'us', prior: 3, lower: 0.5, upper: 20, sigma: 0.5,
    mechanism: 'API server (and render server) CPU per prompt token: tokenisation, one request at a time (ThreadPoolExecutor(max_workers=1))',
    source: 'microbenchmark (docs/prediction-sources.md): HF tokenizers 0.23.2 (Rust) encode of the Qwen2.5 tokenizer, 1.3-2.2 us/token on a Zen 4 core (natural and random-token text alike) = ~2.9 us on the reference Zen 2 core, + the transformers wrapper; tt-inference-server issue 2173 (10-21 us/token through chat completions, 131-token prompts) includes per-request costs',
  },
  {
    name: 'apiOutputUs', unit: 'us', prior: 60, lower: 5, upper: 150, sigma: 0.4,
    mechanism: 'API server CPU per streamed SSE chunk (incremental detokenisation, RequestOutput, pydantic chunk, send); a token whose request still has a chunk queued joins it (V1 RequestOutputCollector merges, vLLM PR 12298)',
    source: 'vLLM PR 15137: one V1 API server process streamed 14,791 output tok/s (A100 host, Llama-3.2-1B, 400 concurrent) = at most 68 us per token; PR 12287: 12,850 -> ~14,300 tok/s (<= 78 us); the upper bound allows a ~2x slower core',
  },
  {
    name: 'envoyHopMs', unit: 'ms', prior: 0.5, lower: 0.05, upper: 10, sigma: 0.8,
    mechanism: 'llm-d path only: one pass through Envoy (ext_proc round trip to the EPP, forwarding to the pod)',
    source: 'structural in-cluster HTTP hop; GIE issue 2928 (158 ms at concurrency 20 with 220 KB prompts) is an upper bound',
  },
  {
    name: 'eppScheduleMs', unit: 'ms', prior: 5, lower: 0.5, upper: 60, sigma: 0.8,
    mechanism: 'llm-d path only: EPP request handling and scheduling (scorers, picker) per request',
    source: 'llm-d-router issue 1109: scheduling ("director") 10.9 ms at 1,200 concurrent requests',
  },
  // Nuisance: a per-request latency of ONE anchor's setup that no sourced mechanism places. Only that
  // anchor's runs apply it (SimModelOptions.setupLatencyParam), so the shared constants above do not
  // absorb it; no user prediction uses it.
  {
    name: SETUP_LATENCY_LADDER_2025, unit: 'ms', prior: 30, lower: 1, upper: 1000, sigma: 1.5,
    mechanism: 'nuisance, anchor llmd-precise-prefix-h100-qwen3-32b only: per-request latency of its 2025-09 client and gateway that the model does not place (~100-200 ms at low load on every router); never used by `simulate`',
    source: 'none (fitted to that anchor only; docs/simulator.md "Why these anchors were missed"); weak prior',
  },
];

export type TimingValues = Readonly<Record<string, number>>;

export const TIMING_PARAM_NAMES: readonly string[] = TIMING_PARAMS.map((p) => p.name);

const SPECS = new Map(TIMING_PARAMS.map((p) => [p.name, p]));

export function timingSpec(name: string): TimingParamSpec {
  const s = SPECS.get(name);
  if (!s) throw new Error(`no timing parameter "${name}"; known: ${TIMING_PARAM_NAMES.join(', ')}`);
  return s;
}

/** The priors, as a value set. */
export function priorTimingValues(): Record<string, number> {
  return Object.fromEntries(TIMING_PARAMS.map((p) => [p.name, p.prior]));
}

/** `values` completed with priors and checked (every name known, every value inside its bounds). */
export function completeTimingValues(values: Readonly<Record<string, number>>): Record<string, number> {
  for (const [name, v] of Object.entries(values)) {
    const s = timingSpec(name);
    if (!(Number.isFinite(v) && v >= s.lower * (1 - 1e-9) && v <= s.upper * (1 + 1e-9))) {
      throw new Error(`timing parameter ${name} = ${v} is outside [${s.lower}, ${s.upper}]`);
    }
  }
  return { ...priorTimingValues(), ...values };
}

/** Constants of the model that are not fitted (facts or structural choices), for the docs table. */
export const FIXED_CONSTANTS: readonly { readonly name: string; readonly value: string; readonly mechanism: string; readonly source: string }[] = [
  { name: 'peak bandwidth, dense bf16/fp8 TFLOPS, link busbw, NCCL latencies', value: 'per GPU', mechanism: 'roofline ceilings and TP all-reduce cost', source: 'lib/config/tables/gpus.ts (NVIDIA datasheets, nccl-tests, NCCL tuning.cc)' },
  { name: 'host speed class', value: 'per instance family', mechanism: 'single-core speed of the engine core and API server', source: 'lib/config/tables/host-cpus.ts (AWS processor per family, vendor IPC uplifts x boost clock)' },
  { name: 'SMT_YIELD', value: '1.3', mechanism: 'throughput of a physical core running two busy hyperthreads (contention when a pod has fewer cores than busy processes)', source: 'Intel Hyper-Threading: up to ~30% more throughput from the second thread' },
  { name: 'busy processes per replica', value: '1 + (TP > 1 ? TP : 0) + N', mechanism: 'engine core (+ one worker process per GPU with TP > 1, busy-polling the shared-memory broadcast queue) + N API servers', source: 'vLLM V1: uniproc executor in the engine core for TP 1, multiproc workers otherwise (VLLM_SLEEP_WHEN_IDLE off by default)' },
  { name: 'API servers per replica', value: 'N = vllm.apiServerCount (default 1)', mechanism: 'N processes, each an event loop (request handling, streaming) and a tokeniser thread working in parallel (the HF fast tokeniser releases the GIL: tokenizers encode_batch, py.detach): a request goes to the process free first, a step\'s stream is split evenly', source: 'vLLM v0.27.1 vllm/entrypoints/cli/serve.py: --api-server-count N > 1 runs run_multi_api_server (N processes, one shared socket, one engine core; PR 17546); 1 is the default at data-parallel size 1 and renders no flag' },
  { name: 'async scheduling one-step lag', value: '1 step', mechanism: 'a finished request keeps its slot and KV one more (wasted) step; a request arriving while a step runs is first scheduled in the step after next when the next one had work', source: 'vLLM v0.6.0 blog ("executing one additional step per request"); vllm/v1/engine/core.py step_with_batch_queue (batch queue of 2: step n+1 is scheduled as soon as step n is dispatched, new requests are added between the two); sim.vllmAsyncScheduling' },
  { name: 'PENALTY_BYTES_PER_LOGIT_V1', value: '77 B per row x vocabulary entry', mechanism: 'GPU memory passes of vLLM\'s sampler penalty pass on model runner v1 (two token bin counts and masks, the repetition kernel, frequency and presence terms), every step in which a request carries a penalty: Qwen2.5\'s generation_config repetition_penalty 1.05 unless the client sends one (sim.samplerPenalties, sim.vllmModelRunner; lib/sim/sampler-penalties.ts)', source: 'counted from vllm/model_executor/layers/utils.py apply_penalties and csrc/sampler.cu (PR 18437: a logit is touched only where its token was seen); run at the architecture\'s weight-streaming efficiency' },
  { name: 'PENALTY_BYTES_PER_LOGIT_V2', value: '12 B per row x vocabulary entry', mechanism: 'the same pass on model runner v2 (vLLM\'s default for dense models since PR 44443, July 2026): one fused kernel over GPU-resident counts', source: 'vllm/v1/worker/gpu/sample/penalties.py _penalties_kernel: fp32 logit read and write, int32 count, one bit of the packed prompt mask' },
  { name: 'PENALTY_CPU_SECONDS_PER_TOKEN', value: '52 ns per row x longest output (v1 only)', mechanism: 'make_tensor_with_pad of the output token ids each penalised step; overlaps the forward, the GPU pass waits for it', source: 'prime-rl PR 2772: ~80 ms per step at 128 rows x ~12k generated tokens (vLLM 0.22); host not stated, taken as the reference core' },
  { name: 'sim.kvEventLagMs', value: '20 ms', mechanism: 'KV event reaches the EPP index after the step', source: 'structural (one step + a few ms); no measurement; no anchor pins it' },
  { name: 'sim.metricsRefreshMs', value: '50 ms', mechanism: 'EPP scrape of vLLM /metrics', source: 'EPP --refresh-metrics-interval default' },
  { name: 'sim.nonKvMemoryGiB', value: '1.5 GiB', mechanism: 'GPU memory vLLM keeps besides weights and KV', source: 'lib/config/fit.ts (project vllm-notes)' },
];
