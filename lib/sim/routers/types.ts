/** What every simulated router implements. */
export interface Router {
  /** Chooses the replica for request `req`, routed at time `now` (seconds). */
  pick(req: number, now: number): number;
  /** The request finished streaming (frees its client connection, and its slot in the EPP's in-flight count). */
  release(req: number): void;
}

/**
 * What the EPP's metrics data source last scraped from each replica's /metrics
 * (vllm:num_requests_waiting, vllm:kv_cache_usage_perc), refreshed every metricsRefreshMs.
 */
export interface MetricsSnapshot {
  readonly waiting: Float64Array;
  readonly kvUsage: Float64Array;
}

/**
 * The router variants `simulate --router` accepts (each is also the label of its results):
 * round-robin and random (kube-proxy) are the Kubernetes Service; `llm-d` is the EPP with the
 * configured profile (router.profile, or --epp-config); `llm-d-no-speculative` the same without
 * speculative indexing; `llm-d-<profile>` the EPP with that built-in profile.
 */
export const ROUTER_KINDS = [
  'round-robin', 'random', 'llm-d', 'llm-d-no-speculative', 'llm-d-precise', 'llm-d-approximate', 'llm-d-load', 'llm-d-random',
] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];

/** True for the paths through the EPP. */
export function isEppRouter(kind: string): boolean {
  return kind === 'llm-d' || kind.startsWith('llm-d-');
}
