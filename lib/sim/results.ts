/**
 * Turns a simulated run into the files a real run produces (lib/bench/result-format.ts): vLLM's
 * `--save-result` JSON, computed exactly as `vllm bench serve` computes it, plus the simulator's extra
 * keys, and the time-series file.
 */
import type { StageResult, TimeSeriesFile, TimeSeriesName, VllmBenchResult } from '../bench/result-format';

export type { StageResult } from '../bench/result-format';
import { meanStageRate } from '../workload/stages';
import { isEppRouter } from './routers/types';
import type { RunOutput } from './simulation';
import {
  histogramPercentile, mean, percentileSorted, sortedCopy, std, weightedMean, weightedPercentiles, weightedStd,
} from './stats';

/** The result of one simulated run: vLLM's keys + the simulator's (all fractions 0..1). */
export interface SimResult extends VllmBenchResult {
  readonly request_rate: number | 'inf';
  readonly max_concurrency: number | null;
  readonly median_tpot_ms: number;
  readonly p99_ttft_ms: number;
  readonly p99_tpot_ms: number;
  readonly mean_itl_ms: number;
  readonly p99_itl_ms: number;
  /** vllm:prefix_cache_hits_total / queries_total over the run, summed over replicas. */
  readonly prefix_cache_hit_rate: number;
  /** The same, counting only each request's first lookup. */
  readonly prefix_cache_hit_rate_first_lookup: number;
  /** Time-weighted mean and 95th percentile of vllm:kv_cache_usage_perc over replicas and the run. */
  readonly kv_cache_usage_mean: number;
  readonly kv_cache_usage_p95: number;
  /** Peak of vllm:num_requests_waiting summed over replicas. */
  readonly max_waiting: number;
  readonly p90_ttft_ms: number;
  readonly sim_kv_tokens_per_replica: number;
  readonly sim_gpu_utilization_mean: number;
  /** Share of engine steps whose CPU time exceeded their GPU time (the host CPU bound them). */
  readonly sim_cpu_bound_step_share: number;
  /** Mean busy share of the replicas' API servers (tokenising prompts, streaming tokens). */
  readonly sim_api_server_utilization_mean: number;
  /** Mean time from entering the engine's queue to sampling the first token (no request path). */
  readonly sim_mean_engine_ttft_ms: number;
  /** How close the configuration is to the anchored space (simulate adds it; envelope.ts). */
  readonly sim_calibration?: { readonly distance: number; readonly region: string; readonly summary: string; readonly warning: string | null };
}

/** vLLM's key for a percentile: 99 -> "99", 99.9 -> "99.9". */
function pWord(p: number): string {
  return Number.isInteger(p) ? String(p) : String(p);
}

/** Date the way vllm bench serve stamps results (%Y%m%d-%H%M%S); fixed for simulations. */
export const SIM_DATE = '19700101-000000';

