/**
 * Property tests of the workload generators (lib/sim/workloads.ts) and the length and stage
 * definitions they share with the harness renderers: token counts, sharing structure (which block keys
 * two requests share), reuse order (inference-perf's shared_prefix), turn history growth (its
 * conversation_replay), no sharing for random, and the inference-perf stage timer.
 */
import { loadConfig } from '../../lib/config';
import { BlockKeyLayout } from '../../lib/sim/block-keys';
import type { Workload } from '../../lib/sim/dataset';
import { Rng } from '../../lib/sim/rng';
import { inferencePerfStageTimes } from '../../lib/sim/simulation';
import { buildRunWorkload } from '../../lib/sim/workloads';
import { formatLength, inferencePerfDistribution, lengthBounds, parseLength, sampleLength } from '../../lib/workload/lengths';
import { runSpec } from '../../lib/workload/spec';
import { meanStageRate, parseStages, stageRequests } from '../../lib/workload/stages';

const B = 64;
const spec = (ctx: Record<string, unknown>) => runSpec(loadConfig(ctx));
/** Full prompt blocks two requests share, from the start. */
function sharedBlocks(w: Workload, layout: BlockKeyLayout, a: number, b: number): number {
  const full = Math.floor(Math.min(w.promptLen[a], w.promptLen[b]) / B);
  let n = 0;
  while (n < full && layout.key(a, n) === layout.key(b, n)) n++;
  return n;
}

describe('lengths', () => {
  test('the four forms of the issue parse, round-trip and say what is wrong', () => {
    expect(parseLength(128)).toEqual({ kind: 'fixed', value: 128 });
    expect(parseLength('64-512')).toEqual({ kind: 'uniform', min: 64, max: 512 });
    expect(parseLength('n:512:64')).toEqual({ kind: 'normal', mean: 512, sd: 64, min: 320, max: 704 });
    expect(parseLength('ln:512:0.5')).toMatchObject({ kind: 'lognormal', median: 512, sigma: 0.5, min: 114, max: 2295 });
    expect(parseLength('n:512:64:500:600')).toMatchObject({ min: 500, max: 600 });
    for (const s of ['128', '64-512', 'n:512:64:320:704', 'ln:512:0.5:100:2000']) expect(formatLength(parseLength(s))).toBe(s);
    expect(() => parseLength('0')).toThrow(/whole number of tokens >= 1/);
    expect(() => parseLength('512-64')).toThrow(/maximum is below the minimum/);
    expect(() => parseLength('n:abc')).toThrow(/not a length; use 128 \(fixed\), 64-512/);
    expect(() => parseLength('n:512:64:600:700')).toThrow(/must lie within \[min, max\]/);
    // A negative spread or centre is a number out of range, not "not a number".
    expect(() => parseLength('ln:512:-1')).toThrow(/^"ln:512:-1": the sigma -1 must be > 0 \(0 means a fixed 512\)$/);
    expect(() => parseLength('n:512:-3')).toThrow(/^"n:512:-3": the standard deviation -3 must be > 0/);
    expect(() => parseLength('ln:-512:1')).toThrow(/^"ln:-512:1": the median -512 must be > 0$/);
    expect(() => parseLength('n:512:x')).toThrow(/the standard deviation "x" is not a number/);
    expect(() => parseLength('1.5-3', 'seconds')).toThrow(/whole number of seconds/);
    expect(parseLength('n:2:1', 'seconds')).toMatchObject({ min: 0, max: 5 });
  });

  test.each(['128', '64-512', 'n:512:64', 'ln:512:0.5', 'n:100:80'])('%s: samples are integers within its bounds, with its mean', (text) => {
    const d = parseLength(text);
    const rng = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => sampleLength(d, rng));
    const { min, max } = lengthBounds(d);
    expect(xs.every((x) => Number.isInteger(x) && x >= min && x <= max)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    // clipping at +-3 sigma (and at 1 token for n:100:80) moves the mean little
    const expected = d.kind === 'lognormal' ? d.median * Math.exp(d.sigma ** 2 / 2) : d.kind === 'normal' ? d.mean : d.kind === 'uniform' ? (d.min + d.max) / 2 : d.value;
    expect(Math.abs(mean - expected) / expected).toBeLessThan(text === 'n:100:80' ? 0.05 : 0.02);
  });

  test('inference-perf is given the same distribution: a lognormal is moment-matched (and shifted by min for the random generator)', () => {
    const d = parseLength('ln:512:0.5');
    const ip = inferencePerfDistribution(d) as { mean: number; std_dev: number; type: string };
    // inference-perf: sigma^2 = ln(1 + (sd/mean)^2), mu = ln(mean) - sigma^2/2  ->  median e^mu, sigma
    const sigma2 = Math.log(1 + (ip.std_dev / ip.mean) ** 2);
    expect(Math.sqrt(sigma2)).toBeCloseTo(0.5, 6);
    expect(Math.exp(Math.log(ip.mean) - sigma2 / 2)).toBeCloseTo(512, 3);
    expect((inferencePerfDistribution(d, 'generate') as { mean: number }).mean).toBeCloseTo(ip.mean + lengthBounds(d).min, 5);
    expect(inferencePerfDistribution(parseLength('64-512'))).toEqual({ type: 'uniform', min: 64, max: 512, mean: 288, std_dev: 0 });
  });
});

