/**
 * Block identities. vLLM hashes each full block as hash(parent hash, block tokens), so a block's
 * identity is the whole token sequence up to its end (vllm/v1/core/kv_cache_utils.py). The simulator
 * never holds token values; it describes each request's sequence (prompt, then output) as segments,
 * each a node of a prefix tree:
 *
 *   - the chat template's leading tokens (one node, shared by every request of a chat benchmark);
 *   - a shared prefix, a group's system prompt, a conversation's system prompt (shared nodes);
 *   - a shared-prefix question, which every cycle of the prompt list sends again (shared);
 *   - a conversation's earlier user messages and answers, which every later turn re-sends (shared);
 *   - a suffix, a random prompt, an answer no later request re-sends (private: only its own request).
 *
 * A node's id determines the whole path before it, so the sequence up to token t is determined by
 * (node containing t, offset of t in that node): a block's key is that pair for its last token.
 * Two requests share block i exactly when their sequences agree up to its end. Keys are exact
 * integers in doubles: node x 2^16 + offset; shared nodes are numbered below 2^30 (keys below 2^46),
 * private ones from 2^30 up.
 */

/** Longest segment, in tokens (the offset field of a key). */
export const MAX_SEGMENT_TOKENS = 65535;
const OFFSET_SPAN = 65536;
/** First private node id. */
export const PRIVATE_NODE_BASE = 2 ** 30;
/** First key of a private node. */
export const PRIVATE_KEY_BASE = PRIVATE_NODE_BASE * OFFSET_SPAN;
/** Largest node id a key can hold exactly (2^53 / 2^16). */
const MAX_NODE = 2 ** 37 - 1;

/**
 * Segments of every request's sequence, flat. Request r owns segments [start[r], start[r + 1]); segment
 * s is node `node[s]` and ends at token `end[s]` of the request's sequence (cumulative).
 */
export class SegmentTable {
  readonly start: Int32Array;
  readonly node: Float64Array;
  readonly end: Int32Array;

  constructor(start: Int32Array, node: Float64Array, end: Int32Array) {
    this.start = start;
    this.node = node;
    this.end = end;
  }

  get count(): number {
    return this.start.length - 1;
  }

  /** Tokens of request r's whole sequence (prompt + output). */
  length(r: number): number {
    const last = this.start[r + 1] - 1;
    return last >= this.start[r] ? this.end[last] : 0;
  }

  /** Segments of request r as [node, length] pairs (tests, debugging). */
  segmentsOf(r: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let prev = 0;
    for (let s = this.start[r]; s < this.start[r + 1]; s++) {
      out.push([this.node[s], this.end[s] - prev]);
      prev = this.end[s];
    }
    return out;
  }
}

/** Builds a SegmentTable request by request. */
export class SegmentTableBuilder {
  private readonly starts: number[] = [0];
  private nodes: Float64Array;
  private ends: Int32Array;
  private n = 0;
  private tokens = 0;

  constructor(capacity = 1024) {
    this.nodes = new Float64Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  /** Appends a segment of `length` tokens (0 is skipped) to the current request. */
  add(node: number, length: number): this {
    if (length === 0) return this;
    if (!(Number.isInteger(length) && length > 0 && length <= MAX_SEGMENT_TOKENS)) throw new Error(`segment of ${length} tokens (1..${MAX_SEGMENT_TOKENS} allowed)`);
    if (!(Number.isInteger(node) && node >= 0 && node <= MAX_NODE)) throw new Error(`node id ${node} out of range`);
    if (this.n === this.nodes.length) {
      const grow = (a: Float64Array | Int32Array) => {
        const b = new (a.constructor as Float64ArrayConstructor | Int32ArrayConstructor)(a.length * 2);
        b.set(a);
        return b;
      };
      this.nodes = grow(this.nodes) as Float64Array;
      this.ends = grow(this.ends) as Int32Array;
    }
    this.tokens += length;
    this.nodes[this.n] = node;
    this.ends[this.n] = this.tokens;
    this.n++;
    return this;
  }

  /** Closes the current request. */
  endRequest(): void {
    this.starts.push(this.n);
    this.tokens = 0;
  }

  build(): SegmentTable {
    return new SegmentTable(Int32Array.from(this.starts), this.nodes.slice(0, this.n), this.ends.slice(0, this.n));
  }
}

/** Hands out node ids: shared ones interned by a name (so equal paths get equal ids), private ones fresh. */
export class NodeIds {
  private nextShared = 1;
  private nextPrivate = PRIVATE_NODE_BASE;
  private readonly names = new Map<string, number>();

  /** The id of the shared node called `name` (the same name, the same id). */
  shared(name: string): number {
    let id = this.names.get(name);
    if (id === undefined) {
      id = this.nextShared++;
      if (id >= PRIVATE_NODE_BASE) throw new Error('too many shared segments');
      this.names.set(name, id);
    }
    return id;
  }

  /** A new private node. */
  fresh(): number {
    if (this.nextPrivate > MAX_NODE) throw new Error('too many private segments');
    return this.nextPrivate++;
  }
}

export class BlockKeyLayout {
  constructor(readonly blockSize: number, readonly segments: SegmentTable) {}

  /** Key of the prefix of request r's sequence ending at token `t` (0-based, inclusive). */
  keyAt(r: number, t: number): number {
    const seg = this.segments;
    let s = seg.start[r];
    const last = seg.start[r + 1] - 1;
    while (s < last && seg.end[s] <= t) s++;
    if (t >= seg.end[s] || t < 0) throw new Error(`token ${t} beyond request ${r}'s ${seg.length(r)} tokens`);
    const segStart = s > seg.start[r] ? seg.end[s - 1] : 0;
    return seg.node[s] * OFFSET_SPAN + (t - segStart);
  }

  /** Key of full block `i` of request r (engine block size). */
  key(r: number, i: number): number {
    return this.keyAt(r, (i + 1) * this.blockSize - 1);
  }

  /** True for keys another request can match (only those are worth reporting to the router). */
  static isShared(key: number): boolean {
    return key < PRIVATE_KEY_BASE;
  }
}
