/**
 * Every call the CLI makes to Kubernetes, Prometheus or AWS has an upper bound (`--timeout`), so no
 * command can hang on an API server that accepts connections and never answers.
 */

/** Default upper bound of one Kubernetes, Prometheus or AWS call, seconds (`--timeout`). */
export const DEFAULT_CALL_TIMEOUT_S = 20;

/** A call that did not finish within its deadline. `code` matches Node's socket timeouts. */
export class DeadlineExceededError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly what: string, readonly timeoutMs: number) {
    super(`${what}: no answer within ${formatSeconds(timeoutMs)} (raise --timeout if the network is just slow)`);
    this.name = 'DeadlineExceededError';
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * Runs `work` with an AbortSignal that fires after `ms`; rejects with DeadlineExceededError at the
 * deadline even if `work` ignores the signal. `work` must tie the signal to its socket (fetch's
 * `signal`, `req.destroy()`), so the connection is closed, not just forgotten.
 */
export async function withDeadline<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineExceededError(what, ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