describe('stages', () => {
  test('rate:seconds, whole seconds, int(rate x seconds) requests, a mean rate to file a run under', () => {
    const s = parseStages('2:50,0.5:10, 12.5:4');
    expect(s).toEqual([{ rate: 2, durationS: 50 }, { rate: 0.5, durationS: 10 }, { rate: 12.5, durationS: 4 }]);
    expect(s.map(stageRequests)).toEqual([100, 5, 50]);
    expect(stageRequests({ rate: 0.1, durationS: 30 })).toBe(3);
    expect(meanStageRate(s)).toBeCloseTo(155 / 64, 3);
    expect(() => parseStages('2:50.5')).toThrow(/whole number of seconds/);
    expect(() => parseStages('inf:10')).toThrow(/positive number/);
    expect(() => parseStages('0.01:10')).toThrow(/sends no request/);
  });

  test('a Poisson stage sends exactly its requests, in order, at its rate on average (PoissonLoadTimer)', () => {
    const times = inferencePerfStageTimes({ kind: 'poisson', rate: 20, durationS: 200, requests: 4000 }, new Rng(5));
    expect(times.length).toBe(4000);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
    expect(times[times.length - 1]).toBeGreaterThan(190);
    expect(times[times.length - 1]).toBeLessThan(210);
    // within each second the requests fill the second: gaps are no longer than 1 s plus skipped seconds
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor(t), (perSecond.get(Math.floor(t)) ?? 0) + 1);
    const counts = [...perSecond.values()];
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length;
    expect(variance / mean).toBeGreaterThan(0.6); // Poisson counts: variance ~ mean
    expect(variance / mean).toBeLessThan(1.5);
  });

  test('a concurrent stage schedules all its requests over its first second', () => {
    const times = inferencePerfStageTimes({ kind: 'concurrent', requests: 300, concurrency: 16 }, new Rng(1));
    expect(times.length).toBe(300);
    expect(times[299]).toBeCloseTo(1, 9);
  });
});

