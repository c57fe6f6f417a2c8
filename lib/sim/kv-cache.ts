/**
 * vLLM V1's paged KV block pool with automatic prefix caching (vllm/v1/core/block_pool.py):
 *
 *  - a fixed number of blocks, each with a reference count and, once full, a content key (hash);
 *  - a free queue (doubly linked, LRU order): blocks whose ref count drops to 0 are appended at the
 *    tail and KEEP their key, so they can still be hit; allocation pops the head and evicts its key;
 *  - a key -> block map for lookups ("cached_block_hash_to_block");
 *  - a hit on a free cached block takes it out of the free queue ("touch").
 *
 * Differences, on purpose: vLLM keeps duplicate blocks for one hash (two requests computing the same
 * block in the same step); here the second copy simply stays unkeyed. The null block vLLM reserves is
 * not modelled (one block of thousands).
 *
 * Shared-key BlockStored / BlockRemoved events (the ZMQ KV events the EPP consumes) are collected in
 * `events` when `recordEvents` is set; private keys can never match another request, so they are not
 * reported (the EPP would index them, but no lookup could ever use them).
 */
import { BlockKeyLayout } from './block-keys';

export const KV_EVENT_STORED = 1;
export const KV_EVENT_REMOVED = 2;

const NO_KEY = -1;

export class BlockPool {
  readonly numBlocks: number;
  private readonly refCount: Int32Array;
  private readonly keyOf: Float64Array;
  /** Free queue links; index numBlocks is the sentinel (head = next[S], tail = prev[S]). */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly inFree: Uint8Array;
  private free: number;
  private readonly cached = new Map<number, number>();
  /** Pending events as (op, key) pairs, drained by the engine after each step. */
  readonly events: number[] = [];

  constructor(numBlocks: number, readonly recordEvents = false) {
    if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new Error(`KV cache needs >= 1 block, got ${numBlocks}`);
    this.numBlocks = numBlocks;
    this.refCount = new Int32Array(numBlocks);
    this.keyOf = new Float64Array(numBlocks).fill(NO_KEY);
    this.prev = new Int32Array(numBlocks + 1);
    this.next = new Int32Array(numBlocks + 1);
    this.inFree = new Uint8Array(numBlocks);
    const S = numBlocks;
    this.prev[S] = S;
    this.next[S] = S;
    this.free = 0;
    for (let b = 0; b < numBlocks; b++) this.appendFree(b);
  }

  /** Blocks in the free queue (unreferenced, cached or not): what allocation may take. */
  get numFree(): number {
    return this.free;
  }

  /** vllm:kv_cache_usage_perc: referenced blocks / all blocks (cached-but-free blocks count as free). */
  get usage(): number {
    return 1 - this.free / this.numBlocks;
  }

  /** Number of distinct keys currently hittable. */
  get numCachedKeys(): number {
    return this.cached.size;
  }

  refCountOf(block: number): number {
    return this.refCount[block];
  }

  keyOfBlock(block: number): number {
    return this.keyOf[block];
  }

  /** The block holding `key`, or -1. */
  blockOf(key: number): number {
    const b = this.cached.get(key);
    return b === undefined ? -1 : b;
  }

  /** Is the block currently unreferenced (in the free queue)? */
  isFree(block: number): boolean {
    return this.inFree[block] === 1;
  }

  /** Free-queue order from head (next evicted) to tail; for tests. */
  freeOrder(): number[] {
    const out: number[] = [];
    for (let b = this.next[this.numBlocks]; b !== this.numBlocks; b = this.next[b]) out.push(b);
    return out;
  }

  /** Takes one more reference on a cached block (a prefix hit); removes it from the free queue at 0. */
  touch(block: number): void {
    if (this.refCount[block] === 0) this.unlinkFree(block);
    this.refCount[block]++;
  }

  /** Pops the LRU free block, evicting its key (BlockRemoved); caller must check numFree first. */
  allocate(): number {
    const S = this.numBlocks;
    const b = this.next[S];
    if (b === S) throw new Error('KV cache exhausted: allocate() without a free block');
    this.unlinkFree(b);
    const key = this.keyOf[b];
    if (key !== NO_KEY) {
      if (this.cached.get(key) === b) {
        this.cached.delete(key);
        if (this.recordEvents && BlockKeyLayout.isShared(key)) this.events.push(KV_EVENT_REMOVED, key);
      }
      this.keyOf[b] = NO_KEY;
    }
    this.refCount[b] = 1;
    return b;
  }

  /** Registers a just-filled block under `key` (BlockStored), unless another block holds the key. */
  cache(block: number, key: number): void {
    if (this.keyOf[block] !== NO_KEY || this.cached.has(key)) return;
    this.keyOf[block] = key;
    this.cached.set(key, block);
    if (this.recordEvents && BlockKeyLayout.isShared(key)) this.events.push(KV_EVENT_STORED, key);
  }

  /**
   * Drops one reference from each block, walking `blocks[0..count)` from the END (vLLM frees a request's
   * blocks tail first, so its private tail is evicted before the shared prefix it points into).
   */
  freeBlocks(blocks: Int32Array, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      const b = blocks[i];
      const rc = --this.refCount[b];
      if (rc === 0) this.appendFree(b);
      else if (rc < 0) throw new Error(`block ${b} freed more often than referenced`);
    }
  }

  /** Empties the prefix cache (POST /reset_prefix_cache): forgets every key of an unreferenced block. */
  resetPrefixCache(): void {
    for (let b = this.next[this.numBlocks]; b !== this.numBlocks; b = this.next[b]) {
      const key = this.keyOf[b];
      if (key !== NO_KEY) {
        if (this.cached.get(key) === b) this.cached.delete(key);
        this.keyOf[b] = NO_KEY;
      }
    }
  }

  private appendFree(b: number): void {
    const S = this.numBlocks;
    const tail = this.prev[S];
    this.next[tail] = b;
    this.prev[b] = tail;
    this.next[b] = S;
    this.prev[S] = b;
    this.inFree[b] = 1;
    this.free++;
  }

  private unlinkFree(b: number): void {
    const p = this.prev[b];
    const n = this.next[b];
    this.next[p] = n;
    this.prev[n] = p;
    this.inFree[b] = 0;
    this.free--;
  }
}
