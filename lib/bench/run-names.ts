/**
 * Names the benchmark Job charts (k8s/bench/*-job.ts), the simulator and the CLI (lib/bench) share:
 * the path labels, the run phases, the result markers and metadata keys, and the labels and container name
 * the CLI finds the client pods by. A leaf module (imports nothing), so neither side has to import
 * the other to agree.
 */

/**
 * Path labels: the `--label` of each benchmark run and the key of its column in the report.
 *  - round-robin: the vLLM ClusterIP Service (kube-proxy);
 *  - llm-d: the llm-d router with the configured profile (router.profile);
 *  - llm-d-<profile>: the llm-d router with a named profile (run --target <profile>);
 *  - random, llm-d-no-speculative: simulator-only variants (kube-proxy random, no speculative indexing).
 */
export const PATH_LABELS = { roundRobin: 'round-robin', llmd: 'llm-d' } as const;

/** Labels a measured run can carry (`run --target`). */
export const RUN_LABELS = [
  'round-robin', 'llm-d', 'llm-d-precise', 'llm-d-approximate', 'llm-d-load', 'llm-d-random', 'llm-d-custom',
] as const;

/** Every label a result may carry, in report column order. */
export const KNOWN_PATH_LABELS = [
  'round-robin', 'random', 'llm-d', 'llm-d-precise', 'llm-d-approximate', 'llm-d-load', 'llm-d-random', 'llm-d-custom', 'llm-d-no-speculative',
] as const;

export type PathLabel = (typeof KNOWN_PATH_LABELS)[number];
export type RunLabel = (typeof RUN_LABELS)[number];

export function isPathLabel(label: unknown): label is PathLabel {
  return typeof label === 'string' && (KNOWN_PATH_LABELS as readonly string[]).includes(label);
}

export function isRunLabel(label: unknown): label is RunLabel {
  return typeof label === 'string' && (RUN_LABELS as readonly string[]).includes(label);
}

/** True for paths through the llm-d router (the EPP), with any profile. */
export function isEppLabel(label: string): boolean {
  return label === PATH_LABELS.llmd || label.startsWith('llm-d-');
}

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
