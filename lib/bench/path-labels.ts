/**
 * Path labels: the `--label` of each benchmark run and the key of its column in the report. A leaf
 * module (no imports) that the benchmark Job charts, the runner, the report and the simulator share.
 *
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

/** True for paths through the llm-d router (the EPP). */
export function isEppLabel(label: string): boolean {
  return label === PATH_LABELS.llmd || label.startsWith('llm-d-');
}
