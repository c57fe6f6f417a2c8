/**
 * Options every AWS SDK v3 client of the CLI is built with, so no AWS call can hang: a connection
 * timeout and a request timeout that fails the attempt on the Node HTTP handler, and a bounded retry
 * count (so one call takes at most about maxAttempts x timeoutMs).
 * The SDK is required lazily by the callers; this module only shapes the options.
 */
import type { NodeHttpHandler } from '@smithy/node-http-handler';

/** Default per-request timeout of AWS calls, ms (overridden by the CLI's --timeout). */
export const DEFAULT_AWS_TIMEOUT_MS = 20_000;

export interface AwsClientOptions {
  readonly region: string;
  /** Upper bound of one HTTP request, ms; the TCP connect gets min(this, 5 s). */
  readonly timeoutMs?: number;
  /** SDK attempts per call (first try + retries). */
  readonly maxAttempts?: number;
}

/** The shared client configuration (region, timeouts, retries) for `new XxxClient(...)`. */
export function awsClientConfig(o: AwsClientOptions): { region: string; maxAttempts: number; requestHandler: NodeHttpHandler } {
  const timeoutMs = o.timeoutMs ?? DEFAULT_AWS_TIMEOUT_MS;
  // Loaded here, not at the top: the CLI registers its AWS commands at start without loading the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NodeHttpHandler } = require('@smithy/node-http-handler') as typeof import('@smithy/node-http-handler');
  return {
    region: o.region,
    maxAttempts: o.maxAttempts ?? 3,
    // throwOnRequestTimeout: without it @smithy/node-http-handler 4.14 only logs a warning when
    // requestTimeout passes and the call keeps waiting (dist-cjs/index.js setRequestTimeout); a
    // loopback server that accepts and never answers proved it (test/bench/timeouts.test.ts).
    requestHandler: new NodeHttpHandler({ connectionTimeout: Math.min(timeoutMs, 5_000), requestTimeout: timeoutMs, throwOnRequestTimeout: true }),
  };
}
