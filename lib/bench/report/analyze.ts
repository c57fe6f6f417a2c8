/**
 * Turns a loaded results directory into what the report shows: the main comparison (one result per
 * path at the main request rate), the rate ladder, and the cache/queue figures from the time series.
 */
import * as path from 'path';
import { KNOWN_PATH_LABELS } from '../run-names';
import { PathLabel, RunChecksFile, TimeSeriesFile, VllmBenchResult, isSimulated } from '../result-format';
import type { LoadedResult, LoadedResults } from '../results-io';
import { BenchError, EXIT, badInput } from '../errors';
import { formatRate } from './format';

export type Rate = number | 'inf';

/** One path's result at one rate. */
export interface PathRun {
  readonly label: PathLabel;
  readonly rate: Rate;
  readonly file: string;
  readonly result: VllmBenchResult;
  readonly cache: CacheFigures;
  readonly timeseries?: TimeSeriesFile;
  /** Liveness checks and CPU throttling `run` recorded (absent for simulations and hand-made results). */
  readonly checks?: RunChecksFile;
}

/** Figures the reference reads off its dashboard; from the time series (or the simulator's keys). */
export interface CacheFigures {
  /** Prefix-cache hit rate over the run, 0..1. */
  readonly hitRate?: number;
  /** KV-cache usage averaged over pods: mean and interquartile range over time, 0..1. */
  readonly kvUsageMean?: number;
  readonly kvUsageP25?: number;
  readonly kvUsageP75?: number;
  /** Peak of the engine queues summed over pods. */
  readonly peakWaiting?: number;
  /**
   * Median over time of the engine queues summed over pods, while the engines were busy: the steady
   * state. The peak alone is the cold start of a rate-inf run (every request queues in the engines
   * for a moment on both paths), so it can read the same for two paths whose queues differ all run.
   */
  readonly medianWaiting?: number;
}

export interface RateComparison {
  readonly rate: Rate;
  readonly runs: Partial<Record<PathLabel, PathRun>>;
}

export interface Analysis {
  readonly main: RateComparison;
  /** Numeric rates, ascending (the rate ladder); may be empty. */
  readonly ladder: RateComparison[];
  /** Results not used because a newer one exists at the same path and rate. */
  readonly superseded: string[];
  readonly skipped: { file: string; reason: string }[];
  readonly labels: PathLabel[];
  /** Whether the results were predicted by `llmd-bench simulate` or measured. */
  readonly source: 'simulation' | 'measurement';
}

export interface AnalyzeOptions {
  /** The main rate was asked for explicitly (--main-rate): refuse when no result has it, never substitute. */
  readonly strictMainRate?: boolean;
}

function simulated(r: LoadedResult): boolean {
  return isSimulated(r.result) || isSimulated(r.timeseries);
}

