/**
 * llmd-bench: the benchmark CLI. Each command lives in its own module; this file only wires them.
 * Config comes from cdk.json context plus `-c key=value`, exactly like `cdk synth`.
 */
import { Command } from 'commander';
import { registerBenchCommands } from '../lib/bench/cli';
import { loadCliConfig } from '../lib/config/cli-context';
import { registerSimulateCommand } from '../lib/sim/cli';

export function buildProgram(): Command {
  const program = new Command('llmd-bench')
    .description('Run, report, simulate and price the llm-d vs round-robin benchmark on EKS.')
    .option('-c, --context <key=value>', 'config override, as `cdk -c` (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .showHelpAfterError();
  // Commands may add overrides of their own (the workload flags): they apply after cdk.json and -c.
  const config = (extra?: Record<string, unknown>) => loadCliConfig(program.opts<{ context?: string[] }>().context ?? [], undefined, extra);
  registerBenchCommands(program, config);
  registerSimulateCommand(program, config);
  return program;
}

/** Entry point of `bin/llmd-bench.js`. Errors end the process with a message and exit code 1. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err: unknown) {
    process.stderr.write(`llmd-bench: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!process.exitCode) process.exitCode = 1;
  }
}
