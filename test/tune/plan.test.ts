/**
 * `llmd-bench plan`: the same memory arithmetic as the config's fit check, on every registry row;
 * planning where a model fits works even when the configured deployment cannot hold it; table, JSON
 * and bad input.
 */
import * as fs from 'fs';
import { tempDir } from '../temp-dir';
import * as path from 'path';
import { capacityPlan, formatCapacityPlan, workloadContextTokens } from '../../lib/bench/capacity/capacity';
import { ConfigError, loadConfig } from '../../lib/config';
import { TENSOR_PARALLEL_SIZES } from '../../lib/config/fit';
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES } from '../../lib/config/tables/instances';
import { MODELS } from '../../lib/config/tables/models';
import { runCli } from '../run-cli';


const cli = runCli;

/** Problems of the config's fit check (weights, KV, heads) among a ConfigError's lines. */
function fitProblems(context: Record<string, unknown>): string[] {
  try {
    loadConfig(context);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.filter((p) => /^model\.id: .* needs .* of weights|^vllm\.gpuMemoryUtilization: .* leaves .* for KV|^vllm\.tensorParallelSize: .* attention heads/.test(p));
  }
}

describe('plan and the config check agree on fit for every registry row', () => {
  const cases: [string, string, number, 'auto' | 'fp8'][] = [];
  for (const model of Object.keys(MODELS)) {
    for (const type of GPU_INSTANCE_TYPES) {
      for (const tp of TENSOR_PARALLEL_SIZES) {
        if (INSTANCE_TYPES[type].gpus % tp !== 0) continue;
        cases.push([model, type, tp, 'auto']);
        if (model === 'Qwen/Qwen2.5-7B-Instruct') cases.push([model, type, tp, 'fp8']);
      }
    }
  }

  test(`${cases.length} model x instance x TP rows`, () => {
    const plans = new Map<string, ReturnType<typeof capacityPlan>>();
    let fits = 0;
    for (const [model, type, tp, kv] of cases) {
      const key = `${model}|${kv}`;
      if (!plans.has(key)) plans.set(key, capacityPlan(loadConfig({ 'vllm.kvCacheDtype': kv, 'model.id': model, 'gpuNodes.instanceType': 'p5e.48xlarge', 'gpuNodes.count': 1, 'vllm.tensorParallelSize': 4 })));
      const row = plans.get(key)!.rows.find((r) => r.instanceType === type && r.tensorParallelSize === tp)!;
      const problems = fitProblems({ 'model.id': model, 'gpuNodes.instanceType': type, 'gpuNodes.count': 1, 'vllm.tensorParallelSize': tp, 'vllm.kvCacheDtype': kv });
      expect(`${model} ${type} TP=${tp} ${kv}: ${row.fits}`).toBe(`${model} ${type} TP=${tp} ${kv}: ${problems.length === 0}`);
      if (!row.fits) expect(problems.join(' ')).toContain(row.failure === 'heads' ? 'attention heads' : row.reason!.slice(0, 30));
      if (row.fits) fits++;
    }
    // Both outcomes occur, so the agreement says something.
    expect(fits).toBeGreaterThan(50);
    expect(cases.length - fits).toBeGreaterThan(30);
  });
});

