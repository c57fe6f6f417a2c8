/** What every simulated router implements. */
export interface Router {
  /** Chooses the replica for request `req`, routed at time `now` (seconds). */
  pick(req: number, now: number): number;
  /** The request finished streaming (frees its client connection). */
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

/** The router variants `simulate --router` accepts (the first three are result labels too). */
export const ROUTER_KINDS = ['round-robin', 'random', 'llm-d', 'llm-d-no-speculative'] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];
