/**
 * What `simulate` writes: the `--json` summary (the issue's contract), the `--out` results directory
 * (the same files `llmd-bench run` writes, so `llmd-bench report DIR` renders a simulation), and the
 * short table on stdout.
 */
import * as path from 'path';
import { newRunId, resultBaseName, timeseriesFileName, vllmDate } from '../bench/result-format';
import { writeJsonAtomic } from '../bench/results-io';
import { formatLength, type LengthDist } from '../workload/lengths';
import { measuredRequests } from '../workload/spec';
import type { CalibrationDistance, SimParams, Simulation } from './index';
import type { StageResult } from './results';

/** Prefix of the run id of simulated results in file names (`<label>_rate-<rate>_sim-<time>.json`). */
export const SIM_RUN_ID = 'sim';

/** Run id of a simulation written at `nowMs`: `sim-20261202-0104` (the wall clock, like `run`'s ids). */
export function simRunId(nowMs: number): string {
  return `${SIM_RUN_ID}-${newRunId(nowMs)}`;
}
/** Side file describing the simulation (ends in .config.json, so `report` skips it). */
export const SIM_CONFIG_FILE = 'llmd-bench-simulate.config.json';

/** The effective inputs of a simulation, as `--json` reports them under "config". */
export function simConfigSummary(p: SimParams, calibration?: CalibrationDistance): Record<string, unknown> {
  const w = p.run.workload;
  const l = p.run.load;
  const lengths = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, typeof v === 'object' && v !== null ? formatLength(v as LengthDist) : v]));
  return {
    model: p.modelId,
    ...(calibration ? { calibration: { distance: calibration.distance, region: calibration.region, summary: calibration.summary, warning: calibration.warning, parts: calibration.parts } } : {}),
    gpu_memory_bandwidth_gbs: p.gpu.memoryBandwidthGBs,
    gpu_bf16_tflops: p.gpu.bf16Tflops,
    tensor_parallel_size: p.tensorParallelSize,
    instance_type: p.deployment.instanceType,
    gpu: p.deployment.gpu,
    vllm_image: p.deployment.vllmImage,
    epp_image: p.deployment.eppImage,
    gpu_link: p.gpu.link,
    backend: p.backend,
    harness: p.run.harness,
    workload: lengths,
    num_prompts: measuredRequests(p.run),
    // prefix-repetition's keys at the top level, as before
    ...(w.name === 'prefix-repetition' ? { num_prefixes: w.numPrefixes, prefix_len: w.prefixLen, suffix_len: w.suffixLen, output_len: w.outputLen } : {}),
    ...(l.staged ? { stages: l.stages, warmup_stage: l.warmup } : {}),
    chat_template_tokens: p.template.leading + p.template.trailing,
    request_rate: p.requestRate,
    burstiness: p.burstiness,
    max_concurrency: p.maxConcurrency,
    seed: p.run.seed,
    replicas: p.replicas,
    block_size: p.limits.blockSize,
    max_num_seqs: p.limits.maxNumSeqs,
    max_num_batched_tokens: p.limits.maxNumBatchedTokens,
    kv_bytes_per_token: p.costs.kvBytesPerToken,
    kv_blocks_per_replica: p.numBlocks,
    kv_tokens_per_replica: p.numBlocks * p.limits.blockSize,
    reserve_full_prompt: p.limits.reserveFullPrompt,
    prefix_cache_stats: p.limits.statsMode,
    step_time: p.stepTime,
    request_path: p.path,
    timing_parameters: p.timing,
    host: { cpu: p.host.cpu.cpu, speed_class: p.host.cpu.speedClass, vcpus_per_replica: p.host.vcpusPerReplica, busy_processes: p.host.busyProcesses },
    kv_event_lag_ms: p.kvEventLag * 1000,
    metrics_refresh_ms: p.metricsRefresh * 1000,
    epp: p.epp,
  };
}

/** `{"config": {...}, "results": {"<router>": {...}}}`. */
export function jsonSummary(sim: Simulation): { config: Record<string, unknown>; results: Record<string, unknown> } {
  const results: Record<string, unknown> = {};
  for (const run of sim.runs) results[run.label] = run.result;
  return { config: simConfigSummary(sim.params, sim.calibration), results };
}

export function writeJsonSummary(sim: Simulation, file: string): void {
  writeJsonAtomic(file, jsonSummary(sim));
}

/**
 * Writes each run as `<base>.json` + `<base>.timeseries.json`; returns the result files written. The
 * files carry the time they were written (vLLM's `date`, the time series' `started_at`, the run id),
 * so `report` orders them like real runs; the simulation itself stays deterministic.
 */