/** Report column order: round-robin first, then the llm-d paths. */
const LABEL_ORDER: readonly PathLabel[] = KNOWN_PATH_LABELS;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function mean(values: number[]): number | undefined {
  const ok = values.filter(Number.isFinite);
  return ok.length === 0 ? undefined : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/** Per time step, an aggregate over the per-pod series (ignores a `total` series when pods exist). */
function acrossPods(series: Record<string, ReadonlyArray<readonly [number, number]>> | undefined, agg: 'mean' | 'sum'): Map<number, number> {
  const out = new Map<number, number>();
  if (!series) return out;
  const keys = Object.keys(series).filter((k) => k !== 'total');
  const use = keys.length > 0 ? keys : Object.keys(series);
  const byT = new Map<number, number[]>();
  for (const k of use) {
    for (const [t, v] of series[k]) {
      if (!Number.isFinite(v)) continue;
      const list = byT.get(t) ?? [];
      list.push(v);
      byT.set(t, list);
    }
  }
  for (const [t, vs] of [...byT.entries()].sort((a, b) => a[0] - b[0])) {
    const s = vs.reduce((a, b) => a + b, 0);
    out.set(t, agg === 'sum' ? s : s / vs.length);
  }
  return out;
}

/** Hit rate, KV usage and peak queue from the time series; the simulator's own keys win. */
export function cacheFigures(result: VllmBenchResult, ts: TimeSeriesFile | undefined): CacheFigures {
  const running = acrossPods(ts?.series.num_requests_running, 'sum');
  // Only samples while the engines were busy: the client spends its first minute building prompts.
  const busy = (t: number) => running.size === 0 || (running.get(t) ?? 0) > 0;

  let hitRate = typeof result.prefix_cache_hit_rate === 'number' ? result.prefix_cache_hit_rate : undefined;
  if (hitRate === undefined && ts?.series.prefix_cache_hit_rate) {
    const total = ts.series.prefix_cache_hit_rate.total;
    const points = total ? new Map(total.map(([t, v]) => [t, v] as [number, number])) : acrossPods(ts.series.prefix_cache_hit_rate, 'mean');
    hitRate = mean([...points.entries()].filter(([t]) => busy(t)).map(([, v]) => v));
  }

  let kvUsageMean = typeof result.kv_cache_usage_mean === 'number' ? result.kv_cache_usage_mean : undefined;
  let kvUsageP25: number | undefined;
  let kvUsageP75: number | undefined;
  const kv = acrossPods(ts?.series.kv_cache_usage, 'mean');
  const kvBusy = [...kv.entries()].filter(([t]) => busy(t)).map(([, v]) => v).sort((a, b) => a - b);
  if (kvBusy.length > 0) {
    kvUsageMean ??= mean(kvBusy);
    kvUsageP25 = quantile(kvBusy, 0.25);
    kvUsageP75 = quantile(kvBusy, 0.75);
  }

  let peakWaiting = typeof result.max_waiting === 'number' ? result.max_waiting : undefined;
  const waiting = acrossPods(ts?.series.num_requests_waiting, 'sum');
  if (peakWaiting === undefined && waiting.size > 0) peakWaiting = Math.max(...waiting.values());
  const waitingBusy = [...waiting.entries()].filter(([t]) => busy(t)).map(([, v]) => v).sort((a, b) => a - b);
  const medianWaiting = waitingBusy.length > 0 ? quantile(waitingBusy, 0.5) : undefined;

  return { hitRate, kvUsageMean, kvUsageP25, kvUsageP75, peakWaiting, medianWaiting };
}

function rateKey(rate: Rate): string {
  return String(rate);
}

/** Newer first: vLLM's `date` (YYYYMMDD-HHMMSS), then the file name. */
function newerFirst(a: LoadedResult, b: LoadedResult): number {
  const da = String(a.result.date ?? '');
  const db = String(b.result.date ?? '');
  if (da !== db) return da < db ? 1 : -1;
  return a.file < b.file ? 1 : -1;
}

/**
 * Groups results by path and rate. `mainRate` is the request rate of the main comparison (the
 * configured one); when no result has it, the rate both paths share with the most prompts is used.
 */
export function analyze(loaded: LoadedResults, mainRate: Rate, options: AnalyzeOptions = {}): Analysis {
  const sim = loaded.results.filter(simulated);
  if (sim.length > 0 && sim.length < loaded.results.length) {
    const measured = loaded.results.filter((r) => !simulated(r));
    throw badInput(`the results mix simulated (${sim.map((r) => displayName(r.file)).join(', ')}) and measured (${measured.map((r) => displayName(r.file)).join(', ')}) files`,
      'keep `simulate --out` output in its own directory: a report is either a prediction or a measurement');
  }
  const source = sim.length > 0 ? 'simulation' : 'measurement';
  const groups = new Map<string, LoadedResult[]>();
  for (const r of loaded.results) {
    const key = `${r.result.label}\u0000${rateKey(r.result.request_rate)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const superseded: string[] = [];
  const byRate = new Map<string, { rate: Rate; runs: Partial<Record<PathLabel, PathRun>> }>();
  for (const list of groups.values()) {
    const [chosen, ...older] = [...list].sort(newerFirst);
    superseded.push(...older.map((o) => o.file));
    const label = chosen.result.label as PathLabel;
    const rate = chosen.result.request_rate;
    const entry = byRate.get(rateKey(rate)) ?? { rate, runs: {} };
    entry.runs[label] = { label, rate, file: chosen.file, result: chosen.result, timeseries: chosen.timeseries, checks: chosen.checks, cache: cacheFigures(chosen.result, chosen.timeseries) };
    byRate.set(rateKey(rate), entry);
  }

  let main = byRate.get(rateKey(mainRate));
  if (!main && options.strictMainRate) {
    const present = [...byRate.values()].map((c) => c.rate).sort((a, b) => (a === 'inf' ? 1 : b === 'inf' ? -1 : a - b));
    throw badInput(`--main-rate ${formatRate(mainRate)}: no results at that request rate; rates present: ${present.map(formatRate).join(', ')}`,
      'pass one of those rates, or leave --main-rate out to use benchmark.requestRate');
  }
  if (!main) {
    const candidates = [...byRate.values()].sort((a, b) => {
      const both = (c: RateComparison) => Object.keys(c.runs).length;
      const prompts = (c: RateComparison) => Math.max(...Object.values(c.runs).map((r) => Number(r?.result.num_prompts ?? r?.result.completed ?? 0)));
      return both(b) - both(a) || prompts(b) - prompts(a);
    });
    main = candidates[0];
  }
  if (!main) throw new BenchError('no results to compare', { exitCode: EXIT.badInput });

  // A staged run is filed under its mean rate but is no ladder step: its stages have their own table.
  const ladder = [...byRate.values()]
    .filter((c) => c.rate !== 'inf' && !Object.values(c.runs).some((r) => Array.isArray(r?.result.stages)))
    .sort((a, b) => (a.rate as number) - (b.rate as number));

  const labels = LABEL_ORDER.filter((l) => [...byRate.values()].some((c) => c.runs[l]));
  return { main, ladder, superseded: superseded.sort(), skipped: loaded.skipped, labels, source };
}

/** File name relative to the results directory, for display. */
export function displayName(file: string): string {
  return path.basename(file);
}
