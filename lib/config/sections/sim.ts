import { z } from 'zod';
import { VLLM_NON_KV_OVERHEAD_GIB } from '../fit';
import { oneOf, positiveInt } from '../fields';

const fraction = (what: string) =>
  z.number({ error: 'must be a number' })
    .gt(0, { error: `must be in (0, 1]: ${what}` })
    .lte(1, { error: `must be in (0, 1]: ${what}` });

const milliseconds = () =>
  z.number({ error: 'must be a number' }).nonnegative({ error: 'must be a number of milliseconds >= 0' });

/**
 * Constants of `llmd-bench simulate` (docs/simulator.md derives each one).
 *
 * Hardware and model numbers come from `tables/gpus.ts` and `tables/models.ts`. Everything here is
 * either a documented property of the software (EPP refresh interval, vLLM counter semantics) or one
 * of the FITTED factors, which were fitted once against the reference run, are shared by both routers,
 * and must not be re-tuned per experiment.
 */
export const simSchema = z.object({
  // ---- step-time model (lib/sim/step-time.ts):
  //      T = max(CPU, GPU) with async scheduling, CPU + GPU without;
  //      CPU = T0 + tSeq x nSeq;  GPU = max(W/BWw, FLOPlin/Feff) + ctx x kvB/BWkv + FLOPattn/Fattn
  stepOverheadMs: milliseconds().default(15)
    .describe('FITTED (15). T0: CPU time of one engine step independent of the batch (scheduling, input preparation, launching the forward) on a 4-vCPU g5.xlarge.'),
  perSequenceOverheadMs: milliseconds().default(0.9)
    .describe('FITTED (0.9). tSeq: CPU time per sequence per step (sampling, output processing, detokenizing and streaming a chunk), which the API server and engine share on 4 vCPUs.'),
  computeEfficiency: fraction('achieved / peak dense tensor FLOPS of the linear layers').default(0.85)
    .describe('FITTED (0.85). Fraction of the GPU\'s peak dense bf16 FLOPS the linear layers reach in prefill-heavy steps (Feff = this x peak; 59.5 of 70 TFLOPS on an A10G).'),
  weightBandwidthEfficiency: fraction('achieved / peak memory bandwidth when streaming weights').default(0.8)
    .describe('Fraction of peak memory bandwidth a decode step reaches streaming the weights (480 of 600 GB/s on an A10G, the usual ~80% of GDDR6 peak).'),
  kvBandwidthEfficiency: fraction('achieved / peak memory bandwidth of paged decode attention').default(0.75)
    .describe('Fraction of peak memory bandwidth paged decode attention reaches reading KV blocks (scattered pages read a little worse than streamed weights; 450 GB/s on an A10G).'),
  attentionEfficiency: fraction('achieved / peak FLOPS of prefill attention').default(0.43)
    .describe('Fraction of peak bf16 FLOPS prefill (flash) attention reaches on Ampere (~30 of 70 TFLOPS on an A10G).'),
  // ---- memory
  nonKvMemoryGiB: z.number({ error: 'must be a number' }).nonnegative({ error: 'must be >= 0 GiB' }).default(VLLM_NON_KV_OVERHEAD_GIB)
    .describe('GPU memory vLLM keeps per GPU besides weights and KV cache (activation peak of a max-num-batched-tokens step, CUDA graphs, non-torch allocations); the fit check and the simulator both use it (lib/config/fit.ts). 1.5 GiB leaves 85 k KV tokens per A10G.'),
  // ---- request path
  requestOverheadMs: milliseconds().default(220)
    .describe('FITTED (220). Latency a request spends outside the engine queue and steps, both paths: HTTP, chat template and tokenizing ~2.2 k tokens in a vLLM API server that shares 4 vCPUs with a CPU-bound engine, and streaming the first chunk back.'),
  eppOverheadMs: milliseconds().default(10)
    .describe('Extra latency on the llm-d path before the routing decision: Envoy ext_proc round trip, the EPP\'s /v1/chat/completions/render call to the render server (vllm-render Service, openai-chat backend) and scoring.'),
  kvEventLagMs: milliseconds().default(20)
    .describe('Delay from the end of the engine step that stored or evicted a block to the EPP index applying the event (ZMQ publish after the step, EPP event workers).'),
  metricsRefreshMs: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 ms' }).default(50)
    .describe('How often the EPP scrapes vLLM /metrics for the load scorers (EPP --refresh-metrics-interval default, 50 ms).'),
  // ---- behaviour of the pinned vLLM release (defaults this project does not change)
  vllmReserveFullPrompt: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('vLLM --scheduler-reserve-full-isl (default on since vLLM PR 37307, 2026): a waiting request is admitted only when its whole prompt fits the free KV blocks, not just its first chunk.'),
  vllmAsyncScheduling: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('vLLM async scheduling (the V1 default): the CPU work of a step overlaps the GPU work of the previous one, so a step takes max(CPU, GPU) instead of their sum.'),
  // ---- accounting
  prefixCacheStats: oneOf(['every-lookup', 'admission']).default('every-lookup')
    .describe('How vLLM counts vllm:prefix_cache_queries/hits: every-lookup (before vLLM PR 48860, July 2026: a blocked queue head is counted on each retry, as in the reference run) or admission (newer vLLM).'),
  timeSeriesStepS: positiveInt().default(5)
    .describe('Sampling step of the simulated time series written by --out, seconds.'),
}).strict().prefault({});
