/**
 * GPU hardware facts, one row per GPU model an EC2 instance of `instances.ts` carries. Every number
 * names its source below; docs/simulator.md shows the derivations that use them.
 *
 * - `usableMemoryGiB`: the total the driver reports (nvidia-smi "Memory-Usage" denominator), which vLLM
 *   multiplies by `--gpu-memory-utilization`. CUDA's own total is a little lower (the driver keeps a few
 *   hundred MiB); the non-KV overhead constant (lib/config/fit.ts) was derived with these totals.
 * - `bf16Tflops`, `fp8Tflops`: dense tensor-core peaks (NVIDIA quotes "with sparsity" figures, halved here).
 *   fp8 only where the tensor cores have it (Ada, Hopper, Blackwell).
 * - `link`: how the GPUs of one instance reach each other. `allReduceBusGBs` is the bus bandwidth
 *   nccl-tests `all_reduce_perf` reaches at large messages on that fabric (busbw: a ring all-reduce of S
 *   bytes over p GPUs takes 2(p-1)/p x S / busbw); `hopLatencyUs` is NCCL's own per-step latency of its
 *   ring LL protocol for that link type (src/graph/tuning.cc `hwLat`, Ring/LL: NVLink 0.6 us, PCI 1.0 us).
 *
 * Add a row to support another GPU; `instances.ts` rows refer to it by key, and a test checks that every
 * referenced key exists and every fact is positive.
 */
export type GpuArchitecture = 'ampere' | 'ada' | 'hopper' | 'blackwell';

export interface GpuLink {
  /** NVLink through NVSwitch (every GPU reaches every other at full rate) or PCIe only. */
  readonly kind: 'nvlink' | 'pcie';
  /** Peak GPU-to-GPU bandwidth per GPU per direction, GB/s (NVLink: half the bidirectional figure; PCIe x16). */
  readonly peakGBs: number;
  /** nccl-tests all-reduce bus bandwidth at large messages, GB/s. */
  readonly allReduceBusGBs: number;
  /** NCCL ring (LL protocol) latency per step on this link type, microseconds. */
  readonly hopLatencyUs: number;
}

export interface GpuFacts {
  /** Marketing memory size in GB. */
  readonly memoryGB: number;
  /** Total device memory as the driver reports it, GiB. */
  readonly usableMemoryGiB: number;
  /** Peak HBM/GDDR bandwidth, GB/s. */
  readonly memoryBandwidthGBs: number;
  /** Dense bf16 tensor-core throughput, TFLOPS. */
  readonly bf16Tflops: number;
  /** Dense fp8 tensor-core throughput, TFLOPS; absent where the GPU has no fp8 tensor cores (Ampere). */
  readonly fp8Tflops?: number;
  readonly architecture: GpuArchitecture;
  /** CUDA compute capability (8.0 A100, 8.6 A10G, 8.9 Ada, 9.0 Hopper, 10.0 Blackwell B200). */
  readonly computeCapability: number;
  /** L2 cache, MiB: how much of a step's KV a kernel that re-reads it per query head finds on chip. */
  readonly l2CacheMiB: number;
  readonly link: GpuLink;
  /** Where the numbers come from. */
  readonly sources: readonly string[];
}

/** NCCL's fixed ring LL latency per call (src/graph/tuning.cc `baseLat`, Ring/LL = 6.6 us). */
export const NCCL_BASE_LATENCY_US = 6.6;

/*
 * Link rows. PCIe Gen4 x16 = 32 GB/s per direction; nccl-tests on PCIe Gen5 H100 (no NVSwitch) reach
 * 35-45 GB/s busbw (2026 nccl-tests field guide, docs.alayanew.com "NCCL-tests in practice"), so Gen4,
 * at half the link rate, is taken as 20 GB/s (derived, not measured on g5/g6/g6e).
 * NVLink: 8 x A100 SXM4 230-250 GB/s busbw (same guide; 80% of the 300 GB/s line rate). H100/H200
 * SXM: 450 GB/s line rate per direction; a ring all-reduce (what vLLM's TP all-reduce is: custom
 * all-reduce or NCCL ring, not NVLink SHARP) reaches ~370 GB/s busbw after ~20% protocol overhead
 * (NCCL maintainer, github.com/NVIDIA/nccl-tests/issues/212). The 460-480 GB/s often quoted for 8 x
 * H100 is NVLS (in-switch reduction) busbw, which is not wire bandwidth and exceeds the link peak, so
 * it must not be used here. B200 doubles the per-GPU NVLink rate (NVLink 5, 1.8 TB/s bidirectional):
 * 2 x 370 (derived, no B200 measurement). Invariant (test/config): busbw <= peakGBs.
 */
