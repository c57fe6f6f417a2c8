/**
 * How long one engine step (one forward pass over a continuous batch) takes.
 *
 *   GPU = max( W / (ηw BW) , (2 Plin N + 2 Phead nSeq) / (ηmm F) )   linear layers: weight streaming or math
 *       + ctx x kvB / (ηkv BW) x fkv x r                             decode attention: read every cached token
 *       + Σchunks pairs(n, c) x Fpair / (ηattn(c + n) F) x fpre       prefill attention: chunk x context
 *       + nAR x (a + 2(p-1)/p x N x h x b / BWbus)                    tensor parallel: all-reduces of the hidden state
 *   ηattn(L) = ηattn x L / (L + Lhalf)                               flash attention is less efficient on short sequences
 *   r = 1 + (g - 1) x max(0, 1 - L2 / (ctx x kvH))                   FA2 steps with a prefill chunk: each of the g
 *                                                                    query heads of a KV head streams it again, from
 *                                                                    L2 only if the step's KV of one head fits there;
 *                                                                    r = 1 in decode-only steps and where the kernel
 *                                                                    packs GQA (tables/gpus.ts)
 *   CPU = (T0 + tSeq x nSeq + tLayer x layers[eager only]) x host     engine core: scheduling, input prep, sampling, outputs
 *   GPU' = max(GPU, Cpen x nSeq x outMax) + nSeq x V x Bpen / (ηw BW)   sampler penalty pass, only when a request
 *                                                                    carries a penalty (sampler-penalties.ts): its
 *                                                                    CPU tensor build overlaps the forward, its
 *                                                                    memory passes follow it
 *   T   = max(CPU, GPU) with vLLM's async scheduling (the CPU work of a step overlaps the GPU work of
 *         the previous one), CPU + GPU without it.
 *
 *  - N: tokens in the step (decodes + prefill chunk tokens); nSeq: sequences in the step;
 *  - W: weight bytes streamed per step (all linear layers + LM head; embeddings are gathered);
 *  - Plin, Phead: linear and LM-head parameters; every token passes through the linear layers, the LM
 *    head runs once per sequence (only the sampled position gets logits); F = dense bf16 peak;
 *  - ctx: context tokens the decodes of the step attend over (each decode reads its whole KV);
 *  - g: query heads per KV head; kvH: bytes of one KV head of one layer per token. FA2 launches its
 *    blocks heads outermost, so between two query heads of one KV head the kernel streams that head's
 *    KV of every decode of the step (ctx x kvH = D): the re-read finds in L2 at most the L2 / D of it
 *    that fits, and 1 - L2/D misses (an optimistic reading: a strict LRU keeps none of a scan larger
 *    than itself; on an A10G the two differ by ~8%, on 40-96 MB L2s more);
 *  - pairs(n, c) = n (c + (n+1)/2): query x key pairs of a causal chunk of n tokens after c cached ones;
 *    Fpair = 4 x heads x headDim x layers FLOPs per pair;
 *  - fkv, fpre: fp8 KV cache factors (1 with a 16-bit cache). kvB is already the fp8 size, so fkv is
 *    the time of an fp8-KV decode read relative to the 16-bit read, over 0.5: on GPUs whose tensor cores
 *    have no fp8 (Ampere) the kernel dequantises and the halved bytes buy little;
 *  - the η are per GPU architecture (lib/sim/timing-params.ts: priors, sources, fitted values);
 *  - Tensor parallelism over p GPUs: W, Plin, Phead, kvB and Fpair are one GPU's shares (hardware.ts);
 *    each of the nAR = 2 x layers all-reduces moves the step's N x hidden state as a ring all-reduce
 *    over the link's measured bus bandwidth (nccl-tests busbw, tables/gpus.ts), plus a per-call latency
 *    a = NCCL's ring LL base latency 6.6 us + 2(p-1) link steps (NCCL src/graph/tuning.cc).
 *
 * This is Vidur's decomposition (linear ops keyed on tokens, attention on context) reduced to closed
 * forms, plus the engine core's CPU time. docs/simulator.md tabulates every constant.
 */
