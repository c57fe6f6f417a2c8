/**
 * The discrete-event loop: the benchmark client, one router, N vLLM replicas.
 *
 * Client, as the harness that runs the workload (lib/workload/spec.ts resolves which):
 *  - vllm bench serve: requests leave in the dataset's order at the scheduled arrival times (rate
 *    inf: all at t = 0; otherwise gamma gaps with shape = burstiness, rescaled so the last one leaves
 *    at N / rate), then wait for the --max-concurrency semaphore (FIFO). TTFT starts when the semaphore
 *    is acquired; the run lasts from t = 0 to the last completion.
 *  - inference-perf (v0.6.1, loadgen/load_generator.py): stages run back to back. A stage starts 1 s
 *    after the previous one drained (run_stage: start_time = now + 1; load.interval 0). A Poisson stage
 *    sends int(rate x duration) requests with PoissonLoadTimer's times (each second: k ~ Poisson(rate)
 *    requests, spread by exponential gaps normalised to fill that second; a second with none is
 *    skipped); a concurrent stage schedules its N requests over its first second (ConstantLoadTimer(N,
 *    1)). One worker process whose semaphore is the concurrency cap, acquired in order before a request
 *    is sent. multi-turn: a request waits (holding its slot) for its previous turn's answer and think
 *    time; the think time is slept after the answer with the slot held (conversation_replay_datagen.py).
 *
 * Request path (SimParams.path, every cost from lib/sim/timing-params.ts scaled by the host's CPU):
 *   round-robin / random: send -> the replica's API server (FIFO event loop: per request; then its
 *     tokeniser thread, FIFO, per prompt token)
 *     -> engine queue -> engine steps -> the API server streams each step's tokens (FIFO, per SSE chunk;
 *     tokens merge into a request's queued chunk when the server falls behind);
 *   llm-d: send -> Envoy hop -> [render server pool: tokenising, when the EPP config has a
 *     token-producer; epp-tokenizer.ts] -> EPP scheduling -> decision -> Envoy hop -> the pod's API
 *     server -> as above.
 *
 * Engines step back to back while they have work; an idle engine starts a step as soon as a request
 * arrives. KV events of a step reach the EPP kvEventLag after the step ends; the EPP's metrics view
 * (waiting, KV usage) is what the replicas published at the last metricsRefresh tick.
 */
import { BlockKeyLayout } from './block-keys';
import { ServerPool } from './cpu-server';
import type { Workload } from './dataset';
import { Replica } from './engine';
import { EppTokenizer } from './epp-tokenizer';
import { EventQueue } from './event-queue';
import type { SimParams } from './params';
import { RunRecorder } from './recorder';
import { RequestTable } from './requests';
import { Rng, RNG_STREAMS } from './rng';
import { type EppRouterParams, withoutSpeculation } from './routers/epp-config';
import { KvEventQueue, LlmdRouter } from './routers/llm-d';
import { RandomPerConnectionRouter, RoundRobinRouter } from './routers/round-robin';
import { isEppRouter, type MetricsSnapshot, type Router, type RouterKind } from './routers/types';
import { StepTimeModel } from './step-time';
import { buildRunWorkload } from './workloads';
import { INFERENCE_PERF_UNLIMITED_CONCURRENCY, type RunStage } from '../workload/spec';

const EV_ARRIVAL = 0;
const EV_ROUTE = 1;
const EV_ENGINE_ARRIVE = 2;
const EV_STEP_END = 3;
const EV_CLIENT_END = 4;
const EV_EPP = 5;
const EV_API = 6;

/** inference-perf's run_stage starts a stage's timer one second after the stage begins. */
export const INFERENCE_PERF_STAGE_LEAD_S = 1;

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

/** What happened in one stage of an inference-perf run. */
export interface StageWindow {
  /** Index in the run's stage list (warm-up included). */
  readonly index: number;
  readonly spec: RunStage;
  readonly warmup: boolean;
  /** Request ids [first, end). */
  readonly first: number;
  readonly end: number;
  readonly startT: number;
  readonly endT: number;
  /** vLLM prefix-cache counters (tokens) and the engines' queue peak during the stage. */
  readonly prefixQueries: number;
  readonly prefixHits: number;
  readonly maxWaiting: number;
}

