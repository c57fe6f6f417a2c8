/**
 * Issue 12 §4: physical invariants of the timing model over random configurations (GPU, host, model,
 * TP, KV dtype, workload). Small runs (a few hundred requests) so the whole file stays cheap.
 */
import { loadConfig } from '../../lib/config';
import { buildResult } from '../../lib/sim/results';
import { Rng } from '../../lib/sim/rng';
import type { RouterKind } from '../../lib/sim/routers/types';
import { runSimulation } from '../../lib/sim/simulation';
import { defaultTimingValues, type SimOverrides, simParams } from '../../lib/sim/params';

/** (instance type, model, TP) combinations whose weights and one request fit. */
const DEPLOYMENTS = [
  { 'gpuNodes.instanceType': 'g5.xlarge', 'model.id': 'Qwen/Qwen2.5-7B-Instruct' },
  { 'gpuNodes.instanceType': 'g6.xlarge', 'model.id': 'Qwen/Qwen3-8B', 'vllm.maxModelLen': 4096 },
  { 'gpuNodes.instanceType': 'g6e.xlarge', 'model.id': 'meta-llama/Llama-3.1-8B-Instruct' },
  { 'gpuNodes.instanceType': 'p4de.24xlarge', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': 2 },
  { 'gpuNodes.instanceType': 'p5.48xlarge', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': 2 },
  { 'gpuNodes.instanceType': 'g5.12xlarge', 'model.id': 'Qwen/Qwen2.5-7B-Instruct', 'vllm.tensorParallelSize': 2 },
] as const;

const rng = new Rng(1212);
const cases = DEPLOYMENTS.map((d, i) => ({
  name: `${d['gpuNodes.instanceType']} ${d['model.id']} TP ${'vllm.tensorParallelSize' in d ? d['vllm.tensorParallelSize'] : 1}`,
  context: { 'gpuNodes.count': 1, ...d } as Record<string, unknown>,
  overrides: {
    seed: i,
    numPrompts: 160 + 16 * rng.int(6),
    numPrefixes: 8,
    prefixLen: 256 + 128 * rng.int(6),
    suffixLen: 16 + rng.int(200),
    outputLen: 16 + rng.int(96),
    replicas: 1 + rng.int(2),
    maxConcurrency: 48 + 16 * rng.int(6),
    requestRate: 'inf' as const,
  } satisfies SimOverrides,
}));

function run(context: Record<string, unknown>, overrides: SimOverrides, router: RouterKind = 'round-robin', timing?: Record<string, number>) {
  const p = simParams(loadConfig(context), overrides, undefined, timing ? { timing: { ...defaultTimingValues(), ...timing } } : {});
  return { p, r: buildResult(runSimulation(p, router), router) };
}

describe.each(cases)('timing invariants: $name', ({ context, overrides }) => {
  const base = run(context, overrides);

  test('throughput never exceeds the bandwidth / compute roofline of the hardware', () => {
    const { p, r } = base;
    // At 100% of peak: a step streams its weights at least once and emits at most maxNumSeqs tokens;
    // every token computed (outputs at least) costs 2 x linear parameters FLOPs on each GPU's share.
    const stepFloor = p.costs.weightBytesPerStep / (p.gpu.memoryBandwidthGBs * 1e9);
    const bandwidthRoof = p.limits.maxNumSeqs / stepFloor;
    const computeRoof = (p.gpu.bf16Tflops * 1e12) / (2 * p.costs.linearParams);
    const perReplica = r.output_throughput / p.replicas;
    expect(perReplica).toBeGreaterThan(0);
    expect(perReplica).toBeLessThanOrEqual(Math.min(bandwidthRoof, computeRoof));
  });

  test('more replicas of the same kind never lower capacity at saturation', () => {
    const more = run(context, { ...overrides, replicas: overrides.replicas + 1, maxConcurrency: overrides.maxConcurrency * 2 });
    expect(more.r.request_throughput).toBeGreaterThanOrEqual(base.r.request_throughput * 0.98);
  });

  test('longer outputs never raise request throughput', () => {
    const longer = run(context, { ...overrides, outputLen: overrides.outputLen * 2 });
    expect(longer.r.request_throughput).toBeLessThanOrEqual(base.r.request_throughput * 1.02);
  });
});

describe('host and KV invariants', () => {
  const o: SimOverrides = { seed: 3, numPrompts: 200, numPrefixes: 10, prefixLen: 512, suffixLen: 64, outputLen: 64, replicas: 1, maxConcurrency: 128, requestRate: 'inf' };

  test('a bigger host never slows a replica (g5.xlarge -> 2xlarge -> 4xlarge), and the CPU binds on the small one', () => {
    const rates = ['g5.xlarge', 'g5.2xlarge', 'g5.4xlarge'].map((t) => run({ 'gpuNodes.instanceType': t }, o));
    for (let i = 1; i < rates.length; i++) expect(rates[i].r.request_throughput).toBeGreaterThanOrEqual(rates[i - 1].r.request_throughput * 0.999);
    // The host is not a no-op: the 4-vCPU pod runs its CPU work slower than the 16-vCPU one.
    expect(rates[0].p.stepTime.cpuStepSeconds).toBeGreaterThan(rates[2].p.stepTime.cpuStepSeconds);
  });

  test('fp8 KV never lowers capacity when KV-bound (long prompts that fill the cache)', () => {
    const kvBound: SimOverrides = { ...o, numPrompts: 160, numPrefixes: 160, prefixLen: 3000, outputLen: 256, maxConcurrency: 160 };
    for (const t of ['g5.xlarge', 'g6e.xlarge']) {
      const auto = run({ 'gpuNodes.instanceType': t, 'vllm.maxModelLen': 4096 }, kvBound);
      const fp8 = run({ 'gpuNodes.instanceType': t, 'vllm.maxModelLen': 4096, 'vllm.kvCacheDtype': 'fp8' }, kvBound);
      expect(fp8.p.numBlocks).toBeGreaterThan(auto.p.numBlocks);
      expect([t, fp8.r.request_throughput >= auto.r.request_throughput * 0.99]).toEqual([t, true]);
    }
  });

  test("precise routing's prefix hit rate >= round-robin's on shared-prefix workloads", () => {
    for (const seed of [1, 2, 3]) {
      const shared: SimOverrides = { ...o, seed, replicas: 3, numPrompts: 240, numPrefixes: 12, maxConcurrency: 48 };
      const rr = run({}, shared, 'round-robin');
      const llmd = run({}, shared, 'llm-d');
      expect(llmd.r.prefix_cache_hit_rate).toBeGreaterThanOrEqual(rr.r.prefix_cache_hit_rate);
    }
  });
});

describe('API servers per replica (vllm.apiServerCount)', () => {
  // Long shared prompts (cached, so the GPU prefills only the suffix), short outputs, many in flight:
  // tokenising each 6,000-token prompt on the API server (apiTokenUs, one request at a time per
  // process) outruns the engine, so one API server binds the replica.
  const apiBound: SimOverrides = { seed: 5, numPrompts: 240, numPrefixes: 2, prefixLen: 6000, suffixLen: 32, outputLen: 8, replicas: 1, maxConcurrency: 64, requestRate: 'inf' };
  // g5.4xlarge: 15.5 vCPUs per pod, so 1 + 4 busy processes do not contend and only the API capacity changes.
  const big = { 'gpuNodes.instanceType': 'g5.4xlarge', 'vllm.maxModelLen': 8192 };
  // The mechanism, not the fit: a tokeniser at its upper bound (20 µs a token) so that one API server
  // surely binds whatever the committed fit puts apiTokenUs at.
  const slowTokeniser = { apiTokenUs: 20 };

  test('more API servers never lower throughput where the API server binds, and cost at most a few % where it does not', () => {
    // Where the GPU binds, one busy API server spaces the requests' arrivals, so their prefill chunks
    // hide under decode steps' weight streaming; N servers let them bunch (seen: -3% at 32 in flight).
    const r = new Rng(77);
    let apiBoundCases = 0;
    for (let k = 0; k < 4; k++) {
      const o: SimOverrides = { ...apiBound, seed: 10 + k, prefixLen: 5000 + 1000 * r.int(3), outputLen: 4 + r.int(12), maxConcurrency: 64 + 32 * r.int(2) };
      const runs = [1, 2, 4].map((n) => run({ ...big, 'vllm.apiServerCount': n }, o, 'round-robin', slowTokeniser).r);
      const bound = runs[0].sim_api_server_utilization_mean > 0.9;
      if (bound) apiBoundCases++;
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i].request_throughput).toBeGreaterThanOrEqual(runs[i - 1].request_throughput * (bound ? 0.99 : 0.95));
      }
    }
    expect(apiBoundCases).toBeGreaterThan(0);
  });

  test('they raise capacity when the API server binds, and each is one FIFO server', () => {
    const one = run({ ...big }, apiBound, 'round-robin', slowTokeniser);
    const two = run({ ...big, 'vllm.apiServerCount': 2 }, apiBound, 'round-robin', slowTokeniser);
    expect(one.p.path.apiServers).toBe(1);
    expect(two.p.path.apiServers).toBe(2);
    expect(one.r.sim_api_server_utilization_mean).toBeGreaterThan(0.9);
    expect(two.r.request_throughput).toBeGreaterThan(one.r.request_throughput * 1.3);
    expect(two.r.sim_api_server_utilization_mean).toBeLessThanOrEqual(1);
  });

  test('each API server is a busy process of the host: contention on a small pod', () => {
    const one = simParams(loadConfig({}));
    const two = simParams(loadConfig({ 'vllm.apiServerCount': 2 }));
    expect(one.host.busyProcesses).toBe(2);
    expect(two.host.busyProcesses).toBe(3);
    // g5.xlarge pod (3.5 vCPUs): a third busy process shares a core, so every CPU cost grows.
    expect(two.stepTime.cpuStepSeconds).toBeGreaterThan(one.stepTime.cpuStepSeconds);
    expect(two.path.apiOutputSecondsPerToken).toBeGreaterThan(one.path.apiOutputSecondsPerToken);
    const bigOne = simParams(loadConfig({ ...big }));
    const bigFour = simParams(loadConfig({ ...big, 'vllm.apiServerCount': 4 }));
    expect(bigFour.host.busyProcesses).toBe(5);
    expect(bigFour.path.apiOutputSecondsPerToken).toBe(bigOne.path.apiOutputSecondsPerToken);
  });
});
