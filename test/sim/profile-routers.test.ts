/**
 * The EPP plugins the router profiles add, as llm-d-router v0.10.0 runs them: the approximate
 * producer (hashes in blocks of max(64, block size) with the partial last block, a per-pod LRU of the
 * routed prompts' hashes with the pod's KV blocks as capacity under autoTune, leading-hash matching),
 * the active-request scorer, the random picker; and each profile end to end on a small cluster.
 */
import { loadConfig } from '../../lib/config';
import { simulate } from '../../lib/sim';
import { BlockKeyLayout } from '../../lib/sim/block-keys';
import { buildWorkload } from '../../lib/sim/dataset';
import { RequestTable } from '../../lib/sim/requests';
import { Rng } from '../../lib/sim/rng';
import { APPROX_DEFAULTS, type EppRouterParams } from '../../lib/sim/routers/epp-config';
import { KvEventQueue, LlmdRouter } from '../../lib/sim/routers/llm-d';

// 4 prefixes x 4 prompts: 128-token prefix + 40-token suffix, 64-token engine blocks.
const w = buildWorkload({ numPrompts: 16, numPrefixes: 4, prefixLen: 128, suffixLen: 40, outputLen: 8, leadingTokens: 0, trailingTokens: 0, seed: 0 });
const reqs = new RequestTable(w, 64);
const layout = new BlockKeyLayout(64, w.segments);
const ofPrefix = (p: number) => [...w.prefixOf.keys()].filter((i) => w.prefixOf[i] === p);

function router(params: EppRouterParams, kvBlocks = 100, replicas = 3, seed = 0) {
  const metrics = { waiting: new Float64Array(replicas), kvUsage: new Float64Array(replicas) };
  return { metrics, r: new LlmdRouter(params, { replicas, reqs, layout, metrics, events: new KvEventQueue(), rng: new Rng(seed), kvBlocksPerReplica: kvBlocks }) };
}

type ApproxOverrides = { -readonly [K in keyof typeof APPROX_DEFAULTS]?: (typeof APPROX_DEFAULTS)[K] extends boolean ? boolean : number };
const approx = (o: ApproxOverrides = {}): EppRouterParams => ({
  scorers: [{ type: 'prefix', name: 'p', weight: 1, producer: 'a', matchLengthWeight: 0, matchLengthScaleTokens: 8192 }],
  picker: 'max-score',
  producers: [{ kind: 'approximate', name: 'a', ...APPROX_DEFAULTS, ...o }],
  warnings: [],
  rendersPrompt: false,
});

describe('approx-prefix-cache-producer', () => {
  test('hashes the prompt in 64-token blocks, the partial last block included (prefixhash.GetBlockHashes)', () => {
    const { r } = router(approx());
    const index = r.approx()!;
    expect(index.blockSize).toBe(64);
    const [a, b] = ofPrefix(0);
    const ha = index.hashesOf(a);
    expect(ha).toHaveLength(3); // 168 tokens: 64 + 64 + 40
    expect(index.hashesOf(b).slice(0, 2)).toEqual(ha.slice(0, 2));
    expect(index.hashesOf(b)[2]).not.toBe(ha[2]);
  });

  test('block sizes below 64 are raised to 64, with or without autoTune (minBlockSizeTokens, #1158)', () => {
    expect(router(approx({ autoTune: false, blockSizeTokens: 16 })).r.approx()!.blockSize).toBe(64);
    expect(router(approx({ autoTune: false, blockSizeTokens: 128 })).r.approx()!.blockSize).toBe(128);
  });

  test('after a decision the chosen pod holds the prompt: the next prompt of the same prefix follows it', () => {
    const { r } = router(approx());
    const [a, b, c] = ofPrefix(1);
    const first = r.pick(a, 0);
    expect(r.pick(b, 0)).toBe(first);
    expect(r.pick(c, 0)).toBe(first);
    expect(r.approx()!.held(first)).toBe(3 + 1 + 1); // 2 shared + 3 private last blocks
  });

  test('autoTune: each pod\'s LRU holds as many hashes as the pod has KV blocks; older prompts are evicted', () => {
    const { r } = router(approx(), 4);
    const index = r.approx()!;
    expect(index.capacity).toBe(4);
    const pod = r.pick(ofPrefix(2)[0], 0); // 3 hashes
    // another prefix routed to the same pod pushes the first one's oldest hashes out
    const other = ofPrefix(3)[0];
    index.match(other);
    index.record(other, pod);
    expect(index.held(pod)).toBe(4);
    index.match(ofPrefix(2)[1]);
    expect(index.info.matched[pod]).toBe(0); // its first block was evicted: no leading match
    expect(router(approx({ autoTune: false, lruCapacityPerServer: 7 }), 4).r.approx()!.capacity).toBe(7);
  });

  test('a match counts leading hashes per pod while any pod holds the hash (matchLongestPrefix)', () => {
    const { r } = router(approx(), 100, 3);
    const index = r.approx()!;
    const [a, b] = ofPrefix(0);
    index.match(a);
    index.record(a, 2);
    index.match(b);
    expect(Array.from(index.info.matched)).toEqual([0, 0, 2]);
    expect(index.info.total).toBe(3);
  });
});

