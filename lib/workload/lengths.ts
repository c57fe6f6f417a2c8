/**
 * Length distributions of a workload (token counts, or think times in seconds), one definition for the
 * config, the CLI flags, the simulator's request generator and the harness renderers:
 *
 *   128              fixed
 *   64-512           uniform over the integers 64..512 (inclusive)
 *   n:512:64         normal(mean 512, sd 64), clipped to [mean - 3 sd, mean + 3 sd] (at least 1)
 *   n:512:64:256:768 normal, clipped to [256, 768]
 *   ln:512:0.5       lognormal with median 512 and log-space sigma 0.5, clipped to
 *                    [median e^-3sigma, median e^3sigma]; ln:512:0.5:64:4096 clips to [64, 4096]
 *
 * Samples are rounded to integers, as inference-perf does (inference_perf/utils/numeric/distribution/
 * utils.py at v0.6.1: clip, round, clip). Numbers are plain decimals: `1e3` is refused, not read as 1000.
 */
import { exponentProblem } from '../config/plain-number';

export type LengthDist =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly sd: number; readonly min: number; readonly max: number }
  | { readonly kind: 'lognormal'; readonly median: number; readonly sigma: number; readonly min: number; readonly max: number };

/** What the numbers count: tokens (whole numbers >= 1) or seconds (>= 0). */
export type LengthUnit = 'tokens' | 'seconds';

/** The accepted forms, for error messages and help. */
export const LENGTH_SYNTAX = '128 (fixed), 64-512 (uniform), n:MEAN:SD[:MIN:MAX] (normal), ln:MEDIAN:SIGMA[:MIN:MAX] (lognormal)';

/** Clipping of the normal and lognormal tails when no bounds are given: +-3 sigma. */
export const DEFAULT_CLIP_SIGMAS = 3;

export class LengthSpecError extends Error {}

const NUM = /^[+]?(\d+(\.\d*)?|\.\d+)$/;
/** Refuses exponent notation anywhere in a spec, saying what to write instead. */
function refuseExponent(text: string, spec: string): void {
  if (exponentProblem(text) !== undefined) {
    throw new LengthSpecError(`"${spec}": numbers are plain decimals, not exponent notation (write ${Number(text)}); use ${LENGTH_SYNTAX}`);
  }
}

function num(text: string, what: string, spec: string): number {
  refuseExponent(text, spec);
  const t = text.trim();
  // A negative number is a number: the caller's range check says what is allowed (not "not a number").
  if (!NUM.test(t) && !(t.startsWith('-') && NUM.test(t.slice(1)))) throw new LengthSpecError(`"${spec}": ${what} "${text}" is not a number; use ${LENGTH_SYNTAX}`);
  return Number(t);
}

function checkBound(value: number, unit: LengthUnit, spec: string, what: string, whole = true): void {
  if (unit === 'tokens' && !(Number.isInteger(value) && value >= 1)) {
    throw new LengthSpecError(`"${spec}": ${what} must be a whole number of tokens >= 1`);
  }
  // inference-perf's Distribution has integer min and max, for seconds too (config/common.py).
  if (unit === 'seconds' && !(value >= 0 && (!whole || Number.isInteger(value)))) {
    throw new LengthSpecError(`"${spec}": ${what} must be ${whole ? 'a whole number of seconds' : 'a number of seconds'} >= 0`);
  }
}

