/**
 * The report's plots as vega-lite specs, rendered headless to SVG (vega View with renderer "none").
 * Each plot is built only when its data exists (no ladder: no rate plots; no time series: no
 * over-time plots).
 */
import { KNOWN_PATH_LABELS } from '../run-names';
import { PATH_LABELS, PathLabel, TimeSeriesName } from '../result-format';
import type { Analysis, PathRun, RateComparison } from './analyze';

/** Path colours, fixed so a path looks the same in every plot (Tableau 10; round-robin and llm-d the colour-blind safe pair). */
export const PATH_COLORS: Record<PathLabel, string> = {
  [PATH_LABELS.roundRobin]: '#e45756',
  random: '#ff9da6',
  [PATH_LABELS.llmd]: '#4c78a8',
  'llm-d-precise': '#72b7b2',
  'llm-d-approximate': '#54a24b',
  'llm-d-load': '#eeca3b',
  'llm-d-random': '#b279a2',
  'llm-d-custom': '#9d755d',
  'llm-d-no-speculative': '#bab0ac',
};

export interface Plot {
  /** File name (`<name>.svg`). */
  readonly name: string;
  readonly title: string;
  /** A vega-lite spec. */
  readonly spec: Record<string, unknown>;
}

const WIDTH = 560;
/** 1-2-5 ticks for log axes (vega's default puts a grid line at every integer multiple). */
const LOG_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6];
const HEIGHT = 300;

const BASE_CONFIG = {
  background: 'white',
  padding: 12,
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', offset: 12, subtitleFontSize: 12, subtitleColor: '#555' },
  axis: { labelFontSize: 12, titleFontSize: 12, titlePadding: 8, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top', direction: 'horizontal', title: null },
  view: { stroke: null },
};

/**
 * The colour encoding of the paths: a fixed colour per path (PATH_COLORS), and a legend that lists only
 * the paths given (the ones that have data), in report column order.
 */
export function pathColorFor(labels: readonly string[]): Record<string, unknown> {
  const domain = KNOWN_PATH_LABELS.filter((l) => labels.includes(l));
  return { field: 'path', type: 'nominal', scale: { domain, range: domain.map((l) => PATH_COLORS[l]) }, legend: { title: null } };
}

export function base(title: string, subtitle: string, data: unknown[]): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values: data },
    config: BASE_CONFIG,
  };
}

function ladderRuns(ladder: readonly RateComparison[]): PathRun[] {
  return ladder.flatMap((c) => Object.values(c.runs).filter((r): r is PathRun => r !== undefined));
}