export interface RunOutput {
  readonly router: RouterKind;
  readonly params: SimParams;
  readonly workload: Workload;
  readonly reqs: RequestTable;
  readonly recorder: RunRecorder;
  readonly replicas: readonly Replica[];
  /** Seconds from the start of the measured part (t = 0 for vllm bench serve) to its last completion. */
  readonly duration: number;
  readonly maxConcurrentRequests: number;
  readonly samples: readonly ReplicaSample[];
  /** Events processed by the loop (for events/s). */
  readonly events: number;
  readonly warnings: readonly string[];
  /** inference-perf stages (warm-up first when there is one); empty for vllm bench serve. */
  readonly stages: readonly StageWindow[];
  /** First request id of the measured part (warm-up requests come before it). */
  readonly measuredFrom: number;
  /** Client-side end of each request: last token, plus think time held (multi-turn). */
  readonly clientEnd: Float64Array;
  /** CPU seconds each replica's API server worked (its busier thread: event loop or tokeniser), and the render pool's. */
  readonly apiBusySeconds: Float64Array;
  readonly renderBusySeconds: number;
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

/** ConstantLoadTimer(rate, duration): `count` exponential gaps normalised to sum to `seconds`. */
function spreadOver(count: number, seconds: number, rng: Rng, from: number, out: number[]): void {
  const gaps = Array.from({ length: count }, () => rng.exponential(1));
  const total = gaps.reduce((a, b) => a + b, 0);
  let t = from;
  for (const g of gaps) {
    t += (g / total) * seconds;
    out.push(t);
  }
}

/**
 * Send times of an inference-perf stage, relative to its timer start (load_timer.py): Poisson, each
 * second k ~ Poisson(rate) requests spread over it, until `requests` are scheduled; concurrent, all
 * over the first second.
 */
export function inferencePerfStageTimes(stage: RunStage, rng: Rng): Float64Array {
  const out: number[] = [];
  if (stage.kind === 'concurrent') {
    spreadOver(stage.requests, 1, rng, 0, out);
  } else {
    let next = 0;
    while (out.length < stage.requests) {
      const k = rng.poisson(stage.rate);
      if (k < 1) {
        next += 1;
        continue;
      }
      spreadOver(k, 1, rng, next, out);
      next = out[out.length - 1];
    }
  }
  return Float64Array.from(out.slice(0, stage.requests));
}

/** The EPP config a router kind runs. */
export function eppParamsFor(p: SimParams, router: RouterKind): EppRouterParams {
  switch (router) {
    case 'llm-d': return p.epp;
    case 'llm-d-no-speculative': return withoutSpeculation(p.epp);
    case 'llm-d-precise': return p.eppProfiles.precise;
    case 'llm-d-approximate': return p.eppProfiles.approximate;
    case 'llm-d-load': return p.eppProfiles.load;
    case 'llm-d-random': return p.eppProfiles.random;
    default: throw new Error(`${router} is not an EPP router`);
  }
}

export function runSimulation(params: SimParams, router: RouterKind, onProgress?: ProgressListener): RunOutput {
  const p = params;
  const run = p.run;
  const workload = buildRunWorkload(run, p.template);
  const reqs = new RequestTable(workload, p.limits.blockSize);
  const layout = new BlockKeyLayout(p.limits.blockSize, workload.segments);
  const stepTime = new StepTimeModel(p.costs, p.gpu, p.stepTime);
  const recorder = new RunRecorder();
  const n = reqs.count;
  const R = p.replicas;
  const viaEpp = isEppRouter(router);
  const epp = viaEpp ? eppParamsFor(p, router) : undefined;
  const warnings: string[] = epp ? [...epp.warnings] : [];

  // Stages: vllm bench serve is one; inference-perf runs its list (warm-up first).
  const ipStages: RunStage[] = run.harness === 'inference-perf' ? [...(run.load.warmup ? [run.load.warmup] : []), ...run.load.stages] : [];
  const warmupCount = run.harness === 'inference-perf' && run.load.warmup ? 1 : 0;
  const stageFirst: number[] = [];
  {
    let at = 0;
    for (let s = 0; s < Math.max(1, ipStages.length); s++) {
      stageFirst.push(at);
      while (at < n && workload.stage[at] === s) at++;
    }
    stageFirst.push(n);
  }
  const measuredFrom = stageFirst[warmupCount] ?? 0;

  const queue = new EventQueue();
  let completed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lastFinish = 0;
  const progressEvery = Math.max(1, Math.floor(n / 100));
  const clientEnd = new Float64Array(n).fill(NaN);
  /** multi-turn: request waiting (with its slot) for the request it extends. */
  const waitingOn = new Map<number, number>();

  // Client semaphore (FIFO of requests that arrived but hold no slot yet).
  const pendingSend = new Int32Array(n);
  let pendHead = 0;
  let pendTail = 0;
  let limit = p.maxConcurrency ?? Infinity;

  let routerImpl: Router;
  const kvEvents = new KvEventQueue();
  const snapshot: MetricsSnapshot = { waiting: new Float64Array(R), kvUsage: new Float64Array(R) };
  let llmd: LlmdRouter | undefined;
  if (router === 'round-robin') {
    routerImpl = new RoundRobinRouter(R);
  } else if (router === 'random') {
    routerImpl = new RandomPerConnectionRouter(R, new Rng(run.seed, RNG_STREAMS.connections));
  } else {
    llmd = new LlmdRouter(epp!, {
      replicas: R,
      reqs,
      layout,
      metrics: snapshot,
      events: kvEvents,
      rng: new Rng(run.seed, RNG_STREAMS.router),
      kvBlocksPerReplica: p.numBlocks,
    });
    routerImpl = llmd;
  }
  const recordKvEvents = llmd?.needsKvEvents ?? false;

  // ---- stages ----------------------------------------------------------------------------------
  const arrivalAt = new Float64Array(n);
  let stageIdx = 0;
  let stageEndIdx = n;
  let nextArrival = 0;
  let stageDone = 0;
  const windows: StageWindow[] = [];
  let stageStartT = 0;
  let stageQueries = 0;
  let stageHits = 0;
  const arrivalRng = new Rng(run.seed, RNG_STREAMS.arrivals);
  let measuredStart = 0;

  function beginStage(s: number, t: number): void {
    stageIdx = s;
    stageStartT = t;
    stageQueries = recorder.prefixQueries;
    stageHits = recorder.prefixHits;
    recorder.beginStage(s >= warmupCount);
    if (s === warmupCount && ipStages.length > 0) measuredStart = t;
    nextArrival = stageFirst[s];
    stageEndIdx = stageFirst[s + 1];
    stageDone = 0;
    if (ipStages.length === 0) {
      arrivalAt.set(arrivalTimes(n, p.requestRate, p.burstiness, arrivalRng));
    } else {
      const st = ipStages[s];
      limit = st.kind === 'concurrent' ? st.concurrency : (p.maxConcurrency ?? INFERENCE_PERF_UNLIMITED_CONCURRENCY);
      const rel = st.kind === 'concurrent' && p.burst ? new Float64Array(st.requests) : inferencePerfStageTimes(st, arrivalRng);
      for (let i = 0; i < rel.length; i++) arrivalAt[stageFirst[s] + i] = t + INFERENCE_PERF_STAGE_LEAD_S + rel[i];
    }
    if (nextArrival < stageEndIdx) queue.push(arrivalAt[nextArrival], EV_ARRIVAL, nextArrival);
  }

  function endStage(t: number): void {
    if (ipStages.length > 0) {
      windows.push({
        index: stageIdx, spec: ipStages[stageIdx], warmup: stageIdx < warmupCount,
        first: stageFirst[stageIdx], end: stageFirst[stageIdx + 1], startT: stageStartT, endT: t,
        prefixQueries: recorder.prefixQueries - stageQueries, prefixHits: recorder.prefixHits - stageHits,
        maxWaiting: recorder.stageMaxWaiting,
      });
    }
    if (stageIdx + 1 < Math.max(1, ipStages.length)) beginStage(stageIdx + 1, t);
  }

  // ---- client ----------------------------------------------------------------------------------
  function send(r: number, now: number): void {
    reqs.sendTime[r] = now;
    const setup = path.setupLatencySeconds;
    if (viaEpp) {
      queue.push(now + setup + path.envoyHopSeconds, EV_EPP, r);
    } else {
      reqs.replica[r] = routerImpl.pick(r, now);
      if (setup > 0) queue.push(now + setup, EV_API, r);
      else apiArrive(r, now);
    }
  }

  function trySend(now: number): void {
    while (pendHead < pendTail && inFlight < limit) {
      const r = pendingSend[pendHead++];
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      const prev = workload.after[r];
      if (prev >= 0 && !(clientEnd[prev] <= now)) waitingOn.set(prev, r);
      else send(r, now);
    }
  }

  function clientDone(r: number, t: number): void {
    clientEnd[r] = t;
    completed++;
    inFlight--;
    if (r >= measuredFrom) lastFinish = Math.max(lastFinish, t);
    if (onProgress && completed % progressEvery === 0) onProgress(completed, n);
    const next = waitingOn.get(r);
    if (next !== undefined) {
      waitingOn.delete(r);
      send(next, t);
    }
    trySend(t);
    if (++stageDone === stageEndIdx - stageFirst[stageIdx]) endStage(t);
  }

  /** Time of the event being processed (the engine's clock; streamed tokens may reach the client later). */
  let clock = 0;
  const onFinish = (r: number, t: number): void => {
    routerImpl.release(r);
    const hold = workload.holdAfter[r];
    if (hold > 0 || t > clock) queue.push(t + hold, EV_CLIENT_END, r);
    else clientDone(r, t);
  };

  const path = p.path;
  // Each API-server process: its event loop (HTTP handling, streaming) and its tokeniser thread, which
  // runs without the GIL (cpu-server.ts), so the two work in parallel.
  const apiServers = Array.from({ length: R }, () => new ServerPool(path.apiServers));
  const apiTokenizers = Array.from({ length: R }, () => new ServerPool(path.apiServers));
  const eppTokenizer = new EppTokenizer(path.renderServers, path.renderRequestSeconds, path.renderSecondsPerPromptToken, workload.segments, reqs.eppTokens, p.eppTokenizer);
  const renders = epp?.rendersPrompt ?? false;
  const replicas: Replica[] = [];
  for (let j = 0; j < R; j++) {
    replicas.push(new Replica(j, p.numBlocks, p.limits, reqs, layout, stepTime, recorder, onFinish, recordKvEvents,
      { server: apiServers[j], secondsPerToken: path.apiOutputSecondsPerToken, lingerOneStep: path.lingerOneStep }));
  }
  /** The request reaches its replica's API server: tokenised in FIFO order, then queued in the engine. */
  const apiArrive = (r: number, now: number): void => {
    const j = reqs.replica[r];
    const handled = path.apiRequestSeconds > 0 ? apiServers[j].serve(now, path.apiRequestSeconds) : now;
    const tokenise = path.apiSecondsPerPromptToken * reqs.promptLen[r];
    const done = tokenise > 0 ? apiTokenizers[j].serve(handled, tokenise) : handled;
    if (done > now) queue.push(done, EV_ENGINE_ARRIVE, r);
    else if (replicas[j].arrive(r, now)) startStep(j, now);
  };

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

  if (n > 0) beginStage(0, 0);

  let events = 0;
  while (queue.length > 0) {
    const t = queue.peekTime();
    const kind = queue.peekKind();
    const x = queue.peekPayload();
    queue.pop();
    events++;
    clock = t;
    if (viaEpp) {
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
        while (nextArrival < stageEndIdx && arrivalAt[nextArrival] <= t) pendingSend[pendTail++] = nextArrival++;
        if (nextArrival < stageEndIdx) queue.push(arrivalAt[nextArrival], EV_ARRIVAL, nextArrival);
        trySend(t);
        break;
      }
      case EV_EPP: {
        // The EPP has the request: its render/tokenise call (when configured), then scheduling.
        const rendered = renders ? eppTokenizer.serve(t, x, reqs.promptLen[x]) : t;
        queue.push(rendered + path.eppScheduleSeconds, EV_ROUTE, x);
        break;
      }
      case EV_ROUTE: {
        reqs.replica[x] = routerImpl.pick(x, t);
        queue.push(t + path.envoyHopSeconds, EV_API, x);
        break;
      }
      case EV_API:
        apiArrive(x, t);
        break;
      case EV_ENGINE_ARRIVE: {
        const j = reqs.replica[x];
        if (replicas[j].arrive(x, t)) startStep(j, t);
        break;
      }
      case EV_STEP_END: {
        const rep = replicas[x];
        rep.finishStep(t);
        if (recordKvEvents) {
          const ev = rep.pool.events;
          for (let k = 0; k < ev.length; k += 2) kvEvents.push(t + p.kvEventLag, x, ev[k], ev[k + 1]);
          ev.length = 0;
        }
        startStep(x, t);
        break;
      }
      case EV_CLIENT_END:
        clientDone(x, t);
        break;
      default:
        throw new Error(`unknown event kind ${kind}`);
    }
  }
  if (completed !== n) throw new Error(`simulation stalled: ${completed} of ${n} requests completed`);
  const end = Math.max(0, ...Array.from(clientEnd));
  for (const rep of replicas) rep.closeUsage(end);
  if (samples.length === 0 || samples[samples.length - 1].t < end) takeSample(end);
  if (onProgress) onProgress(n, n);
  // inference-perf measures from the first measured send; vllm bench serve from its start (t = 0).
  let firstSend = measuredStart;
  if (ipStages.length > 0) {
    firstSend = Infinity;
    for (let r = measuredFrom; r < n; r++) if (reqs.sendTime[r] < firstSend) firstSend = reqs.sendTime[r];
  }
  return {
    router,
    params: p,
    workload,
    reqs,
    recorder,
    replicas,
    duration: lastFinish - (Number.isFinite(firstSend) ? firstSend : 0),
    maxConcurrentRequests: maxInFlight,
    samples,
    events,
    warnings,
    stages: windows,
    measuredFrom,
    clientEnd,
    apiBusySeconds: Float64Array.from(apiServers.map((a, j) => Math.max(a.busySeconds, apiTokenizers[j].busySeconds))),
    renderBusySeconds: eppTokenizer.busySeconds,
  };
}
