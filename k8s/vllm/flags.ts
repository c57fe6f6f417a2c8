/**
 * The vLLM command line, built from the config. Pure functions: the decode chart renders them and the
 * invariant tests compare them with what the EPP config says (block size, ZMQ port, topic, model name).
 */
import { type BenchConfig, gpuInstance, modelFacts, replicasPerNode, servedModelName } from '../../lib/config';
import { modelWeightBytes } from '../../lib/config/fit';
import { fsxThroughputMBps } from '../../lib/config/model-store-sizing';
import { VLLM_LOAD_FORMAT } from '../model-store/served-files';
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
    // A ZMQ ROUTER socket that replays the last buffer_steps steps of events (vllm/config/kv_events.py
    // replay_endpoint): the EPP asks it for what a SUB (re)connect missed (llm-d-router v0.10.0
    // podDiscoveryConfig.replaySocketPort, pkg/kvevents/pool.go); without it those blocks stay
    // invisible to the router until evicted.
    replay_endpoint: `tcp://*:${c.vllm.kvEventsReplayPort}`,
    topic: kvEventsTopic(c),
  };
}

/**
 * Seconds vLLM waits for in-flight requests after SIGTERM (`--shutdown-timeout`, as the llm-d guide's
 * v0.27.1 decode pods set it). preStop (10 s) + this must stay inside terminationGracePeriodSeconds.
 */
export const SHUTDOWN_TIMEOUT_SECONDS = 30;

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
    // Safetensors only: never unpickle a *.bin/*.pt checkpoint (the loader fetches none; served-files.ts).
    `--load-format=${VLLM_LOAD_FORMAT}`,
    // The replica's GPUs (the pod requests exactly this many nvidia.com/gpu); vLLM's default is 1.
    ...(v.tensorParallelSize > 1 ? [`--tensor-parallel-size=${v.tensorParallelSize}`] : []),
    `--kv-events-config=${JSON.stringify(kvEventsConfig(c))}`,
    // N API server processes on the one port in front of the one engine core (vLLM v0.27.1
    // vllm/entrypoints/cli/serve.py run_multi_api_server). vLLM sets PROMETHEUS_MULTIPROC_DIR itself
    // (a tempfile directory: the pod's writable /tmp emptyDir), so /metrics on any process aggregates
    // all; the gauges the EPP scrapes are multiprocess_mode="mostrecent" (vllm/v1/metrics/loggers.py,
    // kv_cache_usage_perc since PR 28792). KV events come from the engine core, so the EPP's
    // subscription does not change. 1 is vLLM's default at data-parallel size 1: no flag.
    ...(v.apiServerCount > 1 ? [`--api-server-count=${v.apiServerCount}`] : []),
    // Probes and scrapes would otherwise flood the log.
    '--disable-access-log-for-endpoints=/health,/metrics,/v1/models',
    // Drain in-flight streams on SIGTERM (rolling restarts, cacheReset=restart) instead of cutting them.
    `--shutdown-timeout=${SHUTDOWN_TIMEOUT_SECONDS}`,
  ];
}

/**
 * The environment every container of the vLLM image shares (decode pods, render server): offline,
 * no telemetry, and every cache under one writable directory, because the root file system is
 * read-only and the UID has no passwd entry.
 */
export function vllmHomeEnv(cacheDir: string): { name: string; value: string }[] {
  return [
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
    // torch.compile (Inductor) would otherwise write to /tmp/torchinductor_<user>; keep it with the caches.
    { name: 'TORCHINDUCTOR_CACHE_DIR', value: `${cacheDir}/inductor` },
  ];
}

/** Environment of the vLLM container (besides POD_IP from the downward API). */
export function vllmEnv(c: BenchConfig, cacheDir: string): { name: string; value: string }[] {
  const env = vllmHomeEnv(cacheDir);
  if (c.benchmark.cacheReset === 'endpoint') {
    // vLLM registers POST /reset_prefix_cache only with VLLM_SERVER_DEV_MODE=1 (the dev routers in
    // vllm/entrypoints/serve; the same flag also exposes /sleep, /wake_up, /collective_rpc,
    // /server_info, "extremely dangerous" per vLLM's security guide). Opt-in only
    // (benchmark.cacheReset=endpoint, a lab setting): the NetworkPolicies then have to admit the
    // control plane's pod proxy, whose addresses share the private subnets with every pod
    // (docs/security.md). The default, restart, never sets it.
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

/** vLLM start after the weights are read, typically (CUDA graph capture, KV allocation; the budget above is 300 s). */
const ENGINE_TYPICAL_START_SECONDS = 90;

/**
 * Expected minutes of one rolling restart of the decode Deployment (cacheReset=restart): replicas go one
 * at a time (maxUnavailable 1, no surge), each waiting out its preStop sleep, reading its weights alone
 * (the file system or its node's network, whichever is slower) and starting the engine.
 * Reference: 8 x (10 s + 15.2 GB at 300 MB/s ~ 51 s + 90 s) ~ 20 min.
 */
export function rollingRestartMinutes(c: BenchConfig, preStopSeconds: number): number {
  const weights = modelWeightBytes(modelFacts(c));
  const fsxMBps = fsxThroughputMBps(c.modelStore.deploymentType, c.modelStore.storageCapacityGiB, c.modelStore.perUnitStorageThroughput);
  const load = Math.max(weights / (fsxMBps * MB), weights / ((gpuInstance(c).baselineNetworkGbps * 1e9) / 8));
  return (c.vllm.replicas * (preStopSeconds + load + ENGINE_TYPICAL_START_SECONDS)) / 60;
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
