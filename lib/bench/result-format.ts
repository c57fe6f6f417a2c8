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

import type { BenchConfig } from '../config/schema';

// Shared with the benchmark Job charts and the simulator; defined in the leaf module they all import.
export {
  isEppLabel, isPathLabel, isRunLabel, KNOWN_PATH_LABELS, PATH_LABELS, RESULT_LOG_MARKERS, RUN_LABELS, RUN_METADATA_KEYS,
  type PathLabel, type RunLabel, type RunPhase,
} from './run-names';

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
  /** "simulator" on a stage `simulate` predicted (as on its result); absent on measured stages. */
  readonly source?: typeof SIMULATOR_SOURCE;
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
  /** Window of the rate series (prefix-cache hit rate) in seconds; absent: one step. */
  readonly rate_window_s?: number;
  /** Where the samples came from. */
  readonly source: 'prometheus' | 'simulator';
  readonly series: Partial<Record<TimeSeriesName, Record<string, ReadonlyArray<readonly [number, number]>>>>;
}

export const TIME_SERIES = {
  kv_cache_usage: 'fraction 0..1 of KV blocks in use (vllm:kv_cache_usage_perc)',
  prefix_cache_hit_rate: 'fraction 0..1 of prefix-cache query tokens that hit, over the preceding rate_window_s (default: one step); not cumulative',
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
/** `<base>.checks.json`: the liveness checks and CPU throttling `run` recorded for a result (RunChecksFile). */
export const CHECKS_SUFFIX = '.checks.json';
/** Files vLLM or this tool may leave beside results that are not results (skipped by `report`). */
export const SIDE_FILE_SUFFIXES = [TIMESERIES_SUFFIX, CHECKS_SUFFIX, '.pytorch.json', '.summary.json', '.config.json'] as const;

/** Whether a measured result can be trusted: every liveness check passed, one failed, or some could not be made. */
export type RunValidity = 'valid' | 'invalid' | 'unchecked';

export interface RunCheck {
  /** kv_events_per_pod, index_non_empty, prefix_lookups (llm-d paths with KV events); every_pod_served (round-robin, load, random); see run-checks.ts. */
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'unknown';
  readonly detail: string;
}

/**
 * Whether one container name had its CPU over a run (the worst of its pods), from cAdvisor
 * (lib/bench/cpu-figures.ts). A container with a CPU limit is measured by CFS throttling; one without
 * (no CFS quota, never throttled) by CPU pressure (PSI).
 */
export interface ThrottlingFigure {
  readonly container: string;
  /** `throttling` (it has a CPU limit) or `pressure` (it has none). Absent in files written before pressure was recorded. */
  readonly measure?: 'throttling' | 'pressure';
  /** Its CPU limit in the rendered manifests, cores; null: none. */
  readonly cpu_limit_cores?: number | null;
  /** Throttled CFS periods / all CFS periods, 0..1; null without a CPU limit or without data. */
  readonly throttled_fraction: number | null;
  /** Seconds some task of the container waited for a CPU per second of the run (PSI "some"), 0..1; null when not exported. */
  readonly cpu_pressure_fraction?: number | null;
  readonly worst_pod: string | null;
  /** Highest mean CPU use of one pod's container over the run, cores. */
  readonly cpu_cores_max: number | null;
  /** throttled_fraction above 5% (throttling) or cpu_pressure_fraction above 10% (pressure). */
  readonly warn: boolean;
}

/** What `run` proved about one result (`<base>.checks.json`, beside the result). */
export interface RunChecksFile {
  readonly label: string;
  readonly request_rate: number | 'inf';
  readonly status: RunValidity;
  /** Why it is invalid or unchecked, one sentence each. */
  readonly reasons: readonly string[];
  readonly checks: readonly RunCheck[];
  readonly decode_pods: readonly string[];
  readonly cpu_throttling: readonly ThrottlingFigure[];
}

/** `<base>.checks.json`: the checks file that belongs to a result. */
export function checksFileName(base: string): string {
  return `${base}${CHECKS_SUFFIX}`;
}
/** What `llmd-bench run` records about itself in a results directory. */
export const RUN_CONFIG_FILE = 'llmd-bench-run.config.json';

/** How `run` was invoked, for the run config file. */
export interface RunInvocation {
  readonly runId: string;
  readonly target: string;
  readonly ladder: boolean;
  readonly warmup: boolean;
  readonly context?: string;
}

/**
 * The content of RUN_CONFIG_FILE: the invocation and the config sections that describe what was
 * measured (the llm-d-benchmark export reads the deployment from it: replicas, TP, GPU, image tags).
 */
export function runConfigRecord(c: BenchConfig, run: RunInvocation): Record<string, unknown> {
  return {
    run_id: run.runId, target: run.target, ladder: run.ladder, warmup: run.warmup, context: run.context,
    benchmark: c.benchmark, workload: c.workload, vllm: c.vllm, model: c.model, gpuNodes: c.gpuNodes, router: c.router,
  };
}

/** `<base>.timeseries.json`: the time series file that belongs to a result. */
export function timeseriesFileName(base: string): string {
  return `${base}${TIMESERIES_SUFFIX}`;
}

/** `source` of results and time series the simulator wrote (`llmd-bench simulate --out`). */
export const SIMULATOR_SOURCE = 'simulator';

/** True for a result (or time series) JSON the simulator wrote. */
export function isSimulated(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && (raw as { source?: unknown }).source === SIMULATOR_SOURCE;
}

/** A run id from the clock: `20261125-2301` (UTC minutes), valid in Job names and file names. */
export function newRunId(nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}`;
}

/** When a run id made by newRunId (or a directory named after one) was started, ms; undefined for other names. */
export function runIdTime(name: string): number | undefined {
  const m = /(?:^|-)(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(?:$|-)/.exec(name);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isFinite(t) ? t : undefined;
}

/** vLLM's `date` stamp of a result (%Y%m%d-%H%M%S, UTC here). */
export function vllmDate(nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}
