/**
 * Empties the prefix caches of every decode pod before a measured run, so the second path never
 * benefits from the first path's cache:
 * - `endpoint`: POST /reset_prefix_cache on each pod through the API server's pod proxy. vLLM only
 *   serves it with VLLM_SERVER_DEV_MODE=1 (vllm/entrypoints/serve/cache/api_router.py), which the
 *   decode Deployment sets when benchmark.cacheReset is "endpoint".
 * - `restart`: a rolling restart of the decode Deployment, then wait until every replica is new and Ready.
 *
 * Before an llm-d run the endpoint picker is restarted too, so every llm-d run starts from the router
 * state of a fresh deployment. llm-d-router v0.10.0 does drop a pod's index entries on vLLM's
 * AllBlocksCleared event (pkg/kvevents/pool.go clearPod; up to v0.9 it only logged it), but a rolling
 * restart sends no such event while restarted pods may get their old IPs back, ZMQ pub/sub drops what
 * it cannot deliver, and the no-hit-LRU scorer remembers which pods took the previous run's prefixes.
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { BenchConfig } from '../config';
import { decodeLabelSelector, eppPodLabels } from '../../k8s/labels';
import { sharedNames } from '../../k8s/names';
import { BenchError } from './errors';
import type { Clock, KubeApi } from './cluster/types';

export interface ResetOutcome {
  readonly method: 'endpoint' | 'restart';
  readonly pods: string[];
}

/** Longest an EPP restart may take (one small pod, no weights to load). */
export const EPP_RESTART_TIMEOUT_MS = 5 * 60_000;

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Why a pod is not Ready, in a few words (waiting reason of a container, or the Ready condition). */
export function notReadyReason(pod: V1Pod): string {
  const waiting = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .map((c) => c.state?.waiting?.reason ?? (c.state?.terminated ? `terminated: ${c.state.terminated.reason ?? c.state.terminated.exitCode}` : undefined))
    .filter(Boolean);
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const sched = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return [pod.status?.phase ?? 'Unknown', sched?.reason, ...waiting, ready?.reason].filter(Boolean).join(', ');
}

/** The decode pods, all of them Ready, exactly vllm.replicas; otherwise a BenchError saying which are not. */
export async function readyDecodePods(config: BenchConfig, kube: KubeApi): Promise<V1Pod[]> {
  const ns = sharedNames(config).namespace;
  const pods = (await kube.listPods(ns, decodeLabelSelector(config))).filter((p) => !p.metadata?.deletionTimestamp);
  const notReady = pods.filter((p) => !isPodReady(p));
  if (notReady.length > 0 || pods.length !== config.vllm.replicas) {
    throw new BenchError(`decode pods not ready: ${pods.length - notReady.length}/${config.vllm.replicas} Ready`, {
      details: notReady.map((p) => `${p.metadata?.name}: ${notReadyReason(p)}`),
      hint: `kubectl -n ${ns} get pods -l ${decodeLabelSelector(config)}; kubectl -n ${ns} describe pod <name>. A pod still loading weights becomes Ready by itself; wait and retry.`,
    });
  }
  return pods;
}

