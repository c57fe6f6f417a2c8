/**
 * Where the llm-d EPP gets a prompt's tokens (precise prefix scoring needs them), as a CPU server on the
 * request path:
 *  - today's llm-d (the router this project deploys): the token-producer plugin calls a vLLM render
 *    server (router.renderReplicas pods) for every request: per-request + per-token cost, FIFO per pod.
 *  - llm-d-kv-cache-manager up to v0.3 (llm-d 0.3, the 2025-09 "KV-Cache Wins" ladder): the EPP tokenises
 *    in-process, on a pool of `workersCount` goroutines (default 5, docs/configuration.md), and first asks
 *    its prefix store for the longest already-tokenised prefix: when that covers at least
 *    `minPrefixOverlapRatio` (default 0.8) of the prompt, it is reused and nothing is tokenised
 *    (pkg/tokenization/pool.go processTask at d070ea6, 2025-09-21). The store's LRU (cacheSize 500,000
 *    blocks of 256 characters) is far larger than any simulated workload, so it is not bounded here.
 *    A reused prefix is ALL the scorer gets: processTask returns FindLongestContainedTokens' tokens and
 *    never encodes the rest, so the precise scorer hashes only the stored prefix (`scored`). Only a
 *    prompt that was itself tokenised (the first of its prefix group) is scored whole when it returns.
 */
import type { SegmentTable } from './block-keys';
import { ServerPool } from './cpu-server';

export interface InProcessTokenizer {
  readonly workers: number;
  readonly minPrefixOverlapRatio: number;
}

/** llm-d-kv-cache-manager v0.3 defaults (docs/configuration.md "Tokenization Pool Configuration"). */
export const KV_CACHE_MANAGER_V03_TOKENIZER: InProcessTokenizer = { workers: 5, minPrefixOverlapRatio: 0.8 };

export class EppTokenizer {
  private readonly pool: ServerPool;
  /** Segment nodes of every prompt the prefix store holds, with when they landed there. */
  private readonly stored = new Map<number, number>();

  constructor(
    servers: number,
    private readonly requestSeconds: number,
    private readonly secondsPerToken: number,
    private readonly segments: SegmentTable,
    /** Per request: the prompt tokens handed to the scorer (RequestTable.eppTokens), written by serve(). */
    private readonly scored: Int32Array,
    private readonly inProcess?: InProcessTokenizer,
  ) {
    this.pool = new ServerPool(inProcess ? inProcess.workers : servers);
  }

  /**
   * Submits request r's prompt (promptLen tokens) at `now`; returns when the EPP has its tokens and
   * records in `scored[r]` how many of them (a reused prefix, or the whole prompt).
   */
  serve(now: number, r: number, promptLen: number): number {
    this.scored[r] = promptLen;
    if (!this.inProcess) return this.pool.serve(now, this.requestSeconds + this.secondsPerToken * promptLen);
    const covered = this.storedPrefix(r, promptLen, now);
    if (covered >= this.inProcess.minPrefixOverlapRatio * promptLen) {
      this.scored[r] = covered;
      return now;
    }
    // pool.go adds the tokenization to the store only once Encode returns.
    const done = this.pool.serve(now, this.secondsPerToken * promptLen);
    this.store(r, promptLen, done);
    return done;
  }

  get busySeconds(): number {
    return this.pool.busySeconds;
  }

  /** Tokens of r's prompt covered by leading segments some prompt stored by `now` had. */
  private storedPrefix(r: number, promptLen: number, now: number): number {
    const s = this.segments;
    let covered = 0;
    for (let i = s.start[r]; i < s.start[r + 1]; i++) {
      if (!this.storedBy(s.node[i], now)) break;
      covered = Math.min(s.end[i], promptLen);
      if (covered >= promptLen) break;
    }
    return covered;
  }

  private store(r: number, promptLen: number, at: number): void {
    const s = this.segments;
    let from = 0;
    for (let i = s.start[r]; i < s.start[r + 1] && from < promptLen; i++) {
      const node = s.node[i];
      if (!this.storedBy(node, at)) this.stored.set(node, at);
      from = s.end[i];
    }
  }

  /** Whether segment `node` is in the prefix store by time `t`. */
  private storedBy(node: number, t: number): boolean {
    return (this.stored.get(node) ?? Infinity) <= t;
  }
}
