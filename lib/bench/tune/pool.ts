/**
 * Where probes run: in this thread, or on worker threads (one simulation at a time each), behind a
 * cache of identical probes. Results never depend on which worker ran a probe or when: a probe is a
 * pure function of its config context and path (the simulator is seeded), and the search decides
 * only on whole batches of results (search.ts).
 */
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { type Prediction, type Probe, predict } from './predict';

export interface ProbeRunner {
  run(probe: Probe): Promise<Prediction>;
  /** Rejects every probe in flight (the budget ran out) and stops the workers. */
  close(): Promise<void>;
  readonly workers: number;
}

/** Raised for probes cut off by close(). */
export class ProbeCancelled extends Error {
  constructor() {
    super('probe cancelled');
    this.name = 'ProbeCancelled';
  }
}

/** Runs probes one after another in this thread (workers 0: debugging, tiny searches). */
export class InProcessRunner implements ProbeRunner {
  readonly workers = 0;
  private closed = false;

  async run(probe: Probe): Promise<Prediction> {
    // Yield first, so a batch's promises are all created before the first simulation blocks the loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) throw new ProbeCancelled();
    return predict(probe);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

interface Task {
  readonly id: number;
  readonly probe: Probe;
  readonly resolve: (p: Prediction) => void;
  readonly reject: (e: Error) => void;
}

/** Code a worker starts with: tsx first when this module runs from its TypeScript source. */
export function workerBootstrap(): string {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker${ext}`);
  const tsx = ext === '.ts' ? `require(${JSON.stringify(require.resolve('tsx/cjs'))});\n` : '';
  return `${tsx}require(${JSON.stringify(file)});\n`;
}

/** A fixed pool of worker threads, each running one probe at a time, tasks in FIFO order. */
export class WorkerPool implements ProbeRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private readonly all: Worker[] = [];
  private nextId = 0;
  private failure?: Error;
  private closed = false;

  constructor(readonly workers: number) {
    const code = workerBootstrap();
    for (let i = 0; i < workers; i++) {
      const w = new Worker(code, { eval: true });
      w.on('message', (msg: { id: number; prediction: Prediction }) => this.done(w, msg.prediction));
      w.on('error', (err) => this.fail(err instanceof Error ? err : new Error(String(err))));
      w.on('exit', (code) => { if (!this.closed && code !== 0) this.fail(new Error(`a tune worker exited with code ${code}`)); });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  run(probe: Probe): Promise<Prediction> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new ProbeCancelled());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, probe, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.shift() as Worker;
      const task = this.queue.shift() as Task;
      this.busy.set(w, task);
      w.postMessage({ id: task.id, probe: task.probe });
    }
  }

  private done(w: Worker, prediction: Prediction): void {
    const task = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    task?.resolve(prediction);
    this.dispatch();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const t of [...this.busy.values(), ...this.queue.splice(0)]) t.reject(err);
    this.busy.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.busy.values(), ...this.queue.splice(0)]) t.reject(new ProbeCancelled());
    this.busy.clear();
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

/** Workers by default: one per core the process may use. */
export function defaultWorkers(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** JSON with sorted keys: the identity of a probe. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/**
 * Identical probes run once: the first one's promise is shared (also while it is in flight). At most
 * one simulation per worker is handed to the inner runner at a time, so a probe is admitted (`admit`,
 * e.g. "the budget is not spent") when a worker is free to start it, not when it was asked for: a
 * deadline then cuts the run within one probe per worker. Waiting probes start lowest `priority`
 * first (then in order of asking), so a deadline finds the first candidates of a chunk complete
 * rather than every candidate half-way through its rate search.
 */
export class CachedRunner {
  private readonly cache = new Map<string, Promise<Prediction>>();
  /** Callers that joined each probe still pending (if it is cancelled, it served none of them). */
  private readonly joined = new Map<string, number>();
  private served = 0;
  private readonly slots: number;
  private active = 0;
  private readonly waiting: { priority: number; seq: number; start: () => void }[] = [];
  private seq = 0;
  requests = 0;
  simulations = 0;
  simulatedSeconds = 0;

  constructor(readonly inner: ProbeRunner) {
    this.slots = Math.max(1, inner.workers);
  }

  run(probe: Probe, admit?: () => boolean, priority = Number.MAX_SAFE_INTEGER): Promise<Prediction> {
    this.requests++;
    const key = stableStringify(probe);
    const hit = this.cache.get(key);
    if (hit) {
      this.served++;
      const pending = this.joined.get(key);
      if (pending !== undefined) this.joined.set(key, pending + 1);
      return hit;
    }
    this.simulations++;
    const p = this.acquire(priority).then(async () => {
      try {
        if (admit && !admit()) {
          this.simulations--;
          throw new ProbeCancelled();
        }
        const pred = await this.inner.run(probe);
        if (pred.ok) this.simulatedSeconds += pred.wallSeconds;
        return pred;
      } finally {
        this.release();
      }
    });
    // A cancelled probe is not a result: forget it, so nothing reads it later (and it served no one).
    p.then(() => this.joined.delete(key), () => {
      this.cache.delete(key);
      this.served -= this.joined.get(key) ?? 0;
      this.joined.delete(key);
    });
    this.joined.set(key, 0);
    this.cache.set(key, p);
    return p;
  }

  /** Requests answered by another request's simulation (not counting ones cancelled with it). */
  get hits(): number {
    return this.served;
  }

  private acquire(priority: number): Promise<void> {
    if (this.active < this.slots) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((start) => this.waiting.push({ priority, seq: this.seq++, start }));
  }

  /** Hands the slot to the waiting probe of lowest priority (then the earliest), or frees it. */
  private release(): void {
    if (this.waiting.length === 0) {
      this.active--;
      return;
    }
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      const b = this.waiting[best];
      if (w.priority < b.priority || (w.priority === b.priority && w.seq < b.seq)) best = i;
    }
    this.waiting.splice(best, 1)[0].start();
  }
}
