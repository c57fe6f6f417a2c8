/**
 * Module boundaries (issue 9 D): charts never import CDK constructs; k8s/names.ts and the shared
 * bench names are leaves; no import circles among the in-cluster modules and the config. Read from
 * the source files' static imports (relative paths), so a new import that breaks a rule fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
// Runtime imports only: `import type` / `export type` vanish at compile time and make no circle.
const IMPORT = /^\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)/gm;

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const rel = join(dir, f);
    if (statSync(join(ROOT, rel)).isDirectory()) return tsFiles(rel);
    return f.endsWith('.ts') && !f.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Relative imports of a file, resolved to repository paths (`.ts` or `/index.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) { out.push(spec); continue; }
    const base = relative(ROOT, resolve(ROOT, dirname(file), spec));
    const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
    out.push(candidates.find((c) => { try { return statSync(join(ROOT, c)).isFile(); } catch { return false; } }) ?? base);
  }
  return out;
}

const k8sFiles = tsFiles('k8s').filter((f) => !f.startsWith('k8s/imports/'));
const charts = k8sFiles.filter((f) => /(^k8s\/charts\/|chart\.ts$|^k8s\/bench\/)/.test(f));

describe('module boundaries', () => {
  test('nothing under k8s/ imports a CDK construct or aws-cdk-lib', () => {
    const bad = k8sFiles.flatMap((f) => importsOf(f).filter((i) => i.startsWith('constructs/') || i.startsWith('aws-cdk-lib') || i.startsWith('lib/stacks/')).map((i) => `${f} -> ${i}`));
    expect(charts.length).toBeGreaterThan(5);
    expect(bad).toEqual([]);
  });

  test('the secret-file init container helper lives in k8s/ and the CDK side imports it from there', () => {
    expect(k8sFiles).toContain('k8s/secret-file-init-container.ts');
    expect(importsOf('constructs/helm/kube-prometheus-stack.ts')).toContain('k8s/secret-file-init-container.ts');
    expect(tsFiles('constructs')).not.toContain('constructs/secret-file-init-container.ts');
  });

  test('k8s/names.ts is a leaf: it imports the config only, never a chart', () => {
    expect(importsOf('k8s/names.ts').filter((i) => !i.startsWith('lib/config'))).toEqual([]);
  });

  test('the names the benchmark Job chart and the CLI share live in one leaf both import', () => {
    expect(importsOf('lib/bench/run-names.ts')).toEqual([]);
    expect(importsOf('k8s/bench/benchmark-job.ts')).toContain('lib/bench/run-names.ts');
    const cliFiles = tsFiles('lib/bench');
    expect(cliFiles.filter((f) => importsOf(f).includes('lib/bench/run-names.ts')).length).toBeGreaterThanOrEqual(2);
    // The CLI takes label and container names from the leaf, not from the chart module.
    const text = (f: string) => readFileSync(join(ROOT, f), 'utf8');
    for (const f of cliFiles) expect([f, /import \{[^}]*\b(BENCH_CLIENT_SELECTOR|RUN_ID_LABEL|CLIENT_CONTAINER)\b[^}]*\} from '\.\.\/\.\.\/k8s\/bench\/benchmark-job'/.test(text(f))]).toEqual([f, false]);
  });

  test('no import circle among k8s/, lib/config/ and lib/bench/run-names.ts', () => {
    const files = [...k8sFiles, ...tsFiles('lib/config'), 'lib/bench/run-names.ts', 'lib/bench/result-format.ts'];
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => files.includes(i))]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') { cycles.push([...path.slice(path.indexOf(f)), f].join(' -> ')); return; }
      state.set(f, 'visiting');
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
