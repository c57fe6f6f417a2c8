/**
 * The reference table (metric | round-robin | llm-d | advantage) and the rate-ladder table, as
 * rows of display strings plus the raw numbers the summary JSON carries.
 */
import { KNOWN_PATH_LABELS } from '../run-names';
import { PATH_LABELS, PathLabel, VllmBenchResult } from '../result-format';
import type { PathRun, RateComparison } from './analyze';
import { formatChange, formatNumber, formatPercent, formatPoints, formatRate, formatRatio, roundHalfAway } from './format';

/** How "advantage" is measured for a row: speed-up of a duration, relative change, or points. */
export type AdvantageKind = 'speedup' | 'change' | 'points' | 'same';

export interface MetricRow {
  /** Stable key for the summary JSON. */
  readonly key: string;
  readonly metric: string;
  readonly values: Partial<Record<PathLabel, string>>;
  readonly raw: Partial<Record<PathLabel, number>>;
  readonly advantage: string;
  /** speedup: round-robin / llm-d; change: llm-d / round-robin - 1; points: llm-d - round-robin. */
  readonly advantageValue?: number;
  readonly advantageKind: AdvantageKind;
}

interface RowSpec {
  readonly key: string;
  readonly metric: string;
  readonly value: (run: PathRun) => number | undefined;
  readonly show: (v: number, run: PathRun) => string;
  readonly kind: AdvantageKind;
}

