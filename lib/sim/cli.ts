/**
 * `llmd-bench simulate`: predicts the benchmark's paths from the same config that renders the
 * manifests, in seconds, before anything is deployed. The workload and load flags are the ones `run`
 * takes (lib/workload/flags.ts): they become config keys, validated with the rest of the config.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BenchConfig, configWarnings } from '../config';
import { EppConfigFileError, readEndpointPickerConfigFile } from '../../k8s/router/epp-config-file';
import { action } from '../bench/cli-kit';
import { checkOutputDir, checkOutputFile } from '../bench/results-io';
import { badInput } from '../bench/errors';
import { isPaused, pausedProblem } from '../config/pause';
import { describeWorkload } from '../workload/spec';
import { addWorkloadOptions, type ConfigProvider, configWithWorkloadFlags, parsePositiveInt, type WorkloadFlags } from '../workload/flags';
import { type EppConfigLike, ROUTER_KINDS, type RouterKind, simulateParallel } from './index';
import { formatStageTable, formatTable, writeJsonSummary, writeResultsDir } from './output';
import { ProgressBar } from './progress';
import { parseEndpointPickerConfig } from './routers/epp-config';

export { parseConcurrency, parseNonNegativeInt, parsePositiveInt, parseRate } from '../workload/flags';

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

/** Reads an EndpointPickerConfig (bare YAML/JSON, its ConfigMap, or a rendered multi-document manifest). */
export function readEppConfig(file: string): EppConfigLike {
  return readEndpointPickerConfigFile(file, '--epp-config') as unknown as EppConfigLike;
}

interface SimulateFlags extends WorkloadFlags {
  router: RouterKind[];
  replicas?: number;
  eppConfig?: string;
  json?: string;
  out?: string;
  progress: boolean;
  intervals: boolean;
}

/** Registers `simulate`. */
export function registerSimulateCommand(program: Command, config: ConfigProvider): void {
  const cmd = program.command('simulate')
    .description('Predict the benchmark\'s paths (round-robin, kube-proxy random, llm-d with any router profile) with a discrete-event simulation of the configured vLLM replicas, router and client, for any workload and load shape. Defaults are the config (the reference run); flags override it.')
    .addOption(new Option('--router <names>', `router(s): ${ROUTER_KINDS.join(', ')}, all; comma-separated (llm-d = router.profile)`).argParser(parseRouters).default([...DEFAULT_ROUTERS], DEFAULT_ROUTERS.join(',')));
  addWorkloadOptions(cmd)
    .option('--replicas <n>', 'vLLM replicas (vllm.replicas)', parsePositiveInt)
    .option('--epp-config <file>', 'simulate this EndpointPickerConfig as the llm-d path (YAML/JSON, its ConfigMap, or a rendered manifest holding it), any profile')
    .option('--json <file>', 'write {"config": ..., "results": {"<router>": ...}} to this file (its directory must exist)')
    .option('--no-intervals', 'skip the P10-P90 prediction intervals (one simulation per fitted parameter set, on two worker threads)')
    .option('--out <dir>', 'write the result and time-series files `llmd-bench run` writes into this directory, created if missing (then: llmd-bench report <dir>)')
    .option('--no-progress', 'no progress bar on stderr')
    .action(action('simulate', async (flags: SimulateFlags) => {
      // `simulate | head` closes stdout early: stop quietly instead of dying on EPIPE.
      process.stdout.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      const c: BenchConfig = configWithWorkloadFlags(config, flags);
      if (isPaused(c)) throw badInput(pausedProblem('simulate'));
      // Outputs and the EPP config are checked before the simulation runs, not after minutes of work.
      if (flags.out) checkOutputDir(flags.out, '--out');
      if (flags.json) checkOutputFile(flags.json, '--json');
      let eppConfig: EppConfigLike | undefined;
      if (flags.eppConfig) {
        try {
          eppConfig = readEppConfig(flags.eppConfig);
          parseEndpointPickerConfig(eppConfig);
        } catch (err) {
          throw badInput(err instanceof EppConfigFileError ? err.message : `--epp-config ${flags.eppConfig}: ${(err as Error).message}`,
            'pass an EndpointPickerConfig, its ConfigMap, or a manifest rendered by `npm run render`');
        }
      }
      for (const w of configWarnings(c)) process.stderr.write(`warning: ${w}\n`);
      const bar = flags.progress && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
      const sim = await simulateParallel(c, {
        routers: flags.router,
        intervals: flags.intervals,
        threads: 2,
        overrides: { replicas: flags.replicas },
        eppConfig,
        onProgress: bar ? (router, done, total) => bar.update(router, done, total) : undefined,
      });
      bar?.clear();
      const wall = sim.runs.reduce((a, r) => a + r.wallSeconds, 0);
      const p = sim.params;
      const load = p.run.load.staged
        ? `stages ${p.run.load.stages.map((s) => (s.kind === 'poisson' ? `${s.rate}:${s.durationS}` : `${s.requests}@${s.concurrency}`)).join(',')}${p.run.load.warmup ? ' (+ warm-up)' : ''}`
        : `rate ${p.requestRate}`;
      process.stdout.write('SIMULATED: a prediction of the simulator (docs/simulator.md), not a measurement\n');
      process.stdout.write(`Simulated ${sim.runs[0].result.completed} requests (${describeWorkload(p.run.workload)}; ${p.run.harness}), ${load}, ` +
        `concurrency ${p.maxConcurrency ?? 'none'}, ${p.replicas} replicas, ` +
        `${p.tensorParallelSize > 1 ? `TP=${p.tensorParallelSize}, ` : ''}${p.numBlocks * p.limits.blockSize} KV tokens each, in ${wall.toFixed(2)} s\n\n`);
      // Once: how close this is to what the public anchors cover, and a plain warning when outside.
      process.stdout.write(`${sim.calibration.summary}\n`);
      if (sim.calibration.warning) process.stdout.write(`WARNING: ${sim.calibration.warning}\n`);
      process.stdout.write(sim.intervals
        ? `[P10-P90]: prediction intervals from ${sim.intervals.members} fitted parameter sets and the anchors' leave-one-out error, widened by the distance (${sim.intervals.wallSeconds.toFixed(1)} s)\n\n`
        : '\n');
      process.stdout.write(`${formatTable(sim)}\n`);
      if (p.run.load.staged) process.stdout.write(`\n${formatStageTable(sim)}\n`);
      for (const run of sim.runs) {
        for (const warning of run.raw.warnings) if (!warning.startsWith('outside what the public anchors cover')) process.stderr.write(`warning (${run.label}): ${warning}\n`);
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
