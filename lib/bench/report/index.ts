/**
 * `llmd-bench report`: a results directory in, Markdown + SVG plots + summary JSON out.
 * Output is deterministic (no timestamps), so re-running on the same results changes nothing.
 */
import * as path from 'path';
import { PATH_LABELS, PathLabel } from '../result-format';
import { loadResultsDir, writeFileAtomic, writeJsonAtomic } from '../results-io';
import { Analysis, Rate, analyze, displayName } from './analyze';
import { formatRate } from './format';
import { buildPlots, renderSvg } from './plots';
import { stageMarkdown, stageSummary } from './stages';
import { CACHE_ROW_KEYS, LADDER_HEADER, MetricRow, ladderTable, mainTable, markdownTable } from './tables';

export interface ReportOptions {
  /** Directory of result files. */
  readonly resultsDir: string;
  /** Where report.md, summary.json and the SVGs go. */
  readonly outDir: string;
  /** Request rate of the main comparison (the configured benchmark.requestRate). */
  readonly mainRate: Rate;
}

export interface ReportOutput {
  readonly markdown: string;
  /** The main table alone, as the CLI prints it. */
  readonly mainTableMarkdown: string;
  readonly summary: ReportSummary;
  /** Files written, relative to outDir. */
  readonly files: string[];
}

export interface ReportSummary {
  readonly schema: 'llmd-bench-report/v1';
  readonly main: {
    readonly request_rate: Rate;
    readonly max_concurrency: number | null;
    readonly num_prompts: number | null;
    readonly files: Partial<Record<PathLabel, string>>;
    readonly metrics: { key: string; metric: string; values: Partial<Record<PathLabel, number>>; advantage: string; advantage_value: number | null; advantage_kind: string }[];
  };
  readonly ladder: { request_rate: Rate; paths: Partial<Record<PathLabel, { request_throughput: number; output_throughput: number; median_ttft_ms: number; p99_ttft_ms: number | null; mean_tpot_ms: number; failed: number; file: string }>> }[];
  /** Load stages of the main comparison (staged runs only): per stage, each path's numbers. */
  readonly stages: ReturnType<typeof stageSummary>;
  readonly superseded: string[];
  readonly skipped: { file: string; reason: string }[];
  readonly plots: string[];
}

/** Main-table columns: round-robin and llm-d always (the reference layout), then any other path present. */
function columns(labels: readonly PathLabel[]): PathLabel[] {
  return [PATH_LABELS.roundRobin, PATH_LABELS.llmd, ...labels.filter((l) => l !== PATH_LABELS.roundRobin && l !== PATH_LABELS.llmd)];
}

function mainHeading(a: Analysis): string {
  const any = Object.values(a.main.runs)[0];
  const conc = any?.result.max_concurrency;
  const prompts = any?.result.num_prompts;
  return `## Results at ${conc ?? 'unlimited'} concurrency (request rate ${formatRate(a.main.rate)}${prompts ? `, ${prompts} prompts` : ''})`;
}

function modelLine(a: Analysis): string {
  const r = Object.values(a.main.runs)[0]?.result;
  const parts = [r?.model_id ? `model \`${r.model_id}\`` : undefined, r?.backend ? `backend \`${r.backend}\`` : undefined].filter(Boolean);
  return parts.join(', ');
}

export function mainTableMarkdown(rows: readonly MetricRow[], labels: readonly PathLabel[] = []): string {
  const cols = columns(labels);
  return markdownTable(['metric', ...cols, 'advantage'], rows.map((r) => [r.metric, ...cols.map((l) => r.values[l] ?? '–'), r.advantage]));
}

function summaryOf(a: Analysis, rows: readonly MetricRow[], plots: string[]): ReportSummary {
  const any = Object.values(a.main.runs)[0]?.result;
  return {
    schema: 'llmd-bench-report/v1',
    main: {
      request_rate: a.main.rate,
      max_concurrency: typeof any?.max_concurrency === 'number' ? any.max_concurrency : null,
      num_prompts: typeof any?.num_prompts === 'number' ? any.num_prompts : null,
      files: Object.fromEntries(Object.values(a.main.runs).map((r) => [r!.label, displayName(r!.file)])),
      metrics: rows.map((r) => ({
        key: r.key, metric: r.metric, values: r.raw, advantage: r.advantage,
        advantage_value: r.advantageValue ?? null, advantage_kind: r.advantageKind,
      })),
    },
    ladder: a.ladder.map((c) => ({
      request_rate: c.rate,
      paths: Object.fromEntries(Object.values(c.runs).map((r) => [r!.label, {
        request_throughput: r!.result.request_throughput,
        output_throughput: r!.result.output_throughput,
        median_ttft_ms: r!.result.median_ttft_ms,
        p99_ttft_ms: typeof r!.result.p99_ttft_ms === 'number' ? r!.result.p99_ttft_ms : null,
        mean_tpot_ms: r!.result.mean_tpot_ms,
        failed: r!.result.failed ?? 0,
        file: displayName(r!.file),
      }])),
    })),
    stages: stageSummary(a),
    superseded: a.superseded.map(displayName),
    skipped: a.skipped.map((s) => ({ file: displayName(s.file), reason: s.reason })),
    plots,
  };
}

