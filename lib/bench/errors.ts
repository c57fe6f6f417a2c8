/** Errors the benchmark CLI reports to the user: what happened, what to do, and the exit code. */

export const EXIT = {
  /** Something in the cluster or AWS failed (Job failed, timeout, preflight failed). */
  failure: 1,
  /** Bad input: malformed result files, a missing directory, invalid options. */
  badInput: 2,
  /** Interrupted with Ctrl-C (128 + SIGINT). */
  cancelled: 130,
} as const;

export interface BenchErrorOptions {
  /** What the user can do about it. */
  readonly hint?: string;
  /** Extra lines shown under the message (e.g. the last log lines of a failed Job). */
  readonly details?: readonly string[];
  readonly exitCode?: number;
  readonly cause?: unknown;
}

export class BenchError extends Error {
  readonly hint?: string;
  readonly details: readonly string[];
  readonly exitCode: number;

  constructor(message: string, options: BenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BenchError';
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** Thrown when the user interrupted a run; the runner has already cleaned up what it started. */
export class CancelledError extends BenchError {
  constructor(message = 'cancelled') {
    super(message, { exitCode: EXIT.cancelled });
    this.name = 'CancelledError';
  }
}

/** The message block printed for an error: message, indented details, then the hint. */
export function describeError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof BenchError) {
    const lines = [err.message];
    if (err.details.length > 0) lines.push(...err.details.map((d) => `    ${d}`));
    if (err.hint) lines.push(`  what to do: ${err.hint}`);
    return { text: lines.join('\n'), exitCode: err.exitCode };
  }
  return { text: err instanceof Error ? err.message : String(err), exitCode: EXIT.failure };
}
