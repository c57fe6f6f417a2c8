import { BlockKeyLayout } from '../../lib/sim/block-keys';
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
    const layout = new BlockKeyLayout(16, 0, 64);
    const shared = layout.key(0, 3, 0);
    const privateKey = layout.key(0, 3, 9);
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
  test('template-only blocks are common, prefix blocks per prefix, the rest private', () => {
    const l = new BlockKeyLayout(16, 23, 2048);
    expect(l.commonBlocks).toBe(1);
    expect(l.sharedBlocks).toBe(129);
    expect(l.key(1, 0, 0)).toBe(l.key(2, 5, 0));
    expect(l.key(1, 4, 10)).toBe(l.key(2, 4, 10));
    expect(l.key(1, 4, 10)).not.toBe(l.key(2, 5, 10));
    expect(l.key(1, 4, 129)).not.toBe(l.key(2, 4, 129));
    const b64 = new BlockKeyLayout(64, 23, 2048);
    expect(b64.commonBlocks).toBe(0);
    expect(b64.sharedBlocks).toBe(32);
  });
});
