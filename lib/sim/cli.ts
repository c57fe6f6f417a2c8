import type { Command } from 'commander';
import type { BenchConfig } from '../config';

/** Registers `simulate`. (Filled by the simulator issue.) */
export function registerSimulateCommand(_program: Command, _config: () => BenchConfig): void {}
