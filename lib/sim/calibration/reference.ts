/**
 * The calibration target: the published reference run (docs/benchmark-reference.md of the project's
 * shared notes; vendored here so the tests never read outside the repo) and the tolerances the
 * simulator must meet (issue 6). The llm-d path is simulated with the EndpointPickerConfig the
 * workloads chart renders from the same config (no second copy of the router config here).
 */

/** One path of the reference run at 512 concurrency, 9000 prompts (vllm bench serve result keys). */
export interface ReferencePath {
  readonly duration: number;
  readonly request_throughput: number;
  readonly output_throughput: number;
  readonly total_token_throughput: number;
  readonly mean_ttft_ms: number;
  readonly median_ttft_ms: number;
  readonly p99_ttft_ms: number;
  readonly mean_tpot_ms: number;
  readonly p99_tpot_ms: number;
  /** "about 11%" / "about 93%". */
  readonly prefix_cache_hit_rate: number;
  /** "about 98-99%" / "about 64-71%". */
  readonly kv_cache_usage: readonly [number, number];
}

export const REFERENCE: { readonly roundRobin: ReferencePath; readonly llmd: ReferencePath } = {
  roundRobin: {
    duration: 840.2,
    request_throughput: 10.71,
    output_throughput: 2742,
    total_token_throughput: 26362,
    mean_ttft_ms: 19029,
    median_ttft_ms: 18458,
    p99_ttft_ms: 36739,
    mean_tpot_ms: 109.2,
    p99_tpot_ms: 157.4,
    prefix_cache_hit_rate: 0.11,
    kv_cache_usage: [0.98, 0.99],
  },
  llmd: {
    duration: 358.7,
    request_throughput: 25.09,
    output_throughput: 6423,
    total_token_throughput: 61748,
    mean_ttft_ms: 863,
    median_ttft_ms: 340,
    p99_ttft_ms: 12544,
    mean_tpot_ms: 75.3,
    p99_tpot_ms: 111.0,
    prefix_cache_hit_rate: 0.93,
    kv_cache_usage: [0.64, 0.71],
  },
};

/** Issue 6's tolerances (relative, except the hit rate in absolute points). */
export const TOLERANCE = {
  throughput: 0.10,
  meanTtft: 0.25,
  meanTpot: 0.25,
  hitRatePoints: 0.10,
} as const;

/** The metrics the fit compares, with their weights (throughput and TPOT count fully, TTFT half). */
export const FIT_METRICS: readonly { readonly path: 'roundRobin' | 'llmd'; readonly key: keyof ReferencePath; readonly weight: number }[] = [
  { path: 'roundRobin', key: 'request_throughput', weight: 1 },
  { path: 'roundRobin', key: 'mean_tpot_ms', weight: 1 },
  { path: 'roundRobin', key: 'mean_ttft_ms', weight: 0.5 },
  { path: 'llmd', key: 'request_throughput', weight: 1 },
  { path: 'llmd', key: 'mean_tpot_ms', weight: 1 },
  { path: 'llmd', key: 'mean_ttft_ms', weight: 0.5 },
  { path: 'llmd', key: 'median_ttft_ms', weight: 0.5 },
];

/** Weighted sum of squared log ratios predicted / reference: what the fit minimises. */
export function calibrationLoss(predicted: { roundRobin: Record<string, unknown>; llmd: Record<string, unknown> }): number {
  let loss = 0;
  for (const m of FIT_METRICS) {
    const ref = REFERENCE[m.path][m.key] as number;
    const got = Number(predicted[m.path][m.key]);
    loss += m.weight * Math.log(got / ref) ** 2;
  }
  return loss;
}
