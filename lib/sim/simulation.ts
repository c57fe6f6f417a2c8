/**
 * The discrete-event loop: the `vllm bench serve` client, one router, N vLLM replicas.
 *
 * Client: requests leave in the dataset's (shuffled) order at the scheduled arrival times (rate inf:
 * all at t = 0; otherwise gamma gaps with shape = burstiness, rescaled so the last one leaves at
 * N / rate, as vllm bench serve does), then wait for the --max-concurrency semaphore (FIFO). TTFT
 * starts when the semaphore is acquired; the run lasts from t = 0 to the last completion.
 *
 * Request path: send -> [llm-d: EPP decision after eppOverhead] -> engine queue after requestOverhead
 * -> engine steps -> tokens stream back at the end of the step that sampled them.
 *
 * Engines step back to back while they have work; an idle engine starts a step as soon as a request
 * arrives. KV events of a step reach the EPP kvEventLag after the step ends; the EPP's metrics view
 * (waiting, KV usage) is what the replicas published at the last metricsRefresh tick.
 */
import { BlockKeyLayout } from './block-keys';
import { buildWorkload, type Workload } from './dataset';
import { Replica } from './engine';
import { EventQueue } from './event-queue';
import type { SimParams } from './params';
import { RunRecorder } from './recorder';
import { RequestTable } from './requests';
import { Rng, RNG_STREAMS } from './rng';
import { KvEventQueue, LlmdRouter } from './routers/llm-d';
import { RandomPerConnectionRouter, RoundRobinRouter } from './routers/round-robin';
import type { MetricsSnapshot, Router, RouterKind } from './routers/types';
import { StepTimeModel } from './step-time';

const EV_ARRIVAL = 0;
const EV_ROUTE = 1;
const EV_ENGINE_ARRIVE = 2;
const EV_STEP_END = 3;

/** One sample of the per-replica gauges, every timeSeriesStep seconds. */
export interface ReplicaSample {
  readonly t: number;
  readonly running: Float64Array;
  readonly waiting: Float64Array;
  readonly kvUsage: Float64Array;
  /** Prefix-cache hit rate over the last interval (NaN when nothing was queried). */
  readonly hitRate: Float64Array;
  /** Fraction of the last interval the replica's GPU was executing (DCGM GPU utilization). */
  readonly busy: Float64Array;
  /** EPP decisions per second over the last interval (llm-d only, else zeros). */
  readonly picksPerSecond: Float64Array;
}

export interface RunOutput {
  readonly router: RouterKind;
  readonly params: SimParams;
  readonly workload: Workload;
  readonly reqs: RequestTable;
  readonly recorder: RunRecorder;
  readonly replicas: readonly Replica[];
  /** Seconds from the benchmark start to the last completion. */
  readonly duration: number;
  readonly maxConcurrentRequests: number;
  readonly samples: readonly ReplicaSample[];
  /** Events processed by the loop (for events/s). */
  readonly events: number;
  readonly warnings: readonly string[];
}

export type ProgressListener = (completed: number, total: number) => void;

/** Send times of the requests (vllm bench serve's get_request delays). */
export function arrivalTimes(count: number, rate: number | 'inf', burstiness: number, rng: Rng): Float64Array {
  const t = new Float64Array(count);
  if (rate === 'inf' || count === 0) return t;
  let acc = 0;
  for (let i = 0; i < count; i++) {
    acc += Number.isFinite(burstiness) ? rng.gamma(burstiness, 1 / (rate * burstiness)) : 1 / rate;
    t[i] = acc;
  }
  const scale = acc > 0 ? count / rate / acc : 1;
  for (let i = 0; i < count; i++) t[i] *= scale;
  return t;
}

