/**
 * inference-perf's report files, normalised into the project's result format (result-format.ts: the
 * vllm bench serve --save-result keys the report reads, plus `stages`). The files and their keys were
 * read from inference-perf v0.6.1 (reportgen/base.py): `summary_lifecycle_metrics.json` and
 * `stage_<i>_lifecycle_metrics.json`, each { benchmark_time_seconds, load_summary { count, send_duration,
 * requested_rate, achieved_rate, ... }, successes { count, latency { time_to_first_token,
 * time_per_output_token, inter_token_latency, request_latency, ... } (seconds: mean, min, max, median,
 * p<P>), throughput { requests_per_sec, output_tokens_per_sec, total_tokens_per_sec, ... },
 * prompt_tokens { total, ... }, output_tokens { total, ... }, ... }, failures { count, ... } }.
 *
 * The Job prints the files between markers (k8s/bench/inference-perf-job.ts); stage start and end
 * times come from inference-perf's own log lines ("Stage N - run started"/"run completed", logging's
 * asctime in UTC), and give each stage its prefix-cache hit rate and queue peak from the Prometheus
 * series of the run.
 */
import type { StageResult, TimeSeriesFile, VllmBenchResult } from './result-format';
import { BenchError } from './errors';

export const INFERENCE_PERF_LOG_MARKERS = {
  /** Printed before the measured inference-perf run (after any warm-up). */
  measured: '===LLMD-BENCH-MEASURED-RUN===',
  fileBegin: '===LLMD-BENCH-FILE-BEGIN',
  fileEnd: '===LLMD-BENCH-FILE-END===',
} as const;

/** Report files printed in the log (name -> text); a file printed twice keeps its last copy. */
export function extractReportFiles(log: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = log.split('\n');
  let name: string | undefined;
  let buf: string[] = [];
  for (const line of lines) {
    if (name === undefined) {
      if (line.startsWith(`${INFERENCE_PERF_LOG_MARKERS.fileBegin} `)) {
        name = line.slice(INFERENCE_PERF_LOG_MARKERS.fileBegin.length + 1).trim();
        buf = [];
      }
    } else if (line.trim() === INFERENCE_PERF_LOG_MARKERS.fileEnd) {
      out.set(name, buf.join('\n').trim());
      name = undefined;
    } else {
      buf.push(line);
    }
  }
  return out;
}

export interface StageWindowTimes {
  readonly stage: number;
  /** Epoch seconds. */
  readonly start: number;
  readonly end: number;
}

const STAGE_LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),(\d{3}) - [\w.]+ - INFO - Stage (\d+) - run (started|completed|failed)/;

/** Start and end of each stage of the measured run, from inference-perf's log lines after the marker. */
export function stageTimesFromLog(log: string): StageWindowTimes[] {
  const at = log.lastIndexOf(INFERENCE_PERF_LOG_MARKERS.measured);
  const text = at >= 0 ? log.slice(at) : log;
  const starts = new Map<number, number>();
  const out: StageWindowTimes[] = [];
  for (const line of text.split('\n')) {
    const m = STAGE_LINE.exec(line.trim());
    if (!m) continue;
    const t = Date.parse(`${m[1]}T${m[2]}.${m[3]}Z`) / 1000;
    const stage = Number(m[4]);
    if (m[5] === 'started') starts.set(stage, t);
    else if (starts.has(stage)) out.push({ stage, start: starts.get(stage)!, end: t });
  }
  return out;
}

type Stats = Record<string, number | undefined>;

function record(v: unknown): Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

/** Python's f"p{p:g}" for a percentile (99 -> p99, 99.9 -> p99.9, 0.1 -> p0.1); 50 is "median". */
function pKey(p: number): string {
  return p === 50 ? 'median' : `p${String(p)}`;
}

/** vLLM's keys (ms) for one latency metric of an inference-perf summary (seconds). */
function latencyKeys(out: Record<string, number>, name: string, stats: Stats | undefined, percentiles: readonly number[]): void {
  if (!stats || typeof stats.mean !== 'number') return;
  out[`mean_${name}_ms`] = stats.mean * 1000;
  if (typeof stats.median === 'number') out[`median_${name}_ms`] = stats.median * 1000;
  for (const p of percentiles) {
    const v = stats[pKey(p)];
    if (typeof v === 'number') out[`p${String(p)}_${name}_ms`] = v * 1000;
  }
}

