/**
 * The workload and load flags `simulate` and `run` share. Each flag is a config key under another
 * name: the flags become config overrides (after cdk.json and `-c`), and the combined config is
 * validated as a whole, so a flag is checked exactly like the key it sets and a predicted and a
 * measured run read the same values. A bad value of one flag is refused by its parser (commander's
 * InvalidArgumentError); a combination the harness cannot run is refused with the flag named. Either
 * way it is bad input: exit 2 with one line (lib/bench/cli-kit.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { badInput } from '../bench/errors';
import type { BenchConfig } from '../config/schema';
import { ConfigError } from '../config/problems';
import { HARNESSES } from '../config/sections/benchmark';
import { exponentProblem } from '../config/plain-number';
import { WORKLOAD_NAMES, type WorkloadName } from '../config/sections/workload';
import { LENGTH_SYNTAX, LengthSpecError, parseLength, type LengthUnit } from './lengths';
import { formatStage, parseStage, parseStages, STAGE_SYNTAX, StageSpecError } from './stages';

/** Provides the config: cdk.json context + `-c` pairs + `extra` (flat dotted keys), validated. */
export type ConfigProvider = (extra?: Record<string, unknown>) => BenchConfig;

/** Numbers on flags are plain decimals: `1e3` is refused (as in `-c` and in length specs). */
function plainNumber(value: string): number {
  const exp = exponentProblem(value);
  if (exp) throw new InvalidArgumentError(exp);
  return Number(value);
}

