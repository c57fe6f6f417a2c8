/**
 * A synthetic simulator for search tests: a probe meets the SLO exactly when its offered rate is below
 * a capacity computed from the candidate's config keys, so every search answer has a known truth.
 * It reads the probe's config context the way the real adapter does (the keys the ProbeBuilder sets).
 */
import { loadConfig } from '../../lib/config';
import { type IntervalMethod, type Prediction, type Probe } from '../../lib/bench/tune/predict';
import { CachedRunner, type ProbeRunner } from '../../lib/bench/tune/pool';
import { ProbeBuilder, type TuneLoad } from '../../lib/bench/tune/probe';
import { Tuner, type TuneInput } from '../../lib/bench/tune/search';
import { searchSpace } from '../../lib/bench/tune/run';
import type { HardwareSelection, LeverName } from '../../lib/bench/tune/space';
import { DEFAULT_SLO, type ObjectiveSpec } from '../../lib/bench/tune/objective';
import { INSTANCE_TYPES } from '../../lib/config/tables/instances';

/** Capacity (req/s) of the configuration a context describes: replicas x 3, fp8 +20%, llm-d x2, few seqs -20%. */
export function syntheticCapacity(ctx: Readonly<Record<string, unknown>>, router: string): number {
  const num = (k: string, d: number) => (ctx[k] === undefined ? d : Number(ctx[k]));
  const type = String(ctx['gpuNodes.instanceType'] ?? 'g5.xlarge');
  const gpus = INSTANCE_TYPES[type].gpus * num('gpuNodes.count', 8) / num('vllm.tensorParallelSize', 1);
  const l4 = INSTANCE_TYPES[type].gpuModel === 'L4' ? 0.9 : 1;
  return gpus * 3 * l4 * (ctx['vllm.kvCacheDtype'] === 'fp8' ? 1.2 : 1) * (router === 'llm-d' ? 1 : 0.5) * (num('vllm.maxNumSeqs', 256) >= 128 ? 1 : 0.8);
}

export function syntheticPrediction(probe: Probe): Prediction {
  const ctx = probe.context;
  const rate = Number(ctx['benchmark.requestRate']);
  const cap = syntheticCapacity(ctx, probe.router);
  const ok = rate < cap;
  const result = {
    request_throughput: Math.min(rate, cap), output_throughput: Math.min(rate, cap) * 256, completed: 100, total_output_tokens: 25600,
    mean_ttft_ms: ok ? 300 : 8000, p90_ttft_ms: ok ? 500 : 9000, p99_ttft_ms: ok ? 900 : 12000, mean_tpot_ms: 60, p99_tpot_ms: 100,
  };
  return { ok: true, result, wallSeconds: 0 };
}

/** Runs the synthetic simulator, optionally after a random delay (to shuffle completion order). */
export class SyntheticRunner implements ProbeRunner {
  readonly workers = 1;
  calls = 0;
  constructor(private readonly jitter?: () => number, private readonly onCall?: () => void) {}

  async run(probe: Probe): Promise<Prediction> {
    this.calls++;
    this.onCall?.();
    const delay = this.jitter?.() ?? 0;
    await new Promise((r) => (delay > 0 ? setTimeout(r, delay) : setImmediate(r)));
    return syntheticPrediction(probe);
  }

  async close(): Promise<void> {}
}

export interface SyntheticSetup {
  readonly hardware?: HardwareSelection;
  readonly levers?: Partial<Record<LeverName, readonly (string | number)[]>>;
  readonly objective?: ObjectiveSpec;
  readonly samples?: number;
  readonly budgetS?: number;
  readonly now?: () => number;
  readonly seed?: number;
  /** How intervals are computed (default: none). */
  readonly intervals?: IntervalMethod | null;
}

/** The levers the synthetic capacity reads, pinned small by default so searches stay quick. */
export const SMALL_LEVERS: Partial<Record<LeverName, readonly (string | number)[]>> = {
  maxNumSeqs: [64, 256], maxNumBatchedTokens: [2048], blockSize: [32, 64], gpuMemoryUtilization: [0.9], kvCacheDtype: ['auto', 'fp8'], apiServerCount: [1],
  router: ['round-robin', 'precise'], prefixCache: [2], kvCacheUtilization: [1], queue: [1], noHitLru: [2], speculativeTtl: ['10s'],
};

export function syntheticTuner(runner: ProbeRunner, s: SyntheticSetup = {}): Tuner {
  const config = loadConfig({});
  const load: TuneLoad = { mode: 'search', harness: 'vllm', maxConcurrency: 'none', probeSeconds: 60, promptMultiple: config.benchmark.numPrefixes };
  const builder = new ProbeBuilder({ cdkContext: {}, userPairs: [], flags: { workload: 'prefix-repetition', seed: 0 }, workload: 'prefix-repetition', load, speculativeIndexing: true });
  const input: TuneInput = {
    config, builder, space: searchSpace(config, s.hardware ?? {}, s.levers ?? SMALL_LEVERS), slo: DEFAULT_SLO,
    objective: s.objective ?? { objective: 'goodput-per-dollar' }, seed: s.seed ?? 0, budgetS: s.budgetS ?? 600,
    samples: s.samples ?? 4, topHardware: 2, maxRounds: 4, now: s.now, intervals: s.intervals ?? null,
  };
  return new Tuner(input, new CachedRunner(runner));
}
