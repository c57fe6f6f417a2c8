/** `llmd-bench tune` input checks: every bad flag exits 2 with one line and a hint, before any simulation. */
import * as path from 'path';
import { buildProgram } from '../../lib/bench/program';
import { runCli } from '../run-cli';

const ROOT = path.join(__dirname, '..', '..');

const cli = runCli;

describe('llmd-bench tune: bad input', () => {
  test.each([
    [['--objective', 'cheapest'], /^llmd-bench tune: --objective "cheapest": must be one of goodput-per-dollar, max-goodput, min-cost-for-rate$/],
    [['--objective', 'min-cost-for-rate'], /^llmd-bench tune: --objective min-cost-for-rate needs --target-rate R \(req\/s\)$/],
    [['--target-rate', '10'], /^llmd-bench tune: --target-rate applies to --objective min-cost-for-rate, not goodput-per-dollar$/],
    [['--counts', '4', '--gpu-budget', '8'], /^llmd-bench tune: --counts and --gpu-budget exclude each other$/],
    [['--gpus', '8', '--gpu-budget', '8'], /^llmd-bench tune: --gpu-budget and --gpus exclude each other$/],
    [['--counts', '0'], /^llmd-bench tune: --counts "0": must be positive whole numbers/],
    [['--block-sizes', '48'], /^llmd-bench tune: --block-sizes "48": "48" for vllm\.blockSize: must be one of 16, 32, 64, 128$/],
    [['--gpu-memory-utilization', '1.2'], /^llmd-bench tune: --gpu-memory-utilization "1.2": "1.2" for vllm\.gpuMemoryUtilization: must be in \(0, 1\)$/],
    [['--kv-cache-dtypes', 'fp16'], /^llmd-bench tune: --kv-cache-dtypes "fp16": "fp16" for vllm\.kvCacheDtype: must be one of auto, fp8$/],
    [['--routers', 'fastest'], /^llmd-bench tune: --routers "fastest": "fastest" is not a path: use round-robin, precise, approximate, load, random/],
    [['--speculative-ttls', '10'], /^llmd-bench tune: --speculative-ttls "10": "10" for router\.speculativeTtl: must be a Go duration/],
    [['--slo-ttft-p90-ms', '-1'], /^llmd-bench tune: --slo-ttft-p90-ms "-1": must be a positive number of milliseconds, or none$/],
    [['--instance-types', 'm6i.large'], /^llmd-bench tune: --instance-types "m6i.large": "m6i.large" is not a GPU instance type/],
    [['--tp', '16'], /^llmd-bench tune: --tp "16": "16": tensor-parallel sizes are 1, 2, 4, 8$/],
    [['--budget-s', '0'], /^llmd-bench tune: --budget-s "0": must be a positive number$/],
    [['--stages', '5:10', '--request-rate', '4'], /^llmd-bench tune: --stages and --request-rate exclude each other/],
    [['--groups', '4'], /^llmd-bench tune: --groups applies to --workload shared-prefix, not prefix-repetition$/],
    [['-c', 'benchmark.metricPercentiles=50,99'], /^llmd-bench tune: --slo-ttft-p90-ms needs P90 TTFT, but benchmark.metricPercentiles is 50,99$/],
  ])('%j exits 2 with one line and a hint', async (args, message) => {
    const r = await cli(['tune', '--workers', '0', '--no-progress', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  test('--json to a directory is refused before the search', async () => {
    const r = await cli(['tune', '--workers', '0', '--json', ROOT]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('help', () => {
  test.each(['plan', 'tune'])('%s --help lists -c and what each flag does', (name) => {
    const text = buildProgram().commands.find((c) => c.name() === name)!.helpInformation();
    expect(text).toContain('-c, --context <key=value>');
    expect(text).not.toMatch(/\((benchmark|vllm)\.[A-Za-z]+\)/);
  });

  test('tune --help names the issue\'s flags and defaults', () => {
    const text = buildProgram().commands.find((c) => c.name() === 'tune')!.helpInformation();
    for (const flag of ['--slo-ttft-p90-ms <ms>', '--slo-tpot-p99-ms <ms>', '--objective <name>', '--target-rate <r>', '--budget-s <s>', '--seed <n>', '--json <file>',
      '--instance-types <list>', '--counts <list>', '--gpu-budget <n>', '--tp <list>', '--max-num-seqs <list>', '--max-num-batched-tokens <list>', '--block-sizes <list>',
      '--gpu-memory-utilization <list>', '--kv-cache-dtypes <list>', '--routers <list>', '--speculative-ttls <list>', '--workload <name>', '--max-concurrency <n>']) {
      expect(text).toContain(flag);
    }
    expect(text).toMatch(/--slo-ttft-p90-ms <ms>[\s\S]*\(default: 2000\)/);
    expect(text).toMatch(/--slo-tpot-p99-ms <ms>[\s\S]*\(default: 200\)/);
    expect(text).toMatch(/--objective <name>[\s\S]*\(default: "goodput-per-dollar"\)/);
  });
});
