/**
 * EC2 instance facts the config validates against, the charts size pods from, the simulator and the
 * cost model read. Add a row to allow another instance type; `prices.ts` should price it (a test lists
 * the unpriced ones) and a GPU row must name a GPU of `gpus.ts`.
 *
 * Every row carries its `sources` (one list per family below). The facts were checked row by row
 * against aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md at 1d92708
 * (August 2026; generated from EC2 DescribeInstanceTypes: instance-cpu, instance-memory,
 * instance-gpu-count/-name, instance-local-nvme, instance-network-bandwidth); `baselineNetworkGbps` is
 * the sustained (not "up to") figure of pkg/providers/instancetype/zz_generated.bandwidth.go there.
 * `gpuInterconnect` follows the GPU's form factor (gpus.ts link): PCIe cards without NVLink (A10G, L4,
 * L40S) or SXM modules on an NVSwitch baseboard; a single-GPU size has no peer. `quotaFamily`: which
 * EC2 Service Quotas vCPU limit the instance draws on (see `quotas.ts`).
 */
export type QuotaFamily = 'G and VT' | 'P' | 'Standard';

export interface InstanceFacts {
  /** vCPUs of the instance. */
  readonly vcpu: number;
  /** Host memory in GiB. */
  readonly memoryGiB: number;
  /** NVIDIA GPUs on the instance (0 for general purpose types). */
  readonly gpus: number;
  /** GPU model, a key of GPUS in `gpus.ts`, when `gpus > 0`. */
  readonly gpuModel?: string;
  /** How the GPUs reach each other: NVLink through NVSwitch, or PCIe only (also for one GPU). */
  readonly gpuInterconnect?: 'nvswitch' | 'pcie';
  /** Local NVMe instance storage, GB (0: EBS only). */
  readonly localNvmeGB: number;
  /** Sustained network bandwidth, Gbps (the "up to" burst figure is higher on small sizes). */
  readonly baselineNetworkGbps: number;
  /** EC2 On-Demand vCPU quota the instance counts against. */
  readonly quotaFamily: QuotaFamily;
  /** Where the facts come from. */
  readonly sources: readonly string[];
}

const KARPENTER_TYPES = 'vCPU, memory, GPU count and model, local NVMe: aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md @1d92708 (generated from EC2 DescribeInstanceTypes)';
const KARPENTER_BANDWIDTH = 'baselineNetworkGbps: aws/karpenter-provider-aws pkg/providers/instancetype/zz_generated.bandwidth.go @1d92708 (EC2 DescribeInstanceTypes network performance)';
const CAPACITY_BLOCKS = 'EC2 Capacity Blocks pricing table: vCPU, memory, GPUs, NVMe, network';
const pcieCard = (gpu: string) => `gpuInterconnect pcie: the ${gpu} is a PCIe card without NVLink (gpus.ts ${gpu} link)`;
const nvswitch = (gpu: string, nvlink: string) => `gpuInterconnect nvswitch: 8 x ${gpu} SXM on an NVSwitch baseboard, ${nvlink} (gpus.ts ${gpu} link)`;

/** Sources of each family's rows. */
export const INSTANCE_FAMILY_SOURCES: Readonly<Record<string, readonly string[]>> = {
  g5: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, 'AWS Batch "GPU jobs" table: g5 vCPU, memory, GPUs, network', pcieCard('A10G')],
  g6: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, pcieCard('L4')],
  g6e: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, pcieCard('L40S')],
  p4d: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, CAPACITY_BLOCKS, nvswitch('A100-40GB', 'NVLink 3')],
  p4de: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, nvswitch('A100-80GB', 'NVLink 3')],
  // p5.4xlarge: one H100 of the same baseboard, so no peer to link to (pcie in the row).
  p5: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, `${CAPACITY_BLOCKS} (p5.48xlarge)`, nvswitch('H100', 'NVLink 4')],
  p5e: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, CAPACITY_BLOCKS, nvswitch('H200', 'NVLink 4')],
  p5en: [KARPENTER_TYPES, KARPENTER_BANDWIDTH, 'dstack AWS offer listing (dstackai/dstack#4110): cpu=192 mem=2048GB gpu=H200:141GB:8', nvswitch('H200', 'NVLink 4')],
  'p6-b200': [KARPENTER_TYPES, KARPENTER_BANDWIDTH, nvswitch('B200', 'NVLink 5')],
  m6i: [KARPENTER_TYPES, KARPENTER_BANDWIDTH],
  m7i: [KARPENTER_TYPES, KARPENTER_BANDWIDTH],
};

type Row = Omit<InstanceFacts, 'sources'>;
const g = (vcpu: number, memoryGiB: number, gpus: number, gpuModel: string, localNvmeGB: number, baselineNetworkGbps: number): Row =>
  ({ vcpu, memoryGiB, gpus, gpuModel, gpuInterconnect: 'pcie', localNvmeGB, baselineNetworkGbps, quotaFamily: 'G and VT' });
