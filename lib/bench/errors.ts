/** Errors the benchmark CLI reports to the user: what happened, what to do, and the exit code. */
import { ConfigError } from '../config/problems';
import { KubeApiError } from './cluster/types';
import { stripControl } from './sanitize';

export const EXIT = {
  /** Something in the cluster or AWS failed (Job failed, timeout, preflight failed). */
  failure: 1,
  /** Bad input: unknown option or command, bad option value or config, missing or unreadable file. */
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

/** Bad input (exit code 2): one line saying what is wrong, and a hint. */
export function badInput(message: string, hint?: string): BenchError {
  return new BenchError(message, { exitCode: EXIT.badInput, hint });
}

/** Thrown when the user interrupted a run; the runner has already cleaned up what it started. */
export class CancelledError extends BenchError {
  constructor(message = 'cancelled') {
    super(message, { exitCode: EXIT.cancelled });
    this.name = 'CancelledError';
  }
}

/** File-system errors that mean "the path the user gave is wrong", with a plain reason. */
const PATH_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function pathError(err: unknown): { path: string; reason: string; syscall?: string } | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.path !== 'string') return undefined;
  const reason = PATH_ERRORS[e.code];
  return reason ? { path: e.path, reason, syscall: e.syscall } : undefined;
}

/**
 * The message block printed for any error (message, indented details, then the hint) and its exit
 * code: BenchError carries its own; config problems and wrong paths are bad input (2); anything
 * else is a failure (1). Text from the cluster is stripped of terminal control sequences.
 */
export function describeError(err: unknown): { text: string; exitCode: number } {
  const block = (message: string, details: readonly string[] = [], hint?: string) => {
    const lines = [message, ...details.map((d) => `    ${d}`)];
    if (hint) lines.push(`  what to do: ${hint}`);
    return stripControl(lines.join('\n'));
  };
  if (err instanceof BenchError) return { text: block(err.message, err.details, err.hint), exitCode: err.exitCode };
  if (err instanceof ConfigError) {
    const hint = 'every key, its default and what it allows is in the configuration table of README.md; set keys with -c key=value or in cdk.json "context"';
    const text = err.problems.length === 1
      ? block(`invalid configuration: ${err.problems[0]}`, [], hint)
      : block(`invalid configuration (${err.problems.length} problems):`, err.problems, hint);
    return { text, exitCode: EXIT.badInput };
  }
  const p = pathError(err);
  if (p) {
    const verb = p.syscall === 'mkdir' || p.syscall === 'rename' || p.syscall === 'unlink' ? 'cannot write' : 'cannot read';
    return { text: block(`${verb} ${p.path}: ${p.reason}`, [], 'check the path you passed'), exitCode: EXIT.badInput };
  }
  if (err instanceof KubeApiError) return { text: block(err.message), exitCode: EXIT.failure };
  return { text: block(err instanceof Error ? err.message : String(err)), exitCode: EXIT.failure };
}
