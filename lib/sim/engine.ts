/**
 * One vLLM replica: the V1 scheduler (vllm/v1/core/sched/scheduler.py) over a BlockPool.
 *
 * A step, as vLLM does it:
 *  1. RUNNING requests first, in admission order: a decode gets 1 token, an unfinished prefill its
 *     next chunk, all within the step's token budget (max-num-batched-tokens). When the KV cache has no
 *     block for a request, the most recently admitted running request is preempted (blocks freed,
 *     recomputed later, re-queued at the FRONT of the waiting queue); a request that cannot be served
 *     even after preempting everything behind it ends the loop.
 *  2. Only when nothing was preempted: WAITING requests FCFS while budget and max-num-seqs allow. Each
 *     looks up its longest cached prefix (full blocks, at most prompt - 1 tokens), then needs blocks for
 *     the chunk it computes now (chunked prefill; nothing is reserved for future decode tokens), and
 *     with reserveFullPrompt the whole prompt must fit the free blocks. A head that does not fit blocks
 *     the queue until a later step.
 *  3. Blocks that this step fills are registered in the prefix cache at schedule time (hittable at once).
 *  4. At the end of the step every request whose known tokens are all computed samples one token; a
 *     request with all its output tokens finishes and frees its blocks tail first.
 *
 * Counters follow vLLM's: prefix-cache queries/hits in tokens, counted on every lookup (or only at
 * admission, `statsMode`), excluding requests that were preempted before; KV usage = referenced blocks.
 *
 * Outputs reach the client through the replica's API server (cpu-server.ts): each step's tokens are
 * one job of (tokens x per-token cost) on its FIFO, so streaming lags the engine when the API server is
 * busy. With async scheduling (`lingerOneStep`) a request that sampled its last token was already
 * scheduled into the next step: it keeps its slot and KV for that (wasted) step and is freed after it.
 */
import type { BlockKeyLayout } from './block-keys';
import type { StreamServer } from './cpu-server';
import { BlockPool } from './kv-cache';
import type { RunRecorder } from './recorder';
import { RequestDeque, type RequestTable } from './requests';
import { StepTimeModel } from './step-time';

export interface EngineLimits {
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly blockSize: number;
  readonly statsMode: 'every-lookup' | 'admission';
  /**
   * vLLM's --scheduler-reserve-full-isl (default on since vLLM PR 37307, spring 2026): a waiting
   * request is admitted only when its WHOLE prompt fits the free blocks, not just its first chunk.
   */
  readonly reserveFullPrompt: boolean;
}

/** Told when a request has streamed its last token (t: when the client has it). */
export type FinishListener = (req: number, t: number) => void;

/** How a replica's outputs reach the client: its API server(s) and the CPU seconds per streamed token. */
export interface OutputPath {
  readonly server: StreamServer;
  readonly secondsPerToken: number;
  /** Async scheduling's one-step lag: finished requests are freed one step later. */
  readonly lingerOneStep: boolean;
}

export class Replica {
  readonly pool: BlockPool;
  readonly waiting: RequestDeque;
  /** Requests that arrived while a step was running; the engine takes them in before the next step. */
  private inbox: number[] = [];
  /**
   * Async scheduling: arrivals of the step that just ended, kept out of the step that starts now. With
   * a batch queue of 2, vLLM's engine core schedules step n+1 as soon as step n is dispatched (vllm/v1/
   * engine/core.py step_with_batch_queue: "fulfilling the batch queue has a higher priority than
   * getting model outputs") and adds new requests from its input queue between the two, so a request
   * that arrives while step n runs is first scheduled in step n+2 when step n+1 had work.
   */
  private deferred: number[] = [];
  private readonly running: Int32Array;
  private runningLen = 0;
  private readonly schedReq: Int32Array;
  private readonly schedTok: Int32Array;
  private nSched = 0;
  private readonly hitScratch: Int32Array;
  private readonly finished: number[] = [];
  busy = false;
  stepStart = 0;
  stepEnd = 0;
  /** What /metrics showed after the last step (vLLM updates its gauges once per step). */
  publishedWaiting = 0;
  publishedRunning = 0;
  publishedUsage = 0;
  /** Per-replica counters (vllm:prefix_cache_queries_total / hits_total, preemptions). */
  prefixQueries = 0;
  prefixHits = 0;
  preemptions = 0;
  /** Seconds spent stepping, and the GPU's share of them (gpu_utilization). */
  busySeconds = 0;
  gpuSeconds = 0;
  /** When the client saw the last step's tokens (all tokens of a step are streamed by one API job). */
  private lastVisible = NaN;
  /** Time-weighted KV usage: sum of usage x seconds, and a 1/1000 histogram of it. */
  usageSeconds = 0;
  readonly usageHistogram = new Float64Array(1001);
  private usageSince = 0;
  private usageNow = 0;