const p = (vcpu: number, memoryGiB: number, gpus: number, gpuModel: string, localNvmeGB: number, baselineNetworkGbps: number): Row =>
  ({ vcpu, memoryGiB, gpus, gpuModel, gpuInterconnect: gpus > 1 ? 'nvswitch' : 'pcie', localNvmeGB, baselineNetworkGbps, quotaFamily: 'P' });
const m = (vcpu: number, memoryGiB: number, baselineNetworkGbps: number): Row =>
  ({ vcpu, memoryGiB, gpus: 0, localNvmeGB: 0, baselineNetworkGbps, quotaFamily: 'Standard' });

/** Each row with its family's sources (an unknown family gets none, which a test refuses). */
function withSources(rows: Readonly<Record<string, Row>>): Record<string, InstanceFacts> {
  return Object.fromEntries(Object.entries(rows).map(([type, row]) => [type, { ...row, sources: INSTANCE_FAMILY_SOURCES[instanceFamily(type)] ?? [] }]));
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceFacts>> = withSources({
  // G5: NVIDIA A10G 24 GB, AMD EPYC; GPUs on PCIe (no NVLink).
  'g5.xlarge': g(4, 16, 1, 'A10G', 250, 2.5),
  'g5.2xlarge': g(8, 32, 1, 'A10G', 450, 5),
  'g5.4xlarge': g(16, 64, 1, 'A10G', 600, 10),
  'g5.8xlarge': g(32, 128, 1, 'A10G', 900, 25),
  'g5.16xlarge': g(64, 256, 1, 'A10G', 1900, 25),
  'g5.12xlarge': g(48, 192, 4, 'A10G', 3800, 40),
  'g5.24xlarge': g(96, 384, 4, 'A10G', 3800, 50),
  'g5.48xlarge': g(192, 768, 8, 'A10G', 7600, 100),
  // G6: NVIDIA L4 24 GB, PCIe.
  'g6.xlarge': g(4, 16, 1, 'L4', 250, 2.5),
  'g6.2xlarge': g(8, 32, 1, 'L4', 450, 5),
  'g6.4xlarge': g(16, 64, 1, 'L4', 600, 10),
  'g6.8xlarge': g(32, 128, 1, 'L4', 900, 25),
  'g6.16xlarge': g(64, 256, 1, 'L4', 1880, 25),
  'g6.12xlarge': g(48, 192, 4, 'L4', 3760, 40),
  'g6.24xlarge': g(96, 384, 4, 'L4', 3760, 50),
  'g6.48xlarge': g(192, 768, 8, 'L4', 7520, 100),
  // G6e: NVIDIA L40S 48 GB, PCIe.
  'g6e.xlarge': g(4, 32, 1, 'L40S', 250, 2.5),
  'g6e.2xlarge': g(8, 64, 1, 'L40S', 450, 5),
  'g6e.4xlarge': g(16, 128, 1, 'L40S', 600, 20),
  'g6e.8xlarge': g(32, 256, 1, 'L40S', 900, 25),
  'g6e.16xlarge': g(64, 512, 1, 'L40S', 1900, 35),
  'g6e.12xlarge': g(48, 384, 4, 'L40S', 3800, 100),
  'g6e.24xlarge': g(96, 768, 4, 'L40S', 3800, 200),
  'g6e.48xlarge': g(192, 1536, 8, 'L40S', 7600, 400),
  // P4d/P4de: 8 x A100 SXM4 on NVSwitch (NVLink 3).
  'p4d.24xlarge': p(96, 1152, 8, 'A100-40GB', 8000, 400),
  'p4de.24xlarge': p(96, 1152, 8, 'A100-80GB', 8000, 400),
  // P5 family: H100 / H200 SXM on NVSwitch (NVLink 4); p5.4xlarge is one H100.
  'p5.4xlarge': p(16, 256, 1, 'H100', 3800, 100),
  'p5.48xlarge': p(192, 2048, 8, 'H100', 30400, 3200),
  'p5e.48xlarge': p(192, 2048, 8, 'H200', 30400, 3200),
  'p5en.48xlarge': p(192, 2048, 8, 'H200', 30400, 3200),
  // P6-B200: 8 x B200 on NVSwitch (NVLink 5).
  'p6-b200.48xlarge': p(192, 2048, 8, 'B200', 30400, 3200),
  // General purpose, for the system node group
  'm6i.large': m(2, 8, 0.781),
  'm6i.xlarge': m(4, 16, 1.562),
  'm6i.2xlarge': m(8, 32, 3.125),
  'm7i.xlarge': m(4, 16, 1.562),
  'm7i.2xlarge': m(8, 32, 3.125),
});

/** Instance types with NVIDIA GPUs, for error messages. */
export const GPU_INSTANCE_TYPES = Object.keys(INSTANCE_TYPES).filter((t) => INSTANCE_TYPES[t].gpus > 0);
/** Instance types without GPUs, for the system node group. */
export const GENERAL_INSTANCE_TYPES = Object.keys(INSTANCE_TYPES).filter((t) => INSTANCE_TYPES[t].gpus === 0);

/** The family of an instance type: `g5.xlarge` -> `g5`, `p6-b200.48xlarge` -> `p6-b200`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.split('.')[0];
}