export interface NormaliseInput {
  /** Report files (parsed JSON) by name. */
  readonly files: ReadonlyMap<string, unknown>;
  readonly label: string;
  /** The rate the result is filed under (the mean stage rate of a staged run). */
  readonly requestRate: number | 'inf';
  readonly maxConcurrency: number | null;
  /** The measured stages as configured (rate and seconds; concurrent: rate "inf"). */
  readonly stages: readonly { readonly rate: number | 'inf'; readonly durationS: number | null }[];
  /** Whether the result carries the per-stage table. */
  readonly staged: boolean;
  readonly modelId: string;
  /** vLLM's date stamp, %Y%m%d-%H%M%S. */
  readonly date: string;
  readonly percentiles: readonly number[];
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The project's result of an inference-perf run (the stages' cache figures come from fillStageCacheFigures). */
export function normaliseInferencePerf(input: NormaliseInput): VllmBenchResult {
  const summary = record(input.files.get('summary_lifecycle_metrics.json'));
  if (Object.keys(summary).length === 0) {
    throw new BenchError('inference-perf printed no summary_lifecycle_metrics.json', { hint: 'the run failed before its report; see the Job log' });
  }
  const ok = record(summary.successes);
  const failures = record(summary.failures);
  const latency = record(ok.latency);
  const throughput = record(ok.throughput);
  const completed = Number(ok.count ?? 0);
  const metrics: Record<string, number> = {};
  latencyKeys(metrics, 'ttft', latency.time_to_first_token, input.percentiles);
  latencyKeys(metrics, 'tpot', latency.time_per_output_token, input.percentiles);
  latencyKeys(metrics, 'itl', latency.inter_token_latency, input.percentiles);
  latencyKeys(metrics, 'e2el', latency.request_latency, input.percentiles);
  if (completed > 0 && metrics.mean_ttft_ms === undefined) {
    throw new BenchError('inference-perf reported no time to first token', { hint: 'TTFT needs api.streaming and a tokenizer (both rendered); check the Job log for tokenizer errors' });
  }
  const duration = Number(summary.benchmark_time_seconds ?? 0);
  const stages = input.staged ? input.stages.map((spec, i) => stageResult(record(input.files.get(`stage_${i}_lifecycle_metrics.json`)), spec, i)) : undefined;
  return {
    date: input.date,
    backend: 'openai',
    label: input.label,
    model_id: input.modelId,
    tokenizer_id: input.modelId,
    num_prompts: Number(record(summary.load_summary).count ?? completed),
    request_rate: input.requestRate,
    max_concurrency: input.maxConcurrency,
    duration,
    completed,
    failed: Number(failures.count ?? 0),
    total_input_tokens: Math.round(Number(record(ok.prompt_tokens).total ?? 0)),
    total_output_tokens: Math.round(Number(record(ok.output_tokens).total ?? 0)),
    request_throughput: Number(throughput.requests_per_sec ?? 0),
    output_throughput: Number(throughput.output_tokens_per_sec ?? 0),
    total_token_throughput: Number(throughput.total_tokens_per_sec ?? 0),
    ...(metrics as { mean_ttft_ms: number; median_ttft_ms: number; mean_tpot_ms: number }),
    source: 'inference-perf',
    ...(input.metadata ?? {}),
    ...(stages ? { stages } : {}),
  };
}

function stageResult(file: Record<string, any>, spec: NormaliseInput['stages'][number], i: number): StageResult {
  if (Object.keys(file).length === 0) throw new BenchError(`inference-perf printed no stage_${i}_lifecycle_metrics.json`, { hint: 'the stage failed or was cut short; see the Job log' });
  const ok = record(file.successes);
  const lat = record(ok.latency);
  const ttft = record(lat.time_to_first_token) as Stats;
  const tpot = record(lat.time_per_output_token) as Stats;
  const ms = (v: number | undefined) => (typeof v === 'number' ? v * 1000 : NaN);
  return {
    rate: spec.rate,
    duration_s: spec.durationS,
    completed: Number(ok.count ?? 0),
    request_throughput: Number(record(ok.throughput).requests_per_sec ?? 0),
    output_throughput: Number(record(ok.throughput).output_tokens_per_sec ?? 0),
    mean_ttft_ms: ms(ttft.mean),
    median_ttft_ms: ms(ttft.median),
    p90_ttft_ms: ms(ttft.p90),
    p99_ttft_ms: ms(ttft.p99),
    mean_tpot_ms: ms(tpot.mean),
    p99_tpot_ms: ms(tpot.p99),
    prefix_cache_hit_rate: null,
    max_waiting: null,
    elapsed_s: Number(file.benchmark_time_seconds ?? 0),
  };
}

/**
 * Each stage's prefix-cache hit rate (mean of the per-pod hit rate samples inside its window, as the
 * report does for a whole run) and queue peak (summed over pods) from the run's Prometheus series.
 */
export function fillStageCacheFigures(result: VllmBenchResult, windows: readonly StageWindowTimes[], ts: TimeSeriesFile): VllmBenchResult {
  const stages = result.stages as readonly StageResult[] | undefined;
  if (!stages) return result;
  const t0 = Date.parse(ts.started_at) / 1000;
  const inWindow = (w: StageWindowTimes, t: number) => t0 + t >= w.start && t0 + t <= w.end;
  const filled = stages.map((s, i) => {
    const w = windows.find((x) => x.stage === i);
    if (!w) return s;
    const hits = Object.entries(ts.series.prefix_cache_hit_rate ?? {}).filter(([k]) => k !== 'total')
      .flatMap(([, pts]) => pts.filter(([t, v]) => inWindow(w, t) && Number.isFinite(v)).map(([, v]) => v));
    const waitingByT = new Map<number, number>();
    for (const [k, pts] of Object.entries(ts.series.num_requests_waiting ?? {})) {
      if (k === 'total') continue;
      for (const [t, v] of pts) if (inWindow(w, t)) waitingByT.set(t, (waitingByT.get(t) ?? 0) + v);
    }
    return {
      ...s,
      prefix_cache_hit_rate: hits.length > 0 ? hits.reduce((a, b) => a + b, 0) / hits.length : null,
      max_waiting: waitingByT.size > 0 ? Math.max(...waitingByT.values()) : null,
    };
  });
  return { ...result, stages: filled };
}

/** vLLM's %Y%m%d-%H%M%S stamp of a time (UTC): one definition, in result-format.ts. */
export { vllmDate } from './result-format';
