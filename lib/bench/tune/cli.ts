/**
 * `llmd-bench tune`: the best deployment for a workload and an SLO, before paying (docs/tune.md).
 * This module parses and checks the flags (bad input exits 2 with one line, before any simulation) and
 * wires the search; the heavy modules load when the command runs.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BenchConfig } from '../../config';
import { readCdkJsonContext } from '../../config/cli-context';
import { coerce } from '../../config/context';
import { isPaused, pausedProblem } from '../../config/pause';
import { configSchema } from '../../config/schema';
import { schemaAt } from '../../config/schema-walk';
import { action } from '../cli-kit';
import { badInput } from '../errors';
import { addWorkloadOptions, type ConfigProvider, configWithWorkloadFlags, parseNonNegativeInt, parsePositive, parsePositiveInt, type WorkloadFlags } from '../../workload/flags';
import { parseInstanceTypes, parseTensorParallelSizes } from '../capacity/selectors';
import { DEFAULT_BUDGET_S, DEFAULT_MAX_ROUNDS, DEFAULT_PROBE_SECONDS, DEFAULT_SAMPLES, DEFAULT_TOP_HARDWARE } from './defaults';
import { OBJECTIVES, type Objective, type Slo } from './objective';
import { DEFAULT_LEVER_VALUES, isRouterChoice, LEVER_KEYS, type LeverName } from './space';


/** `2000` or `none` (the term leaves the SLO). */
function parseLimit(value: string): number | null {
  if (value === 'none') return null;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('must be a positive number of milliseconds, or none');
  return n;
}