  constructor(
    readonly id: number,
    numBlocks: number,
    private readonly limits: EngineLimits,
    private readonly reqs: RequestTable,
    private readonly layout: BlockKeyLayout,
    private readonly stepTime: StepTimeModel,
    private readonly recorder: RunRecorder,
    private readonly onFinish: FinishListener,
    recordKvEvents: boolean,
    private readonly output: OutputPath,
  ) {
    this.pool = new BlockPool(numBlocks, recordKvEvents);
    this.waiting = new RequestDeque(reqs.count + 1);
    const cap = Math.max(limits.maxNumSeqs, 1) + 1;
    this.running = new Int32Array(Math.min(cap, reqs.count + 1));
    this.schedReq = new Int32Array(this.running.length + 1);
    this.schedTok = new Int32Array(this.running.length + 1);
    this.hitScratch = new Int32Array(reqs.maxBlocksPerRequest);
  }

  /** sim.vllmAsyncScheduling (the same flag as the one-step output lag). */
  private get asyncScheduling(): boolean {
    return this.output.lingerOneStep;
  }

  get numRunning(): number {
    return this.runningLen;
  }

  get numWaiting(): number {
    return this.waiting.length + this.inbox.length + this.deferred.length;
  }

  /** Ids of the running requests, in admission order (for tests). */
  runningIds(): number[] {
    return Array.from(this.running.subarray(0, this.runningLen));
  }

  /** A request reaches the engine. Returns true when the caller must start a step now (idle engine). */
  arrive(r: number, now = 0): boolean {
    this.reqs.replica[r] = this.id;
    this.reqs.engineArrival[r] = now;
    this.recorder.changeWaiting(1);
    if (this.busy) {
      this.inbox.push(r);
      return false;
    }
    this.waiting.pushBack(r);
    return true;
  }

  /**
   * Schedules and starts a step at `now`. Returns its end time, or -1 when there is nothing to do
   * (the engine goes idle until the next arrival).
   */
  startStep(now: number): number {
    this.admit(this.deferred);
    if (this.asyncScheduling && this.runningLen > 0) {
      // This step was scheduled while the previous one ran: this step's arrivals wait for the next.
      const empty = this.deferred;
      this.deferred = this.inbox;
      this.inbox = empty;
    } else {
      this.admit(this.inbox);
    }
    let duration = this.schedule();
    // Nothing to run but deferred arrivals: vLLM would have scheduled them (no step n+1 was queued).
    if (duration < 0 && this.deferred.length > 0) {
      this.admit(this.deferred);
      duration = this.schedule();
    }
    // A step that preempted every running request admits nothing; vLLM's next step admits. Run it now.
    if (duration < 0 && this.waiting.length > 0) duration = this.schedule();
    this.trackUsage(now);
    if (duration < 0) {
      this.busy = false;
      this.publish();
      return -1;
    }
    this.busy = true;
    this.stepStart = now;
    this.stepEnd = now + duration;
    this.busySeconds += duration;
    this.gpuSeconds += this.stepTime.lastGpuSeconds;
    this.recorder.steps++;
    if (this.stepTime.lastCpuSeconds > this.stepTime.lastDeviceSeconds) this.recorder.cpuBoundSteps++;
    return this.stepEnd;
  }

