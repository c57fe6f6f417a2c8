/**
 * Run-wide measurements the replicas feed while stepping: inter-token latencies (as weighted samples:
 * every request decoding in a step sees the same gap), output tokens per second, engine-side queue
 * peaks and the prefix-cache counters.
 */
export class RunRecorder {
  /** ITL samples: value (s) and how many tokens saw it. */
  readonly itlValue: number[] = [];
  readonly itlWeight: number[] = [];
  /** Output tokens streamed per whole second of the run. */
  readonly outputTokensPerSecond: number[] = [];
  /** Sum over replicas of the engine waiting queues, and its peak. */
  waitingTotal = 0;
  maxWaitingTotal = 0;
  /** vllm:prefix_cache_queries_total / hits_total summed over replicas (tokens). */
  prefixQueries = 0;
  prefixHits = 0;
  preemptions = 0;
  steps = 0;

  addItl(value: number, weight: number): void {
    if (weight <= 0) return;
    this.itlValue.push(value);
    this.itlWeight.push(weight);
  }

  addOutputTokens(t: number, n: number): void {
    const s = Math.floor(t);
    const a = this.outputTokensPerSecond;
    while (a.length <= s) a.push(0);
    a[s] += n;
  }

  changeWaiting(delta: number): void {
    this.waitingTotal += delta;
    if (this.waitingTotal > this.maxWaitingTotal) this.maxWaitingTotal = this.waitingTotal;
  }
}
