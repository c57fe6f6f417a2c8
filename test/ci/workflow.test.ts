/**
 * The PR workflow (.github/workflows/pr.yml): tests on Node.js 20, 22 and 24, and a review diff that
 * works for every stack and fails when `cdk diff` fails. The diff step's own script is run here with
 * a stand-in `npx`, against a fake head and base synth, so the test checks behaviour, not wording.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { tempDir } from '../temp-dir';

const ROOT = path.join(__dirname, '..', '..');
const workflow = parse(fs.readFileSync(path.join(ROOT, '.github/workflows/pr.yml'), 'utf8'));
const diffStep = workflow.jobs.synth.steps.find((s: { name?: string }) => s.name?.startsWith('diff against the base branch'));

/** A head checkout with two stacks and a base synth beside it, plus a stand-in `npx`. */
function fixture(npxExit: number) {
  const root = tempDir('llmd-bench-ci-');
  const head = path.join(root, 'head');
  const base = path.join(root, 'base');
  for (const dir of [head, base]) {
    fs.mkdirSync(path.join(dir, 'cdk.out'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'dist', 'manifests'), { recursive: true });
    for (const stack of ['LlmdBench-Network', 'LlmdBench-Workloads']) fs.writeFileSync(path.join(dir, 'cdk.out', `${stack}.template.json`), '{}');
  }
  fs.writeFileSync(path.join(base, 'dist/manifests/04-vllm-decode.yaml'), 'args:\n  - --block-size=64\n');
  fs.writeFileSync(path.join(head, 'dist/manifests/04-vllm-decode.yaml'), 'args:\n  - --block-size=32\n');
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'npx'), `#!/bin/sh\necho "npx $*"\nexit ${npxExit}\n`, { mode: 0o755 });
  return { head, bin, summary: path.join(root, 'summary.md') };
}

function runStep(npxExit: number) {
  const f = fixture(npxExit);
  const r = spawnSync('bash', ['-e', '-c', diffStep.run], {
    cwd: f.head, encoding: 'utf8',
    env: { ...process.env, PATH: `${f.bin}:${process.env.PATH}`, BASE_REF: 'main', GITHUB_STEP_SUMMARY: f.summary },
  });
  return { code: r.status, summary: fs.existsSync(f.summary) ? fs.readFileSync(f.summary, 'utf8') : '', stderr: r.stderr };
}

describe('the PR workflow', () => {
  test('tests run on Node.js 20, 22 and 24, each with exactly what README says (.ci/run)', () => {
    expect(workflow.jobs.test.strategy.matrix.node).toEqual(['20', '22', '24']);
    expect(workflow.jobs.test.steps.find((s: { run?: string }) => s.run)?.run).toBe('.ci/run');
    expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/npm ci --no-audit --no-fund\nnpm test\n$/);
  });

  test('every stack is diffed alone (--exclusively) and the manifests as rendered YAML', () => {
    const r = runStep(0);
    expect(r.code).toBe(0);
    expect(r.summary).toContain('npx cdk diff LlmdBench-Network --app cdk.out --template ../base/cdk.out/LlmdBench-Network.template.json --exclusively');
    expect(r.summary).toContain('npx cdk diff LlmdBench-Workloads --app cdk.out --template ../base/cdk.out/LlmdBench-Workloads.template.json --exclusively');
    expect(r.summary).toContain('-  - --block-size=64\n+  - --block-size=32');
  });

  test('a failing cdk diff fails the step (it used to pass through `| sed`)', () => {
    const r = runStep(1);
    expect(r.code).not.toBe(0);
  });
});

describe('supply chain of the workflows (security review finding 6)', () => {
  const dir = path.join(ROOT, '.github/workflows');
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  /** Every `uses:` of every step, with its trailing comment (the tag it stands for). */
  const uses = files.flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n')
    .map((line) => /^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: f, ref: m[1], comment: m[2] ?? '' })));

  test('every action is pinned to a full commit SHA, with the release tag as a comment (a tag can be moved, a SHA cannot)', () => {
    expect(uses.length).toBeGreaterThanOrEqual(3);
    const unpinned = uses.filter((u) => !/^[\w.-]+\/[\w.\/-]+@[0-9a-f]{40}$/.test(u.ref) || !/^v\d+\.\d+\.\d+$/.test(u.comment));
    expect(unpinned).toEqual([]);
  });

  test('one action, one SHA: the same action is not pinned to two commits', () => {
    const shaOf = new Map<string, Set<string>>();
    for (const u of uses) {
      const [name, sha] = u.ref.split('@');
      shaOf.set(name, new Set([...(shaOf.get(name) ?? []), sha]));
    }
    expect([...shaOf].filter(([, s]) => s.size > 1)).toEqual([]);
  });
});
