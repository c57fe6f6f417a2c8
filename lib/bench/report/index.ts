/**
 * `llmd-bench report`: a results directory in, Markdown + SVG plots + summary JSON out.
 * Output is deterministic (no timestamps), so re-running on the same results changes nothing.
 * Simulated results say so in the title, every plot and summary.json ("source": "simulation");
 * a measured result whose liveness checks failed is marked invalid with the reason.
 */
import * as path from 'path';
import { PATH_LABELS, PathLabel, RunValidity, ThrottlingFigure } from '../result-format';
import { loadResultsDir, writeFileAtomic, writeJsonAtomic } from '../results-io';
import { CPU_PRESSURE_WARN_FRACTION, cpuCell, cpuWarning, THROTTLING_WARN_FRACTION } from '../cpu-figures';
import { Analysis, PathRun, Rate, analyze, displayName } from './analyze';
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
  /** The main rate was asked for (--main-rate): an error when no result has it, instead of a fallback. */
  readonly strictMainRate?: boolean;
}

export interface ReportOutput {
  readonly markdown: string;
  /** The main table alone, as the CLI prints it. */
  readonly mainTableMarkdown: string;
  readonly summary: ReportSummary;
  /** Files written, relative to outDir. */
  readonly files: string[];
}

/** Validity of one path's result (see run-checks.ts). */
export interface PathValidity {
  readonly status: RunValidity | 'simulated';
  readonly reasons: readonly string[];
}

export interface ReportSummary {
  readonly schema: 'llmd-bench-report/v1';
  /** "simulation": predicted by `llmd-bench simulate`; "measurement": measured on a cluster. */
  readonly source: 'simulation' | 'measurement';
  /** false when a liveness check failed for any result used; null when nothing was checked (simulation, hand-made results). */
  readonly valid: boolean | null;
  /** Why the results are invalid, one line per failed check, prefixed with path and rate. */
  readonly invalid_reasons: string[];
  /** Warnings a reader must see (CPU throttling above 5%, unchecked liveness). */
  readonly warnings: string[];
  readonly main: {
    readonly request_rate: Rate;
    readonly max_concurrency: number | null;
    readonly num_prompts: number | null;
    readonly files: Partial<Record<PathLabel, string>>;
    readonly metrics: { key: string; metric: string; values: Partial<Record<PathLabel, number>>; advantage: string; advantage_value: number | null; advantage_kind: string }[];
    readonly validity: Partial<Record<PathLabel, PathValidity>>;
    /** CPU throttling of the vLLM, EPP and Envoy containers during each path's main run. */
    readonly cpu_throttling: Partial<Record<PathLabel, readonly ThrottlingFigure[]>>;
  };
  readonly ladder: { request_rate: Rate; paths: Partial<Record<PathLabel, { request_throughput: number; output_throughput: number; median_ttft_ms: number; p99_ttft_ms: number | null; mean_tpot_ms: number; failed: number; file: string }>> }[];
  /** Load stages of the main comparison (staged runs only): per stage, each path's numbers. */
  readonly stages: ReturnType<typeof stageSummary>;
  readonly superseded: string[];
  readonly skipped: { file: string; reason: string }[];
  readonly plots: string[];
}

/** Main-table columns: round-robin and llm-d always (the reference layout), then any other path present. */
/**
 * Columns of the main table: round-robin and llm-d (the reference layout, kept when a path is missing),
 * then each router profile that ran. A run of profiles only (`--target rr,precise,approximate`) has no
 * llm-d result: no empty llm-d column then.
 */
function columns(labels: readonly PathLabel[]): PathLabel[] {
  const profiles = labels.filter((l) => l !== PATH_LABELS.roundRobin && l !== PATH_LABELS.llmd);
  const llmd = labels.includes(PATH_LABELS.llmd) || profiles.length === 0 ? [PATH_LABELS.llmd] : [];
  return [PATH_LABELS.roundRobin, ...llmd, ...profiles];
}

/** The advantage column compares llm-d with round-robin; it is shown only where an llm-d column is. */
function hasAdvantage(cols: readonly PathLabel[]): boolean {
  return cols.includes(PATH_LABELS.llmd);
}

