/** Stale statements a newcomer hit in the docs stay fixed (newcomer review, section 4). */
import * as fs from 'fs';
import * as path from 'path';
import { defaultConfig } from '../../lib/config';

const ROOT = path.join(__dirname, '..', '..');
const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  .map((f) => ({ f, text: fs.readFileSync(path.join(ROOT, f), 'utf8') }));

test('no kube-prometheus-stack version other than the pinned one', () => {
  const pinned = defaultConfig().monitoring.kubePrometheusStackVersion;
  for (const { f, text } of docs) {
    for (const m of text.matchAll(/kube-prometheus-stack[^\n|]{0,40}?\b(\d+\.\d+\.\d+)\b/g)) expect(`${f}: ${m[1]}`).toBe(`${f}: ${pinned}`);
  }
});

test('the loader Job is named model-loader-<hash>, the GPU taint is spelled as the node group sets it', () => {
  for (const { f, text } of docs) {
    expect(`${f}: ${/job\/model-loader(?!-)/.test(text)}`).toBe(`${f}: false`);
    expect(`${f}: ${text.includes('nvidia.com/gpu=:')}`).toBe(`${f}: false`);
  }
});

test('docs/benchmark.md does not claim -c must come after the command', () => {
  const text = fs.readFileSync(path.join(ROOT, 'docs/benchmark.md'), 'utf8');
  expect(text).not.toMatch(/put `-c` \*\*after\*\*/);
  expect(text).toContain('`-c` may go before or after the command');
});

test('README says plainly that no deploy has been run end to end, and recommends a current LTS', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain('no deploy of this app has been run end to end yet');
  expect(readme).toContain('Node.js **22 or 24**');
});

test('the quota family is said to come from the hardware registry, not from a stop-gap lookup', () => {
  const platform = fs.readFileSync(path.join(ROOT, 'docs/platform.md'), 'utf8');
  expect(platform).not.toContain('until the hardware registry carries it');
  expect(platform).toContain('`quotaFamily` of its row in `lib/config/tables/instances.ts`');
});