const PCIE_GEN4: GpuLink = { kind: 'pcie', peakGBs: 32, allReduceBusGBs: 20, hopLatencyUs: 1.0 };
const NVLINK3: GpuLink = { kind: 'nvlink', peakGBs: 300, allReduceBusGBs: 240, hopLatencyUs: 0.6 };
const NVLINK4: GpuLink = { kind: 'nvlink', peakGBs: 450, allReduceBusGBs: 370, hopLatencyUs: 0.6 };
const NVLINK5: GpuLink = { kind: 'nvlink', peakGBs: 900, allReduceBusGBs: 740, hopLatencyUs: 0.6 };

export const GPUS: Readonly<Record<string, GpuFacts>> = {
  A10G: {
    memoryGB: 24, usableMemoryGiB: 22.49, memoryBandwidthGBs: 600, bf16Tflops: 70,
    architecture: 'ampere', computeCapability: 8.6, l2CacheMiB: 6, link: PCIE_GEN4,
    sources: [
      '6 MB L2 (GA102: NVIDIA Ampere GA102 GPU architecture whitepaper, 6,144 KB)',
      'nvidia-smi on g5.xlarge: 23,028 MiB (project vllm-notes)',
      'A10G runs below the A10\'s tensor clocks (A10: 125 dense bf16 TFLOPS); ~70 dense, as the reference calibration uses',
      '600 GB/s GDDR6 (AWS G5 page)',
    ],
  },
  L4: {
    memoryGB: 24, usableMemoryGiB: 22.49, memoryBandwidthGBs: 300, bf16Tflops: 121, fp8Tflops: 242.5,
    architecture: 'ada', computeCapability: 8.9, l2CacheMiB: 48, link: PCIE_GEN4,
    sources: ['48 MB L2 (AD104: NVIDIA Ada Lovelace GPU architecture whitepaper)', 'nvidia-smi on g6.xlarge: 23,034 MiB', 'NVIDIA L4 datasheet: 300 GB/s, bf16 242 / fp8 485 TFLOPS with sparsity'],
  },
  L40S: {
    memoryGB: 48, usableMemoryGiB: 44.99, memoryBandwidthGBs: 864, bf16Tflops: 362, fp8Tflops: 733,
    architecture: 'ada', computeCapability: 8.9, l2CacheMiB: 96, link: PCIE_GEN4,
    sources: ['96 MB L2 (AD102: NVIDIA Ada Lovelace GPU architecture whitepaper)', 'nvidia-smi on g6e.xlarge: 46,068 MiB', 'NVIDIA L40S datasheet: 864 GB/s, bf16 733 / fp8 1,466 TFLOPS with sparsity'],
  },
  'A100-40GB': {
    memoryGB: 40, usableMemoryGiB: 40, memoryBandwidthGBs: 1555, bf16Tflops: 312,
    architecture: 'ampere', computeCapability: 8.0, l2CacheMiB: 40, link: NVLINK3,
    sources: ['40 MB L2 (NVIDIA A100 Tensor Core GPU architecture whitepaper)', 'nvidia-smi A100-SXM4-40GB: 40,960 MiB', 'NVIDIA A100 datasheet: 1,555 GB/s (40 GB SXM), 312 dense bf16 TFLOPS, NVLink 3 600 GB/s bidirectional'],
  },
  'A100-80GB': {
    memoryGB: 80, usableMemoryGiB: 80, memoryBandwidthGBs: 2039, bf16Tflops: 312,
    architecture: 'ampere', computeCapability: 8.0, l2CacheMiB: 40, link: NVLINK3,
    sources: ['40 MB L2 (NVIDIA A100 Tensor Core GPU architecture whitepaper)', 'nvidia-smi A100-SXM4-80GB: 81,920 MiB', 'NVIDIA A100 datasheet: 2,039 GB/s (80 GB SXM), 312 dense bf16 TFLOPS, NVLink 3 600 GB/s bidirectional'],
  },
  H100: {
    memoryGB: 80, usableMemoryGiB: 79.65, memoryBandwidthGBs: 3350, bf16Tflops: 989, fp8Tflops: 1979,
    architecture: 'hopper', computeCapability: 9.0, l2CacheMiB: 50, link: NVLINK4,
    sources: ['50 MB L2 (NVIDIA H100 Tensor Core GPU architecture whitepaper, SXM5)', 'nvidia-smi "H100 80GB HBM3": 81,559 MiB', 'NVIDIA H100 SXM datasheet: 3.35 TB/s, bf16 1,979 / fp8 3,958 TFLOPS with sparsity, NVLink 900 GB/s bidirectional'],
  },
  H200: {
    memoryGB: 141, usableMemoryGiB: 140.4, memoryBandwidthGBs: 4800, bf16Tflops: 989, fp8Tflops: 1979,
    architecture: 'hopper', computeCapability: 9.0, l2CacheMiB: 50, link: NVLINK4,
    sources: ['50 MB L2 (GH100, as H100 SXM5)', 'nvidia-smi H200: 143,771 MiB', 'NVIDIA H200 SXM datasheet: 141 GB HBM3e, 4.8 TB/s, same GH100 compute as H100, NVLink 900 GB/s'],
  },
  B200: {
    memoryGB: 180, usableMemoryGiB: 179.06, memoryBandwidthGBs: 8000, bf16Tflops: 2250, fp8Tflops: 4500,
    architecture: 'blackwell', computeCapability: 10.0, l2CacheMiB: 126, link: NVLINK5,
    sources: [
      '126 MB L2 over both dies (measured: chipsandcheese.com, B200 article)',
      'nvidia-smi 8 x B200 (p6-b200 class): 183,359 MiB each; MLPerf system "NVIDIA B200-SXM-180GB"',
      'NVIDIA HGX/DGX B200: 8 TB/s per GPU, 72 PFLOPS fp8 training per 8 GPUs with sparsity (4.5 dense fp8, 2.25 dense bf16 per GPU), NVLink 5 1.8 TB/s',
    ],
  },
};

