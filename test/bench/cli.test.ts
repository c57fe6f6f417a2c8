/**
 * The CLI end to end, as a user runs it: `node bin/llmd-bench.js <command>` in a child process.
 * Exit codes: 0 success, 1 cluster/AWS failure, 2 bad input.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { defaultConfig } from '../../lib/config';
import { chooseResultsDir, registerBenchCommands } from '../../lib/bench/cli';
import { tempDir } from '../temp-dir';

const ROOT = path.join(__dirname, '..', '..');
const tmp = () => tempDir('llmd-bench-cli-');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'llmd-bench.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('llmd-bench report', () => {
  test('on the reference fixtures prints the reference table and writes Markdown, SVG and summary', () => {
    const out = tmp();
    const r = cli(['report', 'test/fixtures/results/reference', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| metric | round-robin | llm-d | advantage |');
    expect(r.stdout).toContain('| duration | 840.2 s | 358.7 s | 2.3x faster |');
    expect(r.stdout).toContain('| request throughput | 10.71 req/s | 25.09 req/s | +134% |');
    expect(r.stdout).toContain('| mean TTFT | 19,029 ms | 863 ms | -95% |');
    expect(fs.readdirSync(out).sort()).toEqual(['report.md', 'summary.json', 'ttft-percentiles.svg']);
  });

  test('malformed input: a clear message naming the file, exit code 2, nothing written', () => {
    const out = tmp();
    const r = cli(['report', 'test/fixtures/results/malformed', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llmd-bench report: malformed result JSON in test\/fixtures\/results\/malformed\/round-robin-/);
    expect(r.stderr).toContain('what to do:');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('a directory that does not exist: exit code 2', () => {
    const r = cli(['report', 'test/fixtures/results/does-not-exist']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('results directory test/fixtures/results/does-not-exist does not exist');
  });
});

describe('llmd-bench cost', () => {
  test('itemised hourly cost of the reference configuration', () => {
    const r = cli(['cost']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GPU nodes\s+\$8\.05\/h\s+8 x g5\.xlarge/);
    expect(r.stdout).toMatch(/total\s+\$9\.51\/h/);
    expect(r.stdout).toContain('table reviewed');
  });

  test('config overrides (-c) and bad input', () => {
    expect(cli(['cost', '--hours', '2', '-c', 'gpuNodes.count=4', '-c', 'vllm.replicas=4']).stdout).toMatch(/GPU nodes\s+\$4\.02\/h[\s\S]*For 2\.00 h:/);
    const bad = cli(['cost', '--hours', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--hours "soon": must be a positive number of hours');
    const badConfig = cli(['cost', '-c', 'benchmark.numPrompts=9001']);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('benchmark.numPrompts: got 9001');
  });
});

describe('llmd-bench run --dry-run and preflight without a cluster', () => {
  test('run --dry-run prints the plan and the Job manifests, touching nothing', () => {
    const r = cli(['run', '--dry-run', '--target', 'rr', '--run-id', 't9', '--out', '/tmp/never-created-t9']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('run plan (1 Jobs, vllm, prefix-repetition: 150 prefixes x 2048+128 tokens -> 256, results in /tmp/never-created-t9):');
    expect(r.stdout).toContain('reset caches (restart) -> llmd-bench-rr-main-inf-t9 -> /tmp/never-created-t9/round-robin_rate-inf_t9.json');
    expect(r.stdout).toContain('kind: Job');
    expect(fs.existsSync('/tmp/never-created-t9')).toBe(false);
  });

  test('preflight with a --kubeconfig that does not exist: bad input (exit 2) and the command that fixes it', () => {
    const r = cli(['preflight', '--skip-aws', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('llmd-bench preflight: cannot read kubeconfig /nonexistent/kubeconfig: no such file');
    expect(r.stderr).toContain('what to do: run `aws eks update-kubeconfig --name llmd-bench --region us-west-2`');
  });

  test('run --skip-preflight with no kubeconfig says the EKS fallback failed too, and why', () => {
    const home = tmp();
    const r = cli(['run', '--skip-preflight', '--timeout', '5', '--out', path.join(home, 'out')], {
      HOME: home, KUBECONFIG: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^llmd-bench run: no kubeconfig found \(looked at --kubeconfig, \$KUBECONFIG, ~\/\.kube\/config\); building one from EKS DescribeCluster failed too: eks:DescribeCluster llmd-bench in us-west-2: /m);
    expect(r.stderr).toContain('what to do: run `aws eks update-kubeconfig');
  });

  test('preflight with no kubeconfig at all and no AWS: one failure, the dependent checks skipped, exit 1', () => {
    const home = tmp();
    const r = cli(['preflight', '--skip-aws'], { HOME: home, KUBECONFIG: '' });
    expect(r.code).toBe(1);
    expect(r.stderr.match(/\[FAILED/g)).toHaveLength(1);
    expect(r.stderr).toContain('✖ kubeconfig points at this cluster: no kubeconfig found');
    expect(r.stderr).toContain('llmd-bench preflight: preflight failed');
  });
});

describe('--help', () => {
  const help = (cmd: string) => {
    // The program as bin/llmd-bench.ts builds it (that file's shim runs main() when loaded).
    const program = new Command('llmd-bench');
    registerBenchCommands(program, defaultConfig);
    const sub = program.commands.find((c: Command) => c.name() === cmd);
    if (!sub) throw new Error(`no command ${cmd}`);
    return sub.helpInformation();
  };

  test.each([
    ['preflight', ['--kubeconfig <file>', '--kube-context <name>', '--skip-aws']],
    ['run', ['--target <paths>', '--ladder', '--warmup', '--run-id <id>', '--dry-run', 'rr, llm-d,', '--workload <name>', '--stages <list>', '--harness <name>']],
    ['report', ['[results-dir]', '--out <dir>', '--main-rate <rate>', '--json']],
    ['cost', ['--hours <h>', '--ladder', '--warmup']],
  ])('%s', (cmd, options) => {
    const text = help(cmd);
    expect(text).toMatch(new RegExp(`^Usage: llmd-bench ${cmd} `));
    for (const o of options) expect(text).toContain(o);
  });
});

describe('report without a directory', () => {
  const result = (source?: string) => JSON.stringify({ label: 'llm-d', request_rate: 'inf', duration: 1, completed: 1, ...(source ? { source } : {}) });

  test('uses the newest measured run: by the time in its run id, never a simulation, whatever the names sort like', () => {
    const root = tmp();
    const put = (dir: string, body: string, mtime?: Date) => {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      const f = path.join(root, dir, 'r.json');
      fs.writeFileSync(f, body);
      if (mtime) fs.utimesSync(f, mtime, mtime);
    };
    put('20261124-0900', result());
    put('20261125-2301', result());
    put('20261126-0000', '');
    fs.rmSync(path.join(root, '20261126-0000', 'r.json')); // no results: not a run
    put('sim', result('simulator')); // newest by mtime and lexicographically last: still skipped
    put('sim-ladder', result('simulator'));
    put('aaa-manual', result(), new Date('2026-01-01T00:00:00Z')); // no run id: its files' mtime
    const chosen = chooseResultsDir(root);
    expect(chosen.dir).toBe(path.join(root, '20261125-2301'));
    expect(chosen.note).toContain('the newest measured run (by run id)');
    expect(chosen.note).toContain(`skipped simulated ${path.join(root, 'sim')}`);
  });

  test('a run id is newer than an old hand-made directory, and a recent hand-made directory newer than an old run id', () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, '20260101-0000'));
    fs.writeFileSync(path.join(root, '20260101-0000', 'r.json'), result());
    fs.mkdirSync(path.join(root, 'zzz-by-hand'));
    fs.writeFileSync(path.join(root, 'zzz-by-hand', 'r.json'), result());
    expect(chooseResultsDir(root).dir).toBe(path.join(root, 'zzz-by-hand'));
  });

  test('only simulations under results/: bad input that says how to render one', () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'sim'));
    fs.writeFileSync(path.join(root, 'sim', 'r.json'), result('simulator'));
    expect(() => chooseResultsDir(root)).toThrow(/no measured run under results\/; skipped simulated/);
    expect(() => chooseResultsDir(path.join(root, 'missing'))).toThrow(/no measured run/);
  });

  test('the CLI says which directory it chose', () => {
    const cwd = tmp();
    fs.mkdirSync(path.join(cwd, 'results', '20261125-2301'), { recursive: true });
    for (const f of fs.readdirSync(path.join(ROOT, 'test/fixtures/results/reference'))) {
      fs.copyFileSync(path.join(ROOT, 'test/fixtures/results/reference', f), path.join(cwd, 'results', '20261125-2301', f));
    }
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'llmd-bench.js'), 'report', '--json'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`report: using ${path.join('results', '20261125-2301')}, the newest measured run (by run id)\n`);
    expect(JSON.parse(r.stdout).source).toBe('measurement');
  });
});