/** Achieved request throughput against the requested rate, with the offered-load diagonal. */
export function throughputVsRate(ladder: readonly RateComparison[], labels?: readonly PathLabel[]): Plot | undefined {
  const runs = ladderRuns(ladder);
  if (runs.length === 0) return undefined;
  const data = runs.map((r) => ({ path: r.label, rate: r.rate as number, achieved: r.result.request_throughput, output: r.result.output_throughput }));
  const maxRate = Math.max(...data.map((d) => d.rate));
  const spec = {
    ...base('Throughput vs requested rate', 'achieved requests/s; dashed: offered load (achieved = requested)', data),
    layer: [
      {
        data: { values: [{ rate: 0, achieved: 0 }, { rate: maxRate, achieved: maxRate }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999', strokeWidth: 1 },
        encoding: { x: { field: 'rate', type: 'quantitative' }, y: { field: 'achieved', type: 'quantitative' } },
      },
      {
        mark: { type: 'line', point: { size: 60, filled: true }, strokeWidth: 2.5 },
        encoding: {
          x: { field: 'rate', type: 'quantitative', title: 'requested rate (req/s)', scale: { domainMin: 0 } },
          y: { field: 'achieved', type: 'quantitative', title: 'achieved throughput (req/s)', scale: { domainMin: 0 } },
          color: pathColorFor(labels ?? data.map((d) => d.path)),
          tooltip: [{ field: 'path' }, { field: 'rate' }, { field: 'achieved', format: '.2f' }, { field: 'output', format: ',.0f' }],
        },
      },
    ],
  };
  return { name: 'throughput-vs-rate', title: 'Throughput vs requested rate', spec };
}

/** Median and P99 TTFT against the requested rate (log scale: the paths differ by orders of magnitude). */
export function ttftVsRate(ladder: readonly RateComparison[], labels?: readonly PathLabel[]): Plot | undefined {
  const runs = ladderRuns(ladder);
  if (runs.length === 0) return undefined;
  const data = runs.flatMap((r) => [
    { path: r.label, rate: r.rate as number, stat: 'median', ms: r.result.median_ttft_ms },
    ...(typeof r.result.p99_ttft_ms === 'number' ? [{ path: r.label, rate: r.rate as number, stat: 'P99', ms: r.result.p99_ttft_ms }] : []),
  ]).filter((d) => d.ms > 0);
  const spec = {
    ...base('Time to first token vs requested rate', 'solid: median, dashed: P99', data),
    mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2.5 },
    encoding: {
      x: { field: 'rate', type: 'quantitative', title: 'requested rate (req/s)', scale: { domainMin: 0 } },
      y: { field: 'ms', type: 'quantitative', title: 'TTFT (ms, log scale)', scale: { type: 'log', domain: logDomain(data.map((d) => d.ms)) }, axis: { format: '~s', values: LOG_TICKS } },
      color: pathColorFor(labels ?? data.map((d) => d.path)),
      // The subtitle explains the dashes; vega draws no visible symbol for a dash-only legend.
      strokeDash: { field: 'stat', type: 'nominal', scale: { domain: ['median', 'P99'], range: [[1, 0], [6, 4]] }, legend: null },
      detail: { field: 'stat' },
      tooltip: [{ field: 'path' }, { field: 'rate' }, { field: 'stat' }, { field: 'ms', format: ',.0f' }],
    },
  };
  return { name: 'ttft-vs-rate', title: 'TTFT vs requested rate', spec };
}

/** TTFT statistics of the main run side by side, one group per statistic. */
export function ttftPercentiles(main: RateComparison, labels?: readonly PathLabel[]): Plot | undefined {
  const runs = Object.values(main.runs).filter((r): r is PathRun => r !== undefined);
  if (runs.length === 0) return undefined;
  const stats = new Map<string, string>([['mean_ttft_ms', 'mean'], ['median_ttft_ms', 'median']]);
  for (const r of runs) {
    for (const k of Object.keys(r.result)) {
      const m = /^p(\d+(?:\.\d+)?)_ttft_ms$/.exec(k);
      // P50 is the median (numpy computes both the same way): one bar, not two equal ones.
      if (m && Number(m[1]) !== 50) stats.set(k, `P${m[1]}`);
    }
  }
  const order = [...stats.entries()].sort((a, b) => statRank(a[1]) - statRank(b[1]));
  const data = runs.flatMap((r) => order
    .filter(([k]) => typeof r.result[k] === 'number')
    .map(([k, stat]) => ({ path: r.label, stat, ms: r.result[k] as number, text: `${Math.round(r.result[k] as number).toLocaleString('en-US')}` })));
  const spec = {
    ...base('Time to first token, main run', `request rate ${String(main.rate)}, ${runs[0].result.max_concurrency ?? '?'} concurrent; bars labelled in ms`, data),
    width: { step: 44 },
    encoding: {
      x: { field: 'stat', type: 'nominal', sort: order.map(([, s]) => s), title: null, axis: { labelAngle: 0, labelFontSize: 13 } },
      xOffset: { field: 'path', sort: (pathColorFor(data.map((d) => d.path)).scale as { domain: string[] }).domain },
      y: { field: 'ms', type: 'quantitative', title: 'TTFT (ms)', axis: { format: ',.0f' } },
      color: pathColorFor(labels ?? data.map((d) => d.path)),
    },
    layer: [
      { mark: { type: 'bar', width: { band: 0.9 } }, encoding: { tooltip: [{ field: 'path' }, { field: 'stat' }, { field: 'ms', format: ',.0f' }] } },
      { mark: { type: 'text', dy: -7, fontSize: 11 }, encoding: { text: { field: 'text' } } },
    ],
  };
  return { name: 'ttft-percentiles', title: 'TTFT percentiles per path', spec };
}

/** A log-axis domain from the 1-2-5 tick just below the smallest value to the one just above the largest. */
export function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [1, 10];
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  const below = [...LOG_TICKS].reverse().find((t) => t <= lo) ?? LOG_TICKS[0];
  const above = LOG_TICKS.find((t) => t >= hi) ?? LOG_TICKS[LOG_TICKS.length - 1];
  return [below, above];
}

