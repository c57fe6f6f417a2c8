/**
 * The probe cache in front of the workers (lib/bench/tune/pool.ts CachedRunner): one simulation per
 * worker at a time, admitted when it starts, lowest priority first.
 */
import type { Prediction, Probe } from '../../lib/bench/tune/predict';
import { CachedRunner, ProbeCancelled, type ProbeRunner } from '../../lib/bench/tune/pool';

/** One worker whose probes finish when the test says so. */
class ManualRunner implements ProbeRunner {
  readonly workers = 1;
  readonly started: string[] = [];
  private readonly pending: (() => void)[] = [];
  run(probe: Probe): Promise<Prediction> {
    this.started.push(String(probe.context.id));
    return new Promise((resolve) => this.pending.push(() => resolve({ ok: false, error: 'manual' } as unknown as Prediction)));
  }
  finishNext(): void {
    this.pending.shift()?.();
  }
  async close(): Promise<void> {}
}

const probe = (id: string): Probe => ({ context: { id }, router: 'round-robin' } as unknown as Probe);
const settle = () => new Promise((r) => setImmediate(r));

describe('CachedRunner', () => {
  test('one simulation per worker at a time; waiting probes start lowest priority first, then in order asked', async () => {
    const inner = new ManualRunner();
    const runner = new CachedRunner(inner);
    const all = [runner.run(probe('x'), undefined, 5), runner.run(probe('a'), undefined, 2), runner.run(probe('b'), undefined, 1), runner.run(probe('c'), undefined, 1)];
    await settle();
    expect(inner.started).toEqual(['x']);
    for (let i = 0; i < 4; i++) {
      inner.finishNext();
      await settle();
      await settle();
    }
    await Promise.all(all);
    expect(inner.started).toEqual(['x', 'b', 'c', 'a']);
  });

  test('admit is asked when the probe would start: refused, it is cancelled, not counted and not cached', async () => {
    const inner = new ManualRunner();
    const runner = new CachedRunner(inner);
    let open = true;
    const first = runner.run(probe('x'));
    const cut = runner.run(probe('y'), () => open);
    await settle();
    open = false; // the deadline passes while 'y' waits for the worker
    inner.finishNext();
    await first;
    await expect(cut).rejects.toBeInstanceOf(ProbeCancelled);
    expect(inner.started).toEqual(['x']);
    expect(runner.simulations).toBe(1);
    expect(runner.hits).toBe(0);
    // Asked again (no admit), 'y' runs: the cancellation was not cached.
    const again = runner.run(probe('y'));
    await settle();
    inner.finishNext();
    await again;
    expect(inner.started).toEqual(['x', 'y']);
  });

  test('callers that joined a cancelled probe are not counted as cache hits', async () => {
    const inner = new ManualRunner();
    const runner = new CachedRunner(inner);
    let open = true;
    const first = runner.run(probe('x'));
    const cut = runner.run(probe('y'), () => open);
    const joiner = runner.run(probe('y'));
    await settle();
    open = false;
    inner.finishNext();
    await first;
    await expect(cut).rejects.toBeInstanceOf(ProbeCancelled);
    await expect(joiner).rejects.toBeInstanceOf(ProbeCancelled);
    expect(runner.hits).toBe(0);
    expect(runner.simulations).toBe(1);
  });

  test('identical probes share one simulation', async () => {
    const inner = new ManualRunner();
    const runner = new CachedRunner(inner);
    const a = runner.run(probe('x'));
    const b = runner.run(probe('x'));
    await settle();
    inner.finishNext();
    await Promise.all([a, b]);
    expect(inner.started).toEqual(['x']);
    expect(runner.hits).toBe(1);
  });
});
