/**
 * The benchmark Job of a run, for the harness the config resolves to (lib/workload/spec.ts):
 * vllm bench serve (benchmark-job.ts) or inference-perf (inference-perf-job.ts).
 */
import type { BenchConfig } from '../../lib/config';
import { resolveHarness } from '../../lib/workload/spec';
import { type BenchmarkRun, CLIENT_CONTAINER, renderBenchmarkJob } from './benchmark-job';
import { INFERENCE_PERF_CONTAINER, renderInferencePerfJob } from './inference-perf-job';

export function renderHarnessJob(config: BenchConfig, run: BenchmarkRun): Record<string, any> {
  return resolveHarness(config) === 'inference-perf' ? renderInferencePerfJob(config, run) : renderBenchmarkJob(config, run);
}

/** The container whose log holds the result. */
export function harnessContainer(config: BenchConfig): string {
  return resolveHarness(config) === 'inference-perf' ? INFERENCE_PERF_CONTAINER : CLIENT_CONTAINER;
}
