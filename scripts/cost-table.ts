/** Rewrites the cost section of README.md from `llmd-bench cost` of the reference configuration (`npm run docs:cost`). */
import * as fs from 'fs';
import * as path from 'path';
import { withCostSection } from '../lib/bench/cost-docs';
import { defaultConfig } from '../lib/config';

const readme = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readme, withCostSection(fs.readFileSync(readme, 'utf8'), defaultConfig()));
process.stdout.write(`updated the cost section in ${path.relative(process.cwd(), readme)}\n`);
