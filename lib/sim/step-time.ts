/**
 * How long one engine step (one forward pass over a continuous batch) takes.
 *
 *   GPU = max( W / BWw , (2 Plin N + 2 Phead nSeq) / Feff )  linear layers: weight streaming or math
 *       + ctx x kvB / BWkv                                   decode attention: read every cached token
 *       + A x Fpair / Fattn                                  prefill attention: chunk x context
 *       + nAR x (a + 2(p-1)/p x N x h x b / BWbus)           tensor parallel: all-reduces of the hidden state
 *   CPU = T0 + tSeq x nSeq                                   scheduling, sampling, output processing
 *   T   = max(CPU, GPU) with vLLM's async scheduling (CPU work of one step overlaps the GPU work of
 *         the previous one), CPU + GPU without it.
 *
 *  - N: tokens in the step (decodes + prefill chunk tokens); nSeq: sequences in the step;
 *  - W: weight bytes streamed per step (all linear layers + LM head; embeddings are gathered),
 *    BWw = weightBandwidthEfficiency x peak bandwidth. A batch-1 decode of Qwen2.5-7B on an A10G
 *    streams 14.14 GB at 480 GB/s = 29.5 ms: the classic memory-bound floor;
 *  - Plin, Phead: linear and LM-head parameters; every token passes through the linear layers, the LM
 *    head runs once per sequence (only the sampled position gets logits). Feff = computeEfficiency x
 *    peak dense bf16 FLOPS. The linear layers take whichever of streaming and math is slower
 *    (roofline); with a ~117 FLOP/B ridge on an A10G the switch is at N ~ 250 tokens;
 *  - ctx: context tokens the decodes in the step attend over (each decode reads its whole KV),
 *    kvB: KV bytes per token, BWkv = kvBandwidthEfficiency x peak bandwidth;
 *  - A: query x key pairs of the prefill chunks (a chunk of n tokens after c cached ones: n(c + (n+1)/2),
 *    causal), Fpair = 4 x heads x headDim x layers FLOPs per pair, Fattn = attentionEfficiency x peak.
 *  - Tensor parallelism over p GPUs (vllm.tensorParallelSize): W, Plin, Phead, kvB and Fpair are one
 *    GPU's shares (hardware.ts); each of the nAR = 2 x layers all-reduces moves the N x hidden state of
 *    the step (h x b bytes a token) as a ring all-reduce over the GPU link's measured bus bandwidth
 *    BWbus (nccl-tests busbw, tables/gpus.ts), plus a per-call latency a = NCCL's ring LL base latency
 *    6.6 us + 2(p-1) steps x the link's per-step latency (NCCL src/graph/tuning.cc). With p = 1 the
 *    term is 0 and the model is the calibrated single-GPU one.
 *
 * This is Vidur's decomposition (linear ops keyed on tokens, attention on context) reduced to closed
 * forms, plus a CPU term because a g5.xlarge has 4 vCPUs for the API server and the engine.
 * docs/simulator.md derives and checks the constants.
 */
import { type GpuFacts, NCCL_BASE_LATENCY_US } from '../config/tables/gpus';
import type { ModelCosts } from './hardware';

/** Seconds of one all-reduce call before any byte moves: NCCL ring LL base + 2(p-1) link steps. */
export function allReduceLatencySeconds(gpu: GpuFacts, tensorParallelSize: number): number {
  return (NCCL_BASE_LATENCY_US + 2 * (tensorParallelSize - 1) * gpu.link.hopLatencyUs) / 1e6;
}

export interface StepTimeConstants {
  readonly stepOverheadMs: number;
  readonly perSequenceOverheadMs: number;
  readonly computeEfficiency: number;
  readonly weightBandwidthEfficiency: number;
  readonly kvBandwidthEfficiency: number;
  readonly attentionEfficiency: number;
  /** vLLM async scheduling: the CPU work of a step overlaps the GPU work (T = max(CPU, GPU)). */
  readonly asyncScheduling: boolean;
}

export class StepTimeModel {
  private readonly t0: number;
  private readonly tSeq: number;
  private readonly weightTime: number;
  private readonly linearSecondsPerToken: number;
  private readonly headSecondsPerSeq: number;
  private readonly kvSecondsPerToken: number;
  private readonly attnSecondsPerPair: number;
  private readonly overlap: boolean;
  /** Per step: all-reduce calls x their fixed latency, and seconds per token of the step. */
  private readonly allReduceFixed: number;
  private readonly allReduceSecondsPerToken: number;
  /** GPU part of the last duration() (what DCGM would count as GPU busy). */
  lastGpuSeconds = 0;

  constructor(costs: ModelCosts, gpu: GpuFacts, k: StepTimeConstants) {
    const peakFlops = gpu.bf16Tflops * 1e12;
    const bandwidth = gpu.memoryBandwidthGBs * 1e9;
    const feff = k.computeEfficiency * peakFlops;
    this.t0 = k.stepOverheadMs / 1000;
    this.tSeq = k.perSequenceOverheadMs / 1000;
    this.weightTime = costs.weightBytesPerStep / (k.weightBandwidthEfficiency * bandwidth);
    this.linearSecondsPerToken = (2 * costs.linearParams) / feff;
    this.headSecondsPerSeq = (2 * costs.lmHeadParams) / feff;
    this.kvSecondsPerToken = costs.kvBytesPerToken / (k.kvBandwidthEfficiency * bandwidth);
    this.attnSecondsPerPair = costs.attentionFlopsPerPair / (k.attentionEfficiency * peakFlops);
    this.overlap = k.asyncScheduling;
    const p = costs.tensorParallelSize;
    const calls = p > 1 ? costs.allReducesPerStep : 0;
    this.allReduceFixed = calls * (p > 1 ? allReduceLatencySeconds(gpu, p) : 0);
    this.allReduceSecondsPerToken = p > 1
      ? (calls * 2 * (p - 1) / p * costs.allReduceBytesPerToken) / (gpu.link.allReduceBusGBs * 1e9)
      : 0;
  }

  /**
   * Seconds for a step of `tokens` tokens over `seqs` sequences, whose decodes read `decodeContext`
   * cached tokens and whose prefill chunks form `prefillPairs` causal query x key pairs.
   */
  duration(tokens: number, seqs: number, decodeContext: number, prefillPairs: number): number {
    const math = tokens * this.linearSecondsPerToken + seqs * this.headSecondsPerSeq;
    let gpu = (math > this.weightTime ? math : this.weightTime)
      + decodeContext * this.kvSecondsPerToken
      + prefillPairs * this.attnSecondsPerPair;
    if (this.allReduceFixed > 0) gpu += this.allReduceFixed + tokens * this.allReduceSecondsPerToken;
    const cpu = this.t0 + this.tSeq * seqs;
    this.lastGpuSeconds = gpu;
    if (this.overlap) return cpu > gpu ? cpu : gpu;
    return cpu + gpu;
  }

  /** Query x key pairs of a causal prefill chunk of `n` tokens after `cached` tokens. */
  static prefillPairs(n: number, cached: number): number {
    return n * (cached + (n + 1) / 2);
  }
}
