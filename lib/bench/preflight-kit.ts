/**
 * What every preflight check shares: its result helpers and the guard of the checks that need the
 * cluster. Its own module so preflight.ts and the check modules it spreads in (preflight-harness.ts)
 * both use it without importing each other.
 */
import type { KubeApi } from './cluster/types';
import type { CheckResult, Memo, PreflightCheck, PreflightContext } from './preflight';

export const pass = (summary: string, details?: string[]): CheckResult => ({ status: 'pass', summary, details });
export const fail = (summary: string, fix: string, details?: string[]): CheckResult => ({ status: 'fail', summary, fix, details });
export const warn = (summary: string, fix: string, details?: string[]): CheckResult => ({ status: 'warn', summary, fix, details });
export const skip = (summary: string): CheckResult => ({ status: 'skip', summary });

/**
 * A check that needs the cluster; skipped (not failed twice) when the cluster is paused, there is no
 * Kubernetes access, or an earlier check met an unreachable API server.
 */
export function withKube(fn: (kube: KubeApi, ctx: PreflightContext, memo: Memo) => Promise<CheckResult>): PreflightCheck['run'] {
  return (ctx, memo) => {
    if (memo.paused) return Promise.resolve(skip('cluster paused'));
    if (!ctx.kube) return Promise.resolve(skip('no Kubernetes access (see the kubeconfig check)'));
    if (memo.unreachable) return Promise.resolve(skip('API server unreachable (see the kubeconfig check)'));
    return fn(ctx.kube, ctx, memo);
  };
}
