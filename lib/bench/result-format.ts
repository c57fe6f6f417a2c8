/**
 * The contract between whatever produces benchmark results (the in-cluster `vllm bench serve` Jobs
 * collected by `llmd-bench run`, or `llmd-bench simulate --out`) and `llmd-bench report`.
 *
 * A results directory holds, per measured run:
 *   <label>_rate-<rate>_<runId>.json             vLLM's own --save-result JSON (see VllmBenchResult)
 *   <label>_rate-<rate>_<runId>.timeseries.json  what Prometheus (or the simulator) saw during it
 * The report identifies a run by the `label` and `request_rate` fields inside the JSON, never by the
 * file name, so hand-made vLLM result files work too.
 */

/** The `--label` each path passes to its benchmark client (lib/bench/path-labels.ts). */
export { isPathLabel, PATH_LABELS, type PathLabel } from './path-labels';

/**
 * Keys of `vllm bench serve --save-result` (vllm/benchmarks/serve.py) that this project reads.
 * Per-metric keys follow `mean_<m>_ms`, `median_<m>_ms`, `std_<m>_ms`, `p<P>_<m>_ms` for each
 * m in --percentile-metrics (ttft, tpot, itl, e2el) and P in --metric-percentiles.
 */
export interface VllmBenchResult {
  readonly date?: string;
  readonly backend?: string;
  readonly label?: string | null;
  readonly model_id?: string;
  readonly tokenizer_id?: string;
  readonly num_prompts?: number;
  /** A number of requests per second, or the string "inf". */
  readonly request_rate: number | 'inf';
  readonly burstiness?: number;
  readonly max_concurrency?: number | null;
  readonly duration: number;
  readonly completed: number;
  readonly failed?: number;
  readonly total_input_tokens: number;
  readonly total_output_tokens: number;
  readonly request_throughput: number;
  readonly request_goodput?: number | null;
  readonly output_throughput: number;
  readonly total_token_throughput: number;
  readonly max_output_tokens_per_s?: number;
  readonly max_concurrent_requests?: number;
  readonly mean_ttft_ms: number;
  readonly median_ttft_ms: number;
  readonly p99_ttft_ms?: number;
  readonly mean_tpot_ms: number;
  readonly median_tpot_ms?: number;
  readonly p99_tpot_ms?: number;
  readonly mean_itl_ms?: number;
  readonly p99_itl_ms?: number;
  /** Extra keys the simulator adds (0..1 fractions), absent from real runs. */
  readonly prefix_cache_hit_rate?: number;
  readonly prefix_cache_hit_rate_first_lookup?: number;
  readonly kv_cache_usage_mean?: number;
  readonly kv_cache_usage_p95?: number;
  readonly max_waiting?: number;
  /** A staged run (inference-perf stages, or `simulate --stages`): one entry per measured stage, in order. */
  readonly stages?: readonly StageResult[];
  readonly [key: string]: unknown;
}

/**
 * One measured load stage, as inference-perf's per-stage report computes it (throughput = successes /
 * (last end - first start) of the stage's requests; latencies from the actual send) plus the engines'
 * prefix-cache hit rate and queue peak during the stage (null when no Prometheus series was stored).
 * These keys are also `simulate --json`'s `results.<router>.stages[]` contract.
 */
export interface StageResult {
  /** Requested requests per second ("inf" for a concurrent stage). */
  readonly rate: number | 'inf';
  /** Requested seconds (null for a concurrent stage). */
  readonly duration_s: number | null;
  readonly completed: number;
  readonly request_throughput: number;
  readonly output_throughput: number;
  readonly mean_ttft_ms: number;
  readonly median_ttft_ms: number;
  readonly p90_ttft_ms: number;
  readonly p99_ttft_ms: number;
  readonly mean_tpot_ms: number;
  readonly p99_tpot_ms: number;
  readonly prefix_cache_hit_rate: number | null;
  readonly max_waiting: number | null;
  /** Seconds from the stage's first send to its last completion. */
  readonly elapsed_s: number;
}

/**
 * One series per pod (or `total`), sampled over the run. `t` is seconds since the run started.
 * Series names are the keys of TIME_SERIES; values are in the unit documented there.
 */
export interface TimeSeriesFile {
  readonly label: string;
  readonly request_rate: number | 'inf';
  /** ISO-8601 start of the run (wall clock for real runs; the epoch for simulations). */
  readonly started_at: string;
  /** Sampling step in seconds. */
  readonly step_s: number;
  /** Where the samples came from. */
  readonly source: 'prometheus' | 'simulator';
  readonly series: Partial<Record<TimeSeriesName, Record<string, ReadonlyArray<readonly [number, number]>>>>;
}

export const TIME_SERIES = {
  kv_cache_usage: 'fraction 0..1 of KV blocks in use (vllm:kv_cache_usage_perc)',
  prefix_cache_hit_rate: 'fraction 0..1 of prefix-cache query tokens that hit, over the last step',
  num_requests_running: 'requests in the running batch (vllm:num_requests_running)',
  num_requests_waiting: 'requests queued in the engine (vllm:num_requests_waiting)',
  epp_picks: 'requests the EPP routed to each pod per second (llm-d path only)',
  gpu_utilization: 'GPU utilization 0..1 (DCGM_FI_DEV_GPU_UTIL / 100)',
} as const;
export type TimeSeriesName = keyof typeof TIME_SERIES;

/** `<label>_rate-<rate>_<runId>`: the base name of a result and its time series. */
export function resultBaseName(label: string, requestRate: number | 'inf', runId: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
  return `${safe(label)}_rate-${safe(String(requestRate))}_${safe(runId)}`;
}

/** File name endings inside a results directory. */
export const RESULT_SUFFIX = '.json';
export const TIMESERIES_SUFFIX = '.timeseries.json';
/** Files vLLM or this tool may leave beside results that are not results (skipped by `report`). */
export const SIDE_FILE_SUFFIXES = [TIMESERIES_SUFFIX, '.pytorch.json', '.summary.json', '.config.json'] as const;
/** What `llmd-bench run` records about itself in a results directory. */
export const RUN_CONFIG_FILE = 'llmd-bench-run.config.json';

/** `<base>.timeseries.json`: the time series file that belongs to a result. */
export function timeseriesFileName(base: string): string {
  return `${base}${TIMESERIES_SUFFIX}`;
}

/** Keys `llmd-bench run` adds through `vllm bench serve --metadata k=v` (strings in the result JSON). */
export const RUN_METADATA_KEYS = {
  runId: 'llmd_bench_run_id',
  phase: 'llmd_bench_phase',
  targetUrl: 'llmd_bench_target_url',
  cacheReset: 'llmd_bench_cache_reset',
} as const;

/** What a run was for: the main comparison, one step of the rate ladder, or a discarded warm-up. */
export type RunPhase = 'main' | 'ladder' | 'warmup';

/**
 * Lines the benchmark Job prints around the result JSON on its log, so the CLI can collect the
 * result from the pod log after the Job completed (the FSx copy stays as the durable one).
 */
export const RESULT_LOG_MARKERS = {
  begin: '===LLMD-BENCH-RESULT-BEGIN===',
  end: '===LLMD-BENCH-RESULT-END===',
} as const;
