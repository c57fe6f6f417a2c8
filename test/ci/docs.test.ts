/** Stale statements a newcomer hit in the docs stay fixed (newcomer review, section 4). */
import * as fs from 'fs';
import * as path from 'path';
import { defaultConfig, loaderNamespace } from '../../lib/config';
import { CHAT_RENDER_PATH } from '../../lib/bench/preflight';
import { sharedNames } from '../../k8s/names';

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
  // Deploy: what the approval prompt is and how to retry without losing the finished resources.
  const deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('## Destroy'));
  for (const flag of ['--require-approval never', '--no-rollback', 'cdk rollback']) expect(deploy).toContain(flag);
});

/**
 * kubectl commands about the loader Job whose namespace is not the loader's: a command naming the loader
 * (`logs job/model-loader-…`), or a `get jobs` on a line about the loader.
 */
function loaderCommandsInWrongNamespace(text: string, loaderNs: string): string[] {
  const wrong: string[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/kubectl\b[^`\n]*/g)) {
      const cmd = m[0];
      const command = cmd.split('#')[0];
      const aboutLoader = /loader/i.test(command.replace(/(-n|--namespace)[ =]\S+/g, '')) || (/\bget\s+jobs?\b/.test(command) && /loader/i.test(line));
      if (!aboutLoader) continue;
      const ns = /(?:-n|--namespace)[ =](\S+)/.exec(command)?.[1];
      if (ns !== loaderNs) wrong.push(cmd.trim());
    }
  }
  return wrong;
}

test('loader commands use the loader namespace (the Job runs in <project.namespace>-loader)', () => {
  const ns = loaderNamespace(defaultConfig());
  expect(ns).toBe('llmd-bench-loader');
  // The rule catches what the README said before.
  expect(loaderCommandsInWrongNamespace('kubectl -n llmd-bench get jobs,pods                  # model-loader-<hash> Complete', ns)).toHaveLength(1);
  expect(loaderCommandsInWrongNamespace('| weights | `kubectl -n llmd-bench get jobs` and the loader\'s log |', ns)).toHaveLength(1);
  expect(loaderCommandsInWrongNamespace('`kubectl logs job/model-loader-1234abcd`', ns)).toHaveLength(1);
  expect(loaderCommandsInWrongNamespace('`kubectl -n llmd-bench logs <pod> -c check-weights` (names the loader Job)', ns)).toEqual([]);
  for (const { f, text } of docs) expect(`${f}: ${loaderCommandsInWrongNamespace(text, ns).join(' | ')}`).toBe(`${f}: `);
});

test('the README diagram and the simulator\'s router path name the render call the EPP makes: /v1/chat/completions/render on the render server', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const diagram = /```\n([\s\S]*?)```/.exec(readme)![1];
  const names = sharedNames(defaultConfig());
  expect(diagram).toContain(CHAT_RENDER_PATH);
  expect(diagram).toContain(`Service ${names.renderService}`);
  expect(diagram).not.toMatch(/\/v1\/completions\/render/);
  // The simulator's router path (docs/simulator.md, timing model) names the same call and Service.
  const sim = fs.readFileSync(path.join(ROOT, 'docs', 'simulator.md'), 'utf8');
  const routerPath = sim.split('\n- **Router path**')[1].split('\n\n')[0];
  expect(routerPath).toContain(CHAT_RENDER_PATH);
  expect(routerPath).toContain(names.renderService);
});

test('docs/security.md maps all 16 findings of the security review, and every reference in the map exists', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'security.md'), 'utf8');
  const map = doc.slice(doc.indexOf('## Every finding of the security review'));
  const rows = map.split('\n').filter((l) => /^\| \d+ \|/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
  expect(rows.map((r) => Number(r[1]))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  for (const r of rows) expect(r[3]).toMatch(/^(fixed|accepted)/);
  const headings = doc.split('\n').filter((l) => l.startsWith('#')).map((l) => l.replace(/^#+\s*/, ''));
  for (const [, name] of map.matchAll(/section "([^"]+)"/g)) expect(headings.some((h) => h.startsWith(name))).toBe(true);
  // Exceptions: numbered lists under the two "Deliberate exceptions" headings (platform first).
  const lists = doc.split('### Deliberate exceptions').slice(1).map((part) => part.split('\n### ')[0]);
  const has = (list: string, n: number) => new RegExp(`^${n}\\. \\*\\*`, 'm').test(list);
  for (const m of map.matchAll(/(platform|in-cluster) exceptions? ([\d, and]+)/g)) {
    for (const n of m[2].match(/\d+/g)!) expect(has(lists[m[1] === 'platform' ? 0 : 1], Number(n))).toBe(true);
  }
});

test('the quota family is said to come from the hardware registry, not from a stop-gap lookup', () => {
  const platform = fs.readFileSync(path.join(ROOT, 'docs/platform.md'), 'utf8');
  expect(platform).not.toContain('until the hardware registry carries it');
  expect(platform).toContain('`quotaFamily` of its row in `lib/config/tables/instances.ts`');
});