describe('the capacity plan', () => {
  test('the reference row: 14.2 GiB of weights, 85,248 KV tokens, 34 sequences of 2,461 tokens, $1.006/h', () => {
    const plan = capacityPlan(loadConfig({}));
    expect(plan.contextTokens).toBe(2048 + 128 + 256 + 29);
    expect(workloadContextTokens(loadConfig({}))).toBe(2461);
    const row = plan.rows.find((r) => r.instanceType === 'g5.xlarge')!;
    expect(row).toMatchObject({ tensorParallelSize: 1, replicasPerNode: 1, kvTokensPerReplica: 85248, maxConcurrentSequences: 34, fits: true, usdPerHourNode: 1.006 });
    expect(row.weightsGiB).toBeCloseTo(7.616e9 * 2 / 1024 ** 3, 6);
    expect(row.nonKvGiB).toBe(1.5);
    // One row per instance type x TP dividing its GPUs.
    const expected = GPU_INSTANCE_TYPES.reduce((a, t) => a + TENSOR_PARALLEL_SIZES.filter((tp) => INSTANCE_TYPES[t].gpus % tp === 0).length, 0);
    expect(plan.rows).toHaveLength(expected);
  });

  test('the context changes the sequence column only; TP splits weights and KV heads', () => {
    const c = loadConfig({});
    const a = capacityPlan(c, { contextTokens: 1024, instanceTypes: ['g5.12xlarge'] });
    const tp1 = a.rows.find((r) => r.tensorParallelSize === 1)!;
    const tp2 = a.rows.find((r) => r.tensorParallelSize === 2)!;
    expect(tp1.maxConcurrentSequences).toBe(Math.floor(1332 / 16));
    expect(tp2.weightsGiB).toBeCloseTo(tp1.weightsGiB / 2, 9);
    expect(tp2.kvTokensPerReplica).toBeGreaterThan(2 * tp1.kvTokensPerReplica);
    expect(tp2.replicasPerNode).toBe(2);
  });

  test('the table names why a row does not fit', () => {
    const text = formatCapacityPlan(capacityPlan(loadConfig({ 'model.id': 'Qwen/Qwen3-32B', 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': 1, 'vllm.tensorParallelSize': 2 }), { instanceTypes: ['g5.xlarge', 'p5.48xlarge'] }));
    expect(text).toMatch(/g5\.xlarge +A10G .* no \(weights\) \[1\]/);
    expect(text).toMatch(/\[1\] g5\.xlarge TP=1: Qwen3-32B bf16 needs 65\.5 GB of weights/);
    expect(text).toMatch(/p5\.48xlarge +H100 .* yes/);
  });
});

describe('llmd-bench plan', () => {
  test('plans a model the configured instance cannot hold (70B on g5.xlarge), with a note, exit 0', async () => {
    const r = await cli(['plan', '-c', 'model.id=meta-llama/Llama-3.1-70B-Instruct', '--fits-only']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: the configured deployment itself is invalid \(planning goes on\): model\.id: .*needs 141\.1 GB/);
    expect(r.stdout).toMatch(/Capacity plan: meta-llama\/Llama-3\.1-70B-Instruct \(70\.55 B parameters/);
    expect(r.stdout).toMatch(/p4de\.24xlarge +A100-80GB +8 +4 /);
    expect(r.stdout).not.toMatch(/g5\.xlarge/);
  });

  test('--json [file]: the rows as JSON on stdout or in a file', async () => {
    const r = await cli(['plan', '--json', '--instance-types', 'g6e.*', '--tp', '1,2']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.modelId).toBe('Qwen/Qwen2.5-7B-Instruct');
    expect(doc.rows.map((x: { instanceType: string }) => x.instanceType)).toEqual(expect.arrayContaining(['g6e.xlarge', 'g6e.48xlarge']));
    expect(doc.rows.every((x: { tensorParallelSize: number }) => x.tensorParallelSize <= 2)).toBe(true);
    const file = path.join(tempDir('llmd-plan-'), 'plan.json');
    const w = await cli(['plan', '--json', file, '--instance-types', 'g5.xlarge']);
    expect(w.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).rows).toHaveLength(1);
  });

  test.each([
    [['plan', '--tp', '3'], /^llmd-bench plan: --tp "3": "3": tensor-parallel sizes are 1, 2, 4, 8$/],
    [['plan', '--instance-types', 'g9.xlarge'], /^llmd-bench plan: --instance-types "g9.xlarge": "g9.xlarge" is not a GPU instance type/],
    [['plan', '--context-tokens', '0'], /^llmd-bench plan: --context-tokens "0": must be a positive whole number$/],
    [['plan', '-c', 'vllm.kvCacheDtype=fp16'], /^llmd-bench plan: invalid configuration: vllm\.kvCacheDtype: got "fp16"/],
  ])('bad input %j exits 2 with one line', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
  });
});