/** Parses a length spec (number or string); throws LengthSpecError with the accepted forms. */
export function parseLength(spec: number | string, unit: LengthUnit = 'tokens'): LengthDist {
  const text = String(spec).trim();
  if (text === '') throw new LengthSpecError(`empty length; use ${LENGTH_SYNTAX}`);
  refuseExponent(text, text);
  const lower = unit === 'tokens' ? 1 : 0;
  if (NUM.test(text)) {
    const value = Number(text);
    checkBound(value, unit, text, 'the value', false);
    return { kind: 'fixed', value };
  }
  const range = /^([^:-]+)-([^:-]+)$/.exec(text);
  if (range) {
    const min = num(range[1], 'the minimum', text);
    const max = num(range[2], 'the maximum', text);
    checkBound(min, unit, text, 'the minimum');
    checkBound(max, unit, text, 'the maximum');
    if (max < min) throw new LengthSpecError(`"${text}": the maximum is below the minimum`);
    return min === max ? { kind: 'fixed', value: min } : { kind: 'uniform', min, max };
  }
  const parts = text.split(':');
  if ((parts[0] === 'n' || parts[0] === 'ln') && (parts.length === 3 || parts.length === 5)) {
    const centre = num(parts[1], parts[0] === 'n' ? 'the mean' : 'the median', text);
    const spread = num(parts[2], parts[0] === 'n' ? 'the standard deviation' : 'sigma', text);
    if (!(centre > 0)) throw new LengthSpecError(`"${text}": the ${parts[0] === 'n' ? 'mean' : 'median'} ${parts[1]} must be > 0`);
    if (!(spread >= 0)) {
      throw new LengthSpecError(`"${text}": the ${parts[0] === 'n' ? 'standard deviation' : 'sigma'} ${parts[2]} must be > 0 (0 means a fixed ${parts[1]})`);
    }
    let min: number;
    let max: number;
    if (parts.length === 5) {
      min = num(parts[3], 'the minimum', text);
      max = num(parts[4], 'the maximum', text);
      checkBound(min, unit, text, 'the minimum');
      checkBound(max, unit, text, 'the maximum');
      if (max < min) throw new LengthSpecError(`"${text}": the maximum is below the minimum`);
      if (centre < min || centre > max) throw new LengthSpecError(`"${text}": the ${parts[0] === 'n' ? 'mean' : 'median'} must lie within [min, max]`);
    } else {
      // Whole-number bounds (tokens: rounded; seconds: widened to whole seconds, as inference-perf needs).
      const lo = parts[0] === 'n' ? centre - DEFAULT_CLIP_SIGMAS * spread : centre * Math.exp(-DEFAULT_CLIP_SIGMAS * spread);
      const hi = parts[0] === 'n' ? centre + DEFAULT_CLIP_SIGMAS * spread : centre * Math.exp(DEFAULT_CLIP_SIGMAS * spread);
      min = Math.max(lower, unit === 'tokens' ? Math.round(lo) : Math.floor(lo));
      max = Math.max(min, unit === 'tokens' ? Math.round(hi) : Math.ceil(hi));
    }
    if (spread === 0 || min === max) return { kind: 'fixed', value: unit === 'tokens' ? Math.round(centre) : centre };
    return parts[0] === 'n'
      ? { kind: 'normal', mean: centre, sd: spread, min, max }
      : { kind: 'lognormal', median: centre, sigma: spread, min, max };
  }
  throw new LengthSpecError(`"${text}" is not a length; use ${LENGTH_SYNTAX}`);
}

/** Canonical text of a distribution (what the flags accept; parseLength(formatLength(d)) equals d). */
export function formatLength(d: LengthDist): string {
  switch (d.kind) {
    case 'fixed': return String(d.value);
    case 'uniform': return `${d.min}-${d.max}`;
    case 'normal': return `n:${d.mean}:${d.sd}:${d.min}:${d.max}`;
    default: return `ln:${d.median}:${d.sigma}:${d.min}:${d.max}`;
  }
}

/** Smallest and largest value a sample can take. */
export function lengthBounds(d: LengthDist): { min: number; max: number } {
  return d.kind === 'fixed' ? { min: d.value, max: d.value } : { min: d.min, max: d.max };
}

/** Mean of the unclipped distribution (what inference-perf's `mean` field means for each type). */
export function lengthMean(d: LengthDist): number {
  switch (d.kind) {
    case 'fixed': return d.value;
    case 'uniform': return (d.min + d.max) / 2;
    case 'normal': return d.mean;
    default: return d.median * Math.exp((d.sigma * d.sigma) / 2);
  }
}

