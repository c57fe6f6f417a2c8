/**
 * The llm-d endpoint picker (EPP) as llm-d-router v0.10.0 runs it, for any EndpointPickerConfig the
 * parser (epp-config.ts) accepts. Per request: every producer a scorer reads computes its match info,
 * every scorer scores every pod, the picker chooses, then the producers record the decision
 * (PreRequest).
 *
 * Producers:
 *  - precise-prefix-cache-producer: per pod, the block keys its engine reported stored (BlockStored)
 *    and not yet removed (BlockRemoved), events arriving `kvEventLag` after the engine step that caused
 *    them. With speculativeIndexing, right after a decision the chosen pod gets speculative entries for
 *    the prompt's blocks; every decision schedules a TTL expiry that evicts the (pod, block,
 *    speculative) entry, the same entry every request re-adds, so an entry lives until the first expiry
 *    after it was added (preciseprefixcache/prerequest.go: ttlcache eviction -> index.Evict). A match is
 *    the longest run of leading full blocks held (confirmed or speculative).
 *  - approx-prefix-cache-producer (approximateprefix/plugin.go, indexer.go): the prompt hashed in blocks
 *    of max(64, block size) tokens, the last partial block included, at most maxBlocks; per pod an LRU
 *    of the hashes of the prompts routed to it (capacity: the pod's KV blocks with autoTune, else
 *    lruCapacityPerServer), updated right after each decision; a hash evicted from a pod's LRU stops
 *    matching it. A pod's match = the number of leading hashes it holds, walking while any pod holds
 *    the hash (matchLongestPrefix).
 *
 * Scorers: prefix-cache-scorer = matched / total blocks (+ matchLengthWeight x (matched tokens /
 * scale)^2); kv-cache-utilization-scorer = 1 - KV usage; queue-scorer = min-max normalised waiting
 * queue (all equal -> 1); active-request-scorer = (max - n) / max x maxBusyScore over the EPP's own
 * in-flight counts (<= idleThreshold -> 1); no-hit-lru-scorer: a request is cold when no pod matches a
 * block in its producer's match info; cold: pods that never took a cold request score 1 - i/(n-1) in
 * endpoint order, then the others by LRU age, floored at 0, and the chosen pod becomes the most recent
 * (the LRU holds at most lruSize pods); warm: 0.5 everywhere. Load scorers read the last /metrics
 * scrape. Picker: max-score (ties broken uniformly at random), random, weighted-random.
 */
import { BlockKeyLayout } from '../block-keys';
import { KV_EVENT_STORED } from '../kv-cache';
import type { RequestTable } from '../requests';
import type { Rng } from '../rng';
import { APPROX_MIN_BLOCK_SIZE, type ApproxProducerSpec, type EppRouterParams, type PreciseProducerSpec, type ScorerSpec } from './epp-config';
import type { MetricsSnapshot, Router } from './types';

/** KV events on their way to the EPP, in delivery order. */
export class KvEventQueue {
  private time: number[] = [];
  private replica: number[] = [];
  private op: number[] = [];
  private key: number[] = [];
  private head = 0;

  push(t: number, replica: number, op: number, key: number): void {
    this.time.push(t);
    this.replica.push(replica);
    this.op.push(op);
    this.key.push(key);
  }

  /** Hands every event due by `now` to `apply`, in order. */
  drain(now: number, apply: (replica: number, op: number, key: number) => void): void {
    let h = this.head;
    const n = this.time.length;
    while (h < n && this.time[h] <= now) {
      apply(this.replica[h], this.op[h], this.key[h]);
      h++;
    }
    this.head = h;
    if (h > 4096 && h * 2 > n) {
      this.time = this.time.slice(h);
      this.replica = this.replica.slice(h);
      this.op = this.op.slice(h);
      this.key = this.key.slice(h);
      this.head = 0;
    }
  }

  get pending(): number {
    return this.time.length - this.head;
  }
}

export interface LlmdRouterDeps {
  readonly replicas: number;
  readonly reqs: RequestTable;
  readonly layout: BlockKeyLayout;
  readonly metrics: MetricsSnapshot;
  readonly events: KvEventQueue;
  readonly rng: Rng;
  /** KV blocks per replica (what vllm:cache_config_info num_gpu_blocks reports; the approximate producer's autoTune capacity). */
  readonly kvBlocksPerReplica: number;
}