export function buildResult(run: RunOutput, label: string): SimResult {
  const { reqs, params: p, recorder } = run;
  // A warm-up stage is left out of every result (its requests come first).
  const from = run.measuredFrom;
  const n = reqs.count - from;
  const ttft = new Float64Array(n);
  const e2el = new Float64Array(n);
  const tpot: number[] = [];
  let input = 0;
  let output = 0;
  let engineTtft = 0;
  for (let i = 0; i < n; i++) {
    const r = from + i;
    ttft[i] = (reqs.firstTokenTime[r] - reqs.sendTime[r]) * 1000;
    // inference-perf's end time includes the think time it sleeps before releasing the request.
    e2el[i] = (run.clientEnd[r] - reqs.sendTime[r]) * 1000;
    input += reqs.promptLen[r];
    output += reqs.generated[r];
    if (reqs.generated[r] > 1) tpot.push(((reqs.finishTime[r] - reqs.sendTime[r]) * 1000 - ttft[i]) / (reqs.generated[r] - 1));
    engineTtft += (reqs.engineFirstToken[r] - reqs.engineArrival[r]) * 1000;
  }
  const duration = run.duration;
  const percentiles = [...new Set([...p.metricPercentiles, 50, 90, 99])].sort((a, b) => a - b);
  const metrics: Record<string, number> = {};
  const summarize = (name: string, values: ArrayLike<number>): void => {
    const sorted = sortedCopy(values);
    metrics[`mean_${name}_ms`] = mean(values);
    metrics[`median_${name}_ms`] = percentileSorted(sorted, 50);
    metrics[`std_${name}_ms`] = std(values);
    for (const q of percentiles) metrics[`p${pWord(q)}_${name}_ms`] = percentileSorted(sorted, q);
  };
  summarize('ttft', ttft);
  summarize('tpot', tpot);
  const itlMs = recorder.itlValue.map((v) => v * 1000);
  metrics.mean_itl_ms = weightedMean(itlMs, recorder.itlWeight);
  metrics.std_itl_ms = weightedStd(itlMs, recorder.itlWeight);
  const itlP = weightedPercentiles(recorder.itlValue, recorder.itlWeight, [50, ...percentiles]);
  metrics.median_itl_ms = itlP[0] * 1000;
  percentiles.forEach((q, i) => { metrics[`p${pWord(q)}_itl_ms`] = itlP[i + 1] * 1000; });
  if (p.percentileMetrics.includes('e2el')) summarize('e2el', e2el);

  let firstQ = 0;
  let firstH = 0;
  for (let r = from; r < reqs.count; r++) {
    firstQ += reqs.firstLookupQuery[r];
    firstH += reqs.firstLookupHit[r];
  }
  const measured = run.stages.filter((w) => !w.warmup);
  const queries = measured.length > 0 ? measured.reduce((a, w) => a + w.prefixQueries, 0) : recorder.prefixQueries;
  const hits = measured.length > 0 ? measured.reduce((a, w) => a + w.prefixHits, 0) : recorder.prefixHits;
  let usageSeconds = 0;
  let gpuSeconds = 0;
  const hist = new Float64Array(1001);
  let preemptions = 0;
  for (const rep of run.replicas) {
    usageSeconds += rep.usageSeconds;
    gpuSeconds += rep.gpuSeconds;
    preemptions += rep.preemptions;
    for (let i = 0; i < hist.length; i++) hist[i] += rep.usageHistogram[i];
  }
  const outTps = recorder.outputTokensPerSecond;
  // Gauges are integrated over the whole simulated time (a warm-up included).
  let horizon = 0;
  for (let r = 0; r < reqs.count; r++) if (run.clientEnd[r] > horizon) horizon = run.clientEnd[r];
  return {
    date: SIM_DATE,
    backend: p.backend,
    label,
    model_id: p.modelId,
    tokenizer_id: p.modelId,
    num_prompts: n,
    // A staged run is filed under its mean offered rate (lib/workload/stages.ts meanStageRate).
    request_rate: p.run.load.staged ? meanStageRate(p.run.load.stages.map((st) => (st.kind === 'poisson' ? { rate: st.rate, durationS: st.durationS } : { rate: st.requests, durationS: 1 }))) : p.requestRate,
    burstiness: p.burstiness,
    max_concurrency: p.maxConcurrency,
    duration,
    completed: n,
    failed: 0,
    total_input_tokens: input,
    total_output_tokens: output,
    request_throughput: n / duration,
    request_goodput: null,
    output_throughput: output / duration,
    total_token_throughput: (input + output) / duration,
    max_output_tokens_per_s: outTps.reduce((a, b) => (b > a ? b : a), 0),
    max_concurrent_requests: run.maxConcurrentRequests,
    ...(metrics as Record<string, number> & {
      mean_ttft_ms: number; median_ttft_ms: number; p90_ttft_ms: number; p99_ttft_ms: number;
      mean_tpot_ms: number; median_tpot_ms: number; p99_tpot_ms: number;
      mean_itl_ms: number; p99_itl_ms: number;
    }),
    prefix_cache_hit_rate: queries > 0 ? hits / queries : 0,
    prefix_cache_hit_rate_first_lookup: firstQ > 0 ? firstH / firstQ : 0,
    kv_cache_usage_mean: horizon > 0 ? usageSeconds / (horizon * run.replicas.length) : 0,
    kv_cache_usage_p95: histogramPercentile(hist, 95),
    max_waiting: recorder.maxWaitingTotal,
    source: 'simulator',
    sim_router: run.router,
    sim_replicas: run.replicas.length,
    sim_kv_blocks_per_replica: p.numBlocks,
    sim_kv_tokens_per_replica: p.numBlocks * p.limits.blockSize,
    sim_num_preemptions: preemptions,
    sim_engine_steps: recorder.steps,
    sim_gpu_utilization_mean: horizon > 0 ? gpuSeconds / (horizon * run.replicas.length) : 0,
    sim_cpu_bound_step_share: recorder.steps > 0 ? recorder.cpuBoundSteps / recorder.steps : 0,
    // Per API server process, its busier thread (a replica's N processes share its busy seconds).
    sim_api_server_utilization_mean: horizon > 0 ? run.apiBusySeconds.reduce((a, b) => a + b, 0) / (horizon * run.replicas.length * p.path.apiServers) : 0,
    sim_mean_engine_ttft_ms: n > 0 ? engineTtft / n : 0,
    sim_warnings: [...run.warnings],
    ...(p.run.load.staged ? { stages: stageResults(run) } : {}),
  };
}