function markdownOf(a: Analysis, rows: readonly MetricRow[], plotFiles: { name: string; title: string }[]): string {
  const out: string[] = ['# llm-d vs round-robin: benchmark report', ''];
  const sources = [modelLine(a), `paths: ${a.labels.join(', ')}`].filter((s) => s).join('; ');
  out.push(sources, '');
  out.push(mainHeading(a), '', mainTableMarkdown(rows, a.labels), '');
  out.push('Advantage is llm-d relative to round-robin: "faster" compares durations, percentages compare llm-d with round-robin, "pts" are percentage points.');
  if (!rows.some((r) => CACHE_ROW_KEYS.includes(r.key))) {
    out.push('Prefix cache hit rate, KV cache usage and queue rows need the Prometheus time series (`*.timeseries.json`) that `llmd-bench run` stores beside each result; none were found.');
  }
  if (a.labels.length < 2) out.push(`Only ${a.labels.join('')} results were found, so there is nothing to compare against.`);
  out.push('');

  out.push(...stageMarkdown(a));
  out.push('## Rate ladder', '');
  if (a.ladder.length === 0) {
    out.push('No results at numeric request rates (run `llmd-bench run --ladder`).', '');
  } else {
    out.push('Each cell is round-robin / llm-d.', '', markdownTable(LADDER_HEADER, ladderTable(a.ladder).map((r) => r.cells)), '');
  }

  out.push('## Plots', '');
  if (plotFiles.length === 0) out.push('No data to plot.', '');
  for (const p of plotFiles) out.push(`![${p.title}](${p.name})`, '');

  out.push('## Result files', '');
  const fileRows: string[][] = [];
  for (const c of [a.main, ...a.ladder.filter((l) => l !== a.main)]) {
    for (const l of columns(a.labels)) {
      const r = c.runs[l];
      if (r) fileRows.push([l, formatRate(r.rate), String(r.result.num_prompts ?? '?'), String(r.result.date ?? '?'), `\`${displayName(r.file)}\``, r.timeseries ? 'yes' : 'no']);
    }
  }
  out.push(markdownTable(['path', 'request rate', 'prompts', 'date', 'file', 'time series'], fileRows), '');
  if (a.superseded.length > 0) out.push(`Superseded by newer results at the same path and rate: ${a.superseded.map((f) => `\`${displayName(f)}\``).join(', ')}.`, '');
  if (a.skipped.length > 0) out.push(`Skipped: ${a.skipped.map((s) => `\`${displayName(s.file)}\` (${s.reason})`).join(', ')}.`, '');
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Builds the report from the results directory and writes it (each file atomically). */
export async function generateReport(options: ReportOptions): Promise<ReportOutput> {
  const loaded = loadResultsDir(options.resultsDir);
  const analysis = analyze(loaded, options.mainRate);
  const rows = mainTable(analysis.main);
  const plots = buildPlots(analysis);
  const files: string[] = [];
  const plotFiles: { name: string; title: string }[] = [];
  for (const plot of plots) {
    const svg = await renderSvg(plot.spec);
    const name = `${plot.name}.svg`;
    writeFileAtomic(path.join(options.outDir, name), svg);
    files.push(name);
    plotFiles.push({ name, title: plot.title });
  }
  const markdown = markdownOf(analysis, rows, plotFiles);
  const summary = summaryOf(analysis, rows, plotFiles.map((p) => p.name));
  writeJsonAtomic(path.join(options.outDir, 'summary.json'), summary);
  writeFileAtomic(path.join(options.outDir, 'report.md'), markdown);
  files.push('summary.json', 'report.md');
  return { markdown, mainTableMarkdown: mainTableMarkdown(rows, analysis.labels), summary, files };
}
