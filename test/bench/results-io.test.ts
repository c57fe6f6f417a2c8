/** Writing results: atomic (temp file + rename), never a half-written file, even when a write fails. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/bench/results-io';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'llmd-bench-io-'));

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
