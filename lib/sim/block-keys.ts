/**
 * Block identities. vLLM hashes each full block as hash(parent hash, block tokens), so a block's
 * identity is the whole token sequence up to its end. For this workload that collapses to three kinds:
 *
 *  - COMMON: blocks entirely inside the chat template's leading tokens: identical in every request;
 *  - PREFIX: blocks ending inside template + shared prefix: identical for requests of one prefix;
 *  - PRIVATE: any block that reaches into the suffix (random per request), the trailing template or
 *    the output: unique to one request (it can only be hit again by the same request after preemption).
 *
 * Keys are doubles holding exact integers, disjoint between kinds (see the bases below).
 */

/** Largest block index a key can hold (max-model-len 32768 / block size 16 = 2048). */
const MAX_BLOCKS = 4096;
const PREFIX_BASE = 2 ** 20;
const PRIVATE_BASE = 2 ** 44;

export class BlockKeyLayout {
  /** Full blocks made only of template tokens. */
  readonly commonBlocks: number;
  /** Full blocks that end within template + prefix (includes the common ones). */
  readonly sharedBlocks: number;

  constructor(readonly blockSize: number, leadingTokens: number, prefixLen: number) {
    this.commonBlocks = Math.floor(leadingTokens / blockSize);
    this.sharedBlocks = Math.floor((leadingTokens + prefixLen) / blockSize);
  }

  /** Key of block `i` of request `req` whose prefix is `prefix`. */
  key(req: number, prefix: number, i: number): number {
    if (i >= MAX_BLOCKS) throw new Error(`block index ${i} beyond ${MAX_BLOCKS}`);
    if (i < this.commonBlocks) return i + 1;
    if (i < this.sharedBlocks) return PREFIX_BASE + prefix * MAX_BLOCKS + i;
    return PRIVATE_BASE + req * MAX_BLOCKS + i;
  }

  /** True for keys another request can match (only those are worth indexing in the router). */
  static isShared(key: number): boolean {
    return key < PRIVATE_BASE;
  }
}
