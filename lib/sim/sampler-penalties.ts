/**
 * vLLM's sampler penalty pass: what a step costs when any request of the batch carries a presence,
 * frequency or repetition penalty.
 *
 * Why it matters: a model whose generation_config.json sets `repetition_penalty` (Qwen2.5 Instruct:
 * 1.05) gets it on every request that does not send its own, because vLLM loads the generation config
 * by default (`--generation-config auto`). `vllm bench serve --backend openai-chat` and inference-perf
 * send none; `--backend openai` sends 1.0 (vllm/benchmarks/lib/endpoint_request_func.py,
 * async_request_openai_completions; since vLLM PR 14702, 2025-04). The pass then runs over the whole
 * batch every step (`SamplingMetadata.no_penalties` is per batch).
 *
 * What it costs, per step, depends on vLLM's model runner (`sim.vllmModelRunner`):
 *  - v1 (every anchor and the reference run; vLLM's default for dense models until PR 44443,
 *    2026-07-02): vllm/v1/sample/ops/penalties.py apply_all_penalties → vllm/model_executor/layers/utils.py
 *    apply_penalties with the CUDA repetition kernel of vLLM PR 18437.
 *    - CPU: `make_tensor_with_pad` of every row's output token ids, padded to the longest: rows x longest
 *      output so far (the penalties.py code notes "currently quite inefficient"). It runs after the
 *      forward is launched, so it overlaps it; the GPU pass waits for it.
 *    - GPU: memory passes over rows x vocab logits-sized tensors (bytes below); with a 152k vocabulary
 *      and 64 rows ~0.75 GB a step, ~1.6 ms on an A10G at its fitted streaming efficiency.
 *  - v2 (the default for dense models since PR 44443; the pinned v0.27.1 runs it): one fused Triton
 *    kernel over GPU-resident counts (vllm/v1/worker/gpu/sample/penalties.py `_penalties_kernel`), no
 *    CPU tensor build.
 */
import type { BenchConfig } from '../config';
import type { ModelFacts } from '../config/tables/models';
import { resolveHarness } from '../workload/spec';

/**
 * Model runner v1: bytes moved per row x vocabulary element by apply_penalties (vLLM 0.9.1 to 0.24):
 * - two `get_token_bin_counts_and_mask` (prompt, output): an int64 zeros (8) + `> 0` read 8, write 1 → 17 each;
 * - `apply_repetition_penalties` (csrc/sampler.cu, PR 18437): reads both bool masks (2) and touches a
 *   logit only where its token was seen (a few % of the vocabulary) → ~2;
 * - frequency term: int64 counts x fp32 scalar → fp32 (12), `logits -=` (12) → 24;
 * - presence term: bool mask → fp32 (5), `logits -=` (12) → 17.
 * 17 + 17 + 2 + 24 + 17 = 77. (Before PR 18437, vLLM <= 0.9.0, the torch repetition path moved ~54
 * bytes instead of 2: ~129 in all.)
 */
export const PENALTY_BYTES_PER_LOGIT_V1 = 77;

/**
 * Model runner v2: `_penalties_kernel` reads the fp32 logit (4) and the int32 output count (4), a
 * bit of the packed prompt mask (1/8) and writes the logit (4) → ~12 bytes per row x vocabulary element.
 */
export const PENALTY_BYTES_PER_LOGIT_V2 = 12;

/**
 * Model runner v1: CPU seconds per padded element of the output-token matrix, on the reference core.
 * prime-rl PR 2772 (vLLM 0.22, 2026): at 128 rows and ~12k generated tokens, make_tensor_with_pad
 * "alone was about 80 ms/step" → 80 ms / (128 x 12,000) = 52 ns. The host is not stated: taken as the
 * reference core (reading).
 */
export const PENALTY_CPU_SECONDS_PER_TOKEN = 52e-9;

/** GPU bytes per row x vocabulary element and CPU seconds per padded output token (reference core) of a runner's pass. */
export function penaltyPassCosts(runner: 'v1' | 'v2'): { bytesPerLogit: number; cpuSecondsPerToken: number } {
  return runner === 'v1'
    ? { bytesPerLogit: PENALTY_BYTES_PER_LOGIT_V1, cpuSecondsPerToken: PENALTY_CPU_SECONDS_PER_TOKEN }
    : { bytesPerLogit: PENALTY_BYTES_PER_LOGIT_V2, cpuSecondsPerToken: 0 };
}

/** The model's generation_config sets a repetition penalty other than 1 (vLLM's default for requests without one). */
export function modelSetsPenalty(model: ModelFacts | undefined): boolean {
  return (model?.generationRepetitionPenalty ?? 1) !== 1;
}

/** Whether the pass runs: `sim.samplerPenalties`, or (auto) the model's default penalty and a client that sends none. */
export function samplerPenaltiesApply(c: BenchConfig, model: ModelFacts): boolean {
  const mode = c.sim.samplerPenalties;
  if (mode !== 'auto') return mode === 'on';
  if (!modelSetsPenalty(model)) return false;
  // vllm bench serve's completions backend sends repetition_penalty 1.0; its chat backend and
  // inference-perf (inference_perf/apis/completion.py, chat.py: model, prompt, max_tokens, stream) do not.
  return !(resolveHarness(c) === 'vllm' && c.benchmark.backend === 'openai');
}
