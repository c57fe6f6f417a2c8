/**
 * Jest globalSetup/globalTeardown: each run gets a TMPDIR of its own (`llmd-bench-jest-XXXXXX`), which
 * the test workers and the processes they spawn inherit (os.tmpdir() reads TMPDIR), and which is
 * removed when the run ends. A test that forgets to clean up (or a CLI child that writes a temp file)
 * therefore leaves nothing behind; test/temp-dir.ts removes each file's directories even sooner.
 * Other runs sharing the machine are untouched: only this run's directory is removed.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const KEY = 'LLMD_BENCH_JEST_TMPDIR';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmd-bench-jest-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
}

function teardown() {
  const dir = process.env[KEY];
  if (dir && path.basename(dir).startsWith('llmd-bench-jest-')) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { setup, teardown, KEY };
