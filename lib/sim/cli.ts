/**
 * `llmd-bench simulate`: predicts both paths of the benchmark from the same config that renders the
 * manifests, in seconds, before anything is deployed. Flags override the config's benchmark values.
 */
import * as fs from 'fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as YAML from 'yaml';
import { type BenchConfig, configWarnings } from '../config';
import { action } from '../bench/cli-kit';
import { checkOutputDir, checkOutputFile } from '../bench/results-io';
import { badInput } from '../bench/errors';
import { isPaused, pausedProblem } from '../config/pause';
import { type EppConfigLike, ROUTER_KINDS, type RouterKind, type SimOverrides, simulate } from './index';
import { formatTable, writeJsonSummary, writeResultsDir } from './output';
import { ProgressBar } from './progress';

/** The two paths of the A/B comparison, simulated when --router is not given. */
export const DEFAULT_ROUTERS: readonly RouterKind[] = ['round-robin', 'llm-d'];

export function parseRouters(value: string): RouterKind[] {
  const out: RouterKind[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'all') out.push(...ROUTER_KINDS);
    else if ((ROUTER_KINDS as readonly string[]).includes(part)) out.push(part as RouterKind);
    else throw new InvalidArgumentError(`"${part}" is not a router; use ${ROUTER_KINDS.join(', ')} or all (comma-separated for several)`);
  }
  if (out.length === 0) throw new InvalidArgumentError('name at least one router');
  return [...new Set(out)];
}

export function parseRate(value: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be "inf" or a positive number of requests per second');
  return n;
}

/**
 * `none` comes back as the string 'none', not null: commander replaces a parser's null with ''
 * (its "missing value" fill-in), which would leave the client semaphore at 0 and stall every run.
 */