/** Standard deviation of the unclipped distribution. */
export function lengthStd(d: LengthDist): number {
  switch (d.kind) {
    case 'fixed': return 0;
    case 'uniform': return Math.sqrt(((d.max - d.min + 1) ** 2 - 1) / 12);
    case 'normal': return d.sd;
    default: return lengthMean(d) * Math.sqrt(Math.exp(d.sigma * d.sigma) - 1);
  }
}

/** The random source a sampler needs (lib/sim/rng.ts's Rng fits). */
export interface UniformSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * One sample. Tokens: an integer in [min, max] (uniform: every integer equally likely; normal and
 * lognormal: clip then round, as inference-perf). Seconds: the same, rounded to whole seconds when
 * `wholeSeconds` (inference-perf samples think times through the same integer sampler).
 */
export function sampleLength(d: LengthDist, rng: UniformSource, unit: LengthUnit = 'tokens', wholeSeconds = true): number {
  const integral = unit === 'tokens' || wholeSeconds;
  const finish = (v: number, min: number, max: number) => {
    const clipped = Math.min(max, Math.max(min, v));
    return integral ? Math.min(max, Math.max(min, Math.round(clipped))) : clipped;
  };
  switch (d.kind) {
    case 'fixed': return integral ? Math.round(d.value) : d.value;
    case 'uniform':
      return integral ? d.min + Math.floor(rng.next() * (d.max - d.min + 1)) : d.min + rng.next() * (d.max - d.min);
    case 'normal': return finish(d.mean + d.sd * rng.normal(), d.min, d.max);
    default: return finish(d.median * Math.exp(d.sigma * rng.normal()), d.min, d.max);
  }
}

/**
 * inference-perf v0.6.1's `Distribution` (inference_perf/config/common.py: min, max, mean, std_dev,
 * type) for this length. `flavor` says which sampler reads it:
 *  - `sample`: utils.sample_from_distribution (shared_prefix, conversation_replay): lognormal is
 *    moment-matched to (mean, std_dev) with no shift;
 *  - `generate`: utils.generate_distribution (random): lognormal is moment-matched to (mean - min,
 *    std_dev) and shifted by min, so mean is rendered as min + the lognormal mean (same distribution).
 * Uniform is continuous upstream ([min, max + 1) or [min, max), rounded), so the end values are drawn a
 * little less often than here; means agree to within half a token.
 */
export function inferencePerfDistribution(d: LengthDist, flavor: 'sample' | 'generate' = 'sample'): Record<string, unknown> {
  switch (d.kind) {
    case 'fixed': return { type: 'fixed', min: d.value, max: d.value, mean: d.value, std_dev: 0 };
    case 'uniform': return { type: 'uniform', min: d.min, max: d.max, mean: (d.min + d.max) / 2, std_dev: 0 };
    case 'normal': return { type: 'normal', min: d.min, max: d.max, mean: d.mean, std_dev: d.sd };
    default: {
      const mean = lengthMean(d);
      const std = lengthStd(d);
      return { type: 'lognormal', min: d.min, max: d.max, mean: round6(flavor === 'generate' ? d.min + mean : mean), std_dev: round6(std) };
    }
  }
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** "128", "64-512 (uniform)", "normal 512 +- 64 in [320, 704]"... for tables and messages. */
export function describeLength(d: LengthDist, unit: LengthUnit = 'tokens'): string {
  const u = unit === 'seconds' ? ' s' : '';
  switch (d.kind) {
    case 'fixed': return `${d.value}${u}`;
    case 'uniform': return `uniform ${d.min}-${d.max}${u}`;
    case 'normal': return `normal ${d.mean} +- ${d.sd} in [${d.min}, ${d.max}]${u}`;
    default: return `lognormal median ${d.median}, sigma ${d.sigma} in [${d.min}, ${d.max}]${u}`;
  }
}