const field = (name: keyof VllmBenchResult | string) => (run: PathRun) => {
  const v = run.result[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

const ROWS: readonly RowSpec[] = [
  { key: 'duration_s', metric: 'duration', value: field('duration'), show: (v) => `${formatNumber(v, 1)} s`, kind: 'speedup' },
  { key: 'request_throughput', metric: 'request throughput', value: field('request_throughput'), show: (v) => `${formatNumber(v, 2)} req/s`, kind: 'change' },
  { key: 'output_throughput', metric: 'output token throughput', value: field('output_throughput'), show: (v) => `${formatNumber(v, 0)} tok/s`, kind: 'change' },
  { key: 'total_token_throughput', metric: 'total token throughput', value: field('total_token_throughput'), show: (v) => `${formatNumber(v, 0)} tok/s`, kind: 'change' },
  { key: 'mean_ttft_ms', metric: 'mean TTFT', value: field('mean_ttft_ms'), show: (v) => `${formatNumber(v, 0)} ms`, kind: 'change' },
  { key: 'median_ttft_ms', metric: 'median TTFT', value: field('median_ttft_ms'), show: (v) => `${formatNumber(v, 0)} ms`, kind: 'change' },
  { key: 'p99_ttft_ms', metric: 'P99 TTFT', value: field('p99_ttft_ms'), show: (v) => `${formatNumber(v, 0)} ms`, kind: 'change' },
  { key: 'mean_tpot_ms', metric: 'mean TPOT', value: field('mean_tpot_ms'), show: (v) => `${formatNumber(v, 1)} ms`, kind: 'change' },
  { key: 'p99_tpot_ms', metric: 'P99 TPOT', value: field('p99_tpot_ms'), show: (v) => `${formatNumber(v, 1)} ms`, kind: 'change' },
  { key: 'prefix_cache_hit_rate', metric: 'prefix cache hit rate', value: (r) => r.cache.hitRate, show: (v) => formatPercent(v), kind: 'points' },
  {
    key: 'kv_cache_usage', metric: 'GPU KV cache usage (middle half of the run\'s samples)', value: (r) => r.cache.kvUsageMean, kind: 'points',
    show: (v, r) => {
      const { kvUsageP25: lo, kvUsageP75: hi } = r.cache;
      // Without time series only the mean is known: say so instead of passing it off as the range.
      if (lo === undefined || hi === undefined) return `${formatPercent(v)} (mean)`;
      const [a, b] = [roundHalfAway(lo * 100), roundHalfAway(hi * 100)];
      return a === b ? `${a}%` : `${a}-${b}%`;
    },
  },
  { key: 'median_waiting', metric: 'waiting requests (median while busy, all pods)', value: (r) => r.cache.medianWaiting, show: (v) => formatNumber(v, 0), kind: 'change' },
  { key: 'peak_waiting', metric: 'waiting requests (highest sample, all pods)', value: (r) => r.cache.peakWaiting, show: (v) => formatNumber(v, 0), kind: 'change' },
];

function advantage(kind: AdvantageKind, rr: number | undefined, llmd: number | undefined): { text: string; value?: number } {
  if (rr === undefined || llmd === undefined) return { text: 'n/a' };
  switch (kind) {
    case 'speedup': {
      if (llmd <= 0 || rr <= 0) return { text: 'n/a' };
      const ratio = rr / llmd;
      if (roundHalfAway(ratio, 2) === 1) return { text: 'same', value: ratio };
      return { text: ratio >= 1 ? `${formatRatio(ratio)} faster` : `${formatRatio(1 / ratio)} slower`, value: ratio };
    }
    case 'change':
      if (rr === 0) return { text: llmd === 0 ? 'same' : 'n/a', value: llmd === 0 ? 0 : undefined };
      return { text: formatChange(llmd / rr - 1), value: llmd / rr - 1 };
    case 'points':
      return { text: formatPoints(llmd - rr), value: llmd - rr };
    default:
      return { text: rr === llmd ? 'same' : 'different' };
  }
}

/** The reference table for one rate. Rows with no data on any path are left out. */
export function mainTable(cmp: RateComparison): MetricRow[] {
  const rr = cmp.runs[PATH_LABELS.roundRobin];
  const ll = cmp.runs[PATH_LABELS.llmd];
  const rows: MetricRow[] = [];
  const okFailed = (run: PathRun) => `${run.result.completed} / ${run.result.failed ?? 0}`;
  // Every path of this rate, in column order; "advantage" compares llm-d with round-robin.
  const present = KNOWN_PATH_LABELS.map((l) => cmp.runs[l]).filter((r): r is PathRun => r !== undefined);
  rows.push({
    key: 'successful_failed',
    metric: 'successful / failed',
    values: Object.fromEntries(present.map((r) => [r.label, okFailed(r)])),
    raw: Object.fromEntries(present.map((r) => [r.label, r.result.completed])),
    advantage: rr && ll ? (okFailed(rr) === okFailed(ll) ? 'same' : `${formatNumber(ll.result.completed - rr.result.completed)} completed`) : 'n/a',
    advantageKind: 'same',
  });
  for (const spec of ROWS) {
    const vals: Partial<Record<PathLabel, number>> = {};
    const shown: Partial<Record<PathLabel, string>> = {};
    for (const run of present) {
      const v = spec.value(run);
      if (v !== undefined) {
        vals[run.label] = v;
        shown[run.label] = spec.show(v, run);
      }
    }
    if (Object.keys(vals).length === 0) continue;
    const adv = advantage(spec.kind, vals[PATH_LABELS.roundRobin], vals[PATH_LABELS.llmd]);
    rows.push({ key: spec.key, metric: spec.metric, values: shown, raw: vals, advantage: adv.text, advantageValue: adv.value, advantageKind: spec.kind });
  }
  return rows;
}

/** Keys of the cache rows, which need time series. */
export const CACHE_ROW_KEYS = ['prefix_cache_hit_rate', 'kv_cache_usage', 'median_waiting', 'peak_waiting'];

export interface LadderRow {
  readonly rate: number | 'inf';
  readonly cells: string[];
}

export const LADDER_HEADER = [
  'requested rate (req/s)',
  'achieved req/s',
  'output tok/s',
  'median TTFT (ms)',
  'P99 TTFT (ms)',
  'mean TPOT (ms)',
  'failed',
  'llm-d throughput',
];

/** One row per numeric rate: "round-robin / llm-d" in each cell. */
export function ladderTable(ladder: readonly RateComparison[]): LadderRow[] {
  const pair = (c: RateComparison, f: (r: VllmBenchResult) => number | undefined, decimals: number) => {
    const s = (run: PathRun | undefined) => {
      const v = run ? f(run.result) : undefined;
      return v === undefined || !Number.isFinite(v) ? '–' : formatNumber(v, decimals);
    };
    return `${s(c.runs[PATH_LABELS.roundRobin])} / ${s(c.runs[PATH_LABELS.llmd])}`;
  };
  return ladder.map((c) => {
    const rr = c.runs[PATH_LABELS.roundRobin]?.result.request_throughput;
    const ll = c.runs[PATH_LABELS.llmd]?.result.request_throughput;
    return {
      rate: c.rate,
      cells: [
        formatRate(c.rate),
        pair(c, (r) => r.request_throughput, 2),
        pair(c, (r) => r.output_throughput, 0),
        pair(c, (r) => r.median_ttft_ms, 0),
        pair(c, (r) => r.p99_ttft_ms, 0),
        pair(c, (r) => r.mean_tpot_ms, 1),
        pair(c, (r) => r.failed ?? 0, 0),
        rr !== undefined && ll !== undefined && rr > 0 ? formatChange(ll / rr - 1) : 'n/a',
      ],
    };
  });
}

/** A Markdown table. Pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