/** Per-stage results of the measured stages, in order. */
export function stageResults(run: RunOutput): StageResult[] {
  const { reqs } = run;
  return run.stages.filter((w) => !w.warmup).map((w): StageResult => {
    const ttft: number[] = [];
    const tpot: number[] = [];
    let output = 0;
    let first = Infinity;
    let last = -Infinity;
    for (let r = w.first; r < w.end; r++) {
      ttft.push((reqs.firstTokenTime[r] - reqs.sendTime[r]) * 1000);
      if (reqs.generated[r] > 1) tpot.push((reqs.lastTokenTime[r] - reqs.firstTokenTime[r]) * 1000 / (reqs.generated[r] - 1));
      output += reqs.generated[r];
      first = Math.min(first, reqs.sendTime[r]);
      last = Math.max(last, run.clientEnd[r]);
    }
    const elapsed = last - first;
    const sortedTtft = sortedCopy(ttft);
    const sortedTpot = sortedCopy(tpot);
    const count = w.end - w.first;
    return {
      rate: w.spec.kind === 'poisson' ? w.spec.rate : 'inf',
      duration_s: w.spec.kind === 'poisson' ? w.spec.durationS : null,
      completed: count,
      request_throughput: elapsed > 0 ? count / elapsed : 0,
      output_throughput: elapsed > 0 ? output / elapsed : 0,
      mean_ttft_ms: mean(ttft),
      median_ttft_ms: percentileSorted(sortedTtft, 50),
      p90_ttft_ms: percentileSorted(sortedTtft, 90),
      p99_ttft_ms: percentileSorted(sortedTtft, 99),
      mean_tpot_ms: mean(tpot),
      p99_tpot_ms: percentileSorted(sortedTpot, 99),
      prefix_cache_hit_rate: w.prefixQueries > 0 ? w.prefixHits / w.prefixQueries : 0,
      max_waiting: w.maxWaiting,
      elapsed_s: elapsed,
      // A stage read on its own (simulate --json results.<router>.stages[]) still says it is a prediction.
      source: 'simulator',
    };
  });
}

/** Name of replica j in the time series (the simulator has no pod names). */
export function replicaName(j: number): string {
  return `replica-${j}`;
}

export function buildTimeSeries(run: RunOutput, label: string): TimeSeriesFile {
  const R = run.replicas.length;
  const series: Partial<Record<TimeSeriesName, Record<string, Array<[number, number]>>>> = {};
  const add = (name: TimeSeriesName, key: string, t: number, v: number): void => {
    if (!Number.isFinite(v)) return;
    const s = (series[name] ??= {});
    (s[key] ??= []).push([round(t, 3), round(v, 6)]);
  };
  const llmd = isEppRouter(run.router);
  for (const s of run.samples) {
    let running = 0;
    let waiting = 0;
    for (let j = 0; j < R; j++) {
      const pod = replicaName(j);
      add('kv_cache_usage', pod, s.t, s.kvUsage[j]);
      add('prefix_cache_hit_rate', pod, s.t, s.hitRate[j]);
      add('num_requests_running', pod, s.t, s.running[j]);
      add('num_requests_waiting', pod, s.t, s.waiting[j]);
      add('gpu_utilization', pod, s.t, s.busy[j]);
      if (llmd) add('epp_picks', pod, s.t, s.picksPerSecond[j]);
      running += s.running[j];
      waiting += s.waiting[j];
    }
    add('num_requests_running', 'total', s.t, running);
    add('num_requests_waiting', 'total', s.t, waiting);
  }
  return {
    label,
    request_rate: run.params.requestRate,
    started_at: new Date(0).toISOString(),
    step_s: run.params.timeSeriesStep,
    source: 'simulator',
    series,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
