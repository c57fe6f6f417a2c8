/** Go `time.ParseDuration` for the forms configs use (ns, us, ms, s, m, h; decimals; sums like 1m30s). */
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Milliseconds of a Go duration string, or NaN when it is not one. */
export function goDurationMs(d: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(d)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = re.lastIndex;
  }
  return matched > 0 && matched === d.length ? total : NaN;
}
