import { z } from 'zod';
import { VLLM_NON_KV_OVERHEAD_GIB } from '../fit';
import { oneOf, positiveInt } from '../fields';

const milliseconds = () =>
  z.number({ error: 'must be a number' }).nonnegative({ error: 'must be a number of milliseconds >= 0' });

/**
 * Constants of `llmd-bench simulate` (docs/simulator.md derives each one).
 *
 * Hardware and model numbers come from `tables/gpus.ts`, `tables/models.ts` and `tables/host-cpus.ts`.
 * The timing model's constants (GPU efficiencies per architecture, engine and API-server CPU, router
 * path) are NOT config keys: they live in one table with their sources (lib/sim/timing-params.ts) and
 * their fitted values and ensemble in lib/sim/calibration/fitted.json, fitted once to the public
 * anchors (npm run bench:sim -- --fit), never per experiment. What is here is a documented property of
 * the software (EPP refresh interval, vLLM defaults and counter semantics) or of the memory model.
 */
export const simSchema = z.object({
  // ---- memory
  nonKvMemoryGiB: z.number({ error: 'must be a number' }).nonnegative({ error: 'must be >= 0 GiB' }).default(VLLM_NON_KV_OVERHEAD_GIB)
    .describe('GPU memory vLLM keeps per GPU besides weights and KV cache (activation peak of a max-num-batched-tokens step, CUDA graphs, non-torch allocations); the fit check and the simulator both use it (lib/config/fit.ts). 1.5 GiB leaves 85 k KV tokens per A10G.'),
  // ---- request path (the CPU costs of the API server, Envoy, EPP and render server: lib/sim/timing-params.ts)
  kvEventLagMs: milliseconds().default(20)
    .describe('Delay from the end of the engine step that stored or evicted a block to the EPP index applying the event (ZMQ publish after the step, EPP event workers).'),
  metricsRefreshMs: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 ms' }).default(50)
    .describe('How often the EPP scrapes vLLM /metrics for the load scorers (EPP --refresh-metrics-interval default, 50 ms).'),
  // ---- behaviour of the pinned vLLM release (defaults this project does not change)
  vllmReserveFullPrompt: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('vLLM --scheduler-reserve-full-isl (default on since vLLM PR 37307, 2026): a waiting request is admitted only when its whole prompt fits the free KV blocks, not just its first chunk.'),
  vllmAsyncScheduling: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('vLLM async scheduling (the V1 default): the CPU work of a step overlaps the GPU work of the previous one, so a step takes max(CPU, GPU) instead of their sum, and a finished request holds its slot one (wasted) step longer.'),
  samplerPenalties: oneOf(['auto', 'on', 'off']).default('auto')
    .describe('vLLM\'s sampler penalty pass (lib/sim/sampler-penalties.ts): auto = on when the model\'s generation_config sets a repetition_penalty (Qwen2.5: 1.05) and the client sends none (vllm bench serve --backend openai-chat, inference-perf; --backend openai sends 1.0); on/off force it (anchors whose client is not known, or clients that send their own penalty). A model.configFile model has no generation_config here: auto leaves it off.'),
  vllmModelRunner: oneOf(['v1', 'v2']).default('v1')
    .describe('vLLM model runner whose penalty pass is modelled: v1 (every anchor and the reference run; the timing model is fitted on it): ~77 bytes per logit plus a CPU tensor build; v2 (vLLM\'s default for dense models since PR 44443, July 2026, so the pinned v0.27.1 runs it): one fused kernel, ~12 bytes per logit, no CPU build. Its other differences are not modelled.'),
  // ---- accounting
  prefixCacheStats: oneOf(['every-lookup', 'admission']).default('every-lookup')
    .describe('How vLLM counts vllm:prefix_cache_queries/hits: every-lookup (before vLLM PR 48860, July 2026: a blocked queue head is counted on each retry, as in the reference run) or admission (newer vLLM).'),
  timeSeriesStepS: positiveInt().default(5)
    .describe('Sampling step of the simulated time series written by --out, seconds.'),
}).strict().prefault({});
