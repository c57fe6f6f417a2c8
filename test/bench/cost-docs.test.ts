/** Cost figures come from one place: the README block is what `llmd-bench cost` computes, and the other docs do not repeat numbers. */
import * as fs from 'fs';
import * as path from 'path';
import { costMarkdown, withCostSection } from '../../lib/bench/cost-docs';
import { costReport, formatCost } from '../../lib/bench/cost';
import { defaultConfig } from '../../lib/config';

const ROOT = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('README.md cost section is current (run `npm run docs:cost` after changing prices or the cost model)', () => {
  expect(withCostSection(readme, defaultConfig())).toBe(readme);
});

test('the README block and the CLI print the same run and session figures', () => {
  const cli = formatCost(costReport(defaultConfig(), { targets: 2, ladder: false, warmup: false }));
  const block = costMarkdown(defaultConfig());
  const run = /\$(\d+\.\d\d) for the run/.exec(cli)![1];
  const session = /destroy\): \$(\d+\.\d\d)/.exec(cli)![1];
  expect(block).toContain(`**$${run}**`);
  expect(block).toContain(`**$${session}**`);
});

test('docs/benchmark.md and the rest of README do not carry their own run or session prices', () => {
  const outside = readme.replace(/<!-- cost-table:start[\s\S]*<!-- cost-table:end -->/, '');
  for (const text of [outside, fs.readFileSync(path.join(ROOT, 'docs/benchmark.md'), 'utf8')]) {
    expect(text).not.toMatch(/~\s?\$\d+\.\d\d|≈\s?\$\d+/);
  }
});
