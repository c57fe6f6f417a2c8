/**
 * The CLI end to end, as a user runs it: `node bin/llmd-bench.js <command>` in a child process.
 * Exit codes: 0 success, 1 cluster/AWS failure, 2 bad input.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { defaultConfig } from '../../lib/config';
import { latestResultsDir, registerBenchCommands } from '../../lib/bench/cli';

const ROOT = path.join(__dirname, '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'llmd-bench-cli-'));

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
    expect(r.stdout).toMatch(/total\s+\$9\.12\/h/);
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
    expect(r.stdout).toContain('reset caches (endpoint) -> llmd-bench-rr-main-inf-t9 -> /tmp/never-created-t9/round-robin_rate-inf_t9.json');
    expect(r.stdout).toContain('kind: Job');
    expect(fs.existsSync('/tmp/never-created-t9')).toBe(false);
  });

  test('preflight with no kubeconfig: exit code 1 and the command that fixes it', () => {
    const r = cli(['preflight', '--skip-aws', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read kubeconfig /nonexistent/kubeconfig');
    expect(r.stderr).toContain('what to do: run `aws eks update-kubeconfig --name llmd-bench --region us-west-2`');
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
  test('uses the newest run directory that holds results', () => {
    const root = tmp();
    for (const [dir, file] of [['20261124-0900', 'a.json'], ['20261125-2301', 'b.json'], ['20261126-0000', undefined]] as const) {
      fs.mkdirSync(path.join(root, dir));
      if (file) fs.writeFileSync(path.join(root, dir, file), '{}');
    }
    expect(latestResultsDir(root)).toBe(path.join(root, '20261125-2301'));
    expect(latestResultsDir(path.join(root, 'missing'))).toBeUndefined();
  });
});
