/**
 * Finite-capacity CPU servers of the request path, as FIFO queues: a job submitted at time t starts when
 * the server is free and the previous jobs are done, and finishes `service` seconds later. Jobs are
 * submitted in time order by the event loop, so "busy until" is the whole state.
 *
 *  - vLLM's API servers (vllm.apiServerCount processes per replica, --api-server-count, default 1),
 *    each two servers that work in parallel:
 *    - its tokeniser thread (ThreadPoolExecutor(max_workers=1): one prompt at a time, vLLM issue 25301).
 *      The HF fast tokeniser runs without the GIL: transformers' PreTrainedTokenizerFast._encode_plus
 *      goes through _batch_encode_plus to tokenizers' encode_batch, which releases it (py.detach,
 *      huggingface/tokenizers bindings/python/src/tokenizer.rs at 3ba8ad0), so tokenising does not
 *      stall the event loop;
 *    - its asyncio event loop: per-request handling (HTTP, template) and streaming (incremental
 *      detokenisation, one SSE chunk per token while it keeps up; a token whose request still has a
 *      chunk queued joins that chunk, as V1's RequestOutputCollector merges outputs: engine.ts
 *      finishStep).
 *    With N > 1 the processes accept from one shared socket and the engine core returns each request's
 *    outputs to the process that sent it (vllm/entrypoints/cli/serve.py run_multi_api_server): a new
 *    request goes to the process that frees first, and a step's stream is split evenly across the N
 *    (requests spread evenly), visible when the slowest share is.
 *  - the render server pool (router.renderReplicas pods): the EPP's tokenise/render call on the llm-d
 *    path; a request takes whichever pod is free first (or llm-d 0.3's in-process pool: epp-tokenizer.ts).
 */
/** Where a replica's streamed tokens are detokenised: `stream` returns when the step's tokens are visible. */
export interface StreamServer {
  stream(now: number, service: number): number;
}

export class FifoServer implements StreamServer {
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

  stream(now: number, service: number): number {
    return this.serve(now, service);
  }
}

export class ServerPool implements StreamServer {
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

  /** Splits the job evenly over every server; done when the last share is (one server: `serve`). */
  stream(now: number, service: number): number {
    const n = this.servers.length;
    if (n === 1) return this.servers[0].serve(now, service);
    let done = now;
    for (const s of this.servers) done = Math.max(done, s.serve(now, service / n));
    return done;
  }

  get busySeconds(): number {
    return this.servers.reduce((a, s) => a + s.busySeconds, 0);
  }

  get size(): number {
    return this.servers.length;
  }
}
