/** Rewrites the configuration table in README.md from the zod schema (`npm run docs:config`). */
import * as fs from 'fs';
import * as path from 'path';
import { withConfigTable } from '../lib/config/docs-table';

const readme = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readme, withConfigTable(fs.readFileSync(readme, 'utf8')));
process.stdout.write(`updated the configuration table in ${path.relative(process.cwd(), readme)}\n`);
