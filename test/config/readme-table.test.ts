import { readFileSync } from 'fs';
import { join } from 'path';
import { withConfigTable } from '../../lib/config/docs-table';

test('README configuration table lists every config key as the schema defines it (npm run docs:config)', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(withConfigTable(readme)).toBe(readme);
});
