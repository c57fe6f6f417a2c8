/**
 * Pausing the GPU bill without destroying the cluster. Semantics (one place, every consumer reads it):
 *
 * - `gpuNodes.count = 0` means paused. The GPU node group (stack LlmdBench-GpuNodes) scales to
 *   min = desired = 0 (max stays 1, the least EKS accepts), and `vllm.replicas` derives to 0, so the
 *   decode Deployment scales to zero too and no pod waits Pending for a GPU. Everything else stays:
 *   control plane, system nodes, FSx with the weights, monitoring, router (it has no backends).
 * - Resume: deploy again with the GPU count you had, e.g. `-c gpuNodes.count=8`; replicas follow.
 * - Commands that need GPUs refuse a paused config with exit code 2 and `pausedProblem()`'s message
 *   (simulate, run); `preflight` reports "paused" instead of failing on missing nodes; `cost` prices
 *   the paused stack.
 */
import { problem } from './problems';
import type { BenchConfig } from './schema';

/** True when the config pauses the GPU nodes (gpuNodes.count = 0). */
export function isPaused(c: BenchConfig): boolean {
  return c.gpuNodes.count === 0;
}

/** The one-line problem a GPU-needing command reports for a paused config. */
export function pausedProblem(command: string): string {
  return problem('gpuNodes.count', 0,
    `the configuration is paused (no GPU nodes, 0 decode replicas), so there is nothing to ${command}; ` +
    'pass the GPU count to use, e.g. -c gpuNodes.count=8 (to resume a paused cluster, deploy with it: npx cdk deploy --all -c gpuNodes.count=8)');
}
