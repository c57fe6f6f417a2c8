/**
 * The llm-d endpoint picker (EPP) with the precise prefix-cache producer, as llm-d-router v0.10.0
 * runs it:
 *
 *  - KV-block index: per pod, the block keys its engine reported as stored (BlockStored) and not yet
 *    removed (BlockRemoved); events arrive `kvEventLag` after the engine step that caused them.
 *  - Speculative indexing (`speculativeIndexing: true`): right after a routing decision the producer
 *    adds the request's prompt blocks for the chosen pod as speculative entries, so the next request of
 *    the same prefix follows it before any KV event lands. Each decision schedules a TTL expiry that
 *    evicts the (pod, speculative) entry, the same entry every request of that prefix re-adds; so the
 *    entry disappears at the first expiry after it was added, until the next decision re-adds it.
 *  - prefix-cache-scorer: longest run of leading blocks the pod holds / blocks of the prompt (full
 *    blocks only), optionally blended with a squared match-length term (matchLengthWeight).
 *  - kv-cache-utilization-scorer: 1 - vllm:kv_cache_usage_perc; queue-scorer: min-max normalised
 *    vllm:num_requests_waiting (all equal -> 1). Both read the last metrics scrape.
 *  - no-hit-lru-scorer (llm-d-router v0.10.0 `scorer/nohitlru/no_hit_lru.go`): a request is cold when
 *    no pod matches a single block in the precise producer's match info (or there is none: then every
 *    request is cold). Cold: pods that never took a cold request score 1 - i/(n-1) in endpoint order,
 *    then the others by LRU age (rank = never-used count + LRU position, oldest first), floored at 0;
 *    after the decision the chosen pod becomes the most recent (PreRequest), the LRU holding at most
 *    `lruSize` pods. Warm: 0.5 for every pod, no LRU update.
 *  - score = sum of weight x score; max-score-picker: highest score, ties broken uniformly at random.
 *
 * Modelled at prefix granularity where that is exact for this workload: every request of one prefix
 * has the same shared blocks, speculative entries are added and evicted per request for all of them,
 * and private (suffix/output) blocks can never match another request.
 */
import type { BlockKeyLayout } from '../block-keys';
import { KV_EVENT_STORED } from '../kv-cache';
import type { RequestTable } from '../requests';
import type { Rng } from '../rng';
import type { EppRouterParams } from './epp-config';
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
  readonly numPrefixes: number;
  readonly reqs: RequestTable;
  readonly layout: BlockKeyLayout;
  readonly metrics: MetricsSnapshot;
  readonly events: KvEventQueue;
  readonly rng: Rng;
}

export class LlmdRouter implements Router {
  private readonly confirmed: Set<number>[];
  /** Speculative adds per (replica, prefix): decision times still waiting for their TTL expiry. */
  private readonly specAdds: (number[] | undefined)[];
  private readonly specLastExpiry: Float64Array;
  private readonly ttl: number;
  private readonly score: Float64Array;
  private readonly match: Int32Array;
  private readonly applyEvent = (replica: number, op: number, key: number): void => {
    if (op === KV_EVENT_STORED) this.confirmed[replica].add(key);
    else this.confirmed[replica].delete(key);
  };
  /** Routing decisions per replica (the epp_picks series). */
  readonly picks: Float64Array;
  /** no-hit-lru: replicas in the order they last took a cold request (oldest first). */
  private readonly coldLru: number[] = [];

  constructor(readonly params: EppRouterParams, private readonly d: LlmdRouterDeps) {
    this.confirmed = Array.from({ length: d.replicas }, () => new Set<number>());
    this.specAdds = new Array<number[] | undefined>(d.replicas * d.numPrefixes);
    this.specLastExpiry = new Float64Array(d.replicas * d.numPrefixes).fill(-Infinity);
    this.ttl = params.speculativeTtlMs / 1000;
    this.score = new Float64Array(d.replicas);
    this.match = new Int32Array(d.replicas);
    this.picks = new Float64Array(d.replicas);
  }

