/**
 * Host CPUs of the EC2 instance families, for the simulator's CPU terms (issue 12): vLLM's engine core
 * and its API server are single-threaded Python processes, so what matters is the speed of ONE core,
 * not the vCPU count (which decides only whether the busy processes of a pod get a core each).
 *
 * `speedClass` is single-thread speed relative to the g5's AMD EPYC 7R32 (Zen 2, 3.3 GHz max boost)
 * = 1.0, derived as (vendor IPC uplift of the core generation) x (max boost clock ratio). It is a
 * structural estimate, not a measurement of vLLM on these hosts (none is published); the simulator's
 * CPU constants are expressed on the 1.0 core and divided by this class.
 *
 * Sources (processor of each family): AWS EC2 instance-type pages and the "Accelerated computing
 * instances" user guide (G5: 2nd generation AMD EPYC; G6/G6e: 3rd generation AMD EPYC 7R13; P4d/P4de:
 * Intel Xeon Platinum 8275CL, Cascade Lake; P5/P5e: 3rd generation AMD EPYC 7R13; P5en: 4th generation
 * Intel Xeon Scalable, Sapphire Rapids; P6-B200: 5th generation Intel Xeon Scalable, Emerald Rapids;
 * M6i: Intel Xeon 8375C, Ice Lake; M7i: Sapphire Rapids 8488C). IPC uplifts: AMD Zen 3 launch, +19%
 * over Zen 2; Intel Ice Lake (Sunny Cove) +18% over Skylake-class cores (Cascade Lake); Golden Cove
 * (Sapphire/Emerald Rapids) +19% over Sunny Cove; Skylake-class and Zen 2 taken as equal per clock.
 * Every x86 vCPU on EC2 is one hyperthread (two per physical core).
 */
export interface HostCpuFacts {
  readonly cpu: string;
  readonly microarchitecture: string;
  /** Max single-core boost clock, GHz. */
  readonly maxBoostGHz: number;
  /** Single-thread speed relative to the g5 host (EPYC 7R32 = 1.0). */
  readonly speedClass: number;
  /** vCPUs per physical core (x86 with SMT: 2). */
  readonly threadsPerCore: number;
}

const ZEN2_7R32: HostCpuFacts = { cpu: 'AMD EPYC 7R32', microarchitecture: 'Zen 2', maxBoostGHz: 3.3, speedClass: 1.0, threadsPerCore: 2 };
const ZEN3_7R13: HostCpuFacts = { cpu: 'AMD EPYC 7R13', microarchitecture: 'Zen 3', maxBoostGHz: 3.6, speedClass: round(1.19 * 3.6 / 3.3), threadsPerCore: 2 };
const CASCADE_8275CL: HostCpuFacts = { cpu: 'Intel Xeon Platinum 8275CL', microarchitecture: 'Cascade Lake', maxBoostGHz: 3.6, speedClass: round(3.6 / 3.3), threadsPerCore: 2 };
const ICELAKE_8375C: HostCpuFacts = { cpu: 'Intel Xeon Platinum 8375C', microarchitecture: 'Ice Lake', maxBoostGHz: 3.5, speedClass: round(1.18 * 3.5 / 3.3), threadsPerCore: 2 };
const SPR_8488C: HostCpuFacts = { cpu: 'Intel Xeon Platinum 8488C', microarchitecture: 'Sapphire Rapids', maxBoostGHz: 3.8, speedClass: round(1.18 * 1.19 * 3.8 / 3.3), threadsPerCore: 2 };
const EMR_8559C: HostCpuFacts = { cpu: 'Intel Xeon Platinum 8559C', microarchitecture: 'Emerald Rapids', maxBoostGHz: 4.0, speedClass: round(1.18 * 1.19 * 4.0 / 3.3), threadsPerCore: 2 };

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Per instance family (the part of the instance type before the dot). */
export const HOST_CPUS: Readonly<Record<string, HostCpuFacts>> = {
  g5: ZEN2_7R32,
  g6: ZEN3_7R13,
  g6e: ZEN3_7R13,
  p4d: CASCADE_8275CL,
  p4de: CASCADE_8275CL,
  p5: ZEN3_7R13,
  p5e: ZEN3_7R13,
  p5en: SPR_8488C,
  'p6-b200': EMR_8559C,
  m6i: ICELAKE_8375C,
  m7i: SPR_8488C,
};

/** The reference core the simulator's CPU constants are expressed on. */
export const REFERENCE_HOST_CPU = ZEN2_7R32;