function parseObjective(value: string): Objective {
  if (!(OBJECTIVES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${OBJECTIVES.join(', ')}`);
  return value as Objective;
}

function parseCounts(value: string): number[] {
  const out = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n <= 0)) throw new InvalidArgumentError('must be positive whole numbers, comma-separated (e.g. 4,8)');
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * A lever list parser: each value is checked as its config key checks it (the zod schema of that
 * key), so a typo is bad input before the search, not a pruned candidate after it.
 */
function leverList(name: LeverName) {
  const key = LEVER_KEYS[name];
  return (value: string): (string | number)[] => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
    if (parts.length === 0) throw new InvalidArgumentError('name at least one value');
    const schema = schemaAt(configSchema, key.split('.')) as unknown as { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } };
    return [...new Set(parts.map((raw) => {
      if (name === 'router') {
        if (!isRouterChoice(raw)) throw new InvalidArgumentError(`"${raw}" is not a path: use round-robin, ${DEFAULT_LEVER_VALUES.router.slice(1).join(', ')} or an EndpointPickerConfig file (.yaml/.yml/.json)`);
        return raw;
      }
      const v = coerce(key, raw) as string | number;
      const r = schema.safeParse(v);
      if (!r.success) throw new InvalidArgumentError(`"${raw}" for ${key}: ${r.error?.issues[0]?.message ?? 'invalid'}`);
      return v;
    }))];
  };
}

interface TuneFlags extends WorkloadFlags {
  sloTtftP90Ms: number | null;
  sloTpotP99Ms: number | null;
  sloTtftMeanMs?: number;
  objective: Objective;
  targetRate?: number;
  instanceTypes?: string[];
  counts?: number[];
  gpuBudget?: number;
  gpus?: number;
  tp?: number[];
  maxNumSeqs?: number[];
  maxNumBatchedTokens?: number[];
  blockSizes?: number[];
  gpuMemoryUtilization?: number[];
  kvCacheDtypes?: string[];
  apiServerCounts?: number[];
  routers?: string[];
  prefixCacheWeights?: number[];
  kvCacheUtilizationWeights?: number[];
  queueWeights?: number[];
  noHitLruWeights?: number[];
  speculativeTtls?: string[];
  probeSeconds: number;
  samples: number;
  topHardware: number;
  maxRounds: number;
  exhaustive?: boolean;
  budgetS: number;
  workers?: number;
  json?: string;
  svg?: string;
  progress: boolean;
}

/** Which flag lists which lever. */
const LEVER_FLAGS: readonly [LeverName, keyof TuneFlags, string, string][] = [
  ['maxNumSeqs', 'maxNumSeqs', '--max-num-seqs <list>', 'vllm.maxNumSeqs values'],
  ['maxNumBatchedTokens', 'maxNumBatchedTokens', '--max-num-batched-tokens <list>', 'vllm.maxNumBatchedTokens values'],
  ['blockSize', 'blockSizes', '--block-sizes <list>', 'vllm.blockSize values'],
  ['gpuMemoryUtilization', 'gpuMemoryUtilization', '--gpu-memory-utilization <list>', 'vllm.gpuMemoryUtilization values'],
  ['kvCacheDtype', 'kvCacheDtypes', '--kv-cache-dtypes <list>', 'vllm.kvCacheDtype values'],
  ['apiServerCount', 'apiServerCounts', '--api-server-counts <list>', 'vllm.apiServerCount values (API server processes per decode pod)'],
  ['router', 'routers', '--routers <list>', 'paths: round-robin (the Kubernetes Service) and llm-d router profiles (router.profile)'],
  ['prefixCache', 'prefixCacheWeights', '--prefix-cache-weights <list>', 'router.scorers.prefixCache weights'],
  ['kvCacheUtilization', 'kvCacheUtilizationWeights', '--kv-cache-utilization-weights <list>', 'router.scorers.kvCacheUtilization weights'],
  ['queue', 'queueWeights', '--queue-weights <list>', 'router.scorers.queue weights'],
  ['noHitLru', 'noHitLruWeights', '--no-hit-lru-weights <list>', 'router.scorers.noHitLru weights'],
  ['speculativeTtl', 'speculativeTtls', '--speculative-ttls <list>', 'router.speculativeTtl values'],
];

export function registerTuneCommand(program: Command, config: ConfigProvider, contextPairs: () => readonly string[]): void {
  const cmd = program.command('tune')
    .description('Search deployments (instance type and count, tensor parallelism, vLLM settings, path and router profile, scorer weights, speculative TTL) for the configured workload and an SLO with the simulator: ' +
      'per candidate the highest open-loop rate that meets the SLO, a Pareto table of cost vs goodput, the recommendation as -c overrides and a cdk.json snippet, each lever\'s contribution. SIMULATED, not measured (docs/tune.md).');
  addWorkloadOptions(cmd);
  // The rate search probes with fewer requests than a benchmark run; say so where the default shows.
  const prompts = cmd.options.find((o) => o.long === '--num-prompts');
  if (prompts) prompts.description = 'requests per simulated probe (default: rate x --probe-seconds in the rate search, a multiple of the prefixes for prefix-repetition; benchmark.numPrompts under a fixed load)';
  const rate = cmd.options.find((o) => o.long === '--request-rate');
  if (rate) rate.description = 'evaluate every candidate at this fixed load (req/s or inf, with --max-concurrency) instead of searching the rate';
  const conc = cmd.options.find((o) => o.long === '--max-concurrency');
  if (conc) conc.description = 'client concurrency limit, or none (default: none in the open-loop rate search; benchmark.maxConcurrency under a fixed load)';
  cmd
    .addOption(new Option('--slo-ttft-p90-ms <ms>', 'SLO: P90 time to first token, ms, or none').argParser(parseLimit).default(2000))
    .addOption(new Option('--slo-tpot-p99-ms <ms>', 'SLO: P99 time per output token, ms, or none').argParser(parseLimit).default(200))
    .addOption(new Option('--slo-ttft-mean-ms <ms>', 'SLO: mean time to first token, ms (off unless given)').argParser(parsePositive))
    .addOption(new Option('--objective <name>', `what "best" means: ${OBJECTIVES.join(', ')}`).argParser(parseObjective).default('goodput-per-dollar'))
    .addOption(new Option('--target-rate <r>', 'min-cost-for-rate: the goodput (req/s) the cheapest deployment must reach').argParser(parsePositive))
    .addOption(new Option('--instance-types <list>', 'instance types to search: names, families such as g6e.*, or all (default: the configured gpuNodes.instanceType)').argParser(parseInstanceTypes))
    .addOption(new Option('--counts <list>', 'node counts to search, e.g. 4,8 (default: the configured gpuNodes.count)').argParser(parseCounts))
    .addOption(new Option('--gpu-budget <n>', 'instead of --counts: every node count whose GPUs stay within n').argParser(parsePositiveInt))
    .addOption(new Option('--gpus <n>', 'instead of --counts: the node count that gives exactly n GPUs, per instance type').argParser(parsePositiveInt))
    .addOption(new Option('--tp <list>', 'tensor-parallel sizes to search (default: every one the node and the model allow)').argParser(parseTensorParallelSizes));
  for (const [lever, , flag, what] of LEVER_FLAGS) {
    cmd.addOption(new Option(flag, `${what} to search (default: ${DEFAULT_LEVER_VALUES[lever].join(',')} and the configured value; one value pins it)`).argParser(leverList(lever)));
  }
  cmd
    .addOption(new Option('--probe-seconds <s>', 'seconds of arrivals per probe of the rate search (longer: stricter on slowly growing queues, slower)').argParser(parsePositive).default(DEFAULT_PROBE_SECONDS))
    .addOption(new Option('--samples <n>', 'random candidates drawn from the whole space (seeded by --seed)').argParser(parseNonNegativeInt).default(DEFAULT_SAMPLES))
    .addOption(new Option('--top-hardware <k>', 'placements whose best candidate gets coordinate moves each round').argParser(parsePositiveInt).default(DEFAULT_TOP_HARDWARE))
    .addOption(new Option('--max-rounds <n>', 'rounds of coordinate moves at most').argParser(parseNonNegativeInt).default(DEFAULT_MAX_ROUNDS))
    .option('--exhaustive', 'evaluate every candidate to an exact goodput (no early stop of candidates that cannot reach the Pareto front; slower)')
    .addOption(new Option('--budget-s <s>', 'target wall seconds of the whole run: the search stops early enough for the intervals of the answer and of the configured deployment to end by then (those and the configured deployment\'s evaluation always complete); the answer is then the best found so far').argParser(parsePositive).default(DEFAULT_BUDGET_S))
    .addOption(new Option('--workers <n>', 'worker threads that run simulations (0: this thread; default: one per core)').argParser(parseNonNegativeInt))
    .option('--json <file>', 'write best, pareto and baseline (overrides, simulateArgs, predicted), contributions and the search log')
    .option('--svg <file>', 'write the Pareto plot (default with --json: beside it, <name>.pareto.svg)')
    .option('--no-progress', 'no progress line on stderr')
    .action(action('tune', async (flags: TuneFlags) => {
      await runTune(flags, config, contextPairs());
    }));
}

async function runTune(flags: TuneFlags, config: ConfigProvider, pairs: readonly string[]): Promise<void> {
  const { checkOutputFile } = require('../results-io') as typeof import('../results-io');
  if (flags.objective === 'min-cost-for-rate' && flags.targetRate === undefined) throw badInput('--objective min-cost-for-rate needs --target-rate R (req/s)', 'e.g. --objective min-cost-for-rate --target-rate 20');
  if (flags.objective !== 'min-cost-for-rate' && flags.targetRate !== undefined) throw badInput(`--target-rate applies to --objective min-cost-for-rate, not ${flags.objective}`, 'drop --target-rate or use --objective min-cost-for-rate');
  const sizing = (['counts', 'gpuBudget', 'gpus'] as const).filter((k) => flags[k] !== undefined);
  if (sizing.length > 1) {
    const name = (k: string) => ({ counts: '--counts', gpuBudget: '--gpu-budget', gpus: '--gpus' } as Record<string, string>)[k];
    throw badInput(`${sizing.map(name).join(' and ')} exclude each other`, 'give node counts, a GPU budget, or an exact GPU count');
  }
  if (flags.json) checkOutputFile(flags.json, '--json');
  const svgFile = flags.svg ?? (flags.json ? flags.json.replace(/\.json$/i, '') + '.pareto.svg' : undefined);
  if (svgFile) checkOutputFile(svgFile, flags.svg ? '--svg' : '--json (its .pareto.svg)');

  const c: BenchConfig = configWithWorkloadFlags(config, flags);
  if (isPaused(c)) throw badInput(pausedProblem('tune'));
  const slo: Slo = { ttftP90Ms: flags.sloTtftP90Ms, tpotP99Ms: flags.sloTpotP99Ms, ttftMeanMs: flags.sloTtftMeanMs ?? null };
  if (slo.ttftP90Ms !== null && !c.benchmark.metricPercentiles.includes(90)) {
    throw badInput(`--slo-ttft-p90-ms needs P90 TTFT, but benchmark.metricPercentiles is ${c.benchmark.metricPercentiles.join(',')}`, 'add 90 to benchmark.metricPercentiles, or pass --slo-ttft-p90-ms none');
  }
  const { runTuneSearch } = require('./run') as typeof import('./run');
  const leverLists: Partial<Record<LeverName, readonly (string | number)[]>> = {};
  for (const [lever, prop] of LEVER_FLAGS) {
    const v = flags[prop] as (string | number)[] | undefined;
    if (v !== undefined) leverLists[lever] = v;
  }
  await runTuneSearch({
    config: c,
    cdkContext: readCdkJsonContext(),
    userPairs: pairs,
    flags,
    slo,
    objective: { objective: flags.objective, ...(flags.targetRate !== undefined ? { targetRate: flags.targetRate } : {}) },
    hardware: { instanceTypes: flags.instanceTypes, counts: flags.counts, gpuBudget: flags.gpuBudget, gpus: flags.gpus, tensorParallelSizes: flags.tp },
    levers: leverLists,
    samples: flags.samples,
    topHardware: flags.topHardware,
    maxRounds: flags.maxRounds,
    exhaustive: flags.exhaustive === true,
    budgetS: flags.budgetS,
    probeSeconds: flags.probeSeconds,
    workers: flags.workers,
    json: flags.json,
    svg: svgFile,
    progress: flags.progress && process.stderr.isTTY === true,
  });
}