/** What a producer tells the scorers about one request. */
interface MatchInfo {
  /** Matched blocks per replica, in the producer's block size. */
  readonly matched: Int32Array;
  total: number;
  blockSize: number;
}

interface Producer {
  readonly name: string;
  readonly info: MatchInfo;
  match(req: number, now: number): void;
  record(req: number, chosen: number, now: number): void;
}

/** Speculative entries per (replica, key): decision times still waiting for their TTL expiry. */
class SpeculativeEntries {
  private readonly adds: Map<number, number[]>[];
  private readonly lastExpiry: Map<number, number>[];

  constructor(replicas: number, private readonly ttl: number) {
    this.adds = Array.from({ length: replicas }, () => new Map());
    this.lastExpiry = Array.from({ length: replicas }, () => new Map());
  }

  add(j: number, key: number, now: number): void {
    const list = this.adds[j].get(key);
    if (list) list.push(now);
    else this.adds[j].set(key, [now]);
  }

  live(j: number, key: number, now: number): boolean {
    const adds = this.adds[j].get(key);
    if (adds === undefined || adds.length === 0) return false;
    let drop = 0;
    while (drop < adds.length && adds[drop] + this.ttl <= now) drop++;
    if (drop > 0) {
      this.lastExpiry[j].set(key, adds[drop - 1] + this.ttl);
      adds.splice(0, drop);
    }
    return adds.length > 0 && adds[adds.length - 1] > (this.lastExpiry[j].get(key) ?? -Infinity);
  }
}

export class PreciseIndex implements Producer {
  readonly info: MatchInfo;
  readonly name: string;
  private readonly confirmed: Set<number>[];
  private readonly speculative: SpeculativeEntries;
  private readonly applyEvent = (replica: number, op: number, key: number): void => {
    if (op === KV_EVENT_STORED) this.confirmed[replica].add(key);
    else this.confirmed[replica].delete(key);
  };

  constructor(readonly spec: PreciseProducerSpec, private readonly d: LlmdRouterDeps) {
    this.name = spec.name;
    this.confirmed = Array.from({ length: d.replicas }, () => new Set<number>());
    this.speculative = new SpeculativeEntries(d.replicas, spec.speculativeTtlMs / 1000);
    this.info = { matched: new Int32Array(d.replicas), total: 0, blockSize: spec.blockSizeTokens };
  }

  /** Brings the index up to `now` (KV events delivered by then). */
  sync(now: number): void {
    this.d.events.drain(now, this.applyEvent);
  }

  match(req: number, now: number): void {
    this.sync(now);
    const engineBlock = this.d.layout.blockSize;
    // What the EPP tokenised: the whole prompt, or (llm-d 0.3) the stored prefix it reused.
    const scored = this.d.reqs.eppTokens[req];
    const eppBlock = this.spec.blockSizeTokens;
    const total = Math.floor(scored / eppBlock);
    this.info.total = total;
    for (let j = 0; j < this.d.replicas; j++) {
      const matched = this.spec.works && total > 0 ? this.matchedBlocks(j, req, now, scored) : 0;
      this.info.matched[j] = Math.min(total, Math.floor((matched * engineBlock) / eppBlock));
    }
  }

  /** Leading full engine blocks of the first `tokens` prompt tokens that replica `j` holds (confirmed or speculative). */
  matchedBlocks(j: number, req: number, now: number, tokens = this.d.reqs.promptLen[req]): number {
    const layout = this.d.layout;
    const full = Math.floor(tokens / layout.blockSize);
    const set = this.confirmed[j];
    let n = 0;
    for (; n < full; n++) {
      const key = layout.key(req, n);
      if (!BlockKeyLayout.isShared(key)) break; // only this request's own blocks from here on
      if (!set.has(key) && !(this.spec.speculativeIndexing && this.speculative.live(j, key, now))) break;
    }
    return n;
  }

  record(req: number, chosen: number, now: number): void {
    if (!this.spec.speculativeIndexing || !this.spec.works) return;
    const layout = this.d.layout;
    const full = Math.floor(this.d.reqs.promptLen[req] / layout.blockSize);
    for (let n = 0; n < full; n++) {
      const key = layout.key(req, n);
      if (!BlockKeyLayout.isShared(key)) break;
      this.speculative.add(chosen, key, now);
    }
  }

  /** Keys the index holds for replica `j` (confirmed ones). */
  indexedKeys(j: number): number {
    return this.confirmed[j].size;
  }
}

