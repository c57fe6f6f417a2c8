/**
 * Roofline arithmetic of a closed-loop run (C requests in flight over the replicas): what the hardware
 * allows at best, from the registry alone (peak memory bandwidth and dense bf16 FLOPS, lib/config/
 * tables; KV capacity from lib/config/fit.ts), independent of the simulator's fitted efficiencies.
 * docs/tune.md's moonshot section uses it to say, lever by lever, what bounds the reference workload
 * on eight A10Gs. Every simplification is optimistic (a bound, not a prediction):
 *
 * Per replica, with C / replicas requests assigned to it:
 *   running B    = min(C / replicas, maxNumSeqs, sequences whose KV fits)
 *                  where the KV holds the replica's share of the shared prefixes once (perfect prefix
 *                  affinity: prefixes / replicas of them) plus each sequence's private tokens;
 *   decode step  >= W / BW + B x ctx x kvB / BW        (stream the weight shard, read every cached token)
 *   prefill      >= 2 x P x u / F                      (u uncached prompt tokens per request; linear layers)
 *   GPU-bound    req/s <= 1 / (outLen / B x step + prefill)     (the GPU's time per request)
 *   latency      req/s <= B / (outLen x step)                    (Little's law: each request decodes outLen steps)
 *   queue        mean TTFT >= (C / replicas - B) / req/s + prefill  (Little's law on the waiting requests)
 * and two CPU bounds with the simulator's own timing values (lib/sim/timing-params.ts, scaled to the
 * host by lib/sim/host.ts; fitted constants, not datasheet limits):
 *   engine CPU   req/s <= B / (outLen x (T0 + tSeq x B))             (the engine core's step on the CPU)
 *   API server   req/s <= N / max(tReq + tOut x outLen, tTok x prompt)  (N = vllm.apiServerCount API
 *                                                                          servers per replica, each an
 *                                                                          event loop (handle, stream)
 *                                                                          and a tokeniser thread in
 *                                                                          parallel; the times include
 *                                                                          the host contention N adds)
 * W, kvB and P are one GPU's shares under tensor parallelism; all-reduces are left out (they only add).
 */
import type { BenchConfig } from '../../config';
import { gpuFacts, modelFacts } from '../../config';
import { kvBytesPerTokenPerGpu, kvTokensPerReplica } from '../../config/fit';
import { simParams } from '../../sim/params';

/** The simulator's CPU costs for this config (undefined when it cannot build parameters for it). */
function simulatorCpu(c: BenchConfig): { t0: number; tSeq: number; apiReq: number; apiTok: number; apiOut: number; apiServers: number } | undefined {
  try {
    const p = simParams(c);
    return {
      t0: p.stepTime.cpuStepSeconds, tSeq: p.stepTime.cpuSeqSeconds,
      apiReq: p.path.apiRequestSeconds, apiTok: p.path.apiSecondsPerPromptToken, apiOut: p.path.apiOutputSecondsPerToken,
      apiServers: p.path.apiServers,
    };
  } catch {
    return undefined;
  }
}

export interface RooflineInput {
  /** Requests in flight over all replicas. */
  readonly concurrency: number;
  /** Prompt tokens per request (chat template included). */
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Fraction of prompt tokens served from the prefix cache. */
  readonly prefixHitRate: number;
  /** Tokens of each prompt shared with other requests (a shared prefix); default 0. */
  readonly sharedPrefixTokens?: number;
  /** Shared prefix tokens one replica keeps resident (perfect affinity: prefixes / replicas x prefix length); default 0. */
  readonly sharedTokensPerReplica?: number;
}

export interface Roofline {
  readonly replicas: number;
  /** Requests assigned to one replica (C / replicas). */
  readonly inFlightPerReplica: number;
  /** Sequences one replica runs at once (the decode batch B). */
  readonly batchPerReplica: number;
  /** What caps B: the requests in flight, vllm.maxNumSeqs, or the KV cache. */
  readonly batchLimit: 'in-flight' | 'maxNumSeqs' | 'kv-cache';
  readonly kvTokensPerReplica: number;
  readonly weightMsPerStep: number;
  readonly kvMsPerStep: number;
  readonly decodeStepMs: number;
  readonly prefillMsPerRequest: number;
  /** req/s over all replicas. */
  readonly gpuBoundRps: number;
  readonly latencyBoundRps: number;
  /** The simulator's engine-core CPU step at this batch, ms (T0 + tSeq x B on this host). */
  readonly cpuStepMs?: number;
  /** req/s the engine CPU step allows over all replicas. */
  readonly cpuBoundRps?: number;
  /** The simulator's API-server CPU per request on this host, ms, on its busier thread (event loop: handle + stream the output; tokeniser: the prompt). */
  readonly apiMsPerRequest?: number;
  /** req/s the replicas' API servers allow (each process: an event loop and a tokeniser thread). */
  readonly apiBoundRps?: number;
  readonly boundRps: number;
  /** The least mean TTFT at `boundRps`: the waiting requests' queueing (Little's law) plus one prefill, ms. */
  readonly meanTtftFloorMs: number;
}

