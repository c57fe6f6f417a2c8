/**
 * The llmd-bench program (bin/llmd-bench.ts runs it). Each command lives in its own module; this
 * file only wires them, so tests can build the real program in-process.
 * Config comes from cdk.json context plus `-c key=value`, exactly like `cdk synth`.
 * Exit codes: 0 success, 1 cluster or AWS failure, 2 bad input (running with no command included),
 * 130 interrupted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CommanderError, InvalidArgumentError } from 'commander';
import { registerBenchCommands } from './cli';
import { BenchCommand, PROGRAM_NAME, applyCliSettings, reportError, setHelpConfig } from './cli-kit';
import { BenchError, EXIT } from './errors';
import type { BenchConfig } from '../config';
import { ConfigError } from '../config/problems';
import { registerSimulateCommand } from '../sim/cli';
import { registerPlanCommand } from './capacity/cli';
import { registerTuneCommand } from './tune/cli';

/** `-c key=value`, checked when parsed: a pair without "=" is bad input before anything runs. */
export function parseContextPair(value: string, previous: string[] = []): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError('expected key=value, e.g. -c vllm.blockSize=32');
  return [...previous, value];
}

/**
 * cdk.json context + `-c` (+ `extra`: overrides a command adds from its own flags, e.g. the workload
 * flags, applied after cdk.json and -c): any problem with them is bad input (exit 2).
 */
function loadConfigFrom(pairs: readonly string[], extra?: Record<string, unknown>): BenchConfig {
  // Loaded here: the config module pulls zod and every table, which `--help` does not need.
  const { loadCliConfig } = require('../config/cli-context') as typeof import('../config/cli-context');
  try {
    return loadCliConfig(pairs, undefined, extra);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof BenchError) throw err;
    throw new BenchError((err as Error).message, { exitCode: EXIT.badInput, hint: 'check cdk.json and the -c options' });
  }
}

/** `--version`: the package version and what the defaults pin (every one can be changed with -c). */
export function versionText(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
  const { defaultConfig } = require('../config') as typeof import('../config');
  const c = defaultConfig();
  const rows: [string, string][] = [
    ['EKS Kubernetes', c.cluster.kubernetesVersion],
    ['vLLM image', `${c.vllm.image}:${c.vllm.tag}`],
    ['llm-d EPP image', `${c.router.eppImage}:${c.router.eppTag}`],
    ['Envoy image', `${c.router.envoyImage}:${c.router.envoyTag}`],
    ['kube-prometheus-stack chart', c.monitoring.kubePrometheusStackVersion],
    ['NVIDIA gpu-operator chart', c.monitoring.gpuOperatorVersion],
    ['model', `${c.model.id}@${c.model.revision}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `${PROGRAM_NAME} ${pkg.version} (${pkg.name}, Node.js ${process.versions.node})`,
    'pinned by the config defaults (change any with -c key=value or cdk.json):',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ].join('\n');
}

export function buildProgram(): BenchCommand {
  const program = new BenchCommand(PROGRAM_NAME);
  program
    .description('Run, report, simulate and price the llm-d vs round-robin benchmark on EKS.')
    .option('-c, --context <key=value>', 'config override, as `cdk -c` (repeatable; before or after the command)', parseContextPair)
    .version(versionText(), '-V, --version', 'print the version and the pinned component versions');
  const config = (extra?: Record<string, unknown>) => loadConfigFrom(program.opts<{ context?: string[] }>().context ?? [], extra);
  // Help shows defaults from cdk.json + -c when they are valid, else from the reference run.
  setHelpConfig(() => {
    try {
      return config();
    } catch {
      return (require('../config') as typeof import('../config')).defaultConfig();
    }
  });
  registerBenchCommands(program, config);
  registerSimulateCommand(program, config);
  const contextPairs = () => program.opts<{ context?: string[] }>().context ?? [];
  registerPlanCommand(program, config, contextPairs);
  registerTuneCommand(program, config, contextPairs);
  applyCliSettings(program);
  return program;
}

/** Exit code of a CommanderError: help and version are success; help shown for a missing command is bad input. */
function commanderExitCode(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
  if (err.code === 'commander.help' && err.exitCode === 0) return 0; // `llmd-bench help`
  return EXIT.badInput;
}

/**
 * Entry point of `bin/llmd-bench.js`. Errors end the process with one message and their exit code.
 * `exitWhenStuckMs`: see below; tests running the CLI in-process pass undefined.
 */
export async function main(argv: readonly string[] = process.argv, options: { exitWhenStuckMs?: number } = { exitWhenStuckMs: 2000 }): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err: unknown) {
    if (err instanceof CommanderError) {
      process.exitCode = commanderExitCode(err);
    } else {
      reportError(PROGRAM_NAME, err);
    }
  }
  // Every call is bounded, but a socket abandoned at its deadline (or an exec credential plugin still
  // running) may keep the event loop alive for a while: never let that delay the exit. Unref'd, so a
  // clean finish exits at once.
  if (options.exitWhenStuckMs !== undefined) setTimeout(() => process.exit(), options.exitWhenStuckMs).unref();
}