import { type GpuFacts, NCCL_BASE_LATENCY_US } from '../config/tables/gpus';
import type { ModelCosts } from './hardware';

/** Seconds of one all-reduce call before any byte moves: NCCL ring LL base + 2(p-1) link steps. */
export function allReduceLatencySeconds(gpu: GpuFacts, tensorParallelSize: number): number {
  return (NCCL_BASE_LATENCY_US + 2 * (tensorParallelSize - 1) * gpu.link.hopLatencyUs) / 1e6;
}

/** The step-time constants of one replica, already resolved for its GPU architecture and host. */
export interface StepTiming {
  /** ηw: achieved / peak memory bandwidth streaming the weights. */
  readonly weightBandwidth: number;
  /** ηkv: achieved / peak memory bandwidth of paged decode attention. */
  readonly kvBandwidth: number;
  /** ηmm: achieved / peak dense bf16 FLOPS of the linear layers in big (prefill) steps. */
  readonly matmul: number;
  /** ηattn: achieved / peak FLOPS of prefill (flash) attention at long context. */
  readonly attention: number;
  /** Lhalf: context (tokens) at which prefill attention runs at half its long-context efficiency. */
  readonly attentionHalfContext: number;
  /** fkv: fp8-KV decode read time relative to the 16-bit read (1 with a 16-bit cache). */
  readonly kvReadFactor: number;
  /** fpre: prefill attention time factor of an fp8 KV cache (1 with a 16-bit cache). */
  readonly prefillAttentionFactor: number;
  /** CPU seconds of the engine core per step (T0, host-scaled; includes eager launches). */
  readonly cpuStepSeconds: number;
  /** CPU seconds per sequence per step (tSeq, host-scaled). */
  readonly cpuSeqSeconds: number;
  /** Sampler penalty pass (0 when no request carries a penalty): GPU seconds per row (nSeq x V x Bpen / (ηw BW)). */
  readonly penaltyGpuSecondsPerRow: number;
  /** ... and host-scaled CPU seconds per element of the padded output-token matrix (nSeq x longest output). */
  readonly penaltyCpuSecondsPerToken: number;
  /** vLLM async scheduling: the CPU work of a step overlaps the GPU work (T = max(CPU, GPU)). */
  readonly asyncScheduling: boolean;
  /**
   * Bytes of L2 when the attention kernel re-reads each KV head once per query head in steps with a
   * prefill chunk (FlashAttention 2: tables/gpus.ts); undefined where it reads each KV head once.
   */
  readonly rereadL2Bytes?: number;
}

export class StepTimeModel {
  private readonly t0: number;
  private readonly tSeq: number;
  private readonly weightTime: number;
  private readonly linearSecondsPerToken: number;
  private readonly headSecondsPerSeq: number;
  private readonly kvSecondsPerToken: number;
  private readonly attnSecondsPerPair: number;
  private readonly halfContext: number;
  private readonly overlap: boolean;
  /** g - 1 and L2 / kvH (tokens of one KV head that fit in L2) where mixed steps re-read KV; else 0. */
  private readonly extraReads: number;
  private readonly l2Tokens: number;
  /** Per step: all-reduce calls x their fixed latency, and seconds per token of the step. */
  private readonly allReduceFixed: number;
  private readonly allReduceSecondsPerToken: number;
  private readonly penaltyGpuPerRow: number;
  private readonly penaltyCpuPerToken: number;
  /**
   * Parts of the last duration(): GPU busy (what DCGM counts), the device side of the step (GPU busy
   * plus any wait of the penalty pass for its CPU-built tensors) and the engine-core CPU.
   */
  lastGpuSeconds = 0;
  lastDeviceSeconds = 0;
  lastCpuSeconds = 0;

