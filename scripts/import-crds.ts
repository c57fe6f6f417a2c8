/**
 * `npm run import:crds`: regenerates the typed cdk8s classes in k8s/imports/ from the CRDs vendored in
 * k8s/crds/ (offline: cdk8s-cli reads the local files). One module per API group.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '..');
const crdDir = join(root, 'k8s', 'crds');
const outDir = join(root, 'k8s', 'imports');

const byGroup = new Map<string, string[]>();
for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()) {
  const text = readFileSync(join(crdDir, file), 'utf8');
  const group = (parse(text) as { spec: { group: string } }).spec.group;
  byGroup.set(group, [...(byGroup.get(group) ?? []), text]);
}

const tmp = mkdtempSync(join(tmpdir(), 'llmd-crds-'));
try {
  for (const [group, docs] of byGroup) {
    const file = join(tmp, `${group}.yaml`);
    writeFileSync(file, docs.join('\n---\n'));
    console.log(`cdk8s import ${group} (${docs.length} CRD${docs.length > 1 ? 's' : ''})`);
    execFileSync(process.execPath, [join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'import', '--no-check-upgrade', '--no-save', '-l', 'typescript', '-o', outDir, file], {
      cwd: root,
      stdio: 'inherit',
    });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
