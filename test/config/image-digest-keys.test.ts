/**
 * Every `…ImageDigest` key of the configuration is listed in README "Pinning images", and every key
 * listed there exists: the list is how users learn which images they can pin.
 */
import * as fs from 'fs';
import * as path from 'path';
import { configSchema } from '../../lib/config/schema';
import { listKeys } from '../../lib/config/schema-walk';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('README "Pinning images" lists exactly the …ImageDigest keys of the schema', () => {
  const schemaKeys = listKeys(configSchema).map((k) => k.key).filter((k) => /imageDigest$/i.test(k)).sort();
  expect(schemaKeys.length).toBeGreaterThanOrEqual(7);
  const start = readme.indexOf('### Pinning images');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const listed = [...section.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]).sort();
  expect(listed).toEqual(schemaKeys);
});
