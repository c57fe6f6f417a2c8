/**
 * The CPU figures of one run and how they read (thresholds, warnings, report cells). Kept free of the
 * chart imports so `report` stays light; what is watched and queried is cpu-watch.ts.
 */
import type { PromSeries } from './cluster/types';
import type { ThrottlingFigure } from './result-format';

/** Throttled share of CFS periods above which the report warns. */
export const THROTTLING_WARN_FRACTION = 0.05;
/**
 * Share of the run's wall time in which some task of a container without a CPU limit waited for a CPU
 * (PSI "some"), above which the report warns. A chosen alarm level, not fitted: twice the throttling
 * level, because "some" already counts a wait of any one of the container's threads (the EPP's Go
 * runtime and vLLM's API server run many), while a throttled CFS period stalls all of them.
 */
export const CPU_PRESSURE_WARN_FRACTION = 0.1;

/** One container the runs watch, and how its CPU shortage is measured. */
export interface CpuWatch {
  /** Container name as rendered. */
  readonly container: string;
  /** Its CPU limit in the render, cores; null: none. */
  readonly cpuLimitCores: number | null;
  /** `throttling` when it has a CPU limit (CFS quota), `pressure` (PSI) when it has none. */
  readonly measure: 'throttling' | 'pressure';
}

const first = (s: PromSeries) => s.values[0]?.[1];

function perPod(series: readonly PromSeries[] | undefined, container: string): { pod: string; v: number }[] {
  return (series ?? []).filter((s) => s.metric.container === container).map((s) => ({ pod: s.metric.pod ?? '?', v: first(s) }))
    .filter((x): x is { pod: string; v: number } => x.v !== undefined && Number.isFinite(x.v))
    .sort((a, b) => b.v - a.v);
}

/** The CPU figure of every watched container (worst pod), from the three cAdvisor answers. */
export function cpuFigures(
  watch: readonly CpuWatch[],
  answers: { throttled?: readonly PromSeries[]; pressure?: readonly PromSeries[]; cores?: readonly PromSeries[] },
): ThrottlingFigure[] {
  return watch.map((w) => {
    const throttled = w.measure === 'throttling' ? perPod(answers.throttled, w.container)[0] : undefined;
    const pressure = perPod(answers.pressure, w.container)[0];
    const cores = perPod(answers.cores, w.container).map((x) => x.v);
    const worst = w.measure === 'throttling' ? throttled : pressure;
    return {
      container: w.container,
      measure: w.measure,
      cpu_limit_cores: w.cpuLimitCores,
      // No series for a container with a limit: not scraped (or not running during the run).
      throttled_fraction: throttled ? throttled.v : null,
      // No series: the node does not export PSI (cgroup v1, or a kernel booted without psi=1).
      cpu_pressure_fraction: pressure ? pressure.v : null,
      worst_pod: worst?.pod ?? null,
      cpu_cores_max: cores.length > 0 ? Math.max(...cores) : null,
      warn: w.measure === 'throttling'
        ? throttled !== undefined && throttled.v > THROTTLING_WARN_FRACTION
        : pressure !== undefined && pressure.v > CPU_PRESSURE_WARN_FRACTION,
    };
  });
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

/** One sentence for a figure that warns (run's warnings, the report's warnings). */
export function cpuWarning(t: ThrottlingFigure): string {
  if (t.measure === 'pressure') {
    return `container ${t.container} (${t.worst_pod}) waited for CPU ${pct(t.cpu_pressure_fraction ?? 0)} of the run (CPU pressure, over ${pct(CPU_PRESSURE_WARN_FRACTION)}; it has no CPU limit, so its node's CPU was contended); its latencies include the wait`;
  }
  return `container ${t.container} (${t.worst_pod}) was CPU-throttled in ${pct(t.throttled_fraction ?? 0)} of its CFS periods (over ${pct(THROTTLING_WARN_FRACTION)}, CPU limit ${t.cpu_limit_cores ?? '?'}); its latencies include the wait`;
}

/** One table cell of the report for a figure. */
export function cpuCell(t: ThrottlingFigure | undefined): string {
  if (!t) return '–';
  const cores = t.cpu_cores_max === null ? '' : `, up to ${t.cpu_cores_max.toFixed(2)} cores`;
  // Checks files written before `measure` existed: throttling, null meaning no CFS quota.
  if (t.measure === 'pressure' || (t.measure === undefined && t.throttled_fraction === null)) {
    const p = t.cpu_pressure_fraction ?? null;
    return p === null ? `no CPU limit, pressure not exported${cores}` : `no CPU limit, waited ${pct(p)}${t.warn ? ' ⚠' : ''}${cores}`;
  }
  const limit = t.cpu_limit_cores ? ` (limit ${t.cpu_limit_cores})` : '';
  return t.throttled_fraction === null ? `no data${limit}${cores}` : `${pct(t.throttled_fraction)} throttled${t.warn ? ' ⚠' : ''}${limit}${cores}`;
}
