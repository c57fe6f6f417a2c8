/** Writing results: atomic (temp file + rename), never a half-written file, even when a write fails. */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/bench/results-io';
import { tempDir } from '../temp-dir';

const tmp = () => tempDir('llmd-bench-io-');

describe('atomic writes', () => {
  test('the file appears complete, creating directories; no temporary file is left', () => {
    const dir = tmp();
    const file = path.join(dir, 'a', 'b', 'r.json');
    writeJsonAtomic(file, { label: 'llm-d' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ label: 'llm-d' });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['r.json']);
  });

  test('replacing a file keeps the old content until the new one is complete', () => {
    const dir = tmp();
    const file = path.join(dir, 'r.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['r.json']);
  });

  test('a failed rename leaves neither a partial file nor a temporary one', () => {
    const dir = tmp();
    const target = path.join(dir, 'r.json');
    fs.mkdirSync(target); // a directory where the file should go: rename fails
    expect(() => writeFileAtomic(target, '{"x": 1}')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['r.json']);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });
});

describe('the temporary file of an atomic write', () => {
  test('a name planted where an old-style temporary file would go is neither followed nor clobbered', () => {
    const dir = tmp();
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    // The old writer used a predictable `.r.json.<pid>.<ms>.partial`; plant symlinks for this pid and the next ms.
    const now = Date.now();
    for (let ms = now; ms < now + 1000; ms++) fs.symlinkSync(victim, path.join(dir, `.r.json.${process.pid}.${ms}.partial`));
    writeFileAtomic(path.join(dir, 'r.json'), 'new');
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    expect(fs.readFileSync(path.join(dir, 'r.json'), 'utf8')).toBe('new');
  });
});