  /** Moves `arrivals` (emptied) to the back of the waiting queue, in order. */
  private admit(arrivals: number[]): void {
    for (let i = 0; i < arrivals.length; i++) this.waiting.pushBack(arrivals[i]);
    arrivals.length = 0;
  }

  /** Applies the outputs of the step that ends at `now` (tokens, finished requests). */
  finishStep(now: number): void {
    const q = this.reqs;
    const recorder = this.recorder;
    // Tokens sampled by this step, and the API-server job that streams them: one SSE chunk per request
    // whose previous chunk is out; a token whose request still has a chunk queued joins that chunk
    // (vLLM V1 RequestOutputCollector merges outputs when the producer gets ahead of the consumer).
    let emitted = 0;
    let chunks = 0;
    for (let k = 0; k < this.nSched; k++) {
      const r = this.schedReq[k];
      if (this.schedTok[k] >= 0 && q.numComputed[r] + this.schedTok[k] >= q.numTokens[r]) {
        emitted++;
        if (!(q.lastTokenTime[r] > now)) chunks++;
      }
    }
    const visible = chunks > 0 ? this.output.server.stream(now, chunks * this.output.secondsPerToken) : now;
    const previous = this.lastVisible;
    let regular = 0;
    let anyFreed = false;
    for (let k = 0; k < this.nSched; k++) {
      const r = this.schedReq[k];
      if (this.schedTok[k] < 0) {
        // A finished request held one extra step by async scheduling: free it now.
        this.free(r);
        anyFreed = true;
        continue;
      }
      q.numComputed[r] += this.schedTok[k];
      if (q.numComputed[r] < q.numTokens[r]) continue; // a prefill chunk that is not the last one
      const merged = q.lastTokenTime[r] > now;
      q.generated[r]++;
      q.numTokens[r]++;
      if (q.generated[r] === 1) {
        q.firstTokenTime[r] = visible;
        q.engineFirstToken[r] = now;
      } else if (merged) {
        // rides the request's queued chunk: no new chunk, no inter-chunk gap
      } else if (q.lastTokenTime[r] === previous) {
        regular++;
      } else {
        recorder.addItl(visible - q.lastTokenTime[r], 1);
      }
      if (!merged) q.lastTokenTime[r] = visible;
      if (q.generated[r] >= q.outputLen[r]) {
        q.finishTime[r] = q.lastTokenTime[r];
        this.finished.push(r);
        if (this.output.lingerOneStep) {
          q.lingering[r] = 1;
        } else {
          this.free(r);
          anyFreed = true;
        }
      }
    }
    if (regular > 0) recorder.addItl(visible - previous, regular);
    if (emitted > 0) {
      recorder.addOutputTokens(visible, emitted);
      this.lastVisible = visible;
    }
    if (anyFreed) {
      let w = 0;
      for (let i = 0; i < this.runningLen; i++) {
        const r = this.running[i];
        if (q.blocks[r] === null && q.finishTime[r] === q.finishTime[r]) continue; // finished and freed
        this.running[w++] = r;
      }
      this.runningLen = w;
    }
    this.nSched = 0;
    this.busy = false;
    this.trackUsage(now);
    this.publish();
    if (this.finished.length > 0) {
      for (let k = 0; k < this.finished.length; k++) this.onFinish(this.finished[k], q.finishTime[this.finished[k]]);
      this.finished.length = 0;
    }
  }

  /** Frees the blocks of a finished request. */
  private free(r: number): void {
    const q = this.reqs;
    if (q.numBlocks[r] > 0) this.pool.freeBlocks(q.tableOf(r), q.numBlocks[r]);
    q.numBlocks[r] = 0;
    q.numCachedBlocks[r] = 0;
    q.releaseTable(r);
    q.lingering[r] = 0;
  }

  /** Time-weighted KV usage bookkeeping; call whenever usage may have changed. */
  private trackUsage(now: number): void {
    const dt = now - this.usageSince;
    if (dt > 0) {
      this.usageSeconds += this.usageNow * dt;
      this.usageHistogram[Math.round(this.usageNow * 1000)] += dt;
    }
    this.usageSince = now;
    this.usageNow = this.pool.usage;
  }