  constructor(costs: ModelCosts, gpu: GpuFacts, k: StepTiming) {
    const peakFlops = gpu.bf16Tflops * 1e12;
    const bandwidth = gpu.memoryBandwidthGBs * 1e9;
    const feff = k.matmul * peakFlops;
    this.t0 = k.cpuStepSeconds;
    this.tSeq = k.cpuSeqSeconds;
    this.weightTime = costs.weightBytesPerStep / (k.weightBandwidth * bandwidth);
    this.linearSecondsPerToken = (2 * costs.linearParams) / feff;
    this.headSecondsPerSeq = (2 * costs.lmHeadParams) / feff;
    this.kvSecondsPerToken = (costs.kvBytesPerToken * k.kvReadFactor) / (k.kvBandwidth * bandwidth);
    this.attnSecondsPerPair = (costs.attentionFlopsPerPair * k.prefillAttentionFactor) / (k.attention * peakFlops);
    this.halfContext = k.attentionHalfContext;
    this.overlap = k.asyncScheduling;
    this.penaltyGpuPerRow = k.penaltyGpuSecondsPerRow;
    this.penaltyCpuPerToken = k.penaltyCpuSecondsPerToken;
    const rereads = k.rereadL2Bytes !== undefined && costs.queryHeadsPerKvHead > 1;
    this.extraReads = rereads ? costs.queryHeadsPerKvHead - 1 : 0;
    this.l2Tokens = rereads ? (k.rereadL2Bytes as number) / costs.kvHeadBytesPerToken : 0;
    const p = costs.tensorParallelSize;
    const calls = p > 1 ? costs.allReducesPerStep : 0;
    this.allReduceFixed = calls * (p > 1 ? allReduceLatencySeconds(gpu, p) : 0);
    this.allReduceSecondsPerToken = p > 1
      ? (calls * 2 * (p - 1) / p * costs.allReduceBytesPerToken) / (gpu.link.allReduceBusGBs * 1e9)
      : 0;
  }

  /**
   * Seconds for a step of `tokens` tokens over `seqs` sequences, whose decodes read `decodeContext`
   * cached tokens and whose prefill chunks add up to `prefillWork` efficiency-weighted pairs
   * (prefillWork() of each chunk); `mixed`: some sequence has more than one query token this step;
   * `longestOutput`: output tokens so far of the step's longest-running request (the penalty pass pads to it).
   */
  duration(tokens: number, seqs: number, decodeContext: number, prefillWork: number, mixed = false, longestOutput = 0): number {
    const math = tokens * this.linearSecondsPerToken + seqs * this.headSecondsPerSeq;
    let forward = (math > this.weightTime ? math : this.weightTime)
      + decodeContext * this.kvSecondsPerToken * (mixed ? this.kvReads(decodeContext) : 1)
      + prefillWork * this.attnSecondsPerPair;
    if (this.allReduceFixed > 0) forward += this.allReduceFixed + tokens * this.allReduceSecondsPerToken;
    // The GPU runs the forward and the penalty pass; the pass also waits for its CPU-built tensors,
    // which lengthens the device side of the step without keeping the GPU busy.
    let busy = forward;
    let device = forward;
    if (this.penaltyGpuPerRow > 0) {
      const build = seqs * longestOutput * this.penaltyCpuPerToken;
      const pass = seqs * this.penaltyGpuPerRow;
      busy = forward + pass;
      device = (build > forward ? build : forward) + pass;
    }
    const cpu = this.t0 + this.tSeq * seqs;
    this.lastGpuSeconds = busy;
    this.lastDeviceSeconds = device;
    this.lastCpuSeconds = cpu;
    if (this.overlap) return cpu > device ? cpu : device;
    return cpu + device;
  }

  /** r: times the decode KV of a step with a prefill chunk is streamed from memory (1 if packed). */
  kvReads(decodeContext: number): number {
    if (this.extraReads === 0 || decodeContext <= this.l2Tokens) return 1;
    return 1 + this.extraReads * (1 - this.l2Tokens / decodeContext);
  }

  /**
   * Prefill attention work of a causal chunk of `n` tokens after `cached` ones: its query x key pairs,
   * weighted by 1 / (relative efficiency at its context length) = (L + Lhalf) / L, L = cached + n.
   */
  prefillWork(n: number, cached: number): number {
    const L = cached + n;
    return StepTimeModel.prefillPairs(n, cached) * (L + this.halfContext) / L;
  }

  /** Query x key pairs of a causal prefill chunk of `n` tokens after `cached` tokens. */
  static prefillPairs(n: number, cached: number): number {
    return n * (cached + (n + 1) / 2);
  }
}