export function roofline(c: BenchConfig, x: RooflineInput): Roofline {
  const model = modelFacts(c);
  const gpu = gpuFacts(c);
  const tp = c.vllm.tensorParallelSize;
  const replicas = c.vllm.replicas;
  const inFlight = x.concurrency / replicas;
  const kvDtype = c.vllm.kvCacheDtype;
  const kvTokens = kvTokensPerReplica({
    gpu, model, tensorParallelSize: tp, gpuMemoryUtilization: c.vllm.gpuMemoryUtilization, kvCacheDtype: kvDtype,
    nonKvMemoryGiB: c.sim.nonKvMemoryGiB, blockSize: c.vllm.blockSize,
  });
  const shared = x.sharedTokensPerReplica ?? 0;
  const privateTokens = x.promptTokens - Math.min(x.promptTokens, x.sharedPrefixTokens ?? 0) + x.outputTokens;
  const kvSeqs = Math.max(0, Math.floor((kvTokens - shared) / privateTokens));
  const caps: [Roofline['batchLimit'], number][] = [['in-flight', inFlight], ['maxNumSeqs', c.vllm.maxNumSeqs], ['kv-cache', kvSeqs]];
  const [batchLimit, B] = caps.reduce((a, b) => (b[1] < a[1] ? b : a));
  const bw = gpu.memoryBandwidthGBs * 1e9;
  const flops = gpu.bf16Tflops * 1e12;
  // Streamed per step: everything but the embedding table (gathered, not streamed), one GPU's share.
  const streamed = (model.parameters - model.vocabSize * model.hiddenSize) * model.dtypeBytes / tp;
  const ctx = x.promptTokens + x.outputTokens / 2;
  const weightMs = streamed / bw * 1000;
  const kvMs = B * ctx * kvBytesPerTokenPerGpu(model, kvDtype, tp) / bw * 1000;
  const step = weightMs + kvMs;
  const uncached = (1 - x.prefixHitRate) * x.promptTokens;
  const prefillMs = 2 * (model.parameters / tp) * uncached / flops * 1000;
  const gpuBound = B > 0 ? replicas / ((x.outputTokens / B) * step / 1000 + prefillMs / 1000) : 0;
  const latencyBound = replicas * B / (x.outputTokens * step / 1000);
  const cpu = simulatorCpu(c);
  const cpuStep = cpu ? (cpu.t0 + cpu.tSeq * B) * 1000 : undefined;
  const cpuBound = cpuStep !== undefined ? replicas * B / (x.outputTokens * cpuStep / 1000) : undefined;
  // The busier of the two threads of an API-server process (lib/sim/cpu-server.ts).
  const apiMs = cpu ? Math.max(cpu.apiReq + cpu.apiOut * x.outputTokens, cpu.apiTok * x.promptTokens) * 1000 : undefined;
  const apiBound = apiMs !== undefined && cpu ? replicas * cpu.apiServers / (apiMs / 1000) : undefined;
  const bound = Math.min(gpuBound, latencyBound, cpuBound ?? Infinity, apiBound ?? Infinity);
  const waiting = Math.max(0, inFlight - B);
  return {
    replicas,
    inFlightPerReplica: inFlight,
    batchPerReplica: B,
    batchLimit,
    kvTokensPerReplica: kvTokens,
    weightMsPerStep: weightMs,
    kvMsPerStep: kvMs,
    decodeStepMs: step,
    prefillMsPerRequest: prefillMs,
    gpuBoundRps: gpuBound,
    latencyBoundRps: latencyBound,
    ...(cpuStep !== undefined ? { cpuStepMs: cpuStep, cpuBoundRps: cpuBound } : {}),
    ...(apiMs !== undefined ? { apiMsPerRequest: apiMs, apiBoundRps: apiBound } : {}),
    boundRps: bound,
    meanTtftFloorMs: (bound > 0 ? waiting / (bound / replicas) * 1000 : Infinity) + prefillMs,
  };
}

