/** Number formatting in the reference table's style: "840.2 s", "2,742 tok/s", "-95%", "2.3x faster". */

/** Rounds half away from zero (Math.round rounds -0.5 up to -0). */
export function roundHalfAway(value: number, decimals = 0): number {
  const f = 10 ** decimals;
  return (Math.sign(value) * Math.round(Math.abs(value) * f)) / f;
}

/** Thousands separators and a fixed number of decimals: 26361.9 -> "26,362". */
export function formatNumber(value: number, decimals = 0): string {
  return roundHalfAway(value, decimals).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A relative change as a signed percentage: 1.343 -> "+134%", -0.9546 -> "-95%". */
export function formatChange(fraction: number): string {
  const pct = fraction * 100;
  const decimals = Math.abs(pct) < 1 && pct !== 0 ? 1 : 0;
  const rounded = roundHalfAway(pct, decimals);
  if (rounded === 0) return '±0%';
  return `${rounded > 0 ? '+' : ''}${formatNumber(rounded, decimals)}%`;
}

/** A ratio >= 1 as "2.3x" (one decimal below 10, none above). */
export function formatRatio(ratio: number): string {
  return `${formatNumber(ratio, ratio < 10 ? 1 : 0)}x`;
}

/** A difference of two fractions in percentage points: 0.82 -> "+82 pts". */
export function formatPoints(diff: number): string {
  const pts = roundHalfAway(diff * 100, 0);
  if (pts === 0) return '±0 pts';
  return `${pts > 0 ? '+' : ''}${pts} pts`;
}

/** A fraction as a percentage: 0.934 -> "93%". */
export function formatPercent(fraction: number): string {
  return `${formatNumber(fraction * 100, 0)}%`;
}

/** A requested rate as the table shows it. */
export function formatRate(rate: number | 'inf'): string {
  return rate === 'inf' ? 'inf' : formatNumber(rate, Number.isInteger(rate) ? 0 : 2);
}
