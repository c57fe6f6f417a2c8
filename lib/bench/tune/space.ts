/**
 * The search space of `tune`: hardware placements (instance type x node count x tensor parallelism)
 * and levers (vLLM settings, the path and router profile, scorer weights, speculative TTL), each a
 * config key. A candidate is one placement plus one value per lever; it is kept canonical (levers its
 * path does not read are held at the configured value, scorer weights reduced to their ratio), so
 * candidates that deploy and simulate the same are one candidate and are simulated once.
 */
import type { BenchConfig } from '../../config';
import { TENSOR_PARALLEL_SIZES } from '../../config/fit';
import { VLLM_BLOCK_SIZES } from '../../config/sections/vllm';
import { INSTANCE_TYPES } from '../../config/tables/instances';
import type { ModelFacts } from '../../config/tables/models';
import { isProfileFile, ROUTER_PROFILE_NAMES } from '../../config/tables/router-profiles';
import type { ProbeRouter } from './predict';

export interface Hardware {
  readonly instanceType: string;
  readonly count: number;
  readonly tensorParallelSize: number;
}

export interface Levers {
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly blockSize: number;
  readonly gpuMemoryUtilization: number;
  readonly kvCacheDtype: string;
  /** API server processes per decode pod (--api-server-count). */
  readonly apiServerCount: number;
  /** `round-robin` (the Kubernetes Service path) or the llm-d path's router.profile. */
  readonly router: string;
  readonly prefixCache: number;
  readonly kvCacheUtilization: number;
  readonly queue: number;
  readonly noHitLru: number;
  readonly speculativeTtl: string;
}

export type LeverName = keyof Levers;

export interface Candidate {
  readonly hw: Hardware;
  readonly levers: Levers;
}

/** The path value of the `router` lever that is not an llm-d profile. */
export const ROUND_ROBIN = 'round-robin';
export const ROUTER_CHOICES = [ROUND_ROBIN, ...ROUTER_PROFILE_NAMES] as const;

/** Config key of each hardware field and lever (the `router` lever is router.profile on the llm-d path). */
export const HARDWARE_KEYS: Readonly<Record<keyof Hardware, string>> = {
  instanceType: 'gpuNodes.instanceType',
  count: 'gpuNodes.count',
  tensorParallelSize: 'vllm.tensorParallelSize',
};
export const LEVER_KEYS: Readonly<Record<LeverName, string>> = {
  maxNumSeqs: 'vllm.maxNumSeqs',
  maxNumBatchedTokens: 'vllm.maxNumBatchedTokens',
  blockSize: 'vllm.blockSize',
  gpuMemoryUtilization: 'vllm.gpuMemoryUtilization',
  kvCacheDtype: 'vllm.kvCacheDtype',
  apiServerCount: 'vllm.apiServerCount',
  router: 'router.profile',
  prefixCache: 'router.scorers.prefixCache',
  kvCacheUtilization: 'router.scorers.kvCacheUtilization',
  queue: 'router.scorers.queue',
  noHitLru: 'router.scorers.noHitLru',
  speculativeTtl: 'router.speculativeTtl',
};
export const LEVER_NAMES = Object.keys(LEVER_KEYS) as LeverName[];
const SCORERS = ['prefixCache', 'kvCacheUtilization', 'queue', 'noHitLru'] as const;

/**
 * Values each lever takes unless a flag narrows or widens it (the configured value is always added):
 * vLLM's batch limits around its defaults (256 seqs, 2,048 batched tokens on this GPU class) from a
 * quarter to 2-8x; every block size vLLM's CUDA backends accept; memory utilization around vLLM's 0.9;
 * both KV dtypes; 1, 2 or 4 API servers (the config check prunes counts beyond the pod's vCPUs minus
 * the engine's: 2 on a g5.xlarge); every path; scorer weights 0-2 (prefix 1-4: it must stay > 0, lib/config/checks);
 * speculative TTLs around the 10 s default (lib/config/sections/router.ts sweep).
 */
export const DEFAULT_LEVER_VALUES: { readonly [K in LeverName]: readonly Levers[K][] } = {
  maxNumSeqs: [32, 64, 128, 256, 512],
  maxNumBatchedTokens: [1024, 2048, 4096, 8192, 16384],
  blockSize: [...VLLM_BLOCK_SIZES],
  gpuMemoryUtilization: [0.85, 0.9, 0.95],
  kvCacheDtype: ['auto', 'fp8'],
  apiServerCount: [1, 2, 4],
  router: [...ROUTER_CHOICES],
  prefixCache: [1, 2, 4],
  kvCacheUtilization: [0, 1, 2],
  queue: [0, 1, 2],
  noHitLru: [0, 1, 2],
  speculativeTtl: ['2s', '10s', '30s'],
};

export interface SearchSpace {
  /** Placements to search, in a fixed order. */
  readonly hardware: readonly Hardware[];
  readonly values: { readonly [K in LeverName]: readonly Levers[K][] };
}