export class ApproxIndex implements Producer {
  readonly info: MatchInfo;
  readonly name: string;
  /** Per replica: hashes in LRU order (oldest first; Map insertion order). */
  private readonly lru: Map<number, true>[];
  readonly capacity: number;
  readonly blockSize: number;
  private readonly maxBlocks: number;
  private hashes: number[] = [];

  constructor(readonly spec: ApproxProducerSpec, private readonly d: LlmdRouterDeps) {
    this.name = spec.name;
    this.lru = Array.from({ length: d.replicas }, () => new Map());
    // autoTune reads block_size and num_gpu_blocks from vllm:cache_config_info; the floor is applied to any source.
    this.blockSize = Math.max(APPROX_MIN_BLOCK_SIZE, spec.autoTune ? d.layout.blockSize : spec.blockSizeTokens);
    this.capacity = spec.autoTune && d.kvBlocksPerReplica > 0 ? d.kvBlocksPerReplica : spec.lruCapacityPerServer;
    this.maxBlocks = spec.maxPrefixTokensToMatch > 0 ? Math.floor(spec.maxPrefixTokensToMatch / this.blockSize)
      : spec.maxPrefixBlocksToMatch === 0 ? Infinity : spec.maxPrefixBlocksToMatch;
    this.info = { matched: new Int32Array(d.replicas), total: 0, blockSize: this.blockSize };
  }

  /** Block hashes of the request's prompt (prefixhash.GetBlockHashes: partial last block included). */
  hashesOf(req: number): number[] {
    const len = this.d.reqs.promptLen[req];
    const n = Math.min(Math.ceil(len / this.blockSize), this.maxBlocks);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.d.layout.keyAt(req, Math.min((i + 1) * this.blockSize, len) - 1);
    return out;
  }

  match(req: number): void {
    this.hashes = this.hashesOf(req);
    const m = this.info.matched;
    m.fill(0);
    this.info.total = this.hashes.length;
    for (const h of this.hashes) {
      let any = false;
      for (let j = 0; j < this.d.replicas; j++) {
        if (this.lru[j].has(h)) {
          m[j]++;
          any = true;
        }
      }
      if (!any) break;
    }
  }

  record(_req: number, chosen: number): void {
    const lru = this.lru[chosen];
    for (const h of this.hashes) {
      if (lru.has(h)) lru.delete(h);
      lru.set(h, true);
      if (lru.size > this.capacity) lru.delete(lru.keys().next().value as number);
    }
  }

  /** Hashes held for replica j (tests). */
  held(j: number): number {
    return this.lru[j].size;
  }
}

/** no-hit-lru-scorer state: replicas in the order they last took a cold request (oldest first). */
class ColdLru {
  readonly order: number[] = [];

  constructor(private readonly replicas: number, private readonly size: number) {}

  score(j: number): number {
    const n = this.replicas;
    if (n <= 1) return 1;
    const used = this.order.length;
    const pos = this.order.indexOf(j);
    let rank: number;
    if (pos < 0) {
      rank = 0;
      for (let k = 0; k < j; k++) if (!this.order.includes(k)) rank++;
    } else {
      rank = n - used + pos;
    }
    return Math.max(0, 1 - rank / (n - 1));
  }

  touch(j: number): void {
    const at = this.order.indexOf(j);
    if (at >= 0) this.order.splice(at, 1);
    this.order.push(j);
    if (this.order.length > this.size) this.order.shift();
  }
}

export class LlmdRouter implements Router {
  readonly producers = new Map<string, Producer>();
  private readonly cold = new Map<string, ColdLru>();
  private readonly score: Float64Array;
  private readonly inFlight: Float64Array;
  private readonly routedTo = new Map<number, number>();
  /** Routing decisions per replica (the epp_picks series). */
  readonly picks: Float64Array;

  constructor(readonly params: EppRouterParams, private readonly d: LlmdRouterDeps) {
    for (const p of params.producers) this.producers.set(p.name, p.kind === 'precise' ? new PreciseIndex(p, d) : new ApproxIndex(p, d));
    for (const s of params.scorers) if (s.type === 'no-hit-lru') this.cold.set(s.name, new ColdLru(d.replicas, s.lruSize));
    this.score = new Float64Array(d.replicas);
    this.inFlight = new Float64Array(d.replicas);
    this.picks = new Float64Array(d.replicas);
  }

  /** True when some producer consumes vLLM KV events (the engines must record them). */
  get needsKvEvents(): boolean {
    return this.params.producers.some((p) => p.kind === 'precise');
  }

