/**
 * The render server's command line: `vllm launch render` from the same vLLM image and the same
 * weights directory (tokenizer, chat template, config.json; no weights are loaded), serving
 * /v1/completions/render and /v1/chat/completions/render for the EPP's token producer.
 *
 * - `vllm launch render` exists from vLLM v0.18.0 (vllm-project/vllm#34551, #36166;
 *   vllm/entrypoints/cli/launch.py `RenderSubcommand`, "Launch a GPU-less rendering server"); the
 *   config refuses older tags (lib/config/checks/workloads.ts).
 * - It takes the serve arguments (`make_arg_parser`), so the served name, port and max model length
 *   are the decode pods' own: the EPP renders exactly what the engines will see, and llm-d-router
 *   v0.10.0 stamps the served name into every render call ("`vllm launch render` requires the base
 *   model name", tokenizer/vllm_http.go).
 * - Newer releases gate /render on a plain `vllm serve` behind --enable-scale-out (#54579, #55176,
 *   after v0.29.0) but always register it under `vllm launch render`; an inherited
 *   VLLM_ENABLE_SCALE_OUT_ENDPOINTS=0 would make the render server refuse to start in the releases
 *   between them (#55117), so it is never set (a test keeps it out of the render pod).
 */
import { type BenchConfig, servedModelName } from '../../lib/config';
import { sharedNames } from '../names';

/** Environment variable that must never reach the render pods (see above). */
export const SCALE_OUT_ENV = 'VLLM_ENABLE_SCALE_OUT_ENDPOINTS';

export const RENDER_COMMAND = ['vllm', 'launch', 'render'] as const;

/** Arguments after `vllm launch render`. */
export function renderArgs(c: BenchConfig): string[] {
  return [
    sharedNames(c).modelDir,
    `--served-model-name=${servedModelName(c)}`,
    `--port=${c.vllm.port}`,
    // Same limit as the engines: a prompt they would refuse is refused here too.
    `--max-model-len=${c.vllm.maxModelLen}`,
    '--disable-access-log-for-endpoints=/health,/metrics',
  ];
}