/** The configured deployment as a candidate. */
export function baselineCandidate(c: BenchConfig): Candidate {
  return {
    hw: { instanceType: c.gpuNodes.instanceType, count: c.gpuNodes.count, tensorParallelSize: c.vllm.tensorParallelSize },
    levers: {
      maxNumSeqs: c.vllm.maxNumSeqs,
      maxNumBatchedTokens: c.vllm.maxNumBatchedTokens,
      blockSize: c.vllm.blockSize,
      gpuMemoryUtilization: c.vllm.gpuMemoryUtilization,
      kvCacheDtype: c.vllm.kvCacheDtype,
      apiServerCount: c.vllm.apiServerCount,
      router: c.router.profile,
      prefixCache: c.router.scorers.prefixCache,
      kvCacheUtilization: c.router.scorers.kvCacheUtilization,
      queue: c.router.scorers.queue,
      noHitLru: c.router.scorers.noHitLru,
      speculativeTtl: c.router.speculativeTtl,
    },
  };
}

/** Levers the candidate's path reads (the others cannot change its prediction or deployment). */
export function relevantLevers(levers: Levers, speculativeIndexing: boolean): Set<LeverName> {
  const out = new Set<LeverName>(['maxNumSeqs', 'maxNumBatchedTokens', 'blockSize', 'gpuMemoryUtilization', 'kvCacheDtype', 'apiServerCount', 'router']);
  switch (levers.router) {
    case 'precise':
      SCORERS.forEach((s) => out.add(s));
      if (speculativeIndexing) out.add('speculativeTtl');
      break;
    case 'approximate':
      SCORERS.forEach((s) => out.add(s));
      break;
    case 'load':
      out.add('kvCacheUtilization');
      out.add('queue');
      break;
    default: // round-robin, random, a custom EndpointPickerConfig file: no scorer weights
  }
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The canonical form: levers the path does not read at the configured value; integer scorer weights
 * divided by their greatest common divisor (the max-score picker ranks by the weighted sum, so only
 * the ratio matters: 2/1/1/2 routes exactly as 4/2/2/4).
 */
export function canonical(cand: Candidate, baseline: Levers, speculativeIndexing: boolean): Candidate {
  const relevant = relevantLevers(cand.levers, speculativeIndexing);
  const levers = { ...cand.levers } as Record<LeverName, unknown>;
  for (const name of LEVER_NAMES) if (!relevant.has(name)) levers[name] = baseline[name];
  const weights = SCORERS.filter((s) => relevant.has(s));
  const values = weights.map((s) => levers[s] as number);
  if (values.length > 0 && values.every((v) => Number.isInteger(v)) && values.some((v) => v > 0)) {
    const g = values.reduce((a, v) => gcd(a, v), 0);
    if (g > 1) weights.forEach((s) => { levers[s] = (levers[s] as number) / g; });
  }
  return { hw: cand.hw, levers: levers as unknown as Levers };
}

/** A stable identity of a canonical candidate. */
export function candidateKey(cand: Candidate): string {
  const h = cand.hw;
  return JSON.stringify([h.instanceType, h.count, h.tensorParallelSize, ...LEVER_NAMES.map((n) => cand.levers[n])]);
}

/** The `simulate --router` path of a candidate. */
export function pathOf(cand: Candidate): ProbeRouter {
  return cand.levers.router === ROUND_ROBIN ? 'round-robin' : 'llm-d';
}

/** Decode replicas of a placement. */
export function replicasOf(hw: Hardware): number {
  return hw.count * (INSTANCE_TYPES[hw.instanceType]?.gpus ?? 0) / hw.tensorParallelSize;
}

/**
 * The candidate as config keys -> values: the placement (with vllm.replicas, which must equal
 * count x GPUs / TP), the vLLM levers, and the router keys its path reads.
 */
export function overridesOf(cand: Candidate, speculativeIndexing: boolean): Record<string, string | number> {
  const out: Record<string, string | number> = {
    [HARDWARE_KEYS.instanceType]: cand.hw.instanceType,
    [HARDWARE_KEYS.count]: cand.hw.count,
    [HARDWARE_KEYS.tensorParallelSize]: cand.hw.tensorParallelSize,
    'vllm.replicas': replicasOf(cand.hw),
  };
  const relevant = relevantLevers(cand.levers, speculativeIndexing);
  for (const name of LEVER_NAMES) {
    if (!relevant.has(name)) continue;
    if (name === 'router' && cand.levers.router === ROUND_ROBIN) continue;
    out[LEVER_KEYS[name]] = cand.levers[name];
  }
  return out;
}

/** One line: "8 x g5.xlarge TP1". */
export function describeHardware(hw: Hardware): string {
  return `${hw.count} x ${hw.instanceType}${hw.tensorParallelSize > 1 ? ` TP${hw.tensorParallelSize}` : ''}`;
}

/** The levers of `cand` that differ from `baseline` and that its path reads, as "name=value". */
export function describeLeverChanges(cand: Candidate, baseline: Levers, speculativeIndexing: boolean): string[] {
  const relevant = relevantLevers(cand.levers, speculativeIndexing);
  return LEVER_NAMES.filter((n) => n !== 'router' && relevant.has(n) && cand.levers[n] !== baseline[n]).map((n) => `${n}=${cand.levers[n]}`);
}

/** What the hardware flags select. */
export interface HardwareSelection {
  readonly instanceTypes?: readonly string[];
  readonly counts?: readonly number[];
  /** Every count whose GPUs stay within this many (instead of `counts`). */
  readonly gpuBudget?: number;
  /** The count that gives exactly this many GPUs, where one does (instead of `counts`). */
  readonly gpus?: number;
  readonly tensorParallelSizes?: readonly number[];
}

/**
 * Placements: each instance type x count x TP that divides the node's GPUs and the model's attention
 * heads (vLLM refuses the rest). Defaults: the configured instance type and count, every such TP.
 */
export function hardwarePlacements(c: BenchConfig, model: ModelFacts, sel: HardwareSelection): Hardware[] {
  const types = sel.instanceTypes ?? [c.gpuNodes.instanceType];
  const tps = sel.tensorParallelSizes ?? TENSOR_PARALLEL_SIZES;
  const out: Hardware[] = [];
  for (const instanceType of types) {
    const gpus = INSTANCE_TYPES[instanceType]?.gpus ?? 0;
    if (gpus === 0) continue;
    const counts = sel.gpus !== undefined
      ? (sel.gpus % gpus === 0 ? [sel.gpus / gpus] : [])
      : sel.gpuBudget !== undefined
        ? Array.from({ length: Math.floor(sel.gpuBudget / gpus) }, (_, i) => i + 1)
        : sel.counts ?? [c.gpuNodes.count];
    for (const count of counts) {
      for (const tensorParallelSize of tps) {
        if (gpus % tensorParallelSize !== 0 || model.numAttentionHeads % tensorParallelSize !== 0) continue;
        out.push({ instanceType, count, tensorParallelSize });
      }
    }
  }
  return out;
}

/** A lever's values: the given ones or the defaults, plus the configured value, sorted, without duplicates. */
export function leverValues<K extends LeverName>(name: K, given: readonly Levers[K][] | undefined, baseline: Levers): Levers[K][] {
  const values = [...(given ?? DEFAULT_LEVER_VALUES[name]), ...(given ? [] : [baseline[name]])];
  const unique = [...new Set(values)];
  if (name === 'router') {
    // Path order: round-robin first, then the built-in profiles, then a custom file.
    const order = (v: unknown) => { const i = (ROUTER_CHOICES as readonly unknown[]).indexOf(v); return i < 0 ? ROUTER_CHOICES.length : i; };
    return unique.sort((a, b) => order(a) - order(b));
  }
  return unique.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : goDurationOrder(String(a), String(b))));
}

