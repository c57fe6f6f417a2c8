/**
 * GPU hardware facts (datasheets; see docs/simulator.md for the derivations that use them).
 * `usableMemoryGiB` is what the CUDA driver reports as total (nvidia-smi), which vLLM multiplies by
 * `--gpu-memory-utilization`.
 */
export interface GpuFacts {
  /** Marketing memory size in GB. */
  readonly memoryGB: number;
  /** Total device memory as the driver reports it, GiB. */
  readonly usableMemoryGiB: number;
  /** Peak HBM/GDDR bandwidth, GB/s. */
  readonly memoryBandwidthGBs: number;
  /** Dense bf16 tensor-core throughput, TFLOPS. */
  readonly bf16Tflops: number;
}

/*
 * usableMemoryGiB: nvidia-smi totals on the EC2 instances (A10G 23,028 MiB, L4 23,034 MiB, L40S 46,068 MiB).
 * Bandwidth and bf16 dense tensor FLOPS: NVIDIA datasheets (L4 242 and L40S 733 TFLOPS are "with
 * sparsity", halved here); the A10G runs at lower tensor clocks than the A10 (125 TFLOPS) - ~70 dense.
 */
export const GPUS: Readonly<Record<string, GpuFacts>> = {
  A10G: { memoryGB: 24, usableMemoryGiB: 22.49, memoryBandwidthGBs: 600, bf16Tflops: 70 },
  L4: { memoryGB: 24, usableMemoryGiB: 22.49, memoryBandwidthGBs: 300, bf16Tflops: 121 },
  L40S: { memoryGB: 48, usableMemoryGiB: 44.99, memoryBandwidthGBs: 864, bf16Tflops: 362 },
};
