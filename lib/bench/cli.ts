import type { Command } from 'commander';
import type { BenchConfig } from '../config';

/** Registers preflight, run, report and cost. (Filled by the benchmark-runner issue.) */
export function registerBenchCommands(_program: Command, _config: () => BenchConfig): void {}
