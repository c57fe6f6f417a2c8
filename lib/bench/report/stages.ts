/**
 * The load-stage part of the report: a per-stage table (every path of the main comparison that ran
 * stages) and TTFT-vs-stage-rate and throughput-vs-stage-rate plots. A staged result carries `stages`
 * (result-format.ts StageResult), from inference-perf's per-stage reports or `simulate --stages`.
 */
import type { StageResult } from '../result-format';
import type { Analysis, PathRun } from './analyze';
import { formatNumber, formatPercent } from './format';
import { base, logDomain, pathColorFor, type Plot } from './plots';
import { markdownTable } from './tables';

/** Paths of the main comparison that carry stages, in column order. */
export function stagedRuns(a: Analysis): PathRun[] {
  return a.labels.map((l) => a.main.runs[l]).filter((r): r is PathRun => r !== undefined && Array.isArray(r.result.stages) && r.result.stages.length > 0);
}

function stagesOf(r: PathRun): readonly StageResult[] {
  return r.result.stages as readonly StageResult[];
}

export function stageName(s: StageResult): string {
  return s.duration_s === null ? `${s.completed} requests, closed loop` : `${formatNumber(s.rate as number, Number.isInteger(s.rate) ? 0 : 2)} req/s x ${s.duration_s} s`;
}

export const STAGE_HEADER = [
  'stage', 'path', 'completed', 'req/s', 'output tok/s', 'mean TTFT (ms)', 'median TTFT (ms)', 'P90 TTFT (ms)', 'P99 TTFT (ms)',
  'mean TPOT (ms)', 'P99 TPOT (ms)', 'prefix cache hit rate', 'waiting (peak)',
];

/** One row per stage and path. */
export function stageRows(a: Analysis): string[][] {
  const runs = stagedRuns(a);
  const count = Math.max(0, ...runs.map((r) => stagesOf(r).length));
  const rows: string[][] = [];
  const n = (v: number | null | undefined, d: number) => (typeof v === 'number' && Number.isFinite(v) ? formatNumber(v, d) : '–');
  for (let i = 0; i < count; i++) {
    for (const r of runs) {
      const s = stagesOf(r)[i];
      if (!s) continue;
      rows.push([
        stageName(s), r.label, String(s.completed), n(s.request_throughput, 2), n(s.output_throughput, 0),
        n(s.mean_ttft_ms, 0), n(s.median_ttft_ms, 0), n(s.p90_ttft_ms, 0), n(s.p99_ttft_ms, 0), n(s.mean_tpot_ms, 1), n(s.p99_tpot_ms, 1),
        s.prefix_cache_hit_rate === null ? '–' : formatPercent(s.prefix_cache_hit_rate), n(s.max_waiting, 0),
      ]);
    }
  }
  return rows;
}

export function stageMarkdown(a: Analysis): string[] {
  const runs = stagedRuns(a);
  if (runs.length === 0) return [];
  return [
    a.source === 'simulation' ? '## Load stages (SIMULATED)' : '## Load stages', '',
    ...(a.source === 'simulation' ? ['Predicted by `llmd-bench simulate`, not measured.', ''] : []),
    'Stages ran back to back, each starting when the previous one drained; throughput is completed requests over the stage\'s first send to last completion (inference-perf\'s per-stage report). A warm-up stage is not shown.', '',
    markdownTable(STAGE_HEADER, stageRows(a)), '',
  ];
}

/** summary.json `stages`: per stage, the requested load, every path's numbers, and whether they were simulated. */
export function stageSummary(a: Analysis): { rate: number | 'inf'; duration_s: number | null; source: Analysis['source']; paths: Record<string, StageResult> }[] {
  const runs = stagedRuns(a);
  const count = Math.max(0, ...runs.map((r) => stagesOf(r).length));
  return Array.from({ length: count }, (_, i) => {
    const first = runs.map((r) => stagesOf(r)[i]).find((s) => s !== undefined)!;
    return { rate: first.rate, duration_s: first.duration_s, source: a.source, paths: Object.fromEntries(runs.filter((r) => stagesOf(r)[i]).map((r) => [r.label, stagesOf(r)[i]])) };
  });
}

function numericStages(a: Analysis): { path: string; rate: number; s: StageResult }[] {
  return stagedRuns(a).flatMap((r) => stagesOf(r).filter((s) => typeof s.rate === 'number').map((s) => ({ path: r.label, rate: s.rate as number, s })));
}

export function ttftVsStageRate(a: Analysis): Plot | undefined {
  const points = numericStages(a);
  if (points.length === 0) return undefined;
  const data = points.flatMap(({ path, rate, s }) => [
    { path, rate, stat: 'median', ms: s.median_ttft_ms },
    { path, rate, stat: 'P99', ms: s.p99_ttft_ms },
  ]).filter((d) => Number.isFinite(d.ms) && d.ms > 0);
  const spec = {
    ...base('Time to first token per load stage', 'x: the stage\'s requested rate; solid: median, dashed: P99', data),
    mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2.5 },
    encoding: {
      x: { field: 'rate', type: 'quantitative', title: 'stage request rate (req/s)', scale: { domainMin: 0 } },
      y: { field: 'ms', type: 'quantitative', title: 'TTFT (ms, log scale)', scale: { type: 'log', domain: logDomain(data.map((d) => d.ms)) }, axis: { format: '~s' } },
      color: pathColorFor(data.map((d) => d.path)),
      strokeDash: { field: 'stat', type: 'nominal', scale: { domain: ['median', 'P99'], range: [[1, 0], [6, 4]] }, legend: null },
      detail: { field: 'stat' },
      tooltip: [{ field: 'path' }, { field: 'rate' }, { field: 'stat' }, { field: 'ms', format: ',.0f' }],
    },
  };
  return { name: 'ttft-vs-stage-rate', title: 'TTFT vs stage rate', spec };
}

export function throughputVsStageRate(a: Analysis): Plot | undefined {
  const points = numericStages(a);
  if (points.length === 0) return undefined;
  const data = points.map(({ path, rate, s }) => ({ path, rate, achieved: s.request_throughput, output: s.output_throughput }));
  const maxRate = Math.max(...data.map((d) => d.rate));
  const spec = {
    ...base('Throughput per load stage', 'achieved requests/s against the stage\'s requested rate; dashed: offered load', data),
    layer: [
      {
        data: { values: [{ rate: 0, achieved: 0 }, { rate: maxRate, achieved: maxRate }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999', strokeWidth: 1 },
        encoding: { x: { field: 'rate', type: 'quantitative' }, y: { field: 'achieved', type: 'quantitative' } },
      },
      {
        mark: { type: 'line', point: { size: 60, filled: true }, strokeWidth: 2.5 },
        encoding: {
          x: { field: 'rate', type: 'quantitative', title: 'stage request rate (req/s)', scale: { domainMin: 0 } },
          y: { field: 'achieved', type: 'quantitative', title: 'achieved throughput (req/s)', scale: { domainMin: 0 } },
          color: pathColorFor(data.map((d) => d.path)),
          tooltip: [{ field: 'path' }, { field: 'rate' }, { field: 'achieved', format: '.2f' }, { field: 'output', format: ',.0f' }],
        },
      },
    ],
  };
  return { name: 'throughput-vs-stage-rate', title: 'Throughput vs stage rate', spec };
}

export function stagePlots(a: Analysis): Plot[] {
  return [throughputVsStageRate(a), ttftVsStageRate(a)].filter((p): p is Plot => p !== undefined);
}
