/**
 * The CPU side of a replica: how fast its single-threaded processes (vLLM's engine core, its API
 * server) run on the host the decode pod lands on. Two effects, both from the registry:
 *
 *  - speed: single-core speed class of the instance family's CPU (tables/host-cpus.ts); the timing
 *    constants are seconds on the reference core (class 1.0) and are divided by it;
 *  - contention: a replica's pod may use its share of the node's vCPUs (lib/config/pod-sizing.ts: the
 *    node minus its reserve, split between the replicas on it; the pod sets a CPU request and no
 *    limit). Its busy processes (engine core, its API servers, and with TP > 1 one worker per GPU) each
 *    want a core; an x86 vCPU is one hyperthread, so P = vCPUs / 2 physical cores run the first P
 *    threads at full speed and the next ones as second hyperthreads, which add SMT_YIELD - 1 = 0.3 of
 *    a core each; beyond the vCPUs, threads time-share. CPU work is slowed by busy / capacity when
 *    that exceeds 1. A g5.xlarge pod (3.5 vCPUs, 1.75 cores, 2 busy processes) runs at 1/1.10 speed;
 *    a g5.2xlarge one at full speed.
 */
import { type BenchConfig, gpuInstance, replicasPerNode } from '../config';
import { decodePodShare, engineProcesses } from '../config/pod-sizing';
import { HOST_CPUS, type HostCpuFacts, REFERENCE_HOST_CPU } from '../config/tables/host-cpus';
import { instanceFamily } from '../config/tables/instances';

/** Throughput of a physical core running two busy hyperthreads, in cores. */
export const SMT_YIELD = 1.3;

export interface HostFacts {
  /** CPU model and its speed class (tables/host-cpus.ts). */
  readonly cpu: HostCpuFacts;
  /** vCPUs the decode pod of one replica may use. */
  readonly vcpusPerReplica: number;
  /** Processes of a replica that keep a core busy. */
  readonly busyProcesses: number;
}

/**
 * Busy processes of a vLLM replica: engine core (+ one worker per GPU when TP > 1) + its API servers
 * (vllm.apiServerCount, --api-server-count).
 */
export function busyProcesses(tensorParallelSize: number, apiServers = 1): number {
  return engineProcesses(tensorParallelSize) + apiServers;
}

/** CPU capacity (in cores) `threads` busy threads get from `vcpus` hyperthreads. */
export function cpuCapacity(vcpus: number, threads: number, threadsPerCore: number): number {
  const cores = vcpus / threadsPerCore;
  if (threads <= cores) return threads;
  const secondThreads = Math.min(threads, vcpus) - cores;
  return cores + secondThreads * (SMT_YIELD - 1);
}

/** Slow-down of CPU work from too few cores (>= 1). */
export function contentionFactor(h: HostFacts): number {
  const capacity = cpuCapacity(h.vcpusPerReplica, h.busyProcesses, h.cpu.threadsPerCore);
  return Math.max(1, h.busyProcesses / capacity);
}

/** Seconds of CPU work on this host per second of work on the reference core. */
export function cpuTimeScale(h: HostFacts): number {
  return contentionFactor(h) / h.cpu.speedClass;
}

export function hostCpuOf(instanceType: string): HostCpuFacts {
  const cpu = HOST_CPUS[instanceFamily(instanceType)];
  if (!cpu) throw new Error(`no host CPU facts for instance family ${instanceFamily(instanceType)} (lib/config/tables/host-cpus.ts)`);
  return cpu;
}

/** The host of one decode replica of the configured deployment. */
export function decodeHost(c: BenchConfig): HostFacts {
  const instance = gpuInstance(c);
  return {
    cpu: hostCpuOf(c.gpuNodes.instanceType),
    vcpusPerReplica: decodePodShare(instance, replicasPerNode(c)).cpu,
    busyProcesses: busyProcesses(c.vllm.tensorParallelSize, c.vllm.apiServerCount),
  };
}

/** The render server's CPU (it runs on the system nodes; one tokenising process per pod). */
export function renderHostCpu(c: BenchConfig): HostCpuFacts {
  return hostCpuOf(c.systemNodes.instanceType);
}

export { REFERENCE_HOST_CPU };