function goDurationOrder(a: string, b: string): number {
  const ms = (s: string) => { const m = /^(\d+)(ms|s|m)$/.exec(s); return m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60000) : NaN; };
  const [x, y] = [ms(a), ms(b)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
}

/** Whether a `router` lever value names something deployable (a built-in path/profile or a file). */
export function isRouterChoice(value: string): boolean {
  return (ROUTER_CHOICES as readonly string[]).includes(value) || isProfileFile(value);
}

/** Every candidate that differs from `cand` in one lever (canonical, without `cand` itself), in lever order. */
export function leverNeighbours(cand: Candidate, space: SearchSpace, baseline: Levers, speculativeIndexing: boolean): Candidate[] {
  const own = candidateKey(cand);
  const seen = new Set<string>([own]);
  const out: Candidate[] = [];
  for (const name of LEVER_NAMES) {
    for (const value of space.values[name]) {
      const next = canonical({ hw: cand.hw, levers: { ...cand.levers, [name]: value } }, baseline, speculativeIndexing);
      const key = candidateKey(next);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(next);
    }
  }
  return out;
}

/** `cand`'s levers on every other placement of the space. */
export function hardwareNeighbours(cand: Candidate, space: SearchSpace): Candidate[] {
  return space.hardware.filter((hw) => candidateKey({ hw, levers: cand.levers }) !== candidateKey(cand)).map((hw) => ({ hw, levers: cand.levers }));
}

/** A small seeded generator (mulberry32): the search's own draws, independent of the simulator's streams. */
export function searchRng(seed: number): () => number {
  let a = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` candidates drawn uniformly from the space (placement and every lever), seeded. */
export function randomCandidates(n: number, space: SearchSpace, seed: number, baseline: Levers, speculativeIndexing: boolean): Candidate[] {
  const rand = searchRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(rand() * xs.length))];
  const out: Candidate[] = [];
  for (let i = 0; i < n && space.hardware.length > 0; i++) {
    const levers = Object.fromEntries(LEVER_NAMES.map((name) => [name, pick(space.values[name] as readonly unknown[])])) as unknown as Levers;
    out.push(canonical({ hw: pick(space.hardware), levers }, baseline, speculativeIndexing));
  }
  return out;
}
