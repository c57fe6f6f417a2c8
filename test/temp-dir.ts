/**
 * Temporary directories for tests, removed when the test file finishes. Use `tempDir()` instead of
 * `fs.mkdtempSync` so a new test cleans up by default. Importing this module registers one afterAll
 * in the importing test file (jest evaluates modules once per test file).
 *
 * Second line of defence (jest.config.js globalSetup/globalTeardown, test/jest-tmp.js): every jest run
 * points TMPDIR at a directory of its own and removes it at the end, so whatever a test or a child
 * process it spawns leaves under os.tmpdir() goes with it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];

/** A new empty directory under os.tmpdir() (`<prefix>XXXXXX`), removed after the test file. */
export function tempDir(prefix = 'llmd-bench-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir() created so far (afterAll does it; tests may call it earlier). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

if (typeof afterAll === 'function') afterAll(removeTempDirs);
