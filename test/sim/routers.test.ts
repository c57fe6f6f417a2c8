import { defaultConfig, loadConfig } from '../../lib/config';
import { goDurationMs } from '../../lib/config/duration';
import { endpointPickerConfig } from '../../k8s/router/endpoint-picker-config';
import { BlockKeyLayout } from '../../lib/sim/block-keys';
import { buildWorkload } from '../../lib/sim/dataset';
import { KV_EVENT_REMOVED, KV_EVENT_STORED } from '../../lib/sim/kv-cache';
import { RequestTable } from '../../lib/sim/requests';
import { Rng } from '../../lib/sim/rng';
import { type EppConfigLike, type EppRouterParams, type PreciseProducerSpec, parseEndpointPickerConfig, parseGoDurationMs, weightOf } from '../../lib/sim/routers/epp-config';
import { KvEventQueue, LlmdRouter } from '../../lib/sim/routers/llm-d';
import { RandomPerConnectionRouter, RoundRobinRouter } from '../../lib/sim/routers/round-robin';

const rendered = () => endpointPickerConfig(defaultConfig()) as unknown as EppConfigLike;

describe('round-robin and kube-proxy random', () => {
  test('round-robin cycles through the replicas', () => {
    const r = new RoundRobinRouter(3);
    expect([0, 1, 2, 3, 4, 5, 6].map(() => r.pick())).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  test('random per connection: a request reuses the most recently released connection and its pod', () => {
    const r = new RandomPerConnectionRouter(8, new Rng(1));
    const a = r.pick(0);
    const b = r.pick(1);
    expect(r.connections).toBe(2);
    r.release(0);
    expect(r.pick(2)).toBe(a); // connection of request 0 reused
    r.release(1);
    r.release(2);
    expect(r.pick(3)).toBe(a); // released last, reused first (LIFO)
    expect(r.pick(4)).toBe(b);
    expect(r.connections).toBe(2);
  });
});

describe('EndpointPickerConfig parser', () => {
  const precise = (p: EppRouterParams) => p.producers.find((x): x is PreciseProducerSpec => x.kind === 'precise')!;
  const weights = (p: EppRouterParams) => ({
    prefix: weightOf(p, 'prefix'), kvUtilization: weightOf(p, 'kv-utilization'), queue: weightOf(p, 'queue'), noHitLru: weightOf(p, 'no-hit-lru'),
  });

  test('reads the rendered config: weights, picker, block size, speculative indexing', () => {
    const c = defaultConfig();
    const p = parseEndpointPickerConfig(rendered());
    expect(weights(p)).toEqual({ prefix: c.router.scorers.prefixCache, kvUtilization: c.router.scorers.kvCacheUtilization, queue: c.router.scorers.queue, noHitLru: c.router.scorers.noHitLru });
    expect(p.picker).toBe('max-score');
    // speculativeTtl comes from the config (main: 10s default, the sweep in lib/config/sections/router.ts).
    expect(precise(p)).toMatchObject({ blockSizeTokens: c.vllm.blockSize, speculativeIndexing: c.router.speculativeIndexing, speculativeTtlMs: goDurationMs(c.router.speculativeTtl), works: true });
    expect(p.warnings).toEqual([]);
  });

  test('follows config overrides through the builder', () => {
    const c = loadConfig({ 'router.scorers.queue': 3, 'router.speculativeIndexing': false, 'vllm.blockSize': 32 });
    const p = parseEndpointPickerConfig(endpointPickerConfig(c) as unknown as EppConfigLike);
    expect(weights(p).queue).toBe(3);
    expect(precise(p)).toMatchObject({ speculativeIndexing: false, blockSizeTokens: 32 });
  });

  test('EPP defaults: weight 1, block size 16 (or the deprecated blockSize), TTL 2s', () => {
    const cfg: EppConfigLike = {
      plugins: [
        { type: 'token-producer' }, { type: 'endpoint-notification-source' },
        { type: 'precise-prefix-cache-producer', parameters: { tokenProcessorConfig: { blockSize: 32 } } },
        { type: 'prefix-cache-scorer', name: 'p', parameters: { prefixMatchInfoProducerName: 'precise-prefix-cache-producer' } },
        { type: 'queue-scorer' }, { type: 'max-score-picker' },
      ],
      dataLayer: { sources: [{ pluginRef: 'endpoint-notification-source', extractors: [{ pluginRef: 'precise-prefix-cache-producer' }] }] },
      schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'p' }, { pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'max-score-picker' }] }],
    };
    const p = parseEndpointPickerConfig(cfg);
    expect(weights(p)).toEqual({ prefix: 1, kvUtilization: 0, queue: 2, noHitLru: 0 });
    expect(precise(p)).toMatchObject({ blockSizeTokens: 32, speculativeIndexing: false, speculativeTtlMs: 2000, works: true });
  });

  test('a broken precise-prefix chain scores every pod 0, and says why', () => {
    const base = rendered();
    const noTokens = { ...base, plugins: base.plugins.filter((p) => p.type !== 'token-producer') };
    const noExtractor = { ...base, dataLayer: { sources: [] } };
    for (const [cfg, why] of [[noTokens, /token-producer/], [noExtractor, /extractor/]] as const) {
      const p = parseEndpointPickerConfig(cfg);
      expect(precise(p).works).toBe(false);
      expect(p.warnings.join('\n')).toMatch(why);
      expect(p.warnings.join('\n')).toMatch(/scores every pod 0/);
    }
  });

  test('a prefix-cache-scorer naming no producer reads the EPP\'s auto-created approximate producer, and says so', () => {
    const base = rendered();
    const noProducerName = { ...base, plugins: base.plugins.map((p) => (p.type === 'prefix-cache-scorer' ? { type: p.type } : p)) };
    const p = parseEndpointPickerConfig(noProducerName);
    expect(p.scorers.find((s) => s.type === 'prefix')).toMatchObject({ producer: 'approx-prefix-cache-producer' });
    expect(p.producers.find((x) => x.kind === 'approximate')).toMatchObject({ autoTune: true, blockSizeTokens: 16, lruCapacityPerServer: 31250 });
    expect(p.warnings.join('\n')).toMatch(/creates a default approx-prefix-cache-producer/);
  });

  test('refuses plugins it does not model, and profiles referencing unknown plugins', () => {
    const base = rendered();
    const withUnknown = {
      ...base,
      plugins: [...base.plugins, { type: 'token-load-scorer' }],
      schedulingProfiles: [{ name: 'default', plugins: [...base.schedulingProfiles[0].plugins, { pluginRef: 'token-load-scorer' }] }],
    };
    expect(() => parseEndpointPickerConfig(withUnknown)).toThrow(/does not model EPP plugin type "token-load-scorer"/);
    const dangling = { ...base, schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'nope' }] }] };
    expect(() => parseEndpointPickerConfig(dangling)).toThrow(/unknown plugin "nope"/);
  });

  test('Go durations', () => {
    expect(parseGoDurationMs('2s')).toBe(2000);
    expect(parseGoDurationMs('500ms')).toBe(500);
    expect(parseGoDurationMs('1m30s')).toBe(90000);
    expect(parseGoDurationMs('1.5s')).toBe(1500);
    expect(() => parseGoDurationMs('2 s')).toThrow();
  });

  test('reads the rendered no-hit-lru-scorer: weight from config, the precise index, EPP default lruSize', () => {
    const p = parseEndpointPickerConfig(rendered());
    expect(p.scorers.find((s) => s.type === 'no-hit-lru')).toMatchObject({ weight: defaultConfig().router.scorers.noHitLru, producer: 'precise-prefix-cache-producer', lruSize: 1024 });
    const off = parseEndpointPickerConfig(endpointPickerConfig(loadConfig({ 'router.scorers.noHitLru': 0 })) as unknown as EppConfigLike);
    expect(weightOf(off, 'no-hit-lru')).toBe(0);
    expect(precise(off).works).toBe(true);
  });

  const withLru = (parameters: Record<string, unknown>): EppConfigLike => {
    const base = rendered();
    return { ...base, plugins: base.plugins.map((p) => (p.type === 'no-hit-lru-scorer' ? { ...p, parameters } : p)) };
  };

  test('a no-hit-lru-scorer without a producer name reads the default approximate producer; a name of no plugin or of no producer is refused', () => {
    // The plugin README's prefixPluginName is never read in v0.10.0: the default producer is used.
    const p = parseEndpointPickerConfig(withLru({ prefixPluginName: 'prefix-cache-scorer' }));
    expect(p.scorers.find((s) => s.type === 'no-hit-lru')).toMatchObject({ producer: 'approx-prefix-cache-producer' });
    expect(p.warnings.join('\n')).toMatch(/no-hit-lru-scorer "no-hit-lru-scorer" names no producer/);
    expect(() => parseEndpointPickerConfig(withLru({ prefixMatchInfoProducerName: 'nope' }))).toThrow(/names no plugin; the EPP would not start/);
    expect(() => parseEndpointPickerConfig(withLru({ prefixMatchInfoProducerName: 'queue-scorer' }))).toThrow(/is a queue-scorer, not a prefix match producer/);
  });

  test('a no-hit-lru-scorer without a working index counts every request as cold, and says so', () => {
    const base = rendered();
    const p = parseEndpointPickerConfig({ ...base, dataLayer: { sources: [] } });
    expect(precise(p).works).toBe(false);
    expect(p.warnings.join('\n')).toMatch(/no-hit-lru-scorer sees no prefix matches/);
  });

  test('lruSize is read; non-positive values mean the EPP default', () => {
    const lru = (params: Record<string, unknown>) => parseEndpointPickerConfig(withLru(params)).scorers.find((s) => s.type === 'no-hit-lru') as { lruSize: number };
    expect(lru({ prefixMatchInfoProducerName: 'precise-prefix-cache-producer', lruSize: 4 }).lruSize).toBe(4);
    expect(lru({ prefixMatchInfoProducerName: 'precise-prefix-cache-producer', lruSize: 0 }).lruSize).toBe(1024);
  });
});