  /** The precise index (tests, debugging). */
  precise(): PreciseIndex | undefined {
    return [...this.producers.values()].find((p): p is PreciseIndex => p instanceof PreciseIndex);
  }

  approx(): ApproxIndex | undefined {
    return [...this.producers.values()].find((p): p is ApproxIndex => p instanceof ApproxIndex);
  }

  pick(req: number, now: number): number {
    const { metrics, replicas } = this.d;
    for (const p of this.producers.values()) p.match(req, now);
    // Any precise index must still digest the events due by now even when no scorer ran it this time.
    let minQ = Infinity;
    let maxQ = -Infinity;
    let maxActive = 0;
    for (let j = 0; j < replicas; j++) {
      const w = metrics.waiting[j];
      if (w < minQ) minQ = w;
      if (w > maxQ) maxQ = w;
      if (this.inFlight[j] > maxActive) maxActive = this.inFlight[j];
    }
    const coldOf = new Map<string, boolean>();
    for (const s of this.params.scorers) {
      if (s.type !== 'no-hit-lru') continue;
      const info = s.producer ? this.producers.get(s.producer)?.info : undefined;
      let isCold = true;
      if (info) for (let j = 0; j < replicas; j++) if (info.matched[j] > 0) isCold = false;
      coldOf.set(s.name, isCold);
    }
    let best = -Infinity;
    for (let j = 0; j < replicas; j++) {
      let total = 0;
      for (const s of this.params.scorers) total += s.weight * this.scoreOf(s, j, minQ, maxQ, maxActive, coldOf);
      this.score[j] = total;
      if (total > best) best = total;
    }
    const chosen = this.choose(best);
    this.picks[chosen]++;
    this.inFlight[chosen]++;
    this.routedTo.set(req, chosen);
    for (const [name, lru] of this.cold) if (coldOf.get(name)) lru.touch(chosen);
    for (const p of this.producers.values()) p.record(req, chosen, now);
    return chosen;
  }

  private scoreOf(s: ScorerSpec, j: number, minQ: number, maxQ: number, maxActive: number, coldOf: Map<string, boolean>): number {
    const m = this.d.metrics;
    switch (s.type) {
      case 'prefix': {
        const info = s.producer ? this.producers.get(s.producer)?.info : undefined;
        if (!info || info.total === 0) return 0;
        const ratio = info.matched[j] / info.total;
        if (s.matchLengthWeight <= 0) return ratio;
        const len = Math.min(1, (info.matched[j] * info.blockSize) / s.matchLengthScaleTokens);
        return s.matchLengthWeight * len * len + (1 - s.matchLengthWeight) * ratio;
      }
      case 'kv-utilization': return 1 - m.kvUsage[j];
      case 'queue': return maxQ === minQ ? 1 : (maxQ - m.waiting[j]) / (maxQ - minQ);
      case 'active-request': {
        const n = this.inFlight[j];
        if (n <= s.idleThreshold) return 1;
        return maxActive > 0 ? ((maxActive - n) / maxActive) * s.maxBusyScore : 1;
      }
      default: return coldOf.get(s.name) ? this.cold.get(s.name)!.score(j) : 0.5;
    }
  }

  release(req: number): void {
    const j = this.routedTo.get(req);
    if (j === undefined) return;
    this.routedTo.delete(req);
    this.inFlight[j]--;
  }

  /** Drains KV events due by `now` into every precise index (called on each engine step too). */
  sync(now: number): void {
    for (const p of this.producers.values()) if (p instanceof PreciseIndex) p.sync(now);
  }

  private choose(best: number): number {
    const n = this.d.replicas;
    const rng = this.d.rng;
    if (this.params.picker === 'random') return rng.int(n);
    if (this.params.picker === 'weighted-random') {
      let total = 0;
      for (let j = 0; j < n; j++) total += Math.max(0, this.score[j]);
      if (total <= 0) return rng.int(n);
      let x = rng.next() * total;
      for (let j = 0; j < n; j++) {
        x -= Math.max(0, this.score[j]);
        if (x < 0) return j;
      }
      return n - 1;
    }
    // max-score-picker: shuffle then stable sort == uniform choice among the maxima.
    let ties = 0;
    let pickIdx = -1;
    for (let j = 0; j < n; j++) {
      if (this.score[j] === best) {
        ties++;
        if (rng.int(ties) === 0) pickIdx = j;
      }
    }
    return pickIdx;
  }
}
