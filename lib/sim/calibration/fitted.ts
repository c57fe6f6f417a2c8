/**
 * The fitted timing parameters, committed as data (fitted.json) by `npm run bench:sim -- --fit`
 * (lib/sim/validation.ts): the all-anchor fit, the leave-one-out refits, the parameter ensemble the
 * intervals come from, the model-discrepancy widths, the validation rows and the identifiability
 * table. `inputsHash` is a hash of what the fit read (anchors + parameter table + predictor version);
 * a test checks it against the current inputs, so a changed anchor or prior cannot silently keep
 * stale fitted values (re-run the fit).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Coverage } from '../envelope';

export const FITTED_FILE = path.join(__dirname, 'fitted.json');

export interface ValidationRow {
  readonly anchor: string;
  readonly observation: string;
  readonly metric: string;
  /** Role: fitted (in the objective), check (validation only: structural or regime), excluded (with reason). */
  readonly role: 'fit' | 'check' | 'excluded';
  readonly published: number | string;
  readonly predictedAll: number | string | null;
  readonly predictedLeftOut: number | string | null;
  readonly errorAll: number | null;
  readonly errorLeftOut: number | null;
  /** throughput, ttft, tpot, other (for the targets and the model-discrepancy widths). */
  readonly family: 'throughput' | 'ttft' | 'tpot' | 'regime' | 'other';
  readonly note?: string;
}

export interface FittedCalibration {
  readonly version: 1;
  readonly inputsHash: string;
  readonly generated: string;
  readonly method: string;
  /** Parameters the anchors pin (fitted); the others are held at their priors. */
  readonly fitted: readonly string[];
  readonly heldAtPrior: readonly string[];
  /** All-anchor fit (only the fitted names; the rest are priors). */
  readonly params: Readonly<Record<string, number>>;
  /** Refit without each anchor. */
  readonly refits: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Parameter sets consistent with the anchors (Laplace posterior draws of the all-fit, seeded). */
  readonly ensemble: readonly Readonly<Record<string, number>>[];
  /** Std. dev. of the log error the parameters leave (leave-one-out), per metric family. */
  readonly modelSigma: Readonly<Record<'throughput' | 'ttft' | 'tpot', number>>;
  readonly validation: readonly ValidationRow[];
  /** parameter -> the observations that move it most (d ln prediction / d ln parameter). */
  readonly identifiability: readonly { readonly param: string; readonly pinnedBy: readonly { readonly key: string; readonly sensitivity: number }[] }[];
  /** What the anchors cover (GPUs, architectures, model sizes, TP, workloads, load), for the calibration distance. */
  readonly coverage: Coverage;
  /** Simulated requests per anchor per evaluation, and fit timings. */
  readonly cost: Readonly<Record<string, unknown>>;
}

let cached: FittedCalibration | null | undefined;

/** The committed fit, or null before the first fit (then every parameter is at its prior). */
export function fittedCalibration(): FittedCalibration | null {
  if (cached !== undefined) return cached;
  cached = fs.existsSync(FITTED_FILE) ? (JSON.parse(fs.readFileSync(FITTED_FILE, 'utf8')) as FittedCalibration) : null;
  return cached;
}

/** Forget the cached file (after the fit script rewrote it). */
export function reloadFittedCalibration(): void {
  cached = undefined;
}