describe('active-request-scorer and random-picker', () => {
  test('active-request: idle pods score 1, busy ones (max - n) / max x maxBusyScore, from the EPP\'s own in-flight counts', () => {
    const params: EppRouterParams = { scorers: [{ type: 'active-request', name: 'a', weight: 1, idleThreshold: 0, maxBusyScore: 1 }], picker: 'max-score', producers: [], warnings: [], rendersPrompt: false };
    const { r } = router(params, 100, 3);
    const picks = [0, 1, 2, 3, 4, 5].map((i) => r.pick(i, 0));
    // every pick goes to a pod with the fewest in flight: 2 each
    expect([0, 1, 2].map((j) => picks.filter((p) => p === j).length)).toEqual([2, 2, 2]);
    r.release(0);
    expect(r.pick(6, 0)).toBe(picks[0]);
  });

  test('random-picker: uniform over the pods whatever the scores', () => {
    const params: EppRouterParams = { scorers: [], picker: 'random', producers: [], warnings: [], rendersPrompt: false };
    const { r } = router(params, 100, 4, 7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[r.pick(i % 16, 0)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});

describe('every profile end to end (small cluster, reference-shaped workload)', () => {
  const c = loadConfig({ 'router.profiles': 'precise,approximate,load,random' });
  const sim = simulate(c, {
    routers: ['round-robin', 'llm-d-precise', 'llm-d-approximate', 'llm-d-load', 'llm-d-random'],
    overrides: { numPrompts: 480, numPrefixes: 60, prefixLen: 2048, suffixLen: 64, outputLen: 64, maxConcurrency: 96, replicas: 3 },
    intervals: false,
  });
  const by = Object.fromEntries(sim.runs.map((r) => [r.label, r.result]));

  test('prefix-aware profiles keep prefixes together; load-only and random ones do not', () => {
    for (const k of ['llm-d-precise', 'llm-d-approximate']) expect(by[k].prefix_cache_hit_rate_first_lookup).toBeGreaterThan(0.8);
    for (const k of ['round-robin', 'llm-d-load', 'llm-d-random']) expect(by[k].prefix_cache_hit_rate_first_lookup).toBeLessThan(0.7);
    for (const r of sim.runs) expect(r.result.completed).toBe(480);
  });

  test('the same seed gives the same run, bit for bit', () => {
    const again = simulate(c, { routers: ['llm-d-approximate'], overrides: { numPrompts: 480, numPrefixes: 60, prefixLen: 2048, suffixLen: 64, outputLen: 64, maxConcurrency: 96, replicas: 3 }, intervals: false });
    expect(again.runs[0].result).toEqual(by['llm-d-approximate']);
  });
});
