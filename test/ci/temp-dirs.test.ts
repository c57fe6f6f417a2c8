/**
 * Tests leave no temporary directories behind: tempDir() (test/temp-dir.ts) removes what a test file
 * created, and every jest run has a TMPDIR of its own that globalTeardown removes (test/jest-tmp.js).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { removeTempDirs, tempDir } from '../temp-dir';

const ROOT = path.join(__dirname, '..', '..');

function testSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testSources(p);
    return /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

test('this run writes its temporary files under a directory of its own, removed when the run ends', () => {
  expect(path.basename(os.tmpdir())).toMatch(/^llmd-bench-jest-/);
  expect(process.env.LLMD_BENCH_JEST_TMPDIR).toBe(os.tmpdir());
});

test('tempDir() directories are removed (after the file, or on demand)', () => {
  const a = tempDir('llmd-bench-t-');
  fs.writeFileSync(path.join(a, 'x'), 'x');
  expect(fs.existsSync(a)).toBe(true);
  removeTempDirs();
  expect(fs.existsSync(a)).toBe(false);
});

test('no test creates a temporary directory except through tempDir()', () => {
  const offenders = testSources(path.join(ROOT, 'test'))
    .filter((f) => ![path.join('test', 'temp-dir.ts'), path.join('test', 'jest-tmp.js'), path.join('ci', 'temp-dirs.test.ts')].some((own) => f.endsWith(own)))
    .filter((f) => /mkdtemp(Sync)?\s*\(/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
  expect(offenders).toEqual([]);
});
