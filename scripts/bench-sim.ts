/**
 * `npm run bench:sim`: simulates both paths of the reference run (2 x 9000 requests, 8 replicas) with
 * the default config and prints wall time, events/s and peak memory (the speed target: < 2 s
 * on 2 cores, < 500 MB).
 *
 * `npm run bench:sim -- --fit` re-runs the one-time calibration: a coordinate search of the FITTED
 * sim.* factors against the reference run (lib/sim/calibration.ts), printing the best values. It is
 * how the defaults in lib/config/sections/sim.ts were obtained; do not re-tune them per experiment.
 */
import { loadConfig } from '../lib/config';
import { simulate } from '../lib/sim';
import { calibrationLoss, referenceEppConfig } from '../lib/sim/calibration';

function bench(): void {
  const config = loadConfig({});
  const started = process.hrtime.bigint();
  const sim = simulate(config, { routers: ['round-robin', 'llm-d'] });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const events = sim.runs.reduce((a, r) => a + r.events, 0);
  const requests = sim.runs.reduce((a, r) => a + r.result.completed, 0);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  for (const r of sim.runs) {
    process.stdout.write(`${r.router.padEnd(12)} ${r.result.completed} requests  ${r.wallSeconds.toFixed(3)} s  ${r.events} events  ${(r.events / r.wallSeconds / 1e3).toFixed(0)} k events/s  ${r.result.request_throughput.toFixed(2)} req/s predicted\n`);
  }
  process.stdout.write(`both paths: ${requests} requests, ${sim.params.replicas} replicas, wall ${wall.toFixed(3)} s, ${(events / wall / 1e3).toFixed(0)} k events/s, peak RSS ${peakMiB.toFixed(0)} MiB\n`);
  process.stdout.write(`target: < 2 s and < 500 MB: ${wall < 2 && peakMiB < 500 ? 'MET' : 'MISSED'}\n`);
}

const FITTED = {
  'sim.computeEfficiency': { min: 0.6, max: 1, step: 0.05 },
  'sim.stepOverheadMs': { min: 0, max: 40, step: 4 },
  'sim.perSequenceOverheadMs': { min: 0, max: 2, step: 0.1 },
  'sim.requestOverheadMs': { min: 0, max: 300, step: 40 },
} as const;
type FitKey = keyof typeof FITTED;

function evaluate(values: Record<FitKey, number>): { loss: number; summary: string } {
  const config = loadConfig(values);
  const sim = simulate(config, { routers: ['round-robin', 'llm-d'], eppConfig: referenceEppConfig(config) });
  const [rr, llmd] = sim.runs.map((r) => r.result as unknown as Record<string, number>);
  const f = (r: Record<string, number>) => `${r.request_throughput.toFixed(2)} req/s tpot ${r.mean_tpot_ms.toFixed(1)} ttft ${r.mean_ttft_ms.toFixed(0)}/${r.median_ttft_ms.toFixed(0)}`;
  return { loss: calibrationLoss({ roundRobin: rr, llmd }), summary: `RR ${f(rr)} | llm-d ${f(llmd)}` };
}

function fit(): void {
  const keys = Object.keys(FITTED) as FitKey[];
  const defaults = loadConfig({}).sim;
  const x = Object.fromEntries(keys.map((k) => [k, defaults[k.slice(4) as keyof typeof defaults] as number])) as Record<FitKey, number>;
  let best = evaluate(x);
  process.stdout.write(`start ${JSON.stringify(x)} loss ${best.loss.toFixed(5)}  ${best.summary}\n`);
  const step = Object.fromEntries(keys.map((k) => [k, FITTED[k].step])) as Record<FitKey, number>;
  for (let round = 0; round < 6; round++) {
    let improved = false;
    for (const k of keys) {
      for (const dir of [1, -1]) {
        for (;;) {
          const v = Math.min(FITTED[k].max, Math.max(FITTED[k].min, x[k] + dir * step[k]));
          if (v === x[k]) break;
          const trial = { ...x, [k]: Number(v.toFixed(4)) };
          const e = evaluate(trial);
          if (e.loss >= best.loss) break;
          Object.assign(x, trial);
          best = e;
          improved = true;
          process.stdout.write(`  ${k}=${x[k]} loss ${best.loss.toFixed(5)}  ${best.summary}\n`);
        }
      }
    }
    if (!improved) for (const k of keys) step[k] /= 2;
  }
  process.stdout.write(`best ${JSON.stringify(x)} loss ${best.loss.toFixed(5)}\n  ${best.summary}\n`);
}

if (process.argv.includes('--fit')) fit();
else bench();