export function runSimulation(params: SimParams, router: RouterKind, onProgress?: ProgressListener): RunOutput {
  const p = params;
  const workload = buildWorkload(p.workload);
  const reqs = new RequestTable(workload, p.limits.blockSize);
  const layout = new BlockKeyLayout(p.limits.blockSize, workload.leadingTokens, workload.prefixLen);
  const stepTime = new StepTimeModel(p.costs, p.gpu, p.stepTime);
  const recorder = new RunRecorder();
  const n = reqs.count;
  const R = p.replicas;
  const isLlmd = router === 'llm-d' || router === 'llm-d-no-speculative';
  const warnings: string[] = isLlmd ? [...p.epp.warnings] : [];

  const queue = new EventQueue();
  let completed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lastFinish = 0;
  const progressEvery = Math.max(1, Math.floor(n / 100));

  // Client semaphore (FIFO of requests that arrived but hold no slot yet).
  const pendingSend = new Int32Array(n);
  let pendHead = 0;
  let pendTail = 0;
  const limit = p.maxConcurrency ?? Infinity;

  let routerImpl: Router;
  const kvEvents = new KvEventQueue();
  const snapshot: MetricsSnapshot = { waiting: new Float64Array(R), kvUsage: new Float64Array(R) };
  let llmd: LlmdRouter | undefined;
  if (router === 'round-robin') {
    routerImpl = new RoundRobinRouter(R);
  } else if (router === 'random') {
    routerImpl = new RandomPerConnectionRouter(R, new Rng(p.workload.seed, RNG_STREAMS.connections));
  } else {
    const epp = router === 'llm-d-no-speculative' ? { ...p.epp, speculativeIndexing: false } : p.epp;
    llmd = new LlmdRouter(epp, {
      replicas: R,
      numPrefixes: p.workload.numPrefixes,
      reqs,
      layout,
      metrics: snapshot,
      events: kvEvents,
      rng: new Rng(p.workload.seed, RNG_STREAMS.router),
    });
    routerImpl = llmd;
  }

  const onFinish = (r: number, t: number): void => {
    completed++;
    inFlight--;
    lastFinish = t;
    routerImpl.release(r);
    if (onProgress && completed % progressEvery === 0) onProgress(completed, n);
    trySend(t);
  };

  const replicas: Replica[] = [];
  for (let j = 0; j < R; j++) {
    replicas.push(new Replica(j, p.numBlocks, p.limits, reqs, layout, stepTime, recorder, onFinish, isLlmd));
  }

  function trySend(now: number): void {
    while (pendHead < pendTail && inFlight < limit) {
      const r = pendingSend[pendHead++];
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      reqs.sendTime[r] = now;
      if (isLlmd) {
        queue.push(now + p.eppOverhead, EV_ROUTE, r);
      } else {
        reqs.replica[r] = routerImpl.pick(r, now);
        queue.push(now + p.requestOverhead, EV_ENGINE_ARRIVE, r);
      }
    }
  }

  function startStep(j: number, now: number): void {
    const end = replicas[j].startStep(now);
    if (end >= 0) queue.push(end, EV_STEP_END, j);
  }

  // Gauges the EPP scrapes and the time series samples.
  let nextRefresh = 0;
  let nextSample = p.timeSeriesStep;
  const samples: ReplicaSample[] = [];
  const lastQueries = new Float64Array(R);
  const lastHits = new Float64Array(R);
  const lastBusy = new Float64Array(R);
  const lastPicks = new Float64Array(R);
  let lastSampleT = 0;
  const refreshSnapshot = (): void => {
    for (let j = 0; j < R; j++) {
      snapshot.waiting[j] = replicas[j].publishedWaiting;
      snapshot.kvUsage[j] = replicas[j].publishedUsage;
    }
  };
  const takeSample = (t: number): void => {
    const s: ReplicaSample = {
      t,
      running: new Float64Array(R),
      waiting: new Float64Array(R),
      kvUsage: new Float64Array(R),
      hitRate: new Float64Array(R),
      busy: new Float64Array(R),
      picksPerSecond: new Float64Array(R),
    };
    const dt = Math.max(1e-9, t - lastSampleT);
    lastSampleT = t;
    for (let j = 0; j < R; j++) {
      const rep = replicas[j];
      s.running[j] = rep.publishedRunning;
      s.waiting[j] = rep.publishedWaiting;
      s.kvUsage[j] = rep.publishedUsage;
      const dq = rep.prefixQueries - lastQueries[j];
      s.hitRate[j] = dq > 0 ? (rep.prefixHits - lastHits[j]) / dq : NaN;
      s.busy[j] = Math.min(1, (rep.gpuSeconds - lastBusy[j]) / dt);
      lastQueries[j] = rep.prefixQueries;
      lastHits[j] = rep.prefixHits;
      lastBusy[j] = rep.gpuSeconds;
      if (llmd) {
        s.picksPerSecond[j] = (llmd.picks[j] - lastPicks[j]) / dt;
        lastPicks[j] = llmd.picks[j];
      }
    }
    samples.push(s);
  };

  const arrivals = arrivalTimes(n, p.requestRate, p.burstiness, new Rng(p.workload.seed, RNG_STREAMS.arrivals));
  let nextArrival = 0;
  if (n > 0) queue.push(arrivals[0], EV_ARRIVAL, 0);

  let events = 0;
  while (queue.length > 0) {
    const t = queue.peekTime();
    const kind = queue.peekKind();
    const x = queue.peekPayload();
    queue.pop();
    events++;
    if (isLlmd) {
      while (nextRefresh <= t) {
        refreshSnapshot();
        nextRefresh += p.metricsRefresh;
      }
    }
    while (nextSample <= t) {
      takeSample(nextSample);
      nextSample += p.timeSeriesStep;
    }
    switch (kind) {
      case EV_ARRIVAL: {
        // Every request due now joins the semaphore queue in dataset order.
        while (nextArrival < n && arrivals[nextArrival] <= t) pendingSend[pendTail++] = nextArrival++;
        if (nextArrival < n) queue.push(arrivals[nextArrival], EV_ARRIVAL, nextArrival);
        trySend(t);
        break;
      }
      case EV_ROUTE: {
        reqs.replica[x] = routerImpl.pick(x, t);
        queue.push(t + p.requestOverhead, EV_ENGINE_ARRIVE, x);
        break;
      }
      case EV_ENGINE_ARRIVE: {
        const j = reqs.replica[x];
        if (replicas[j].arrive(x)) startStep(j, t);
        break;
      }
      case EV_STEP_END: {
        const rep = replicas[x];
        rep.finishStep(t);
        if (isLlmd) {
          const ev = rep.pool.events;
          for (let k = 0; k < ev.length; k += 2) kvEvents.push(t + p.kvEventLag, x, ev[k], ev[k + 1]);
          ev.length = 0;
        }
        startStep(x, t);
        break;
      }
      default:
        throw new Error(`unknown event kind ${kind}`);
    }
  }
  if (completed !== n) throw new Error(`simulation stalled: ${completed} of ${n} requests completed`);
  for (const rep of replicas) rep.closeUsage(lastFinish);
  if (samples.length === 0 || samples[samples.length - 1].t < lastFinish) takeSample(lastFinish);
  if (onProgress) onProgress(n, n);
  return {
    router,
    params: p,
    workload,
    reqs,
    recorder,
    replicas,
    duration: lastFinish,
    maxConcurrentRequests: maxInFlight,
    samples,
    events,
    warnings,
  };
}