export function parsePositiveInt(value: string): number {
  const n = plainNumber(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = plainNumber(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return n;
}

export function parsePositive(value: string): number {
  const n = plainNumber(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function parseRate(value: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  const n = plainNumber(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be "inf" or a positive number of requests per second');
  return n;
}

/**
 * `none` comes back as the string 'none', not null: commander replaces a parser's null with ''
 * (its "missing value" fill-in), which would leave the client semaphore at 0 and stall every run.
 */
export function parseConcurrency(value: string): number | 'none' {
  if (value === 'none') return 'none';
  const n = plainNumber(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number, or none for no client limit');
  return n;
}

const lengthParser = (unit: LengthUnit) => (value: string): string => {
  try {
    parseLength(value, unit);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof LengthSpecError ? err.message : String(err));
  }
  return value.trim();
};

function parseStagesFlag(value: string): string[] {
  try {
    return parseStages(value).map(formatStage);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof StageSpecError ? err.message : String(err));
  }
}

function parseStageFlag(value: string): string {
  try {
    return formatStage(parseStage(value));
  } catch (err) {
    throw new InvalidArgumentError(err instanceof StageSpecError ? err.message : String(err));
  }
}

function parseWorkload(value: string): WorkloadName {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${WORKLOAD_NAMES.join(', ')}`);
  return value as WorkloadName;
}

function parseHarness(value: string): string {
  const allowed = ['auto', ...HARNESSES];
  if (!allowed.includes(value)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`);
  return value;
}

/** The flags' values, as commander hands them over. */
export interface WorkloadFlags {
  workload?: WorkloadName;
  harness?: string;
  numPrompts?: number;
  numPrefixes?: number;
  prefixLen?: number;
  suffixLen?: number;
  outputLen?: string;
  groups?: number;
  promptsPerGroup?: number;
  systemPromptLen?: string;
  questionLen?: string;
  conversations?: number;
  turns?: number;
  userLen?: string;
  thinkTimeS?: string;
  inputLen?: string;
  requestRate?: number | 'inf';
  stages?: string[];
  warmupStage?: string;
  maxConcurrency?: number | 'none';
  burstiness?: number;
  seed?: number;
}

interface FlagDef {
  /** camelCase property commander stores the value under. */
  readonly prop: keyof WorkloadFlags;
  readonly flag: string;
  /** Config key per workload (a string: the same for every workload). undefined: the flag does not apply. */
  readonly key: string | Partial<Record<WorkloadName, string>>;
}

/** Flag -> config key. Workload-specific flags name the workloads they apply to. */
export const FLAG_KEYS: readonly FlagDef[] = [
  { prop: 'workload', flag: '--workload', key: 'workload.name' },
  { prop: 'harness', flag: '--harness', key: 'benchmark.harness' },
  { prop: 'numPrompts', flag: '--num-prompts', key: 'benchmark.numPrompts' },
  { prop: 'numPrefixes', flag: '--num-prefixes', key: { 'prefix-repetition': 'benchmark.numPrefixes' } },
  { prop: 'prefixLen', flag: '--prefix-len', key: { 'prefix-repetition': 'benchmark.prefixLen' } },
  { prop: 'suffixLen', flag: '--suffix-len', key: { 'prefix-repetition': 'benchmark.suffixLen' } },
  {
    prop: 'outputLen', flag: '--output-len',
    key: { 'prefix-repetition': 'benchmark.outputLen', 'shared-prefix': 'workload.sharedPrefix.outputLen', 'multi-turn': 'workload.multiTurn.outputLen', random: 'workload.random.outputLen' },
  },
  { prop: 'groups', flag: '--groups', key: { 'shared-prefix': 'workload.sharedPrefix.groups' } },
  { prop: 'promptsPerGroup', flag: '--prompts-per-group', key: { 'shared-prefix': 'workload.sharedPrefix.promptsPerGroup' } },
  { prop: 'systemPromptLen', flag: '--system-prompt-len', key: { 'shared-prefix': 'workload.sharedPrefix.systemPromptLen', 'multi-turn': 'workload.multiTurn.systemPromptLen' } },
  { prop: 'questionLen', flag: '--question-len', key: { 'shared-prefix': 'workload.sharedPrefix.questionLen' } },
  { prop: 'conversations', flag: '--conversations', key: { 'multi-turn': 'workload.multiTurn.conversations' } },
  { prop: 'turns', flag: '--turns', key: { 'multi-turn': 'workload.multiTurn.turns' } },
  { prop: 'userLen', flag: '--user-len', key: { 'multi-turn': 'workload.multiTurn.userLen' } },
  { prop: 'thinkTimeS', flag: '--think-time-s', key: { 'multi-turn': 'workload.multiTurn.thinkTimeS' } },
  { prop: 'inputLen', flag: '--input-len', key: { random: 'workload.random.inputLen' } },
  { prop: 'requestRate', flag: '--request-rate', key: 'benchmark.requestRate' },
  { prop: 'stages', flag: '--stages', key: 'benchmark.stages' },
  { prop: 'warmupStage', flag: '--warmup-stage', key: 'benchmark.warmupStage' },
  { prop: 'maxConcurrency', flag: '--max-concurrency', key: 'benchmark.maxConcurrency' },
  { prop: 'burstiness', flag: '--burstiness', key: 'benchmark.burstiness' },
  { prop: 'seed', flag: '--seed', key: 'benchmark.seed' },
];

/** Adds the workload and load options to a command. */
export function addWorkloadOptions(cmd: Command): Command {
  const len = lengthParser('tokens');
  return cmd
    .addOption(new Option('--workload <name>', `workload: ${WORKLOAD_NAMES.join(', ')} (workload.name)`).argParser(parseWorkload))
    .addOption(new Option('--harness <name>', 'benchmark client: vllm, inference-perf or auto (benchmark.harness)').argParser(parseHarness))
    .option('--num-prompts <n>', 'requests of a run without stages (benchmark.numPrompts)', parsePositiveInt)
    .option('--num-prefixes <n>', 'prefix-repetition: distinct shared prefixes (benchmark.numPrefixes)', parsePositiveInt)
    .option('--prefix-len <n>', 'prefix-repetition: tokens per shared prefix (benchmark.prefixLen)', parsePositiveInt)
    .option('--suffix-len <n>', 'prefix-repetition: private tokens per prompt (benchmark.suffixLen)', parsePositiveInt)
    .option('--output-len <len>', `output tokens per request, of the selected workload; a length: ${LENGTH_SYNTAX}`, len)
    .option('--groups <n>', 'shared-prefix: groups G, one system prompt each (workload.sharedPrefix.groups)', parsePositiveInt)
    .option('--prompts-per-group <n>', 'shared-prefix: prompts P per group (workload.sharedPrefix.promptsPerGroup)', parsePositiveInt)
    .option('--system-prompt-len <len>', 'shared-prefix: system prompt tokens S per group; multi-turn: the conversations\' system prompt', len)
    .option('--question-len <len>', 'shared-prefix: question tokens Q per prompt (workload.sharedPrefix.questionLen)', len)
    .option('--conversations <n>', 'multi-turn: conversations C (workload.multiTurn.conversations)', parsePositiveInt)
    .option('--turns <n>', 'multi-turn: turns T per conversation (workload.multiTurn.turns)', parsePositiveInt)
    .option('--user-len <len>', 'multi-turn: tokens U of each new user message (workload.multiTurn.userLen)', len)
    .option('--think-time-s <len>', 'multi-turn: seconds between an answer and the next turn, a length spec in seconds (workload.multiTurn.thinkTimeS)', lengthParser('seconds'))
    .option('--input-len <len>', 'random: prompt tokens per request (workload.random.inputLen)', len)
    .option('--request-rate <rate>', 'requests per second, or inf (benchmark.requestRate)', parseRate)
    .option('--stages <list>', `load stages run back to back, ${STAGE_SYNTAX} (benchmark.stages; inference-perf)`, parseStagesFlag)
    .option('--warmup-stage <stage>', 'a RATE:SECONDS stage, e.g. 1:30, run before the --stages or the --request-rate run and left out of every result; inference-perf only, not multi-turn (benchmark.warmupStage)', parseStageFlag)
    .option('--max-concurrency <n>', 'client concurrency limit, or none (benchmark.maxConcurrency)', parseConcurrency)
    .option('--burstiness <b>', 'vllm bench serve at a finite rate: gamma shape of the arrival gaps, 1 = Poisson (benchmark.burstiness)', parsePositive)
    .option('--seed <n>', 'dataset, arrival and tie-break seed (benchmark.seed)', parseNonNegativeInt);
}

export class WorkloadFlagError extends Error {}

/**
 * The config overrides the flags set (flat dotted keys), and which flag set which key. A flag that does
 * not apply to the selected workload, or --stages with --request-rate, is an error.
 */
export function workloadFlagContext(flags: WorkloadFlags, workload: WorkloadName): { context: Record<string, unknown>; flagOf: Map<string, string> } {
  const context: Record<string, unknown> = {};
  const flagOf = new Map<string, string>();
  if (flags.stages !== undefined && flags.requestRate !== undefined) {
    throw new WorkloadFlagError('--stages and --request-rate exclude each other: a staged run sets its rates per stage');
  }
  for (const def of FLAG_KEYS) {
    const value = flags[def.prop];
    if (value === undefined) continue;
    const key = typeof def.key === 'string' ? def.key : def.key[workload];
    if (key === undefined) {
      const applies = Object.keys(def.key as object).join(', ');
      throw new WorkloadFlagError(`${def.flag} applies to --workload ${applies}, not ${workload}`);
    }
    context[key] = value;
    flagOf.set(key, def.flag);
  }
  return { context, flagOf };
}

/** A config problem line with the flag that set its key named first. */
function withFlag(problemLine: string, flagOf: Map<string, string>): string {
  const key = problemLine.split(':')[0];
  const flag = flagOf.get(key);
  return flag ? `${flag} (${problemLine})` : problemLine;
}

/**
 * The config with the command's workload flags applied. Problems are bad input (exit 2, one line,
 * through the command's action()): config problems name the flag when one set the key.
 */
export function configWithWorkloadFlags(config: ConfigProvider, flags: WorkloadFlags): BenchConfig {
  const base = config();
  let overrides: ReturnType<typeof workloadFlagContext>;
  try {
    overrides = workloadFlagContext(flags, flags.workload ?? base.workload.name);
  } catch (err) {
    if (err instanceof WorkloadFlagError) throw badInput(err.message, 'see the workload flags in `--help` and docs/benchmark.md "Workloads and load shapes"');
    throw err;
  }
  if (Object.keys(overrides.context).length === 0) return base;
  try {
    return config(overrides.context);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems.map((p) => withFlag(p, overrides.flagOf)));
    throw err;
  }
}
