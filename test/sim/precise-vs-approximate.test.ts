/**
 * Why the precise and approximate profiles predict the same numbers when nothing is evicted, and where
 * they part when KV is tight (docs/workloads.md, "precise vs approximate"). Both route by a per-pod index
 * of prompt blocks with the same scorers and weights; the indices differ only in what removes an entry:
 *  - precise-prefix-cache-producer: the engine's BlockRemoved event (vLLM evicted the block), so the
 *    index follows the KV cache;
 *  - approx-prefix-cache-producer: only its own LRU of routed prompts (capacity = the pod's KV blocks
 *    with autoTune), which never hears of an eviction.
 * Without eviction (and with speculative indexing, which records a routed prompt at once, as the
 * approximate LRU does) both hold the same entries and decide alike: the same numbers, bit for bit.
 * Under KV pressure they part, in the direction the mechanism gives:
 *  - a prefix two pods have served, evicted by one of them: precise sends the next request to the pod
 *    that still holds it (a hit), approximate to the less loaded of the two it remembers (a miss);
 *  - a working set far beyond KV with queue waits longer than the speculative TTL: precise's index is
 *    the cache as it is now, and a routed prompt's speculative entry expires before its queued prefill
 *    stores the blocks; approximate remembers what it routed, which is what each pod's cache will hold
 *    when a queued request runs, so it keeps more hits (and a longer TTL narrows the gap).
 */
import { loadConfig } from '../../lib/config';
import { simulate, type SimulatedRun } from '../../lib/sim';
import { BlockKeyLayout } from '../../lib/sim/block-keys';
import { buildWorkload } from '../../lib/sim/dataset';
import { KV_EVENT_REMOVED, KV_EVENT_STORED } from '../../lib/sim/kv-cache';
import { simParams } from '../../lib/sim/params';
import { RequestTable } from '../../lib/sim/requests';
import { Rng } from '../../lib/sim/rng';
import { KvEventQueue, LlmdRouter } from '../../lib/sim/routers/llm-d';

// 4 prefixes x 4 prompts: 128-token prefix (2 engine blocks of 64) + a 40-token question each.
const w = buildWorkload({ numPrompts: 16, numPrefixes: 4, prefixLen: 128, suffixLen: 40, outputLen: 8, leadingTokens: 0, trailingTokens: 0, seed: 0 });
const reqs = new RequestTable(w, 64);
const layout = new BlockKeyLayout(64, w.segments);
const [first, next] = [...w.prefixOf.keys()].filter((i) => w.prefixOf[i] === 0);
const prefixKeys = [layout.key(first, 0), layout.key(first, 1)];

// The EndpointPickerConfigs the chart renders for the two profiles, as the simulator reads them.
const cfg = loadConfig({ 'router.profiles': 'precise,approximate' });
const eppOf = (profile: string) => simParams(loadConfig({ 'router.profiles': 'precise,approximate', 'router.profile': profile }), { numPrompts: 150 }).epp;

/**
 * Two pods that both served prefix 0 (both engines stored its blocks; the EPP routed it to both); pod 1
 * is now the busier one. `evicted`: pod 0's engine then evicted the prefix (BlockRemoved). Returns
 * the pod the EPP picks for the next prompt of prefix 0, 30 s later (past the speculative TTL).
 */
function nextPick(profile: 'precise' | 'approximate', evicted: boolean, seed = 0): number {
  const metrics = { waiting: new Float64Array([0, 4]), kvUsage: new Float64Array([0.3, 0.6]) };
  const events = new KvEventQueue();
  const r = new LlmdRouter(eppOf(profile), { replicas: 2, reqs, layout, metrics, events, rng: new Rng(seed), kvBlocksPerReplica: 1000 });
  for (const pod of [0, 1]) for (const k of prefixKeys) events.push(0, pod, KV_EVENT_STORED, k);
  if (evicted) for (const k of prefixKeys) events.push(5, 0, KV_EVENT_REMOVED, k);
  const approx = r.approx();
  if (approx) {
    approx.match(first);
    approx.record(first, 0);
    approx.record(first, 1);
  }
  return r.pick(next, 30);
}

test('the two rendered profiles differ only in the producer (same scorers and weights)', () => {
  const [p, a] = [eppOf('precise'), eppOf('approximate')];
  expect(p.producers.map((x) => x.kind)).toEqual(['precise']);
  expect(a.producers.map((x) => x.kind)).toEqual(['approximate']);
  const shape = (e: typeof p) => e.scorers.map((s) => [s.type, s.weight]);
  expect(shape(a)).toEqual(shape(p));
  expect(a.picker).toBe(p.picker);
  expect(cfg.vllm.blockSize).toBe(64); // the approximate producer's 64-token floor = the engine block: same blocks
});

test('nothing evicted: both indices say the same, and both pick the same pod (the less loaded holder)', () => {
  for (const seed of [0, 1, 2]) {
    expect([nextPick('precise', false, seed), nextPick('approximate', false, seed)]).toEqual([0, 0]);
  }
});

test('KV tight, the prefix evicted on one pod: precise follows the cache (a hit), approximate its stale routing memory (a miss)', () => {
  for (const seed of [0, 1, 2]) {
    const [precise, approximate] = [nextPick('precise', true, seed), nextPick('approximate', true, seed)];
    // pod 1 still holds both prefix blocks; pod 0 holds none
    expect(precise).toBe(1);
    expect(approximate).toBe(0);
  }
});

describe('end to end (the whole simulator, shared-prefix, rate inf)', () => {
  const run = (ctx: Record<string, unknown>, replicas: number) =>
    simulate(loadConfig({ 'router.profiles': 'precise,approximate', 'workload.name': 'shared-prefix', 'benchmark.requestRate': 'inf', ...ctx }),
      { routers: ['llm-d-precise', 'llm-d-approximate'], overrides: { replicas, seed: 0 } });
  const metrics = (r: SimulatedRun) => [r.result.completed, r.result.request_throughput, r.result.mean_ttft_ms, r.result.prefix_cache_hit_rate];
  const hit = (r: SimulatedRun) => r.result.prefix_cache_hit_rate as number;

  test('KV holds every system prompt (8 groups x 2048 tokens on 2 pods): no eviction, the same decisions, the same numbers', () => {
    const sim = run({ 'workload.sharedPrefix.groups': 8, 'benchmark.numPrompts': 256 }, 2);
    expect(metrics(sim.runs[1])).toEqual(metrics(sim.runs[0]));
  });

  test('working set far beyond KV with queue waits beyond the speculative TTL: they part, approximate keeping more hits; a longer TTL narrows the gap', () => {
    // 150 groups x 3000-token system prompts on 4 pods (~85k KV tokens each), 1,200 requests at once
    const tight = { 'workload.sharedPrefix.groups': 150, 'workload.sharedPrefix.systemPromptLen': 3000, 'benchmark.numPrompts': 1200 };
    const [precise, approximate] = run(tight, 4).runs;
    expect(approximate.result.mean_ttft_ms).toBeGreaterThan(10_000); // queued far longer than the 10 s TTL
    expect(hit(approximate)).toBeGreaterThan(hit(precise) + 0.02);
    const [longTtl] = run({ ...tight, 'router.speculativeTtl': '1m' }, 4).runs;
    expect(hit(longTtl)).toBeGreaterThan(hit(precise));
  });
});
