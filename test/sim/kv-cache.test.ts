import { BlockKeyLayout } from '../../lib/sim/block-keys';
import { buildWorkload } from '../../lib/sim/dataset';
import { BlockPool, KV_EVENT_REMOVED, KV_EVENT_STORED } from '../../lib/sim/kv-cache';

describe('BlockPool (paged KV allocator with prefix caching)', () => {
  test('never hands out more blocks than it has', () => {
    const pool = new BlockPool(4);
    const got = [pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()];
    expect(new Set(got).size).toBe(4);
    expect(pool.numFree).toBe(0);
    expect(pool.usage).toBe(1);
    expect(() => pool.allocate()).toThrow(/exhausted/);
  });

  test('shared blocks are reference counted and free only at zero', () => {
    const pool = new BlockPool(3);
    const b = pool.allocate();
    pool.cache(b, 7);
    pool.touch(b); // a second request hits the same block
    expect(pool.refCountOf(b)).toBe(2);
    pool.freeBlocks(Int32Array.of(b), 1);
    expect(pool.isFree(b)).toBe(false);
    expect(pool.usage).toBeCloseTo(1 / 3);
    pool.freeBlocks(Int32Array.of(b), 1);
    expect(pool.isFree(b)).toBe(true);
    expect(pool.usage).toBe(0);
    expect(() => pool.freeBlocks(Int32Array.of(b), 1)).toThrow(/freed more often/);
  });

  test('freed cached blocks stay hittable until evicted, and usage counts them as free', () => {
    const pool = new BlockPool(2);
    const b = pool.allocate();
    pool.cache(b, 42);
    pool.freeBlocks(Int32Array.of(b), 1);
    expect(pool.blockOf(42)).toBe(b);
    expect(pool.usage).toBe(0);
    pool.touch(b); // a hit revives it
    expect(pool.isFree(b)).toBe(false);
    expect(pool.numFree).toBe(1);
  });

  test('LRU: allocation takes the least recently freed block; a request frees its blocks tail first', () => {
    const pool = new BlockPool(6);
    const req = Int32Array.from([pool.allocate(), pool.allocate(), pool.allocate()]);
    req.forEach((b, i) => pool.cache(b, 100 + i));
    // three never-used blocks are at the head of the free queue
    const fresh = [pool.allocate(), pool.allocate(), pool.allocate()];
    pool.freeBlocks(req, 3);
    // tail block (key 102) was freed first, so it is evicted first; the shared-prefix head block last
    expect(pool.freeOrder()).toEqual([req[2], req[1], req[0]]);
    const evicted = pool.allocate();
    expect(evicted).toBe(req[2]);
    expect(pool.blockOf(102)).toBe(-1);
    expect(pool.blockOf(100)).toBe(req[0]);
    pool.freeBlocks(Int32Array.from(fresh), 3);
    expect(pool.freeOrder().slice(0, 2)).toEqual([req[1], req[0]]);
  });

  test('a key is cached once; a duplicate block stays unkeyed', () => {
    const pool = new BlockPool(2);
    const a = pool.allocate();
    const b = pool.allocate();
    pool.cache(a, 5);
    pool.cache(b, 5);
    expect(pool.blockOf(5)).toBe(a);
    expect(pool.keyOfBlock(b)).toBe(-1);
    expect(pool.numCachedKeys).toBe(1);
  });

  test('records stored/removed events for shared keys only', () => {
    const pool = new BlockPool(1, true);
    const w = buildWorkload({ numPrompts: 4, numPrefixes: 4, prefixLen: 64, suffixLen: 80, outputLen: 8, leadingTokens: 0, trailingTokens: 0, seed: 0 });
    const layout = new BlockKeyLayout(16, w.segments);
    const shared = layout.key(0, 0);
    const privateKey = layout.key(0, 8);
    expect(BlockKeyLayout.isShared(shared)).toBe(true);
    expect(BlockKeyLayout.isShared(privateKey)).toBe(false);
    const b = pool.allocate();
    pool.cache(b, shared);
    pool.freeBlocks(Int32Array.of(b), 1);
    const b2 = pool.allocate(); // evicts `shared`
    pool.cache(b2, privateKey);
    expect(pool.events).toEqual([KV_EVENT_STORED, shared, KV_EVENT_REMOVED, shared]);
  });

  test('resetPrefixCache forgets unreferenced keys only', () => {
    const pool = new BlockPool(2);
    const held = pool.allocate();
    const freed = pool.allocate();
    pool.cache(held, 1);
    pool.cache(freed, 2);
    pool.freeBlocks(Int32Array.of(freed), 1);
    pool.resetPrefixCache();
    expect(pool.blockOf(1)).toBe(held);
    expect(pool.blockOf(2)).toBe(-1);
  });
});

describe('BlockKeyLayout', () => {
  // 9000 // 150 prompts per prefix; 23 template tokens, 2048-token prefixes, 128-token suffixes.
  const w = buildWorkload({ numPrompts: 300, numPrefixes: 150, prefixLen: 2048, suffixLen: 128, outputLen: 16, leadingTokens: 23, trailingTokens: 6, seed: 0 });
  const ofPrefix = (p: number) => [...w.prefixOf.keys()].filter((r) => w.prefixOf[r] === p);
  const [a1, a2] = ofPrefix(4);
  const [b1] = ofPrefix(5);

  test('template-only blocks are common, prefix blocks per prefix, the rest private (16-token blocks)', () => {
    const l = new BlockKeyLayout(16, w.segments);
    // block 0 (tokens 0-15) lies inside the 23 template tokens: one key for every request
    expect(l.key(a1, 0)).toBe(l.key(b1, 0));
    // blocks ending inside template + prefix (up to token 2070: block 128) are shared by one prefix
    expect(l.key(a1, 10)).toBe(l.key(a2, 10));
    expect(l.key(a1, 10)).not.toBe(l.key(b1, 10));
    expect(l.key(a1, 128)).toBe(l.key(a2, 128));
    expect(BlockKeyLayout.isShared(l.key(a1, 128))).toBe(true);
    // block 129 reaches into the suffix: private
    expect(l.key(a1, 129)).not.toBe(l.key(a2, 129));
    expect(BlockKeyLayout.isShared(l.key(a1, 129))).toBe(false);
  });

  test('64-token blocks: none is template-only, 32 are shared per prefix', () => {
    const l = new BlockKeyLayout(64, w.segments);
    expect(l.key(a1, 0)).not.toBe(l.key(b1, 0));
    expect(l.key(a1, 31)).toBe(l.key(a2, 31));
    expect(l.key(a1, 32)).not.toBe(l.key(a2, 32));
  });

  test('a key names the whole sequence up to its token: equal keys, equal prefixes', () => {
    const l = new BlockKeyLayout(16, w.segments);
    expect(l.keyAt(a1, 22)).toBe(l.keyAt(b1, 22));
    expect(l.keyAt(a1, 23)).not.toBe(l.keyAt(b1, 23));
    expect(() => l.keyAt(a1, w.segments.length(a1))).toThrow(/beyond/);
  });
});
