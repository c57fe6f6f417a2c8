/**
 * Bad input of any kind, on every command: exit code 2, one line naming what is wrong and one hint
 * line, never the help page. Help and version, run in-process through the real program (main() of
 * bin/llmd-bench.ts) so dozens of cases stay cheap.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildProgram, versionText } from '../../lib/bench/program';
import { suggestOptions } from '../../lib/bench/cli-kit';
import { defaultConfig } from '../../lib/config';
import { tempDir } from '../temp-dir';
import { runCli } from '../run-cli';

const ROOT = path.join(__dirname, '..', '..');

const run = runCli;

const resultFile = path.join('test/fixtures/results/reference', fs.readdirSync(path.join(ROOT, 'test/fixtures/results/reference'))[0]);
const aFile = path.join(tempDir('llmd-bench-input-'), 'a-file');
fs.writeFileSync(aFile, 'x');
// A path under a fresh temporary directory: nothing outside it is created if the refusal regresses.
const missingJson = path.join(tempDir('llmd-bench-json-'), 'missing', 'dir', 'x.json');

const BAD_INPUT: [string, string[], RegExp][] = [
  ['unknown option, the typed word inside the right one', ['simulate', '--rate', '20'], /^llmd-bench simulate: unknown option '--rate' \(did you mean --request-rate\?\)$/],
  ['unknown option on report', ['report', '--rate', 'inf'], /^llmd-bench report: unknown option '--rate' \(did you mean --main-rate\?\)$/],
  ['unknown option, a typo', ['run', '--dry-rnu'], /^llmd-bench run: unknown option '--dry-rnu' \(did you mean --dry-run\?\)$/],
  ['unknown option, nothing close', ['cost', '--frobnicate'], /^llmd-bench cost: unknown option '--frobnicate'$/],
  ['unknown command', ['simualte'], /^llmd-bench: unknown command 'simualte' \(did you mean simulate\?\)$/],
  // with --help too: not the root help and exit 0 (`render` is `npm run render`, no command)
  ['unknown command with --help', ['render', '--help'], /^llmd-bench: unknown command 'render'$/],
  ['unknown command with -h, after -c', ['-c', 'gpuNodes.count=2', 'simualte', '-h'], /^llmd-bench: unknown command 'simualte' \(did you mean simulate\?\)$/],
  ['-c without =', ['simulate', '-c', 'gpuNodes.count'], /^llmd-bench: -c "gpuNodes.count": expected key=value, e.g. -c vllm.blockSize=32$/],
  ['-c without = before the command', ['-c', 'gpuNodes.count', 'cost'], /^llmd-bench: -c "gpuNodes.count": expected key=value/],
  ['a bad config value in simulate', ['simulate', '--no-progress', '-c', 'vllm.kvCacheDtype=fp16'], /^llmd-bench simulate: invalid configuration: vllm.kvCacheDtype: got "fp16"; must be one of auto, fp8$/],
  ['an unknown config key in cost', ['cost', '-c', 'vllm.kvCachDtype=fp8'], /^llmd-bench cost: invalid configuration: vllm.kvCachDtype: got "fp8"; unknown config key; did you mean "vllm.kvCacheDtype"\?$/],
  ['a bad config value in run', ['run', '--dry-run', '-c', 'gpuNodes.count=four'], /^llmd-bench run: invalid configuration: gpuNodes.count/],
  ['a bad number', ['simulate', '--num-prompts', 'abc'], /^llmd-bench simulate: --num-prompts "abc": must be a positive whole number$/],
  ['zero concurrency says what else is allowed', ['simulate', '--max-concurrency', '0'], /^llmd-bench simulate: --max-concurrency "0": must be a positive whole number, or none for no client limit$/],
  // --target takes a comma-separated list with the router profiles (h5); the message lists every word.
  ['a bad choice', ['run', '--dry-run', '--target', 'rrr'], /^llmd-bench run: --target "rrr": "rrr" is not a path; use rr, llm-d, both, precise, approximate, load, random, custom \(comma-separated for several\)$/],
  ['a bad timeout', ['preflight', '--timeout', '0'], /^llmd-bench preflight: --timeout "0": must be a positive number of seconds$/],
  ['a bad number of hours', ['cost', '--hours', '-3'], /^llmd-bench cost: --hours "-3": must be a positive number of hours$/],
  ['a missing file', ['simulate', '--no-progress', '--epp-config', 'nope.yaml'], /^llmd-bench simulate: --epp-config nope.yaml: cannot read it: no such file or directory$/],
  ['a missing option value', ['report', '--main-rate'], /^llmd-bench report: --main-rate needs a value$/],
  ['too many arguments', ['report', 'a', 'b'], /^llmd-bench report: too many arguments for 'report'/],
  ['a main rate nobody ran', ['report', 'test/fixtures/results/reference', '--main-rate', '7', '--out', tempDir('llmd-bench-r-')], /^llmd-bench report: --main-rate 7: no results at that request rate; rates present: inf$/],
  ['a bad main rate', ['report', 'test/fixtures/results/reference', '--main-rate', 'fast'], /^llmd-bench report: --main-rate "fast": must be "inf" or a positive number$/],
  ['a file where a results directory belongs', ['report', resultFile], /^llmd-bench report: results directory .* is a file, not a directory$/],
  ['a file where --out wants a directory', ['simulate', '--no-progress', '--out', aFile], /^llmd-bench simulate: --out .*a-file: is a file, not a directory$/],
  ['help for an unknown command', ['help', 'nope'], /^llmd-bench: unknown command 'nope'$/],
  ['help for a typo of a command', ['help', 'simulat'], /^llmd-bench: unknown command 'simulat' \(did you mean simulate\?\)$/],
  ['a typo of a GPU instance type', ['cost', '-c', 'gpuNodes.instanceType=g5.xlarg'], /^llmd-bench cost: invalid configuration: gpuNodes.instanceType: got "g5.xlarg"; not an instance type with NVIDIA GPUs; did you mean "g5.xlarge"\? allowed: /],
  ['a known instance type without GPUs gets no misleading suggestion', ['cost', '-c', 'gpuNodes.instanceType=m6i.xlarge'], /^llmd-bench cost: invalid configuration: gpuNodes.instanceType: got "m6i.xlarge"; not an instance type with NVIDIA GPUs; allowed: /],
  ['duplicate -c on account-check: the last one wins, as everywhere, and a bad one is bad input', ['account-check', '-c', 'gpuNodes.count=2', '-c', 'gpuNodes.count=x'], /^llmd-bench account-check: invalid configuration: gpuNodes.count: got "x"/],
  ['duplicate -c on cleanup-check', ['cleanup-check', '-c', 'gpuNodes.count=2', '-c', 'gpuNodes.count=x'], /^llmd-bench cleanup-check: invalid configuration: gpuNodes.count: got "x"/],
  ['a file where run --out wants a directory', ['run', '--skip-preflight', '--skip-aws', '--out', aFile], /^llmd-bench run: --out .*a-file: is a file, not a directory$/],
  ['simulate --json into a directory that does not exist', ['simulate', '--no-progress', '--json', missingJson], /^llmd-bench simulate: --json .*\/missing\/dir\/x\.json: directory .*\/missing\/dir does not exist$/],
  ['empty stage entries', ['simulate', '--stages', '5:10,,6:10,'], /^llmd-bench simulate: --stages "5:10,,6:10,": "5:10,,6:10,": stage 2 is empty \(a doubled or trailing comma\)/],
  ['a length in exponent notation', ['simulate', '--workload', 'random', '--input-len', '1e3'], /^llmd-bench simulate: .*"1e3": numbers are plain decimals, not exponent notation \(write 1000\)/],
  ['a length in exponent notation through -c', ['simulate', '-c', 'workload.name=random', '-c', 'workload.random.inputLen=1e3'], /^llmd-bench simulate: invalid configuration: workload\.random\.inputLen: got "1e3"; numbers are plain decimals, not exponent notation \(write 1000\)/],
  // One rule for every number a user types: exponent notation is refused with what to write, never read on one path and refused on another.
  ['a stage rate in exponent notation', ['simulate', '--workload', 'shared-prefix', '--stages', '1e1:10'], /^llmd-bench simulate: --stages "1e1:10": "1e1:10": numbers are plain decimals, not exponent notation \(write 10\)/],
  ['a stage duration in exponent notation', ['simulate', '--workload', 'shared-prefix', '--warmup-stage', '2:1e1'], /^llmd-bench simulate: --warmup-stage "2:1e1": .*not exponent notation \(write 10\)/],
  ['stages in exponent notation through -c', ['simulate', '-c', 'workload.name=shared-prefix', '-c', 'benchmark.stages=2:10,1e1:10'], /^llmd-bench simulate: invalid configuration: benchmark\.stages\.1: got "1e1:10"; "1e1:10": numbers are plain decimals, not exponent notation \(write 10\)/],
  ['a count flag in exponent notation', ['simulate', '--num-prompts', '1.5e3'], /^llmd-bench simulate: --num-prompts "1\.5e3": numbers are plain decimals, not exponent notation \(write 1500\)$/],
  ['a rate flag in exponent notation', ['simulate', '--request-rate', '1e1'], /^llmd-bench simulate: --request-rate "1e1": numbers are plain decimals, not exponent notation \(write 10\)$/],
  ['a concurrency flag in exponent notation', ['run', '--max-concurrency', '1e2'], /^llmd-bench run: --max-concurrency "1e2": numbers are plain decimals, not exponent notation \(write 100\)$/],
  ['--replicas in exponent notation', ['simulate', '--replicas', '1e1'], /not exponent notation \(write 10\)$/],
  ['--hours in exponent notation', ['cost', '--hours', '2e0'], /^llmd-bench cost: --hours "2e0": numbers are plain decimals, not exponent notation \(write 2\)$/],
  ['--main-rate in exponent notation', ['report', 'test/fixtures/results/reference', '--main-rate', '1e1'], /^llmd-bench report: --main-rate "1e1": numbers are plain decimals, not exponent notation \(write 10\)$/],
  ['a number key in exponent notation through -c', ['simulate', '-c', 'gpuNodes.count=1e1'], /^llmd-bench simulate: invalid configuration: gpuNodes\.count: got "1e1"; numbers are plain decimals, not exponent notation \(write 10\)$/],
  ['a rate key in exponent notation through -c (number or "inf")', ['cost', '-c', 'benchmark.requestRate=1e1'], /^llmd-bench cost: invalid configuration: benchmark\.requestRate: got "1e1"; numbers are plain decimals, not exponent notation \(write 10\)$/],
];

describe('bad input: exit 2, one error line and a hint, never the help page', () => {
  test.each(BAD_INPUT)('%s', async (_what, args, first) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(first);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}what to do: \S/);
    expect(r.stderr).not.toContain('Usage:');
    expect(r.stdout).toBe('');
  });

  test('no command at all: the help (on stderr) and exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: llmd-bench \[options\] \[command\]/);
    expect(r.stderr).toContain('simulate');
  });
});

describe('outputs: --json needs its directory, --out creates its own', () => {
  test('simulate --out makes a missing directory (documented), and nothing is created for a refused --json', async () => {
    const base = tempDir('llmd-bench-outdirs-');
    const out = path.join(base, 'new', 'results');
    const r = await run(['simulate', '--no-progress', '--num-prompts', '150', '--out', out]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).some((f) => f.endsWith('.timeseries.json'))).toBe(true);
    const refused = await run(['simulate', '--no-progress', '--num-prompts', '150', '--json', path.join(base, 'missing', 'x.json')]);
    expect(refused.code).toBe(2);
    expect(fs.existsSync(path.join(base, 'missing'))).toBe(false);
    const help = buildProgram().commands.find((c) => c.name() === 'simulate')!.helpInformation();
    expect(help).toMatch(/--json <file>[\s\S]*its directory must exist/);
    expect(help).toMatch(/--out <dir>[\s\S]*created if missing/);
  });
});

describe('report on the console', () => {
  test('a simulated directory says SIMULATED before the table', async () => {
    const dir = tempDir('llmd-bench-simrep-');
    for (const f of fs.readdirSync(path.join(ROOT, 'test/fixtures/results/reference'))) {
      const r = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/results/reference', f), 'utf8'));
      fs.writeFileSync(path.join(dir, f), JSON.stringify({ ...r, source: 'simulator' }));
    }
    const r = await run(['report', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SIMULATED results \(llmd-bench simulate\): a prediction, not a measurement\n\n\| metric \| round-robin \| llm-d \| advantage \|/);
  });
});

describe('--help and --version', () => {
  test('help and version succeed (exit 0) on stdout', async () => {
    const help = await run(['simulate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: llmd-bench simulate/);
    expect((await run(['help'])).code).toBe(0);
    expect((await run(['help', 'run'])).code).toBe(0);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${versionText()}\n`);
  });

  test('no help text has doubled closing parentheses (nested "(...)" inside a default)', () => {
    const program = buildProgram();
    for (const c of [program, ...program.commands]) expect(c.helpInformation().replace(/\s+/g, ' ')).not.toContain('))');
  });

  test('--version: the package version and what the defaults pin', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const c = defaultConfig();
    const text = versionText();
    expect(text.split('\n')[0]).toBe(`llmd-bench ${pkg.version} (llmd-eks-bench, Node.js ${process.versions.node})`);
    for (const pinned of [`${c.vllm.image}:${c.vllm.tag}`, `${c.router.eppImage}:${c.router.eppTag}`, `${c.router.envoyImage}:${c.router.envoyTag}`,
      c.monitoring.kubePrometheusStackVersion, c.monitoring.gpuOperatorVersion, c.cluster.kubernetesVersion]) {
      expect(text).toContain(pinned);
    }
  });

  test.each(['preflight', 'run', 'report', 'cost', 'simulate'])('%s --help lists -c key=value and real defaults, not config key names alone', (name) => {
    const sub = buildProgram().commands.find((c) => c.name() === name)!;
    const text = sub.helpInformation();
    expect(text).toContain('-c, --context <key=value>');
    expect(text).not.toMatch(/\((benchmark|vllm)\.[A-Za-z]+\)/); // "(benchmark.requestRate)" alone says nothing
  });

  test('defaults in help are the effective config: the reference run, or what -c set', async () => {
    const plain = buildProgram().commands.find((c) => c.name() === 'simulate')!.helpInformation();
    expect(plain).toMatch(/--request-rate <rate> +requests per second, or inf \(default: inf, from\s+config benchmark.requestRate\)/);
    expect(plain).toMatch(/--max-concurrency <n> .*\(default: 512,/);
    const overridden = await run(['-c', 'benchmark.requestRate=12', 'simulate', '--help']);
    expect(overridden.stdout).toMatch(/\(default: 12, from\s+config benchmark.requestRate\)/);
    const report = buildProgram().commands.find((c) => c.name() === 'report')!.helpInformation();
    expect(report).toMatch(/--main-rate <rate>[\s\S]*\(default: inf,\s+from config benchmark.requestRate\)/);
  });

  test('an empty default reads "none", never "(default: , ..." (--warmup-stage, --stages)', () => {
    for (const name of ['preflight', 'run', 'report', 'cost', 'simulate']) {
      const text = buildProgram().commands.find((c) => c.name() === name)!.helpInformation();
      expect([name, /\(default: ?[,)]/.test(text)]).toEqual([name, false]);
    }
    const simulate = buildProgram().commands.find((c) => c.name() === 'simulate')!.helpInformation();
    expect(simulate).toMatch(/--warmup-stage <stage>[\s\S]*\(default: none,\s+from config\s+benchmark\.warmupStage\)/);
  });

  test('--warmup-stage help says what it is, when it runs and where it applies, as the checks enforce', async () => {
    const simulate = buildProgram().commands.find((c) => c.name() === 'simulate')!.helpInformation().replace(/\s+/g, ' ');
    const help = /--warmup-stage <stage> (.*?)\(default: none, from config benchmark\.warmupStage\)/.exec(simulate)?.[1] ?? '';
    expect(help).toMatch(/RATE:SECONDS stage, e\.g\. \d+:\d+/);
    expect(help).toMatch(/before the --stages or the --request-rate run/);
    expect(help).toMatch(/left out of every result/);
    expect(help).toMatch(/inference-perf only, not multi-turn/);
    // What the help promises holds: exit 2 on the vllm harness and on multi-turn; accepted with --request-rate.
    const small = ['simulate', '--no-progress', '--no-intervals', '--replicas', '2', '--router', 'round-robin'];
    const vllm = await run([...small, '--workload', 'random', '--harness', 'vllm', '--num-prompts', '20', '--warmup-stage', '1:5']);
    expect([vllm.code, vllm.stderr]).toEqual([2, expect.stringMatching(/vllm bench serve runs no load stages/)]);
    const multi = await run([...small, '--workload', 'multi-turn', '--warmup-stage', '1:5']);
    expect([multi.code, multi.stderr]).toEqual([2, expect.stringMatching(/multi-turn takes no warm-up stage/)]);
    const ok = await run([...small, '--workload', 'random', '--input-len', '64', '--output-len', '8', '--request-rate', '4', '--num-prompts', '8', '--warmup-stage', '2:2']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });

  test('cluster commands take --timeout (default 20 s) and --insecure-http', () => {
    for (const name of ['preflight', 'run']) {
      const text = buildProgram().commands.find((c) => c.name() === name)!.helpInformation();
      expect(text).toMatch(/--timeout <seconds>[\s\S]*\(default: 20\)/);
      expect(text).toContain('--insecure-http');
    }
  });
});

describe('option suggestions', () => {
  const simulate = ['--router', '--request-rate', '--max-concurrency', '--num-prompts', '--num-prefixes', '--prefix-len', '--suffix-len', '--output-len', '--replicas', '--seed', '--burstiness', '--epp-config', '--json', '--out', '--no-progress', '--help'];
  test.each([
    ['--rate', ['--request-rate']],
    ['--prompts', ['--num-prompts']],
    ['--prefix', ['--prefix-len', '--num-prefixes']],
    ['--concurrency', ['--max-concurrency']],
    ['--num-promts', ['--num-prompts']],
    ['--requestrate', ['--request-rate']],
    ['--epp', ['--epp-config']],
    ['--xyz', []],
  ])('%s -> %j', (typed, expected) => {
    expect(suggestOptions(typed, simulate)).toEqual(expected);
  });
});

describe('npm run render: bad input is one line, a hint and exit 2, before anything is rendered', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderMain } = require('../../scripts/render') as typeof import('../../scripts/render');
  test.each([
    [['--out', aFile], /^render: --out .*a-file: is a file, not a directory\n {2}what to do: /],
    [['--out', path.join(aFile, 'sub')], /^render: --out .*a-file\/sub: .*a-file is a file, so the directory cannot be created\n {2}what to do: /],
    [['--bogus'], /^render: unexpected argument "--bogus"\n {2}what to do: usage: npm run render/],
    [['-c', 'vllm.blockSize'], /^render: -c needs key=value, got "vllm.blockSize"\n {2}what to do: /],
    [['-c', 'vllm.blockSize=abc'], /^render: invalid configuration: vllm.blockSize/],
  ])('%j', (args, message) => {
    const errors: string[] = [];
    const logs: string[] = [];
    expect(renderMain(args, (l) => logs.push(l), (l) => errors.push(l))).toBe(2);
    expect(errors.join('\n')).toMatch(message);
    expect(logs).toEqual([]);
  });

  test('--out to another directory writes there and replaces only files an earlier render wrote', () => {
    const dir = tempDir('llmd-bench-render-');
    fs.writeFileSync(path.join(dir, 'mine.yaml'), 'kind: Mine\n');
    fs.writeFileSync(path.join(dir, '99-stale.yaml'), '# old\n# Generated by `npm run render` from lib/config; do not edit.\n');
    const logs: string[] = [];
    expect(renderMain(['--out', dir], (l) => logs.push(l), () => undefined)).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'mine.yaml'), 'utf8')).toBe('kind: Mine\n');
    expect(fs.existsSync(path.join(dir, '99-stale.yaml'))).toBe(false);
    expect(fs.readdirSync(dir)).toContain('00-crds.yaml');
    expect(logs[logs.length - 1]).toMatch(new RegExp(`^\\nWrote \\d+ files to ${dir}\\.`));
  });
});
