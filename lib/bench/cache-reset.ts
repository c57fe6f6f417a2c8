/**
 * Empties the prefix caches of every decode pod before a measured run, so the second path never
 * benefits from the first path's cache:
 * - `endpoint`: POST /reset_prefix_cache on each pod through the API server's pod proxy. vLLM only
 *   serves it with VLLM_SERVER_DEV_MODE=1 (vllm/entrypoints/serve/cache/api_router.py), which the
 *   decode Deployment sets when benchmark.cacheReset is "endpoint".
 * - `restart`: a rolling restart of the decode Deployment, then wait until every replica is new and Ready.
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { BenchConfig } from '../config';
import { decodeLabelSelector } from '../../k8s/labels';
import { sharedNames } from '../../k8s/names';
import { BenchError } from './errors';
import type { Clock, KubeApi } from './cluster/types';

export interface ResetOutcome {
  readonly method: 'endpoint' | 'restart';
  readonly pods: string[];
}

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

async function resetViaRestart(config: BenchConfig, kube: KubeApi, clock: Clock, signal?: AbortSignal): Promise<ResetOutcome> {
  const names = sharedNames(config);
  const ns = names.namespace;
  const existing = await kube.readDeployment(ns, names.decodeDeployment);
  if (!existing) {
    throw new BenchError(`deployment ${ns}/${names.decodeDeployment} not found`, { hint: 'deploy the stack first (cdk deploy)' });
  }
  await kube.restartDeployment(ns, names.decodeDeployment, new Date(clock.now()).toISOString());
  const deadline = clock.now() + config.benchmark.restartTimeoutMinutes * 60_000;
  for (;;) {
    await clock.sleep(config.benchmark.pollSeconds * 1000, signal);
    const d = await kube.readDeployment(ns, names.decodeDeployment);
    if (d && rolloutComplete(d, config.vllm.replicas)) break;
    if (clock.now() > deadline) {
      const pods = await kube.listPods(ns, decodeLabelSelector(config));
      throw new BenchError(`rolling restart of ${names.decodeDeployment} did not finish within ${config.benchmark.restartTimeoutMinutes} min`, {
        details: pods.filter((p) => !isPodReady(p)).map((p) => `${p.metadata?.name}: ${notReadyReason(p)}`),
        hint: `kubectl -n ${ns} rollout status deployment/${names.decodeDeployment}. With one GPU per pod the Deployment needs maxSurge 0 (or Recreate) to restart at all.`,
      });
    }
  }
  const pods = await readyDecodePods(config, kube);
  return { method: 'restart', pods: pods.map((p) => p.metadata?.name ?? '?') };
}

/** Resets the prefix caches of all decode pods the configured way. */
export function resetPrefixCaches(config: BenchConfig, kube: KubeApi, clock: Clock, signal?: AbortSignal): Promise<ResetOutcome> {
  return config.benchmark.cacheReset === 'endpoint' ? resetViaEndpoint(config, kube) : resetViaRestart(config, kube, clock, signal);
}
