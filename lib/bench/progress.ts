/** One-line progress of a benchmark step, as shown under its listr2 task. */
import { formatNumber } from './report/format';
import type { StepProgress } from './runner';

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

const PHASE_TEXT: Record<StepProgress['phase'], string> = {
  skipped: 'skipped',
  cleanup: 'cleaning up',
  reset: 'resetting prefix caches',
  launch: 'launching Job',
  pending: 'waiting for the client pod',
  running: 'running',
  collect: 'collecting result',
  done: 'done',
};

export function formatProgress(p: StepProgress): string {
  const parts = [PHASE_TEXT[p.phase], formatDuration(p.elapsedS)];
  if (p.phase === 'running') {
    parts.push(p.completed === undefined
      ? `${formatNumber(p.total)} requests (no live count: Prometheus unreachable)`
      : `${formatNumber(p.completed)}/${formatNumber(p.total)} requests`);
    if (p.running !== undefined) parts.push(`running ${formatNumber(p.running)}`);
    if (p.waiting !== undefined) parts.push(`waiting ${formatNumber(p.waiting)}`);
  }
  if (p.detail) parts.push(p.detail);
  return parts.join(' · ');
}