export function parseConcurrency(value: string): number | 'none' {
  if (value === 'none') return 'none';
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number, or none for no client limit');
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** Reads an EndpointPickerConfig from YAML or JSON (a bare config, or the EPP ConfigMap holding it). */
export function readEppConfig(file: string): EppConfigLike {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  let cfg: unknown = doc;
  if (doc && doc.kind === 'ConfigMap' && doc.data && typeof doc.data === 'object') {
    const texts = Object.values(doc.data as Record<string, string>);
    if (texts.length !== 1) throw new Error(`${file}: the ConfigMap must hold exactly one EndpointPickerConfig`);
    cfg = YAML.parse(texts[0]);
  }
  const c = cfg as Partial<EppConfigLike> | null;
  if (!c || !Array.isArray(c.plugins) || !Array.isArray(c.schedulingProfiles)) {
    throw new Error(`${file}: not an EndpointPickerConfig (needs plugins and schedulingProfiles)`);
  }
  return c as EppConfigLike;
}

interface SimulateFlags {
  router: RouterKind[];
  requestRate?: number | 'inf';
  maxConcurrency?: number | 'none';
  numPrompts?: number;
  numPrefixes?: number;
  prefixLen?: number;
  suffixLen?: number;
  outputLen?: number;
  replicas?: number;
  seed?: number;
  burstiness?: number;
  eppConfig?: string;
  json?: string;
  out?: string;
  progress: boolean;
}

/** Registers `simulate`. */
export function registerSimulateCommand(program: Command, config: () => BenchConfig): void {
  program.command('simulate')
    .description('Predict both paths of the benchmark (round-robin vs llm-d) with a discrete-event simulation of the configured vLLM replicas, router and client. Defaults are the config (the reference run); flags override it.')
    .addOption(new Option('--router <names>', `router(s): ${ROUTER_KINDS.join(', ')}, all; comma-separated`).argParser(parseRouters).default([...DEFAULT_ROUTERS], DEFAULT_ROUTERS.join(',')))
    .option('--request-rate <rate>', 'requests per second, or inf (benchmark.requestRate)', parseRate)
    .option('--max-concurrency <n>', 'client concurrency limit, or none (benchmark.maxConcurrency)', parseConcurrency)
    .option('--num-prompts <n>', 'prompts (benchmark.numPrompts)', parsePositiveInt)
    .option('--num-prefixes <n>', 'distinct shared prefixes (benchmark.numPrefixes)', parsePositiveInt)
    .option('--prefix-len <n>', 'tokens per shared prefix (benchmark.prefixLen)', parsePositiveInt)
    .option('--suffix-len <n>', 'private tokens per prompt (benchmark.suffixLen)', parsePositiveInt)
    .option('--output-len <n>', 'output tokens per request (benchmark.outputLen)', parsePositiveInt)
    .option('--replicas <n>', 'vLLM replicas (vllm.replicas)', parsePositiveInt)
    .option('--seed <n>', 'dataset, arrival and tie-break seed (benchmark.seed)', parseNonNegativeInt)
    .option('--burstiness <b>', 'gamma shape of the arrival gaps for a finite rate (1 = Poisson)', parsePositive)
    .option('--epp-config <file>', 'simulate this EndpointPickerConfig (YAML/JSON, or its ConfigMap) instead of the rendered one')
    .option('--json <file>', 'write {"config": ..., "results": {"<router>": ...}} to this file')
    .option('--out <dir>', 'write the result and time-series files `llmd-bench run` writes (then: llmd-bench report <dir>)')
    .option('--no-progress', 'no progress bar on stderr')
    .action(action('simulate', (flags: SimulateFlags) => {
      // `simulate | head` closes stdout early: stop quietly instead of dying on EPIPE.
      process.stdout.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      const c = config();
      if (isPaused(c)) throw badInput(pausedProblem('simulate'));
      // Outputs are checked before the simulation runs, not after minutes of work.
      if (flags.out) checkOutputDir(flags.out, '--out');
      if (flags.json) checkOutputFile(flags.json, '--json');
      for (const w of configWarnings(c)) process.stderr.write(`warning: ${w}\n`);
      const overrides: SimOverrides = {
        requestRate: flags.requestRate,
        maxConcurrency: flags.maxConcurrency === 'none' ? null : flags.maxConcurrency,
        numPrompts: flags.numPrompts,
        numPrefixes: flags.numPrefixes,
        prefixLen: flags.prefixLen,
        suffixLen: flags.suffixLen,
        outputLen: flags.outputLen,
        replicas: flags.replicas,
        seed: flags.seed,
        burstiness: flags.burstiness,
      };
      const bar = flags.progress && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
      const sim = simulate(c, {
        routers: flags.router,
        overrides,
        eppConfig: flags.eppConfig ? readEppConfig(flags.eppConfig) : undefined,
        onProgress: bar ? (router, done, total) => bar.update(router, done, total) : undefined,
      });
      bar?.clear();
      const wall = sim.runs.reduce((a, r) => a + r.wallSeconds, 0);
      const w = sim.params.workload;
      process.stdout.write('SIMULATED: a prediction of the simulator (docs/simulator.md), not a measurement\n');
      process.stdout.write(`Simulated ${sim.runs[0].result.completed} requests (${w.numPrefixes} prefixes x ${w.prefixLen}+${w.suffixLen} tokens -> ${w.outputLen}), ` +
        `rate ${sim.params.requestRate}, concurrency ${sim.params.maxConcurrency ?? 'none'}, ${sim.params.replicas} replicas, ` +
        `${sim.params.tensorParallelSize > 1 ? `TP=${sim.params.tensorParallelSize}, ` : ''}${sim.params.numBlocks * sim.params.limits.blockSize} KV tokens each, in ${wall.toFixed(2)} s\n\n`);
      for (const note of sim.params.calibrationNotes) process.stdout.write(`note: ${note}\n\n`);
      process.stdout.write(`${formatTable(sim)}\n`);
      for (const run of sim.runs) {
        for (const warning of run.raw.warnings) if (!sim.params.calibrationNotes.includes(warning)) process.stderr.write(`warning (${run.label}): ${warning}\n`);
      }
      if (flags.json) {
        writeJsonSummary(sim, flags.json);
        process.stdout.write(`\nwrote ${flags.json}\n`);
      }
      if (flags.out) {
        const files = writeResultsDir(sim, flags.out);
        process.stdout.write(`\nwrote ${files.length} simulated result(s) and time series to ${flags.out}; render them with: npx llmd-bench report ${flags.out}\n`);
      }
    }));
}
