/**
 * Per-request state, as flat typed arrays indexed by request id (the hot loop touches millions of
 * fields; arrays of numbers keep it allocation-free).
 */
import type { Workload } from './dataset';

export class RequestTable {
  readonly count: number;
  readonly prefix: Int32Array;
  readonly promptLen: Int32Array;
  /**
   * Prompt tokens the EPP's precise scorer hashes: the whole prompt, except where llm-d 0.3's in-process
   * tokenizer reused a stored prefix and returned only its tokens (epp-tokenizer.ts).
   */
  readonly eppTokens: Int32Array;
  readonly outputLen: Int32Array;
  /** Prompt + generated tokens (vLLM request.num_tokens). */
  readonly numTokens: Int32Array;
  /** Tokens whose KV is computed or was found in the prefix cache (num_computed_tokens). */
  readonly numComputed: Int32Array;
  readonly generated: Int32Array;
  /** Blocks held, and how many leading ones are registered in the prefix cache. */
  readonly numBlocks: Int32Array;
  readonly numCachedBlocks: Int32Array;
  readonly preemptions: Int32Array;
  readonly replica: Int32Array;
  /** Block table of each in-flight request (null before admission and after finishing). */
  readonly blocks: (Int32Array | null)[];
  /** Client clock, seconds: sent (semaphore acquired), first token, last token, finished. */
  readonly sendTime: Float64Array;
  readonly firstTokenTime: Float64Array;
  readonly lastTokenTime: Float64Array;
  readonly finishTime: Float64Array;
  /** Engine clock, seconds: the request entered the engine's queue; its first token was sampled. */
  readonly engineArrival: Float64Array;
  readonly engineFirstToken: Float64Array;
  /** Sampled its last token; held one more (wasted) step by async scheduling before it is freed. */
  readonly lingering: Uint8Array;
  /** The first prefix-cache lookup of each request (tokens queried / hit). */
  readonly firstLookupQuery: Int32Array;
  readonly firstLookupHit: Int32Array;
  readonly lookedUp: Uint8Array;
  /** Largest block table a request can need. */
  readonly maxBlocksPerRequest: number;
  private readonly spareTables: Int32Array[] = [];

  constructor(w: Workload, blockSize: number) {
    const n = w.count;
    this.count = n;
    this.prefix = w.prefixOf;
    this.promptLen = w.promptLen;
    this.eppTokens = Int32Array.from(w.promptLen);
    this.outputLen = w.outputLen;
    this.numTokens = Int32Array.from(w.promptLen);
    this.numComputed = new Int32Array(n);
    this.generated = new Int32Array(n);
    this.numBlocks = new Int32Array(n);
    this.numCachedBlocks = new Int32Array(n);
    this.preemptions = new Int32Array(n);
    this.replica = new Int32Array(n).fill(-1);
    this.blocks = new Array<Int32Array | null>(n).fill(null);
    this.sendTime = new Float64Array(n).fill(NaN);
    this.firstTokenTime = new Float64Array(n).fill(NaN);
    this.lastTokenTime = new Float64Array(n).fill(NaN);
    this.finishTime = new Float64Array(n).fill(NaN);
    this.engineArrival = new Float64Array(n).fill(NaN);
    this.engineFirstToken = new Float64Array(n).fill(NaN);
    this.lingering = new Uint8Array(n);
    this.firstLookupQuery = new Int32Array(n);
    this.firstLookupHit = new Int32Array(n);
    this.lookedUp = new Uint8Array(n);
    let longest = 0;
    for (let i = 0; i < n; i++) longest = Math.max(longest, w.promptLen[i] + w.outputLen[i]);
    this.maxBlocksPerRequest = Math.ceil(longest / blockSize) + 1;
  }

  /** The block table of `r`, taken from a pool on first use. */
  tableOf(r: number): Int32Array {
    let t = this.blocks[r];
    if (t === null) {
      t = this.spareTables.pop() ?? new Int32Array(this.maxBlocksPerRequest);
      this.blocks[r] = t;
    }
    return t;
  }

  /** Returns the block table of a finished request to the pool. */
  releaseTable(r: number): void {
    const t = this.blocks[r];
    if (t !== null) {
      this.spareTables.push(t);
      this.blocks[r] = null;
    }
  }
}

/** A FIFO of request ids that also accepts pushes at the front (vLLM re-queues preempted requests first). */
export class RequestDeque {
  private readonly buf: Int32Array;
  private head = 0;
  private size = 0;

  constructor(capacity: number) {
    this.buf = new Int32Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.size;
  }

  pushBack(r: number): void {
    if (this.size === this.buf.length) throw new Error('request queue overflow');
    this.buf[(this.head + this.size) % this.buf.length] = r;
    this.size++;
  }

  pushFront(r: number): void {
    if (this.size === this.buf.length) throw new Error('request queue overflow');
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = r;
    this.size++;
  }

  peek(): number {
    return this.size === 0 ? -1 : this.buf[this.head];
  }

  popFront(): number {
    if (this.size === 0) return -1;
    const r = this.buf[this.head];
    this.head = (this.head + 1) % this.buf.length;
    this.size--;
    return r;
  }

  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.buf[(this.head + i) % this.buf.length]);
    return out;
  }
}