async function resetViaEndpoint(config: BenchConfig, kube: KubeApi): Promise<ResetOutcome> {
  const ns = sharedNames(config).namespace;
  const pods = await readyDecodePods(config, kube);
  const names: string[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    // reset_running_requests: a client killed mid-run may leave requests holding blocks; without it
    // vLLM refuses to reset while any block is in use (and still answers 200).
    const reply = await kube.podProxyPost(ns, name, config.vllm.port, '/reset_prefix_cache?reset_running_requests=true');
    if (reply.status === 404) {
      throw new BenchError(`pod ${name} has no /reset_prefix_cache (HTTP 404): vLLM serves it only with VLLM_SERVER_DEV_MODE=1`, {
        hint: 'deploy with benchmark.cacheReset=endpoint (the decode pods then set VLLM_SERVER_DEV_MODE=1), or run with -c benchmark.cacheReset=restart',
      });
    }
    if (reply.status !== 200) {
      throw new BenchError(`resetting the prefix cache of ${name} failed: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
    }
    names.push(name);
  }
  return { method: 'endpoint', pods: names };
}

function rolloutComplete(d: V1Deployment, replicas: number): boolean {
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1)
    && (s.updatedReplicas ?? 0) === replicas
    && (s.readyReplicas ?? 0) === replicas
    && (s.availableReplicas ?? 0) === replicas
    && (s.replicas ?? 0) === replicas;
}

/** `kubectl rollout restart` + wait until every replica is new and available, or throw with the pods that are not. */
async function restartAndWait(
  config: BenchConfig, kube: KubeApi, clock: Clock, deployment: string, replicas: number, timeoutMs: number, podSelector: string, signal?: AbortSignal,
): Promise<void> {
  const ns = sharedNames(config).namespace;
  if (!(await kube.readDeployment(ns, deployment))) {
    throw new BenchError(`deployment ${ns}/${deployment} not found`, { hint: 'deploy the stack first (cdk deploy --all)' });
  }
  await kube.restartDeployment(ns, deployment, new Date(clock.now()).toISOString());
  await waitForRollout(config, kube, clock, deployment, replicas, timeoutMs, podSelector, signal);
}

/** Waits until every replica of the Deployment is of its current template and available, or throws with the pods that are not. */
async function waitForRollout(
  config: BenchConfig, kube: KubeApi, clock: Clock, deployment: string, replicas: number, timeoutMs: number, podSelector: string, signal?: AbortSignal,
): Promise<void> {
  const ns = sharedNames(config).namespace;
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    await clock.sleep(config.benchmark.pollSeconds * 1000, signal);
    const d = await kube.readDeployment(ns, deployment);
    if (d && rolloutComplete(d, replicas)) return;
    if (clock.now() > deadline) {
      const pods = await kube.listPods(ns, podSelector);
      throw new BenchError(`rolling restart of ${deployment} did not finish within ${Math.round(timeoutMs / 60_000)} min`, {
        details: pods.filter((p) => !isPodReady(p)).map((p) => `${p.metadata?.name}: ${notReadyReason(p)}`),
        hint: `kubectl -n ${ns} rollout status deployment/${deployment}. With one GPU per pod the decode Deployment needs maxSurge 0 (or Recreate) to restart at all.`,
      });
    }
  }
}

async function resetViaRestart(config: BenchConfig, kube: KubeApi, clock: Clock, signal?: AbortSignal): Promise<ResetOutcome> {
  const names = sharedNames(config);
  await restartAndWait(config, kube, clock, names.decodeDeployment, config.vllm.replicas, config.benchmark.restartTimeoutMinutes * 60_000, decodeLabelSelector(config), signal);
  const pods = await readyDecodePods(config, kube);
  return { method: 'restart', pods: pods.map((p) => p.metadata?.name ?? '?') };
}

/** Waits for the EPP's rollout a change of its pod template started (a new --config-file: epp-profile.ts). */
export async function waitForEndpointPicker(config: BenchConfig, kube: KubeApi, clock: Clock, signal?: AbortSignal): Promise<void> {
  const names = sharedNames(config);
  await waitForRollout(config, kube, clock, names.eppDeployment, config.router.eppReplicas, EPP_RESTART_TIMEOUT_MS, eppLabelSelector(config), signal);
}

/** Restarts the endpoint picker so its prefix index starts empty (see the module comment). */
export async function restartEndpointPicker(config: BenchConfig, kube: KubeApi, clock: Clock, signal?: AbortSignal): Promise<void> {
  const names = sharedNames(config);
  await restartAndWait(config, kube, clock, names.eppDeployment, config.router.eppReplicas, EPP_RESTART_TIMEOUT_MS, eppLabelSelector(config), signal);
}

function eppLabelSelector(config: BenchConfig): string {
  return Object.entries(eppPodLabels(config)).map(([k, v]) => `${k}=${v}`).join(',');
}

/** Resets the prefix caches of all decode pods the configured way. */
export function resetPrefixCaches(config: BenchConfig, kube: KubeApi, clock: Clock, signal?: AbortSignal): Promise<ResetOutcome> {
  return config.benchmark.cacheReset === 'endpoint' ? resetViaEndpoint(config, kube) : resetViaRestart(config, kube, clock, signal);
}
