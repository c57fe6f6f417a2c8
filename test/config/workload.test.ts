/**
 * The workload section and the new benchmark keys: every bad value names its key and what is allowed;
 * combinations a harness cannot run exactly are refused before anything is built.
 */
import { defaultConfig, loadConfig } from '../../lib/config';
import { loadSpec, resolveHarness, runSpec } from '../../lib/workload/spec';

const problemOf = (ctx: Record<string, unknown>) => {
  try {
    loadConfig(ctx);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

test('defaults: prefix-repetition on vllm bench serve, nothing else changes', () => {
  const c = defaultConfig();
  expect(c.workload.name).toBe('prefix-repetition');
  expect(resolveHarness(c)).toBe('vllm');
  expect(c.benchmark).toMatchObject({ harness: 'auto', stages: [], warmupStage: '', burstiness: 1, maxConcurrency: 512, inferencePerfTag: 'v0.6.1' });
  expect(c.router).toMatchObject({ profile: 'precise', profiles: ['precise'] });
  expect(runSpec(c).load).toMatchObject({ requestRate: 'inf', maxConcurrency: 512, numPrompts: 9000, stages: [], warmup: null, staged: false });
});

test.each([
  [{ 'workload.sharedPrefix.questionLen': 'lots' }, /workload.sharedPrefix.questionLen: got "lots"; "lots" is not a length; use 128 \(fixed\), 64-512/],
  [{ 'workload.random.inputLen': '0' }, /workload.random.inputLen: got 0; "0": the value must be a whole number of tokens >= 1/],
  [{ 'benchmark.stages': '2:x' }, /benchmark.stages.0: got "2:x"; "2:x": the duration must be a whole number of seconds/],
  [{ 'benchmark.warmupStage': '5' }, /benchmark.warmupStage: got "5"/],
  [{ 'workload.name': 'chat' }, /workload.name: got "chat"; must be one of prefix-repetition, shared-prefix, multi-turn, random/],
  [{ 'workload.multiTurn.systemPromptLen': 0 }, /workload.multiTurn.systemPromptLen: got 0; must be a positive integer/],
  [{ 'workload.name': 'multi-turn', 'workload.multiTurn.thinkTimeS': 0.5 }, /workload.multiTurn.thinkTimeS: got 0.5; must be a whole number of seconds: inference-perf samples think times as integers/],
  [{ 'workload.name': 'multi-turn', 'benchmark.warmupStage': '1:10' }, /benchmark.warmupStage: got "1:10"; multi-turn takes no warm-up stage/],
  [{ 'workload.name': 'shared-prefix', 'benchmark.burstiness': 0.5 }, /benchmark.burstiness: got 0.5; must be 1 with inference-perf/],
  [{ 'workload.name': 'shared-prefix', 'benchmark.maxConcurrency': 'none' }, /benchmark.maxConcurrency: got "none"; must be a number with inference-perf at requestRate inf/],
  [{ 'workload.name': 'shared-prefix', 'benchmark.harness': 'vllm' }, /benchmark.harness: got "vllm"; cannot run workload.name=shared-prefix as configured: vllm bench serve has no shared-prefix dataset/],
  [{ 'benchmark.harness': 'inference-perf' }, /benchmark.harness: got "inference-perf"; cannot run workload.name=prefix-repetition: inference-perf has no prefix_repetition dataset/],
  [{ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.systemPromptLen': 4000 }, /vllm.maxModelLen: got 4096; a shared-prefix request can reach 4512 tokens/],
  [{ 'router.profiles': 'precise,a.yaml,b.yml' }, /router.profiles: .*at most one EndpointPickerConfig file/],
])('%j is refused with its key named', (ctx, message) => {
  expect(problemOf(ctx)).toMatch(message);
});

test('auto picks inference-perf for what vllm bench serve cannot run', () => {
  expect(resolveHarness(loadConfig({ 'workload.name': 'random' }))).toBe('inference-perf'); // default n:1024:256 is not fixed
  expect(resolveHarness(loadConfig({ 'workload.name': 'random', 'workload.random.inputLen': 512 }))).toBe('vllm');
  expect(resolveHarness(loadConfig({ 'workload.name': 'random', 'workload.random.inputLen': 512, 'benchmark.stages': '1:10' }))).toBe('inference-perf');
});

test('inference-perf loads: stages (warm-up first), a closed loop at rate inf, one stage of N / rate seconds', () => {
  expect(loadSpec(loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,5:50', 'benchmark.warmupStage': '1:20' }))).toMatchObject({
    staged: true, warmup: { kind: 'poisson', rate: 1, durationS: 20, requests: 20 },
    stages: [{ kind: 'poisson', rate: 2, durationS: 50, requests: 100 }, { kind: 'poisson', rate: 5, durationS: 50, requests: 250 }],
  });
  expect(loadSpec(loadConfig({ 'workload.name': 'shared-prefix' })).stages).toEqual([{ kind: 'concurrent', requests: 9000, concurrency: 512 }]);
  expect(loadSpec(loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.requestRate': 5, 'benchmark.numPrompts': 600 })).stages).toEqual([{ kind: 'poisson', rate: 5, durationS: 120, requests: 600 }]);
});