describe('shared-prefix (inference-perf SharedPrefixDataGenerator)', () => {
  const run = spec({ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.groups': 5, 'workload.sharedPrefix.promptsPerGroup': 4, 'workload.sharedPrefix.systemPromptLen': 300, 'workload.sharedPrefix.questionLen': '40-90', 'workload.sharedPrefix.outputLen': 'n:60:10', 'benchmark.stages': '2:30,1:20' });
  const w = buildRunWorkload(run);
  const layout = new BlockKeyLayout(B, w.segments);
  const N = 20;

  test('token counts: prompt = system prompt of its group + its question; segments cover prompt and output', () => {
    expect(w.count).toBe(60 + 20);
    for (let r = 0; r < w.count; r++) {
      const [system, question, output] = w.segments.segmentsOf(r);
      expect(system[1]).toBe(300);
      expect(question[1]).toBeGreaterThanOrEqual(40);
      expect(question[1]).toBeLessThanOrEqual(90);
      expect(w.promptLen[r]).toBe(system[1] + question[1]);
      expect(output[1]).toBe(w.outputLen[r]);
      expect(w.segments.length(r)).toBe(w.promptLen[r] + w.outputLen[r]);
    }
  });

  test('reuse order: the first G x P requests are every prompt once (shuffled), then the same order again', () => {
    const prompt = (r: number) => w.segments.segmentsOf(r)[1][0];
    const first = Array.from({ length: N }, (_, i) => prompt(i));
    expect(new Set(first).size).toBe(N);
    for (let i = N; i < 60; i++) expect(prompt(i)).toBe(prompt(i - N));
    // shuffled, not group-major
    const groups = Array.from({ length: N }, (_, i) => w.prefixOf[i]);
    expect(groups).not.toEqual([...groups].sort((a, b) => a - b));
    // every stage starts again at request 0 of the order (run_stage calls get_data() afresh)
    expect(w.stage[60]).toBe(1);
    for (let i = 0; i < 20; i++) expect(prompt(60 + i)).toBe(prompt(i));
  });

  test('sharing: same group -> the system prompt\'s full blocks; same prompt -> every full prompt block; other groups -> none', () => {
    const sys = Math.floor(300 / B);
    for (let a = 0; a < N; a++) {
      for (let b = a + 1; b < N; b++) {
        const n = sharedBlocks(w, layout, a, b);
        expect(n).toBe(w.prefixOf[a] === w.prefixOf[b] ? sys : 0);
      }
      expect(sharedBlocks(w, layout, a, a + N)).toBe(Math.floor(w.promptLen[a] / B));
      // outputs are never shared
      const outBlock = Math.floor(w.promptLen[a] / B) + 1;
      if ((outBlock + 1) * B <= w.segments.length(a)) expect(BlockKeyLayout.isShared(layout.key(a, outBlock))).toBe(false);
    }
  });

  test('the same seed gives the same requests, another seed another order', () => {
    const again = buildRunWorkload(run);
    expect(Array.from(again.promptLen)).toEqual(Array.from(w.promptLen));
    const other = buildRunWorkload({ ...run, seed: run.seed + 1 });
    expect(Array.from(other.prefixOf.subarray(0, N))).not.toEqual(Array.from(w.prefixOf.subarray(0, N)));
  });
});

describe('multi-turn (inference-perf ConversationReplayDataGenerator)', () => {
  const C = 3;
  const T = 4;
  const run = spec({ 'workload.name': 'multi-turn', 'workload.multiTurn.conversations': C, 'workload.multiTurn.turns': T, 'workload.multiTurn.systemPromptLen': 200, 'workload.multiTurn.userLen': '30-80', 'workload.multiTurn.outputLen': '20-50', 'workload.multiTurn.thinkTimeS': '1-3', 'benchmark.stages': '1:30' });
  const w = buildRunWorkload(run);
  const layout = new BlockKeyLayout(B, w.segments);

  test('request i is conversation i mod C, turn (i div C) mod T; each turn waits for the previous one and its think time', () => {
    expect(w.count).toBe(30);
    for (let i = 0; i < w.count; i++) {
      expect(w.prefixOf[i]).toBe(i % C);
      const turn = Math.floor(i / C) % T;
      expect(w.after[i]).toBe(turn === 0 ? -1 : i - C);
      expect([1, 2, 3]).toContain(w.holdAfter[i]);
    }
  });

  test('history grows: turn k = system + every earlier user message and answer + its own message', () => {
    for (let i = 0; i < w.count; i++) {
      const turn = Math.floor(i / C) % T;
      if (turn === 0) {
        expect(w.segments.segmentsOf(i)[0]).toEqual([expect.any(Number), 200]);
        continue;
      }
      const prev = i - C;
      // the previous turn's whole sequence (its prompt and its answer) is the start of this prompt
      expect(w.promptLen[i]).toBe(w.promptLen[prev] + w.outputLen[prev] + w.segments.segmentsOf(i).slice(-2)[0][1]);
      expect(w.promptLen[i]).toBeGreaterThan(w.promptLen[prev]);
      const prevFull = Math.floor(w.segments.length(prev) / B);
      for (let n = 0; n < prevFull; n++) expect(layout.key(i, n)).toBe(layout.key(prev, n));
      expect(BlockKeyLayout.isShared(layout.key(i, prevFull - 1))).toBe(true);
    }
  });

  test('conversations share the system prompt only; a restarted conversation re-sends its first message, not its old answers', () => {
    const sys = Math.floor(200 / B);
    expect(sharedBlocks(w, layout, 0, 1)).toBe(sys);
    const restart = C * T; // conversation 0, turn 0 again
    expect(w.after[restart]).toBe(-1);
    expect(w.promptLen[restart]).toBe(w.promptLen[0]);
    // turn 1 of the new instance shares the system prompt and first message with the old instance, not its answer
    const oldTurn1 = C;
    const newTurn1 = restart + C;
    const shared = sharedBlocks(w, layout, oldTurn1, newTurn1);
    expect(shared).toBeGreaterThanOrEqual(sys);
    expect(shared * B).toBeLessThanOrEqual(w.promptLen[0]);
  });
});

describe('random', () => {
  test('no two requests share a block (completions: no template); lengths from the distribution', () => {
    const run = spec({ 'workload.name': 'random', 'workload.random.inputLen': 'n:300:100', 'workload.random.outputLen': 64, 'benchmark.stages': '2:20' });
    const w = buildRunWorkload(run);
    const layout = new BlockKeyLayout(B, w.segments);
    expect(w.count).toBe(40);
    for (let a = 0; a < 10; a++) for (let b = a + 1; b < 10; b++) expect(sharedBlocks(w, layout, a, b)).toBe(0);
    expect(new Set(Array.from(w.promptLen)).size).toBeGreaterThan(10);
    expect(Array.from(w.outputLen).every((o) => o === 64)).toBe(true);
  });

  test('with vllm bench serve\'s chat backend the template\'s leading tokens are shared, the rest private', () => {
    const run = spec({ 'workload.name': 'random', 'workload.random.inputLen': 1000, 'workload.random.outputLen': 64, 'benchmark.numPrompts': 20 });
    expect(run.harness).toBe('vllm');
    const w = buildRunWorkload(run, { leading: 70, trailing: 6 });
    const layout = new BlockKeyLayout(B, w.segments);
    expect(w.promptLen[0]).toBe(1076);
    expect(sharedBlocks(w, layout, 0, 1)).toBe(1); // 70 template tokens: one full shared block
  });
});
