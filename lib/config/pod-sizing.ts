/**
 * Sizes of the decode pods derived from the GPU instance and the tensor-parallel size: CPU and memory
 * requests (shared by the replicas of a node) and the memory-backed /dev/shm. The config derives its
 * defaults from these, the checks compare explicit values with them and the decode chart renders them.
 */
import type { InstanceFacts } from './tables/instances';

/**
 * Host capacity a node keeps for itself and its daemonsets (kubelet/system reserve, eviction threshold,
 * aws-node, kube-proxy, FSx CSI node, GPU-operator and node-exporter pods): what pod requests may not use.
 */
export const NODE_RESERVED_CPU = 0.5;
export const NODE_RESERVED_MEMORY_GIB = 2.5;
/** Share of a replica's memory the pod requests; the rest is headroom up to its limit (page cache, bursts). */
export const MEMORY_REQUEST_SHARE = 0.75;
/**
 * Share of a replica's CPU the pod requests: 90% leaves room for the kubelet's reserve, which grows
 * with the core count (EKS AMI: 6% of the first core ... 0.25% of every core above 4, 0.55 CPU on 192
 * vCPUs), beyond the 0.5 CPU measured on a 4-vCPU node.
 */
export const CPU_REQUEST_SHARE = 0.9;

/**
 * Processes of a vLLM replica besides its API servers that keep a core busy: the engine core, and with
 * TP > 1 one GPU worker per rank (the multiproc executor; at TP 1 the model runs in the engine core).
 */
export function engineProcesses(tensorParallelSize: number): number {
  return 1 + (tensorParallelSize > 1 ? tensorParallelSize : 0);
}

/**
 * Most API server processes (`--api-server-count`) a decode pod's CPU share sustains: its vCPUs minus
 * one per engine process, rounded down, at least 1. Each API server is one single-threaded Python
 * process; beyond the vCPUs they only time-share and slow the engine core (the step loop) they feed.
 * g5.xlarge (3.5 vCPUs, TP 1): 2; g5.2xlarge (7.5): 6.
 */
export function maxApiServers(podVcpus: number, tensorParallelSize: number): number {
  return Math.max(1, Math.floor(podVcpus - engineProcesses(tensorParallelSize)));
}

/** CPU cores and memory of one node a decode pod may claim when `replicasPerNode` pods share it. */
export function decodePodShare(instance: InstanceFacts, replicasPerNode: number): { cpu: number; memoryGiB: number } {
  const n = Math.max(1, replicasPerNode);
  return { cpu: (instance.vcpu - NODE_RESERVED_CPU) / n, memoryGiB: (instance.memoryGiB - NODE_RESERVED_MEMORY_GIB) / n };
}

/**
 * Default requests and limit of a decode pod: 90% of the CPU share and 75% of the memory share as
 * requests, the memory share as limit, each rounded down to whole units (g5.xlarge: 3 CPU, 10 / 13 GiB).
 */
export function defaultDecodePodResources(instance: InstanceFacts, replicasPerNode: number): { cpuRequest: number; memoryRequestGiB: number; memoryLimitGiB: number } {
  const share = decodePodShare(instance, replicasPerNode);
  return {
    cpuRequest: Math.max(1, Math.floor(CPU_REQUEST_SHARE * share.cpu)),
    memoryRequestGiB: Math.max(1, Math.floor(MEMORY_REQUEST_SHARE * share.memoryGiB)),
    memoryLimitGiB: Math.max(1, Math.floor(share.memoryGiB)),
  };
}

/**
 * Size limit of the memory-backed /dev/shm of a decode pod, GiB. PyTorch and vLLM's worker message
 * queue use it with any TP (2 GiB, the size that has always been rendered); with TP > 1 NCCL's SHM
 * transport adds, per rank and peer, up to NCCL_BUFFSIZE (4 MiB default) x its channels (up to 32):
 * 128 MiB x TP x (TP - 1) (NCCL environment-variable docs). A size limit caps tmpfs, it reserves
 * nothing; what is written counts against the pod's memory limit.
 */
export function decodeShmGiB(tensorParallelSize: number): number {
  return 2 + (tensorParallelSize * (tensorParallelSize - 1)) / 8;
}
