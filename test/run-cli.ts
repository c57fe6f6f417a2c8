/**
 * The real CLI (main() of lib/bench/program.ts, what bin/llmd-bench.ts runs), in-process, from the
 * repository root: stdout and stderr captured, the exit code read from process.exitCode and restored.
 */
import * as path from 'path';
import { main } from '../lib/bench/program';

export const REPO_ROOT = path.join(__dirname, '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  const cwd = process.cwd();
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    process.chdir(REPO_ROOT);
    await main(['node', 'llmd-bench', ...args], {});
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.chdir(cwd);
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}
