/**
 * Names the benchmark Job chart (k8s/bench/benchmark-job.ts) and the CLI (lib/bench) share: the path
 * labels, the run phases, the result markers and metadata keys, and the labels and container name
 * the CLI finds the client pods by. A leaf module (imports nothing), so neither side has to import
 * the other to agree.
 */

/** The `--label` each path passes to `vllm bench serve`. */
export const PATH_LABELS = { roundRobin: 'round-robin', llmd: 'llm-d' } as const;
export type PathLabel = (typeof PATH_LABELS)[keyof typeof PATH_LABELS];

/** What a run was for: the main comparison, one step of the rate ladder, or a discarded warm-up. */
export type RunPhase = 'main' | 'ladder' | 'warmup';
export const RUN_PHASES: readonly RunPhase[] = ['main', 'ladder', 'warmup'];

/** Keys `llmd-bench run` adds through `vllm bench serve --metadata k=v` (strings in the result JSON). */
export const RUN_METADATA_KEYS = {
  runId: 'llmd_bench_run_id',
  phase: 'llmd_bench_phase',
  targetUrl: 'llmd_bench_target_url',
  cacheReset: 'llmd_bench_cache_reset',
} as const;

/**
 * Lines the benchmark Job prints around the result JSON on its log, so the CLI can collect the
 * result from the pod log after the Job completed (the FSx copy stays as the durable one).
 */
export const RESULT_LOG_MARKERS = {
  begin: '===LLMD-BENCH-RESULT-BEGIN===',
  end: '===LLMD-BENCH-RESULT-END===',
} as const;

/** `app.kubernetes.io/name` of the benchmark client pods (shares nothing with the decode pods' selector). */
export const BENCH_CLIENT_NAME = 'llmd-bench-client';
/** Pod and Job labels of one run. */
export const RUN_ID_LABEL = 'llmd-bench/run-id';
export const TARGET_LABEL = 'llmd-bench/target';
export const PHASE_LABEL = 'llmd-bench/phase';
/** `-l` selector of every benchmark client pod/Job of the project. */
export const BENCH_CLIENT_SELECTOR = `app.kubernetes.io/name=${BENCH_CLIENT_NAME}`;
/** Name of the client container (the CLI reads its log). */
export const CLIENT_CONTAINER = 'vllm-bench';