export function writeResultsDir(sim: Simulation, dir: string, nowMs: number = Date.now()): string[] {
  const files: string[] = [];
  const runId = simRunId(nowMs);
  for (const run of sim.runs) {
    const base = resultBaseName(run.label, run.result.request_rate, runId);
    const file = path.join(dir, `${base}.json`);
    writeJsonAtomic(file, { ...run.result, date: vllmDate(nowMs) });
    writeJsonAtomic(path.join(dir, timeseriesFileName(base)), { ...run.timeSeries, started_at: new Date(nowMs).toISOString() });
    files.push(file);
  }
  writeJsonAtomic(path.join(dir, SIM_CONFIG_FILE), simConfigSummary(sim.params, sim.calibration));
  return files;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const fixed = (d: number) => (v: number) => v.toFixed(d);

/** The short comparison table `simulate` prints on stdout. */
export function formatTable(sim: Simulation): string {
  // A point value with its P10-P90 interval when simulate computed one.
  const iv = (f: (v: number) => string, key: string) => (r: Record<string, number>) => (
    r[`${key}_p10`] === undefined ? f(r[key]) : `${f(r[key])} [${f(r[`${key}_p10`])}-${f(r[`${key}_p90`])}]`);
  const rows: [string, (r: Record<string, number>) => string][] = [
    ['duration (s)', (r) => fixed(1)(r.duration)],
    ['request throughput (req/s)', iv(fixed(2), 'request_throughput')],
    ['output throughput (tok/s)', iv(int, 'output_throughput')],
    ['total token throughput (tok/s)', (r) => int(r.total_token_throughput)],
    ['TTFT mean (ms)', iv(int, 'mean_ttft_ms')],
    ['TTFT median / p90 / p99 (ms)', (r) => `${int(r.median_ttft_ms)} / ${iv(int, 'p90_ttft_ms')(r)} / ${int(r.p99_ttft_ms)}`],
    ['TPOT mean (ms)', iv(fixed(1), 'mean_tpot_ms')],
    ['TPOT p99 (ms)', (r) => fixed(1)(r.p99_tpot_ms)],
    ['ITL mean / p99 (ms)', (r) => `${fixed(1)(r.mean_itl_ms)} / ${fixed(1)(r.p99_itl_ms)}`],
    ['prefix cache hit rate (vLLM / first lookup)', (r) => `${pct(r.prefix_cache_hit_rate)} / ${pct(r.prefix_cache_hit_rate_first_lookup)}`],
    ['KV cache usage mean / p95', (r) => `${pct(r.kv_cache_usage_mean)} / ${pct(r.kv_cache_usage_p95)}`],
    ['max waiting (sum over replicas)', (r) => int(r.max_waiting)],
    ['preemptions', (r) => int(r.sim_num_preemptions)],
    ['steps bound by the host CPU / API server busy', (r) => `${pct(r.sim_cpu_bound_step_share)} / ${pct(r.sim_api_server_utilization_mean)}`],
  ];
  const results = sim.runs.map((run) => run.result as unknown as Record<string, number>);
  const header = ['', ...sim.runs.map((r) => r.label)];
  const body = rows.map(([name, f]) => [name, ...results.map(f)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ');
  const out = [line(header), ...body.map(line)];
  // The A/B line: llm-d against round-robin when both ran (also with --router all), else the two runs given.
  const ia = sim.runs.findIndex((r) => r.label === 'round-robin');
  const ib = sim.runs.findIndex((r) => r.label === 'llm-d');
  const [i, j] = ia >= 0 && ib >= 0 ? [ia, ib] : sim.runs.length === 2 ? [0, 1] : [-1, -1];
  if (i >= 0 && results[i].request_throughput > 0) {
    const [a, b] = [results[i], results[j]];
    // A ratio below 1 is said the other way round, so a slower path never reads "0.5x lower".
    const ttft = a.mean_ttft_ms / Math.max(b.mean_ttft_ms, 1e-9);
    out.push('', `${sim.runs[j].label} vs ${sim.runs[i].label}: ${(b.request_throughput / a.request_throughput).toFixed(2)}x request throughput, ` +
      (ttft.toFixed(1) === '1.0' || (1 / ttft).toFixed(1) === '1.0' ? 'about the same mean TTFT'
        : ttft > 1 ? `${ttft.toFixed(1)}x lower mean TTFT` : `${(1 / ttft).toFixed(1)}x higher mean TTFT`));
  }
  return out.join('\n');
}

/** The per-stage table `simulate --stages` prints: one row per stage, one column per router. */
export function formatStageTable(sim: Simulation): string {
  const header = ['stage (req/s x s)', ...sim.runs.map((r) => `${r.label}: req/s | TTFT mean / p90 / p99 ms | hit`)];
  const stages = sim.runs.map((r) => (r.result.stages ?? []) as readonly StageResult[]);
  const rows = (stages[0] ?? []).map((st, i) => [
    st.duration_s === null ? `${st.completed} @ ${sim.params.maxConcurrency ?? 'none'}` : `${st.rate} x ${st.duration_s}`,
    ...stages.map((list) => {
      const x = list[i];
      return `${fixed(2)(x.request_throughput)} | ${int(x.mean_ttft_ms)} / ${int(x.p90_ttft_ms)} / ${int(x.p99_ttft_ms)} | ${x.prefix_cache_hit_rate === null ? '-' : pct(x.prefix_cache_hit_rate)}`;
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ');
  return [line(header), ...rows.map(line)].join('\n');
}