  pick(req: number, now: number): number {
    const { reqs, layout, metrics, replicas } = this.d;
    const p = this.params;
    this.d.events.drain(now, this.applyEvent);
    const prefix = reqs.prefix[req];
    const promptLen = reqs.promptLen[req];
    const engineBlock = layout.blockSize;
    const eppBlock = p.blockSizeTokens;
    const totalBlocks = Math.floor(promptLen / eppBlock);
    const shared = Math.min(layout.sharedBlocks, Math.floor(promptLen / engineBlock));

    let minQ = Infinity;
    let maxQ = -Infinity;
    for (let j = 0; j < replicas; j++) {
      const w = metrics.waiting[j];
      if (w < minQ) minQ = w;
      if (w > maxQ) maxQ = w;
    }
    // Both scorers read the same match info of the precise producer (the parser enforces one index).
    const prefixScoring = p.prefixScoresWork && totalBlocks > 0 && p.weights.prefix > 0;
    const lruSeesMatches = p.noHitLruSeesMatches && totalBlocks > 0 && p.weights.noHitLru > 0;
    let cold = true;
    for (let j = 0; j < replicas; j++) {
      const matched = prefixScoring || lruSeesMatches ? this.matchedBlocks(j, req, prefix, shared, now) : 0;
      this.match[j] = matched;
      if (lruSeesMatches && Math.floor((matched * engineBlock) / eppBlock) > 0) cold = false;
    }
    let best = -Infinity;
    for (let j = 0; j < replicas; j++) {
      let s = 0;
      if (prefixScoring) {
        const matched = this.match[j];
        const eppMatched = Math.min(totalBlocks, Math.floor((matched * engineBlock) / eppBlock));
        const ratio = eppMatched / totalBlocks;
        let prefixScore = ratio;
        if (p.matchLengthWeight > 0) {
          const len = Math.min(1, (eppMatched * eppBlock) / p.matchLengthScaleTokens);
          prefixScore = p.matchLengthWeight * len * len + (1 - p.matchLengthWeight) * ratio;
        }
        s += p.weights.prefix * prefixScore;
      }
      if (p.weights.kvUtilization > 0) s += p.weights.kvUtilization * (1 - metrics.kvUsage[j]);
      if (p.weights.queue > 0) s += p.weights.queue * (maxQ === minQ ? 1 : (maxQ - metrics.waiting[j]) / (maxQ - minQ));
      if (p.weights.noHitLru > 0) s += p.weights.noHitLru * (cold ? this.coldLruScore(j) : 0.5);
      this.score[j] = s;
      if (s > best) best = s;
    }
    const chosen = this.choose(best);
    this.picks[chosen]++;
    if (cold && p.weights.noHitLru > 0) {
      const at = this.coldLru.indexOf(chosen);
      if (at >= 0) this.coldLru.splice(at, 1);
      this.coldLru.push(chosen);
      if (this.coldLru.length > p.lruSize) this.coldLru.shift();
    }
    // The producer records the routed prompt whichever scorer reads it (its own PreRequest).
    if (p.speculativeIndexing && p.indexWorks) (this.specAdds[chosen * this.d.numPrefixes + prefix] ??= []).push(now);
    return chosen;
  }

  release(): void {}

  /** Leading blocks of the request's prompt that replica `j` holds in the index (confirmed or speculative). */
  matchedBlocks(j: number, req: number, prefix: number, shared: number, now: number): number {
    if (this.speculativeLive(j, prefix, now)) return shared;
    const set = this.confirmed[j];
    const layout = this.d.layout;
    let n = 0;
    while (n < shared && set.has(layout.key(req, prefix, n))) n++;
    return n;
  }

  /** no-hit-lru score of replica j: never-used replicas first (in replica order), then oldest used. */
  private coldLruScore(j: number): number {
    const n = this.d.replicas;
    if (n <= 1) return 1;
    const used = this.coldLru.length;
    const pos = this.coldLru.indexOf(j);
    let rank: number;
    if (pos < 0) {
      rank = 0;
      for (let k = 0; k < j; k++) if (!this.coldLru.includes(k)) rank++;
    } else {
      rank = n - used + pos;
    }
    return Math.max(0, 1 - rank / (n - 1));
  }

  /** Keys the index holds for replica `j` (confirmed ones). */
  indexedKeys(j: number): number {
    return this.confirmed[j].size;
  }

  private speculativeLive(j: number, prefix: number, now: number): boolean {
    const idx = j * this.d.numPrefixes + prefix;
    const adds = this.specAdds[idx];
    if (adds === undefined || adds.length === 0) return false;
    let drop = 0;
    while (drop < adds.length && adds[drop] + this.ttl <= now) drop++;
    if (drop > 0) {
      this.specLastExpiry[idx] = adds[drop - 1] + this.ttl;
      adds.splice(0, drop);
    }
    return adds.length > 0 && adds[adds.length - 1] > this.specLastExpiry[idx];
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
