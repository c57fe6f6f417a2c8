/**
 * EC2 instance facts the config validates against and the cost model prices.
 * GPU counts and sizes from the EC2 instance-type pages (accelerated computing, general purpose).
 * Add a row to allow another instance type; `prices.ts` must price it too (a test checks).
 */
export interface InstanceFacts {
  /** vCPUs of the instance. */
  readonly vcpu: number;
  /** Host memory in GiB. */
  readonly memoryGiB: number;
  /** NVIDIA GPUs on the instance (0 for general purpose types). */
  readonly gpus: number;
  /** GPU model, a key of GPUS in `gpus.ts`, when `gpus > 0`. */
  readonly gpuModel?: string;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceFacts>> = {
  // NVIDIA A10G, 24 GB
  'g5.xlarge': { vcpu: 4, memoryGiB: 16, gpus: 1, gpuModel: 'A10G' },
  'g5.2xlarge': { vcpu: 8, memoryGiB: 32, gpus: 1, gpuModel: 'A10G' },
  'g5.4xlarge': { vcpu: 16, memoryGiB: 64, gpus: 1, gpuModel: 'A10G' },
  'g5.12xlarge': { vcpu: 48, memoryGiB: 192, gpus: 4, gpuModel: 'A10G' },
  // NVIDIA L4, 24 GB
  'g6.xlarge': { vcpu: 4, memoryGiB: 16, gpus: 1, gpuModel: 'L4' },
  'g6.2xlarge': { vcpu: 8, memoryGiB: 32, gpus: 1, gpuModel: 'L4' },
  'g6.12xlarge': { vcpu: 48, memoryGiB: 192, gpus: 4, gpuModel: 'L4' },
  // NVIDIA L40S, 48 GB
  'g6e.xlarge': { vcpu: 4, memoryGiB: 32, gpus: 1, gpuModel: 'L40S' },
  'g6e.2xlarge': { vcpu: 8, memoryGiB: 64, gpus: 1, gpuModel: 'L40S' },
  // General purpose, for the system node group
  'm6i.large': { vcpu: 2, memoryGiB: 8, gpus: 0 },
  'm6i.xlarge': { vcpu: 4, memoryGiB: 16, gpus: 0 },
  'm6i.2xlarge': { vcpu: 8, memoryGiB: 32, gpus: 0 },
  'm7i.xlarge': { vcpu: 4, memoryGiB: 16, gpus: 0 },
  'm7i.2xlarge': { vcpu: 8, memoryGiB: 32, gpus: 0 },
};

/** Instance types with NVIDIA GPUs, for error messages. */
export const GPU_INSTANCE_TYPES = Object.keys(INSTANCE_TYPES).filter((t) => INSTANCE_TYPES[t].gpus > 0);
/** Instance types without GPUs, for the system node group. */
export const GENERAL_INSTANCE_TYPES = Object.keys(INSTANCE_TYPES).filter((t) => INSTANCE_TYPES[t].gpus === 0);

/** The family of an instance type: `g5.xlarge` -> `g5`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.split('.')[0];
}