/** Whether the GPU's tensor cores compute in fp8 (Ada, Hopper, Blackwell). */
export function hasFp8(gpu: GpuFacts): boolean {
  return gpu.fp8Tflops !== undefined;
}

/**
 * Whether vLLM's default attention kernel on this architecture reads a KV head once for all the query
 * heads that share it (GQA) in a step that mixes decodes with a prefill chunk.
 * - Ampere, Ada: FlashAttention 2 (vllm/attention/utils/fa_utils.py get_flash_attn_version: "if hopper
 *   default to FA3, otherwise stick to FA2"; vllm/platforms/cuda.py _get_backend_priorities: FLASH_ATTN
 *   first below compute capability 10). FA2's varlen forward folds the query heads of a KV head into
 *   one block only when max_seqlen_q == 1 (`seqlenq_ngroups_swapped`, decode-only steps). A step with
 *   a prefill chunk launches one block per (query row block, sequence, QUERY head), heads outermost
 *   (grid (m, b, h)), so each query head streams its KV head again (vllm-project/flash-attention
 *   617264c csrc/flash_attn/flash_api.cpp mha_varlen_fwd, src/flash_fwd_launch_template.h; unchanged
 *   since flash-attention PR 754, 2024-01). With an fp8 KV cache FA2 is not eligible (no fp8 in FA2)
 *   and vLLM takes the next backend of its list, FlashInfer or Triton unified attention (vLLM PR 49077
 *   measured the latter on an A100); both read a KV head once for its whole group: no re-read.
 * - Hopper: FlashAttention 3 packs GQA on every varlen call (hopper/heuristics.h should_pack_gqa:
 *   `if (varlen_q) return true`).
 * - Blackwell: FlashInfer is first (cuda.py, compute capability 10); decodes run in its grouped kernel.
 */
export const REREADS_KV_PER_QUERY_HEAD_IN_MIXED_STEPS: Readonly<Record<GpuArchitecture, boolean>> = {
  ampere: true, ada: true, hopper: false, blackwell: false,
};
