/**
 * Finite-capacity CPU servers of the request path, as FIFO queues: a job submitted at time t starts when
 * the server is free and the previous jobs are done, and finishes `service` seconds later. Jobs are
 * submitted in time order by the event loop, so "busy until" is the whole state.
 *
 *  - vLLM's API server (one per replica, --api-server-count 1): tokenises each prompt (vLLM tokenises
 *    on a ThreadPoolExecutor(max_workers=1), one request at a time: vLLM issue 25301) and streams every
 *    step's tokens (incremental detokenisation, one SSE chunk per token). Both share one Python
 *    process, so a burst of long prompts delays streaming and vice versa: latency depends on load.
 *  - the render server pool (router.renderReplicas pods): the EPP's tokenise/render call on the llm-d
 *    path; a request takes whichever pod is free first.
 */
export class FifoServer {
  busyUntil = 0;
  /** CPU seconds served (utilisation = busySeconds / elapsed). */
  busySeconds = 0;

  /** Submits a job at `now` taking `service` seconds; returns when it completes. */
  serve(now: number, service: number): number {
    const start = now > this.busyUntil ? now : this.busyUntil;
    this.busyUntil = start + service;
    this.busySeconds += service;
    return this.busyUntil;
  }
}

export class ServerPool {
  private readonly servers: FifoServer[];

  constructor(count: number) {
    this.servers = Array.from({ length: Math.max(1, count) }, () => new FifoServer());
  }

  /** Serves the job on the server that frees first (ties: the lowest index). */
  serve(now: number, service: number): number {
    let best = this.servers[0];
    for (let i = 1; i < this.servers.length; i++) if (this.servers[i].busyUntil < best.busyUntil) best = this.servers[i];
    return best.serve(now, service);
  }

  get busySeconds(): number {
    return this.servers.reduce((a, s) => a + s.busySeconds, 0);
  }

  get size(): number {
    return this.servers.length;
  }
}
