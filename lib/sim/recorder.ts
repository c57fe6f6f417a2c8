/**
 * Run-wide measurements the replicas feed while stepping: inter-token latencies (as weighted samples:
 * every request decoding in a step sees the same gap), output tokens per second, engine-side queue
 * peaks and the prefix-cache counters. A warm-up stage runs with `measuring` off: its ITL samples and
 * output tokens are not recorded (stages never overlap: the next starts when the last one drained).
 */
export class RunRecorder {
  /** ITL samples: value (s) and how many tokens saw it. */
  readonly itlValue: number[] = [];
  readonly itlWeight: number[] = [];
  /** Output tokens streamed per whole second of the run. */
  readonly outputTokensPerSecond: number[] = [];
  /** Sum over replicas of the engine waiting queues, its peak while measuring, and its peak in the current stage. */
  waitingTotal = 0;
  maxWaitingTotal = 0;
  stageMaxWaiting = 0;
  /** vllm:prefix_cache_queries_total / hits_total summed over replicas (tokens), whole run. */
  prefixQueries = 0;
  prefixHits = 0;
  preemptions = 0;
  steps = 0;
  /** Steps whose engine-core CPU time exceeded their GPU time (the host bound them). */
  cpuBoundSteps = 0;
  /** False during a warm-up stage. */
  measuring = true;

  addItl(value: number, weight: number): void {
    if (weight <= 0 || !this.measuring) return;
    this.itlValue.push(value);
    this.itlWeight.push(weight);
  }

  addOutputTokens(t: number, n: number): void {
    if (!this.measuring) return;
    const s = Math.floor(t);
    const a = this.outputTokensPerSecond;
    while (a.length <= s) a.push(0);
    a[s] += n;
  }

  changeWaiting(delta: number): void {
    this.waitingTotal += delta;
    if (this.measuring && this.waitingTotal > this.maxWaitingTotal) this.maxWaitingTotal = this.waitingTotal;
    if (this.waitingTotal > this.stageMaxWaiting) this.stageMaxWaiting = this.waitingTotal;
  }

  /** A stage starts: its queue peak starts from the current queue. */
  beginStage(measuring: boolean): void {
    this.measuring = measuring;
    this.stageMaxWaiting = this.waitingTotal;
    if (measuring && this.waitingTotal > this.maxWaitingTotal) this.maxWaitingTotal = this.waitingTotal;
  }
}