describe('llm-d precise prefix router', () => {
  // 4 replicas; 8 prefixes x 4 prompts; 16-token blocks; prompts 64 + 16 tokens -> 4 shared blocks.
  const w = buildWorkload({ numPrompts: 32, numPrefixes: 8, prefixLen: 64, suffixLen: 16, outputLen: 8, leadingTokens: 0, trailingTokens: 0, seed: 0 });
  const reqs = new RequestTable(w, 16);
  const layout = new BlockKeyLayout(16, w.segments);
  const SHARED = 4;
  const base = parseEndpointPickerConfig(rendered());
  interface Opts { speculativeIndexing?: boolean; speculativeTtlMs?: number; noHitLru?: number; lruSize?: number }
  const params = (o: Opts = {}): EppRouterParams => ({
    ...base,
    producers: base.producers.map((p) => (p.kind === 'precise' ? { ...p, blockSizeTokens: 16, ...(o.speculativeIndexing !== undefined ? { speculativeIndexing: o.speculativeIndexing } : {}), ...(o.speculativeTtlMs !== undefined ? { speculativeTtlMs: o.speculativeTtlMs } : {}) } : p)),
    scorers: base.scorers
      .map((s) => (s.type === 'no-hit-lru' ? { ...s, weight: o.noHitLru ?? s.weight, lruSize: o.lruSize ?? s.lruSize } : s))
      .filter((s) => s.weight > 0),
  });
  const setup = (o: Opts = {}, seed = 0) => {
    const metrics = { waiting: new Float64Array(4), kvUsage: new Float64Array(4) };
    const events = new KvEventQueue();
    const router = new LlmdRouter(params(o), { replicas: 4, reqs, layout, metrics, events, rng: new Rng(seed), kvBlocksPerReplica: 100 });
    return { router, metrics, events, index: router.precise()! };
  };
  const ofPrefix = (p: number) => [...w.prefixOf.keys()].filter((i) => w.prefixOf[i] === p);
  const store = (events: KvEventQueue, t: number, replica: number, prefix: number, op = KV_EVENT_STORED) => {
    const r = ofPrefix(prefix)[0];
    for (let i = 0; i < SHARED; i++) events.push(t, replica, op, layout.key(r, i));
  };

  test('sends a repeated prefix to the replica whose KV events reported it, despite more load there', () => {
    const { router, metrics, events } = setup({ speculativeIndexing: false });
    store(events, 0.01, 2, 3);
    metrics.waiting.set([0, 0, 2, 0]);
    metrics.kvUsage.set([0.1, 0.1, 0.6, 0.1]);
    for (const r of ofPrefix(3)) expect(router.pick(r, 1)).toBe(2);
  });

  test('with no replica holding the prefix it falls back to load (queue and KV scorers; no-hit-lru off)', () => {
    const { router, metrics, events } = setup({ speculativeIndexing: false, noHitLru: 0 });
    store(events, 0, 2, 3); // some other prefix is cached: irrelevant
    metrics.waiting.set([5, 0, 3, 4]);
    metrics.kvUsage.set([0.5, 0.2, 0.9, 0.1]);
    expect(router.pick(ofPrefix(5)[0], 1)).toBe(1);
  });

  test('KV events land only after their lag; BlockRemoved takes the replica out again', () => {
    const { router, events, metrics, index } = setup({ speculativeIndexing: false, noHitLru: 0 });
    store(events, 0.5, 1, 4);
    const [a, b, c] = ofPrefix(4);
    const picksBefore = new Set([0, 1, 2, 3].map(() => router.pick(a, 0.1)));
    expect(picksBefore.size).toBeGreaterThan(1); // event not delivered yet: ties broken at random
    expect(router.pick(b, 0.6)).toBe(1);
    store(events, 0.7, 1, 4, KV_EVENT_REMOVED);
    metrics.waiting.set([0, 9, 0, 0]); // the only reason left to avoid replica 1 is its queue
    expect(router.pick(c, 0.8)).not.toBe(1);
    expect(index.matchedBlocks(1, c, 0.8)).toBe(0);
  });

  test('speculative indexing keeps a burst of one prefix together; without it the burst scatters', () => {
    const burst = ofPrefix(6);
    const spec = setup({ speculativeIndexing: true }, 1);
    const together = new Set(burst.map((r) => spec.router.pick(r, 0)));
    expect(together.size).toBe(1);
    const noSpec = setup({ speculativeIndexing: false }, 1);
    const scattered = new Set([...burst, ...burst, ...burst].map((r) => noSpec.router.pick(r, 0)));
    expect(scattered.size).toBeGreaterThan(1);
  });

  test('the precise scorer hashes only the tokens the EPP tokenised (llm-d 0.3 reusing a stored prefix)', () => {
    const { events, index } = setup({ speculativeIndexing: false });
    store(events, 0, 2, 3);
    const r = ofPrefix(3)[1];
    index.match(r, 1);
    expect([index.info.matched[2], index.info.total]).toEqual([SHARED, 5]); // 80 tokens: 5 blocks, 4 shared held
    reqs.eppTokens[r] = 32; // the tokenizer returned a 32-token stored prefix
    try {
      index.match(r, 1);
      expect([index.info.matched[2], index.info.total]).toEqual([2, 2]);
    } finally {
      reqs.eppTokens[r] = reqs.promptLen[r];
    }
  });

  test('a speculative entry expires at its TTL unless KV events confirm the blocks', () => {
    const { router, index } = setup({ speculativeIndexing: true, speculativeTtlMs: 2000 });
    const [a, b] = ofPrefix(2);
    const chosen = router.pick(a, 0);
    expect(index.matchedBlocks(chosen, b, 1.9)).toBe(SHARED);
    expect(index.matchedBlocks(chosen, b, 2.1)).toBe(0);
  });

  test('no-hit-lru spreads cold prefixes over the replicas (never-used first, then least recently used)', () => {
    const { router } = setup({ speculativeIndexing: true, noHitLru: 2 });
    const firsts = [0, 1, 2, 3, 4, 5, 6, 7].map((p) => router.pick(ofPrefix(p)[0], 0));
    expect(firsts).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  test('no-hit-lru: a warm request scores 0.5 everywhere and leaves the LRU alone; the LRU forgets beyond lruSize', () => {
    const { router } = setup({ speculativeIndexing: true, noHitLru: 2 });
    const [a1, a2] = ofPrefix(0);
    expect(router.pick(a1, 0)).toBe(0); // cold: never-used pod first
    expect(router.pick(a2, 0)).toBe(0); // warm (speculative entry): follows its prefix, LRU unchanged
    expect(router.pick(ofPrefix(1)[0], 0)).toBe(1); // next cold one: the next never-used pod
    // lruSize 1: only the latest cold pick is remembered, the pod before it counts as never used again.
    const small = setup({ speculativeIndexing: true, noHitLru: 2, lruSize: 1 }).router;
    expect([0, 1, 2].map((p) => small.pick(ofPrefix(p)[0], 0))).toEqual([0, 1, 0]);
  });

  test('no-hit-lru outweighs mild load differences on a cold request, not a long queue', () => {
    const { router, metrics } = setup({ speculativeIndexing: false, noHitLru: 2 });
    metrics.kvUsage.set([0.3, 0.1, 0.1, 0.1]);
    expect(router.pick(ofPrefix(0)[0], 0)).toBe(0); // 2 x 1 + 0.7 beats 2 x 2/3 + 0.9
    metrics.waiting.set([0, 9, 0, 0]);
    metrics.kvUsage.set([0.1, 0.1, 0.1, 0.1]);
    expect(router.pick(ofPrefix(1)[0], 0)).toBe(2); // pod 1 is next in the LRU but its queue costs it 1
  });
});
