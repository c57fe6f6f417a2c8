/**
 * The vLLM command line, built from the config. Pure functions: the decode chart renders them and the
 * invariant tests compare them with what the EPP config says (block size, ZMQ port, topic, model name).
 */
import { type BenchConfig, modelFacts, servedModelName } from '../../lib/config';
import { weightBytes } from '../../lib/config/tables/models';
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
    `--kv-events-config=${JSON.stringify(kvEventsConfig(c))}`,
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
/** Baseline throughput of SCRATCH_2 file systems, MB/s per TiB. */
const SCRATCH_2_MBPS_PER_TIB = 200;
/** Engine start after the weights are read: CUDA graphs, torch.compile, KV cache allocation. */
const ENGINE_WARMUP_SECONDS = 300;

/**
 * How long the startup probe waits before the kubelet restarts a decode pod. All replicas read the
 * weights from FSx at once, so the aggregate read is replicas x weights at the file system's
 * throughput; budget twice that plus the engine warm-up, and never less than 15 minutes.
 */
export function coldStartBudgetSeconds(c: BenchConfig): number {
  const perTiB = c.modelStore.deploymentType === 'SCRATCH_2' ? SCRATCH_2_MBPS_PER_TIB : c.modelStore.perUnitStorageThroughput;
  const fsxMBps = (c.modelStore.storageCapacityGiB / 1024) * perTiB;
  const readSeconds = (c.vllm.replicas * weightBytes(modelFacts(c))) / (fsxMBps * MB);
  return Math.max(900, Math.ceil(2 * readSeconds + ENGINE_WARMUP_SECONDS));
}