/** Title line of report.md. */
export function reportTitle(a: Pick<Analysis, 'source'>): string {
  return a.source === 'simulation'
    ? '# SIMULATED: llm-d vs round-robin, predicted by `llmd-bench simulate` (not a measurement)'
    : '# llm-d vs round-robin: benchmark report';
}

function validityOf(a: Analysis, run: PathRun): PathValidity {
  if (a.source === 'simulation') return { status: 'simulated', reasons: [] };
  if (!run.checks) return { status: 'unchecked', reasons: ['no liveness checks recorded (not collected by `llmd-bench run`)'] };
  return { status: run.checks.status, reasons: [...run.checks.reasons] };
}

function usedRuns(a: Analysis): PathRun[] {
  const all = [a.main, ...a.ladder.filter((l) => l !== a.main)];
  return all.flatMap((c) => columns(a.labels).map((l) => c.runs[l]).filter((r): r is PathRun => r !== undefined));
}

function invalidReasons(a: Analysis): string[] {
  return usedRuns(a).flatMap((r) => (validityOf(a, r).status === 'invalid' ? validityOf(a, r).reasons.map((why) => `${r.label} at rate ${formatRate(r.rate)}: ${why}`) : []));
}

function overallValid(a: Analysis): boolean | null {
  if (a.source === 'simulation') return null;
  const statuses = usedRuns(a).map((r) => validityOf(a, r).status);
  if (statuses.includes('invalid')) return false;
  return statuses.every((s) => s === 'valid') ? true : null;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function warningsOf(a: Analysis): string[] {
  const out: string[] = [];
  for (const r of usedRuns(a)) {
    for (const t of r.checks?.cpu_throttling ?? []) {
      // Files written before `warn` covered pressure: a throttled share above the level still warns.
      if (t.warn || (t.throttled_fraction !== null && t.throttled_fraction > THROTTLING_WARN_FRACTION)) out.push(`${r.label} at rate ${formatRate(r.rate)}: ${cpuWarning(t)}`);
    }
    const v = validityOf(a, r);
    if (v.status === 'unchecked' && r.checks) out.push(`${r.label} at rate ${formatRate(r.rate)}: liveness not proven: ${v.reasons.join('; ')}`);
  }
  return out;
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
  const adv = hasAdvantage(cols);
  return markdownTable(['metric', ...cols, ...(adv ? ['advantage'] : [])], rows.map((r) => [r.metric, ...cols.map((l) => r.values[l] ?? '–'), ...(adv ? [r.advantage] : [])]));
}

function summaryOf(a: Analysis, rows: readonly MetricRow[], plots: string[]): ReportSummary {
  const any = Object.values(a.main.runs)[0]?.result;
  const mainRuns = Object.values(a.main.runs).filter((r): r is PathRun => r !== undefined);
  return {
    schema: 'llmd-bench-report/v1',
    source: a.source,
    valid: overallValid(a),
    invalid_reasons: invalidReasons(a),
    warnings: warningsOf(a),
    main: {
      request_rate: a.main.rate,
      max_concurrency: typeof any?.max_concurrency === 'number' ? any.max_concurrency : null,
      num_prompts: typeof any?.num_prompts === 'number' ? any.num_prompts : null,
      files: Object.fromEntries(Object.values(a.main.runs).map((r) => [r!.label, displayName(r!.file)])),
      metrics: rows.map((r) => ({
        key: r.key, metric: r.metric, values: r.raw, advantage: r.advantage,
        advantage_value: r.advantageValue ?? null, advantage_kind: r.advantageKind,
      })),
      validity: Object.fromEntries(mainRuns.map((r) => [r.label, validityOf(a, r)])),
      cpu_throttling: Object.fromEntries(mainRuns.filter((r) => r.checks).map((r) => [r.label, r.checks!.cpu_throttling])),
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

/** The furthest calibration distance among the simulated main runs (null for measured results). */
function calibrationOf(a: Analysis): { distance: number; summary: string; warning: string | null } | null {
  const found = Object.values(a.main.runs)
    .map((r) => (r?.result as unknown as { sim_calibration?: { distance: number; summary: string; warning: string | null } } | undefined)?.sim_calibration)
    .filter((x): x is { distance: number; summary: string; warning: string | null } => x !== undefined);
  return found.length === 0 ? null : found.reduce((x, y) => (y.distance > x.distance ? y : x));
}

function markdownOf(a: Analysis, rows: readonly MetricRow[], plotFiles: { name: string; title: string }[]): string {
  const out: string[] = [reportTitle(a), ''];
  if (a.source === 'simulation') {
    out.push('Every number and plot below is a prediction of the discrete-event simulator (docs/simulator.md) for the configuration it was given, not a measurement on a cluster.', '');
    // Once: how close the simulated configuration is to what the public anchors cover (issue 12), the
    // furthest of the main runs (each simulated result carries its own `sim_calibration`).
    const far = calibrationOf(a);
    if (far) out.push(far.summary, ...(far.warning ? ['', `**WARNING**: ${far.warning}`] : []), '');
  }
  const invalid = invalidReasons(a);
  if (invalid.length > 0) {
    out.push('**INVALID**: a liveness check failed, so these numbers do not measure what the table says:', '', ...invalid.map((r) => `- ${r}`), '');
  }
  const sources = [modelLine(a), `paths: ${a.labels.join(', ')}`].filter((s) => s).join('; ');
  out.push(sources, '');
  out.push(mainHeading(a), '', mainTableMarkdown(rows, a.labels), '');
  if (hasAdvantage(columns(a.labels))) {
    out.push('Advantage is llm-d relative to round-robin: "faster" compares durations, percentages compare llm-d with round-robin, "pts" are percentage points.');
  } else {
    out.push('There is no `llm-d` result (the configured profile), so no advantage column: compare the router profiles\' columns with round-robin directly.');
  }
  if (rows.some((r) => r.key === 'peak_waiting')) {
    out.push('The waiting-requests peak is the highest sample (the simulator samples every engine step, Prometheus every scrape, so it can exceed the plotted curve); at rate inf it is the start-up burst every path sees, the median while busy is the steady state.');
  }
  if (!rows.some((r) => CACHE_ROW_KEYS.includes(r.key))) {
    out.push('Prefix cache hit rate, KV cache usage and queue rows need the Prometheus time series (`*.timeseries.json`) that `llmd-bench run` stores beside each result; none were found.');
  }
  if (a.labels.length < 2) out.push(`Only ${a.labels.join('')} results were found, so there is nothing to compare against.`);
  out.push('');

  if (a.source === 'measurement') {
    const runs = usedRuns(a);
    out.push('## Validity', '');
    out.push(markdownTable(['path', 'request rate', 'status', 'checks'], runs.map((r) => {
      const v = validityOf(a, r);
      const detail = r.checks ? r.checks.checks.map((c) => `${c.status}: ${c.detail}`).join('; ') || '–' : v.reasons.join('; ');
      return [r.label, formatRate(r.rate), v.status === 'invalid' ? '**invalid**' : v.status, detail];
    })), '');
    const main = columns(a.labels).map((l) => a.main.runs[l]).filter((r): r is PathRun => r !== undefined);
    if (main.some((r) => r.checks)) {
      out.push('### CPU throttling and pressure during the main run (cAdvisor)', '');
      const containers = [...new Set(main.flatMap((r) => (r.checks?.cpu_throttling ?? []).map((t) => t.container)))];
      out.push(markdownTable(['container', ...main.map((r) => r.label)], containers.map((c) => [c, ...main.map((r) => cpuCell(r.checks?.cpu_throttling.find((t) => t.container === c)))])), '');
      out.push(`A container with a CPU limit: share of its CFS periods in which it was throttled (worst pod), ⚠ above ${pct(THROTTLING_WARN_FRACTION)}. `
        + `A container without one has no CFS quota and is never throttled; it lacks CPU only when its node is contended: share of the run in which some of its tasks waited for a CPU (PSI), ⚠ above ${pct(CPU_PRESSURE_WARN_FRACTION)}.`, '');
    }
    const warnings = warningsOf(a);
    if (warnings.length > 0) out.push(...warnings.map((w) => `- warning: ${w}`), '');
  }

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
  const analysis = analyze(loaded, options.mainRate, { strictMainRate: options.strictMainRate });
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
