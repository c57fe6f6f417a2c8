/**
 * The vLLM command line, built from the config. Pure functions: the decode chart renders them and the
 * invariant tests compare them with what the EPP config says (block size, ZMQ port, topic, model name).
 */
import { type BenchConfig, gpuInstance, modelFacts, replicasPerNode, servedModelName } from '../../lib/config';
import { modelWeightBytes } from '../../lib/config/fit';
import { fsxThroughputMBps } from '../../lib/config/model-store-sizing';
import { sharedNames } from '../names';

/** Env var the downward API fills with the pod IP; `$(POD_IP)` in args is expanded by the kubelet. */
export const POD_IP_ENV = 'POD_IP';

/** ZMQ topic: `kv@<podIP>:<port>@<model>`. The EPP matches `<podIP>:<port>` against the pool endpoint. */
export function kvEventsTopic(c: BenchConfig): string {
  return `kv@$(${POD_IP_ENV}):${c.vllm.port}@${servedModelName(c)}`;
}

/** The `--kv-events-config` JSON: publish block stored/removed events on a bound ZMQ PUB socket. */
export function kvEventsConfig(c: BenchConfig): Record<string, unknown> {
  return {
    enable_kv_cache_events: true,
    publisher: 'zmq',
    // Bind on every interface: each EPP replica dials podIP:port (pod-discovery mode).
    endpoint: `tcp://*:${c.vllm.kvEventsPort}`,
    topic: kvEventsTopic(c),
  };
}

/** `vllm serve` arguments (after the `vllm serve` command). */
export function vllmServeArgs(c: BenchConfig): string[] {
  const v = c.vllm;
  return [
    // Serve the pre-loaded weights from the read-only FSx claim, under the Hub id as its name.
    sharedNames(c).modelDir,
    `--served-model-name=${servedModelName(c)}`,
    `--port=${v.port}`,
    // The EPP hashes prefixes in blocks of the same size (tokenProcessorConfig.blockSizeTokens).
    `--block-size=${v.blockSize}`,
    // On by default in the V1 engine; explicit because the whole benchmark depends on it.
    '--enable-prefix-caching',
    `--gpu-memory-utilization=${v.gpuMemoryUtilization}`,
    `--max-model-len=${v.maxModelLen}`,
    `--max-num-seqs=${v.maxNumSeqs}`,
    `--max-num-batched-tokens=${v.maxNumBatchedTokens}`,
    `--kv-cache-dtype=${v.kvCacheDtype}`,
    // The replica's GPUs (the pod requests exactly this many nvidia.com/gpu); vLLM's default is 1.
    ...(v.tensorParallelSize > 1 ? [`--tensor-parallel-size=${v.tensorParallelSize}`] : []),
    `--kv-events-config=${JSON.stringify(kvEventsConfig(c))}`,
    // Probes and scrapes would otherwise flood the log.
    '--disable-access-log-for-endpoints=/health,/metrics,/v1/models',
  ];
}

/** Environment of the vLLM container (besides POD_IP from the downward API). */
export function vllmEnv(c: BenchConfig, cacheDir: string): { name: string; value: string }[] {
  const env = [
    // Weights come from FSx; never reach for the Hub at run time.
    { name: 'HF_HUB_OFFLINE', value: '1' },
    { name: 'TRANSFORMERS_OFFLINE', value: '1' },
    { name: 'DO_NOT_TRACK', value: '1' },
    { name: 'VLLM_NO_USAGE_STATS', value: '1' },
    // The pod runs as a non-root UID without a passwd entry: give every cache a writable home, and set
    // USER because torch >= 2.11 calls getpass.getuser() at import (vllm-project/vllm#44548).
    { name: 'HOME', value: cacheDir },
    { name: 'USER', value: 'vllm' },
    { name: 'XDG_CACHE_HOME', value: `${cacheDir}/.cache` },
    { name: 'XDG_CONFIG_HOME', value: `${cacheDir}/.config` },
    { name: 'HF_HOME', value: `${cacheDir}/huggingface` },
    { name: 'VLLM_CACHE_ROOT', value: `${cacheDir}/vllm` },
    { name: 'TRITON_CACHE_DIR', value: `${cacheDir}/triton` },
  ];
  if (c.benchmark.cacheReset === 'endpoint') {
    // vLLM registers POST /reset_prefix_cache only with VLLM_SERVER_DEV_MODE=1 (the dev routers in
    // vllm/entrypoints/serve; the same flag also exposes /sleep, /wake_up, /collective_rpc,
    // /server_info). Acceptable here: the pods are reachable only through ClusterIP Services and the
    // API server's pod proxy (no LoadBalancer, no Ingress), and the benchmark CLI needs the reset to
    // start every measured run from empty caches without a 10-minute rolling restart.
    env.push({ name: 'VLLM_SERVER_DEV_MODE', value: '1' });
  }
  return env;
}

const MB = 1e6;
/** Engine start after the weights are read: CUDA graphs, torch.compile, KV cache allocation. */
const ENGINE_WARMUP_SECONDS = 300;

/**
 * Seconds until every replica has read its weights at a cold start: all replicas read at once, so the
 * file system delivers replicas x weight bytes at its aggregate throughput, and each node receives its
 * replicas' share over its own network (the slower of the two bounds). A replica's TP ranks share the
 * node's page cache, so a replica reads the weights once.
 */
export function coldLoadSeconds(c: BenchConfig): number {
  const weights = modelWeightBytes(modelFacts(c));
  const fsxMBps = fsxThroughputMBps(c.modelStore.deploymentType, c.modelStore.storageCapacityGiB, c.modelStore.perUnitStorageThroughput);
  const fsx = (c.vllm.replicas * weights) / (fsxMBps * MB);
  const node = (Math.max(1, replicasPerNode(c)) * weights) / ((gpuInstance(c).baselineNetworkGbps * 1e9) / 8);
  return Math.max(fsx, node);
}

/**
 * How long the startup probe waits before the kubelet restarts a decode pod: twice the cold load of
 * the weights plus the engine warm-up, never less than 15 minutes. Sized from the weight bytes: 8 x
 * 15.2 GB on 1.2 TiB at 250 MB/s/TiB is ~7 minutes of reading (budget 15 min); a 141 GB 70B model
 * on a 2.5 Gbps node would be ~7.5 minutes per replica.
 */
export function coldStartBudgetSeconds(c: BenchConfig): number {
  return Math.max(900, Math.ceil(2 * coldLoadSeconds(c) + ENGINE_WARMUP_SECONDS));
}