  /** Closes the usage integral at the end of the run. */
  closeUsage(now: number): void {
    this.trackUsage(now);
  }

  private publish(): void {
    this.publishedWaiting = this.waiting.length;
    this.publishedRunning = this.runningLen;
    this.publishedUsage = this.pool.usage;
  }

  /** One scheduler pass. Returns the step duration, or -1 when nothing was scheduled. */
  private schedule(): number {
    const q = this.reqs;
    const B = this.limits.blockSize;
    let budget = this.limits.maxNumBatchedTokens;
    let preempted = false;
    let tokens = 0;
    let decodeContext = 0;
    let prefillWork = 0;
    let mixed = false;
    // Output tokens so far of the longest-running request: the sampler's penalty pass pads to it.
    let longestOutput = 0;
    this.nSched = 0;

    // 1. Running requests.
    let i = 0;
    while (i < this.runningLen && budget > 0) {
      const r = this.running[i];
      const computed = q.numComputed[r];
      if (q.lingering[r] === 1) {
        // Already finished; async scheduling runs its decode once more before anyone knows.
        this.schedReq[this.nSched] = r;
        this.schedTok[this.nSched++] = -1;
        budget -= 1;
        tokens += 1;
        decodeContext += computed + 1;
        if (computed + 1 - q.promptLen[r] > longestOutput) longestOutput = computed + 1 - q.promptLen[r];
        i++;
        continue;
      }
      let n = q.numTokens[r] - computed;
      if (n > budget) n = budget;
      let scheduled = true;
      // Fast path (most decodes): no new block needed and no block becomes full.
      const upto = computed + n;
      const needsWork = upto > q.numBlocks[r] * B || Math.floor((upto < q.numTokens[r] ? upto : q.numTokens[r]) / B) > q.numCachedBlocks[r];
      while (needsWork && !this.allocateSlots(r, computed, n, 0)) {
        const victim = this.running[--this.runningLen];
        if (q.lingering[victim] === 1) {
          this.free(victim); // finished: its blocks go back, nothing to recompute
          continue;
        }
        this.preempt(victim);
        preempted = true;
        if (victim === r) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      this.schedReq[this.nSched] = r;
      this.schedTok[this.nSched++] = n;
      budget -= n;
      tokens += n;
      if (n === 1 && computed >= q.promptLen[r]) decodeContext += computed + 1;
      else prefillWork += this.stepTime.prefillWork(n, computed);
      if (upto - q.promptLen[r] > longestOutput) longestOutput = upto - q.promptLen[r];
      if (n > 1) mixed = true;
      i++;
    }

    // 2. Waiting requests, only when this step preempted nothing.
    if (!preempted) {
      const every = this.limits.statsMode === 'every-lookup';
      while (this.waiting.length > 0 && budget > 0 && this.runningLen < this.limits.maxNumSeqs) {
        const r = this.waiting.peek();
        const total = q.numTokens[r];
        const hitBlocks = this.lookup(r);
        const hitTokens = hitBlocks * B;
        if (every) this.countLookup(r, total, hitTokens);
        let n = total - hitTokens;
        if (n > budget) n = budget;
        if (this.limits.reserveFullPrompt && !this.fullPromptFits(r, hitBlocks)) break;
        if (!this.allocateSlots(r, hitTokens, n, hitBlocks)) break;
        if (!every) this.countLookup(r, total, hitTokens);
        this.waiting.popFront();
        this.recorder.changeWaiting(-1);
        q.numComputed[r] = hitTokens;
        this.running[this.runningLen++] = r;
        this.schedReq[this.nSched] = r;
        this.schedTok[this.nSched++] = n;
        budget -= n;
        tokens += n;
        prefillWork += this.stepTime.prefillWork(n, hitTokens);
        if (n > 1) mixed = true;
      }
    }
    if (this.nSched === 0) return -1;
    return this.stepTime.duration(tokens, this.nSched, decodeContext, prefillWork, mixed, longestOutput);
  }

  /** Longest run of cached leading blocks of `r` (at most numTokens - 1 tokens); fills hitScratch. */
  private lookup(r: number): number {
    const q = this.reqs;
    const max = Math.floor((q.numTokens[r] - 1) / this.limits.blockSize);
    let n = 0;
    while (n < max) {
      const b = this.pool.blockOf(this.layout.key(r, n));
      if (b < 0) break;
      this.hitScratch[n++] = b;
    }
    return n;
  }

  /** Free blocks can hold all of r's known tokens beyond the `hitBlocks` cached ones (plus those hits). */
  private fullPromptFits(r: number, hitBlocks: number): boolean {
    const pool = this.pool;
    let evictableHits = 0;
    for (let k = 0; k < hitBlocks; k++) if (pool.isFree(this.hitScratch[k])) evictableHits++;
    const fresh = Math.ceil(this.reqs.numTokens[r] / this.limits.blockSize) - hitBlocks;
    return fresh + evictableHits <= pool.numFree;
  }

  private countLookup(r: number, queried: number, hit: number): void {
    const q = this.reqs;
    if (q.lookedUp[r] === 0) {
      q.lookedUp[r] = 1;
      q.firstLookupQuery[r] = queried;
      q.firstLookupHit[r] = hit;
    }
    if (q.preemptions[r] > 0) return; // vLLM counts those separately (preempted_queries/hits)
    this.prefixQueries += queried;
    this.prefixHits += hit;
    this.recorder.prefixQueries += queried;
    this.recorder.prefixHits += hit;
  }

  /**
   * vLLM's allocate_slots: make room for `computed + n` tokens of `r`, first taking the `hitBlocks`
   * cached blocks in hitScratch. Fails (changing nothing) when the free queue cannot supply the new
   * blocks plus the cached hits that currently sit in it. Registers newly filled blocks.
   */
  private allocateSlots(r: number, computed: number, n: number, hitBlocks: number): boolean {
    const q = this.reqs;
    const pool = this.pool;
    const B = this.limits.blockSize;
    const held = q.numBlocks[r] + hitBlocks;
    const required = Math.ceil((computed + n) / B);
    const fresh = required > held ? required - held : 0;
    if (fresh > 0 || hitBlocks > 0) {
      let evictableHits = 0;
      for (let k = 0; k < hitBlocks; k++) if (pool.isFree(this.hitScratch[k])) evictableHits++;
      if (fresh + evictableHits > pool.numFree) return false;
      const table = q.tableOf(r);
      let len = q.numBlocks[r];
      for (let k = 0; k < hitBlocks; k++) {
        const b = this.hitScratch[k];
        pool.touch(b);
        table[len++] = b;
      }
      if (hitBlocks > 0) q.numCachedBlocks[r] = hitBlocks;
      for (let k = 0; k < fresh; k++) table[len++] = pool.allocate();
      q.numBlocks[r] = len;
    }
    // Register the blocks this step fills (only known tokens can fill a block).
    let upto = computed + n;
    if (upto > q.numTokens[r]) upto = q.numTokens[r];
    const full = Math.floor(upto / B);
    let cachedBlocks = q.numCachedBlocks[r];
    if (full > cachedBlocks) {
      const table = q.tableOf(r);
      for (; cachedBlocks < full; cachedBlocks++) pool.cache(table[cachedBlocks], this.layout.key(r, cachedBlocks));
      q.numCachedBlocks[r] = cachedBlocks;
    }
    return true;
  }

  /** Preemption by recompute: free everything, forget progress, re-queue at the front. */
  private preempt(r: number): void {
    const q = this.reqs;
    if (q.numBlocks[r] > 0) this.pool.freeBlocks(q.tableOf(r), q.numBlocks[r]);
    q.numBlocks[r] = 0;
    q.numCachedBlocks[r] = 0;
    q.numComputed[r] = 0;
    q.preemptions[r]++;
    this.preemptions++;
    this.recorder.preemptions++;
    this.waiting.pushFront(r);
    this.recorder.changeWaiting(1);
  }
}
