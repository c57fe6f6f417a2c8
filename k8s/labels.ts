/**
 * Label sets that select pods. The decode label set is THE definition of "the decode pods": the
 * round-robin Service, the InferencePool, the render Service, the PodMonitor and the benchmark CLI
 * (preflight, cache reset) all select by exactly these labels and nothing else.
 */
import type { BenchConfig } from '../lib/config';

/** Label every object of the project carries (not used in any selector). */
export const PART_OF_LABEL = { 'app.kubernetes.io/part-of': 'llmd-eks-bench' } as const;

/** Labels of the vLLM decode pods; no other pod template in the project may carry all of them. */
export function decodePodLabels(c: BenchConfig): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'vllm',
    // llm-d's decode-filter accepts pods whose llm-d.ai/role is decode (or both/prefill-decode).
    'llm-d.ai/role': 'decode',
    // Ties the pods to the InferencePool by name, so a second pool could not capture them.
    'llmd-bench/pool': c.router.poolName,
  };
}

/** `matchLabels` selector of the decode pods (Services, InferencePool, PodMonitor). */
export function decodeSelector(c: BenchConfig): { matchLabels: Record<string, string> } {
  return { matchLabels: decodePodLabels(c) };
}

/** The same selector as a `kubectl -l` / client-node `labelSelector` string. */
export function decodeLabelSelector(c: BenchConfig): string {
  return Object.entries(decodePodLabels(c)).map(([k, v]) => `${k}=${v}`).join(',');
}

/** Labels of the EPP pods (the EPP Service and the router Service select by these). */
export function eppPodLabels(c: BenchConfig): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'llm-d-router',
    'app.kubernetes.io/component': 'endpoint-picker',
    'llmd-bench/pool': c.router.poolName,
  };
}

/** Labels of the EPP Service (the EPP ServiceMonitor selects by these). */
export function eppServiceLabels(c: BenchConfig): Record<string, string> {
  return { 'app.kubernetes.io/name': 'llm-d-router', 'app.kubernetes.io/component': 'epp-service', 'llmd-bench/pool': c.router.poolName };
}

/** True when `labels` satisfies a `matchLabels` selector (every key present with the same value). */
export function matchesLabels(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels?.[k] === selector[k]);
}

/**
 * Labels of the render server pods (`vllm launch render`). They carry `app.kubernetes.io/name: vllm`
 * (same image) but never the whole decode label set: a render pod in the InferencePool would become
 * an endpoint (the EPP would route requests to it and dial its missing ZMQ port).
 */
export function renderPodLabels(c: BenchConfig): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'vllm',
    'app.kubernetes.io/component': 'render',
    'llmd-bench/render-for': c.router.poolName,
  };
}