function statRank(stat: string): number {
  if (stat === 'mean') return -2;
  if (stat === 'median') return -1;
  return Number(stat.slice(1));
}

/** One series over time per path (mean over pods, or the `total` series), from the main run. */
function overTime(main: RateComparison, name: TimeSeriesName, title: string, yTitle: string, percent: boolean, fileName: string, agg: 'mean' | 'sum' = 'mean', labels?: readonly PathLabel[]): Plot | undefined {
  const data: { path: string; t: number; v: number }[] = [];
  let pooled = false;
  for (const r of Object.values(main.runs)) {
    const series = r?.timeseries?.series[name];
    if (!r || !series) continue;
    const keys = Object.keys(series);
    const use = keys.includes('total') ? ['total'] : keys;
    pooled ||= use[0] === 'total';
    const byT = new Map<number, number[]>();
    for (const k of use) for (const [t, v] of series[k]) if (Number.isFinite(v)) byT.set(t, [...(byT.get(t) ?? []), v]);
    for (const [t, vs] of [...byT.entries()].sort((a, b) => a[0] - b[0])) {
      const sum = vs.reduce((a, b) => a + b, 0);
      data.push({ path: r.label, t, v: agg === 'sum' ? sum : sum / vs.length });
    }
  }
  if (data.length === 0) return undefined;
  const spec = {
    ...base(title, `main run, ${pooled ? 'all decode pods together' : `${agg === 'sum' ? 'summed' : 'averaged'} over decode pods`}, one sample every ${stepOf(main)} s${name === 'prefix_cache_hit_rate' ? `; each point is the hit rate over the preceding ${rateWindowOf(main)} s, not cumulative` : ''}`, data),
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time since the run started (s)' },
      y: { field: 'v', type: 'quantitative', title: yTitle, ...(percent ? { axis: { format: '.0%' }, scale: { domain: [0, 1] } } : {}) },
      color: pathColorFor(labels ?? data.map((d) => d.path)),
    },
  };
  return { name: fileName, title, spec };
}

function rateWindowOf(main: RateComparison): string {
  const w = Object.values(main.runs).map((r) => r?.timeseries?.rate_window_s ?? r?.timeseries?.step_s).filter((s): s is number => typeof s === 'number');
  return w.length > 0 ? String(w[0]) : '?';
}

function stepOf(main: RateComparison): string {
  const steps = Object.values(main.runs).map((r) => r?.timeseries?.step_s).filter((s): s is number => typeof s === 'number');
  return steps.length > 0 ? String(steps[0]) : '?';
}

/** Subtitle prefix of every plot of a simulated report. */
export const SIMULATED_SUBTITLE = 'SIMULATED (llmd-bench simulate), not measured';

/** Marks a plot as simulated: title and subtitle say so, so an SVG pasted alone still does. */
function markSimulated(plot: Plot): Plot {
  const title = plot.spec.title as { text: string; subtitle: string };
  return { ...plot, spec: { ...plot.spec, title: { text: `Simulated: ${title.text}`, subtitle: `${SIMULATED_SUBTITLE} · ${title.subtitle}` } } };
}

/** Every plot the data allows, in report order. */
export function buildPlots(analysis: Analysis): Plot[] {
  const { stagePlots } = require('./stages') as typeof import('./stages');
  const l = analysis.labels;
  const plots = [
    throughputVsRate(analysis.ladder, l),
    ttftVsRate(analysis.ladder, l),
    ...stagePlots(analysis),
    ttftPercentiles(analysis.main, l),
    overTime(analysis.main, 'kv_cache_usage', 'GPU KV cache usage over time', 'KV cache usage', true, 'kv-usage-over-time', 'mean', l),
    overTime(analysis.main, 'prefix_cache_hit_rate', 'Prefix cache hit rate over time', 'prefix cache hit rate', true, 'hit-rate-over-time', 'mean', l),
    overTime(analysis.main, 'num_requests_waiting', 'Waiting requests over time', 'waiting requests (all pods)', false, 'waiting-over-time', 'sum', l),
  ].filter((p): p is Plot => p !== undefined);
  return analysis.source === 'simulation' ? plots.map(markSimulated) : plots;
}

/** Renders a vega-lite spec to an SVG string, headless. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  // Loaded here so commands that draw nothing do not pay for vega's start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vega = require('vega') as typeof import('vega');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vl = require('vega-lite') as typeof import('vega-lite');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
