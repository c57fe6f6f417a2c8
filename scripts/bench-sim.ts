/**
 * `npm run bench:sim`: simulates both paths of the reference run (2 x 9000 requests, 8 replicas) with
 * the default config and prints wall time, events/s and peak memory (the speed target: < 2 s
 * on 2 cores, < 500 MB).
 *
 * `npm run bench:sim -- --fit` re-runs the one-time calibration: a coordinate search of the FITTED
 * sim.* factors against the reference run (lib/sim/calibration.ts), printing the best values. It is
 * how the defaults in lib/config/sections/sim.ts were obtained; do not re-tune them per experiment.
 *
 * `npm run bench:sim -- --calibration` prints the predicted-vs-reference table of docs/simulator.md.
 *
 * `npm run bench:sim -- --what-if` prints the what-if tables of docs/simulator.md (each row is a
 * simulation of the reference workload with one setting changed).
 *
 * The llm-d path always runs the EndpointPickerConfig rendered from the config; "no-hit-lru 0" columns
 * are the same config with `router.scorers.noHitLru=0` (the scorer left out), the what-if that shows why
 * the scorer is on by default.
 */
import { loadConfig } from '../lib/config';
import { type SimOverrides, type SimResult, simulate } from '../lib/sim';
import { calibrationLoss, REFERENCE, type ReferencePath } from '../lib/sim/calibration';

/** Context that leaves the no-hit-lru-scorer out of the rendered EndpointPickerConfig. */
const NO_LRU = { 'router.scorers.noHitLru': 0 } as const;

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
  const sim = simulate(config, { routers: ['round-robin', 'llm-d'] });
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

interface WhatIf {
  readonly name: string;
  readonly context?: Record<string, unknown>;
  readonly overrides?: SimOverrides;
}

const WHAT_IFS: readonly WhatIf[] = [
  { name: 'reference parameters' },
  { name: 'vllm.blockSize=16', context: { 'vllm.blockSize': 16 } },
  { name: 'vllm.blockSize=32', context: { 'vllm.blockSize': 32 } },
  { name: 'vllm.blockSize=128', context: { 'vllm.blockSize': 128 } },
  { name: 'vllm.maxNumSeqs=32', context: { 'vllm.maxNumSeqs': 32 } },
  { name: 'vllm.maxNumSeqs=48', context: { 'vllm.maxNumSeqs': 48 } },
  { name: 'vllm.maxNumBatchedTokens=512', context: { 'vllm.maxNumBatchedTokens': 512 } },
  { name: 'vllm.maxNumBatchedTokens=8192', context: { 'vllm.maxNumBatchedTokens': 8192 } },
  { name: 'vllm.kvCacheDtype=fp8', context: { 'vllm.kvCacheDtype': 'fp8' } },
  { name: 'vllm.gpuMemoryUtilization=0.95', context: { 'vllm.gpuMemoryUtilization': 0.95 } },
  { name: '--replicas 4', overrides: { replicas: 4 } },
  { name: '--replicas 12', overrides: { replicas: 12 } },
  { name: '--replicas 16', overrides: { replicas: 16 } },
  { name: '--max-concurrency 256', overrides: { maxConcurrency: 256 } },
  { name: '--max-concurrency 1024', overrides: { maxConcurrency: 1024 } },
  { name: '--num-prefixes 300', overrides: { numPrefixes: 300 } },
  { name: 'older guide weights (prefix 3, kv 2, queue 2, no-hit-lru 2)', context: { 'router.scorers.prefixCache': 3, 'router.scorers.kvCacheUtilization': 2, 'router.scorers.queue': 2, 'router.scorers.noHitLru': 2 } },
];

const RATES = [5, 10, 15, 20, 25, 30];

function row(name: string, rr: SimResult, llmd: SimResult, noLru: SimResult): string {
  const cell = (r: SimResult) => `${r.request_throughput.toFixed(1)} | ${Math.round(r.mean_ttft_ms).toLocaleString('en-US')} | ${r.mean_tpot_ms.toFixed(0)}`;
  return `| ${name} | ${cell(rr)} | ${cell(llmd)} | ${(llmd.request_throughput / rr.request_throughput).toFixed(2)}x | ${cell(noLru)} |`;
}

function whatIf(): void {
  const out: string[] = [];
  out.push('| what changes | RR req/s | RR TTFT ms | RR TPOT ms | llm-d req/s | llm-d TTFT ms | llm-d TPOT ms | llm-d / RR | no-hit-lru 0: llm-d req/s | TTFT ms | TPOT ms |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const w of WHAT_IFS) {
    const config = loadConfig(w.context ?? {});
    const base = simulate(config, { routers: ['round-robin', 'llm-d'], overrides: w.overrides });
    const noLru = simulate(loadConfig({ ...w.context, ...NO_LRU }), { routers: ['llm-d'], overrides: w.overrides });
    out.push(row(w.name, base.runs[0].result, base.runs[1].result, noLru.runs[0].result));
    process.stderr.write('.');
  }
  out.push('', '| speculative indexing | llm-d req/s | mean TTFT ms | P99 TTFT ms | hit rate | preemptions |', '|---|---|---|---|---|---|');
  for (const [name, context] of [['rendered config (no-hit-lru 2)', {}], ['no-hit-lru 0', NO_LRU]] as const) {
    const sim = simulate(loadConfig(context), { routers: ['llm-d', 'llm-d-no-speculative'] });
    for (const run of sim.runs) {
      const r = run.result;
      out.push(`| ${name}, ${run.router === 'llm-d' ? 'on' : 'off'} | ${r.request_throughput.toFixed(1)} | ${Math.round(r.mean_ttft_ms).toLocaleString('en-US')} | ${Math.round(r.p99_ttft_ms).toLocaleString('en-US')} | ${(r.prefix_cache_hit_rate * 100).toFixed(1)}% | ${r.sim_num_preemptions} |`);
    }
  }
  out.push('', '| seed | llm-d req/s | llm-d mean TTFT ms | llm-d P99 TPOT ms | no-hit-lru 0: req/s | mean TTFT ms | P99 TPOT ms |', '|---|---|---|---|---|---|---|');
  for (const seed of [0, 1, 2, 3, 4]) {
    const a = simulate(loadConfig({}), { routers: ['llm-d'], overrides: { seed } }).runs[0].result;
    const b = simulate(loadConfig(NO_LRU), { routers: ['llm-d'], overrides: { seed } }).runs[0].result;
    const f = (r: SimResult) => `${r.request_throughput.toFixed(1)} | ${Math.round(r.mean_ttft_ms).toLocaleString('en-US')} | ${Math.round(r.p99_tpot_ms)}`;
    out.push(`| ${seed} | ${f(a)} | ${f(b)} |`);
  }
  out.push('', '| offered req/s (open loop, 1800 prompts) | RR achieved | RR median TTFT ms | RR P99 TTFT ms | llm-d achieved | llm-d median TTFT ms | llm-d P99 TTFT ms |', '|---|---|---|---|---|---|---|');
  for (const rate of RATES) {
    const config = loadConfig({});
    const overrides: SimOverrides = { requestRate: rate, maxConcurrency: null, numPrompts: config.benchmark.ladderNumPrompts };
    const rr = simulate(config, { routers: ['round-robin'], overrides }).runs[0].result;
    const ld = simulate(config, { routers: ['llm-d'], overrides }).runs[0].result;
    const f = (r: SimResult) => `${r.request_throughput.toFixed(1)} | ${Math.round(r.median_ttft_ms).toLocaleString('en-US')} | ${Math.round(r.p99_ttft_ms).toLocaleString('en-US')}`;
    out.push(`| ${rate} | ${f(rr)} | ${f(ld)} |`);
  }
  process.stderr.write('\n');
  process.stdout.write(`${out.join('\n')}\n`);
}

function calibrationTable(): void {
  const config = loadConfig({});
  const ref = simulate(config, { routers: ['round-robin', 'llm-d'] });
  const rendered = simulate(loadConfig(NO_LRU), { routers: ['llm-d'] });
  const [rr, llmd] = ref.runs.map((r) => r.result as unknown as Record<string, number>);
  const asIs = rendered.runs[0].result as unknown as Record<string, number>;
  const rows: [string, keyof ReferencePath, number, string][] = [
    ['duration (s)', 'duration', 1, 'n'],
    ['request throughput (req/s)', 'request_throughput', 2, 'n'],
    ['output token throughput (tok/s)', 'output_throughput', 0, 'n'],
    ['total token throughput (tok/s)', 'total_token_throughput', 0, 'n'],
    ['mean TTFT (ms)', 'mean_ttft_ms', 0, 'n'],
    ['median TTFT (ms)', 'median_ttft_ms', 0, 'n'],
    ['P99 TTFT (ms)', 'p99_ttft_ms', 0, 'n'],
    ['mean TPOT (ms)', 'mean_tpot_ms', 1, 'n'],
    ['P99 TPOT (ms)', 'p99_tpot_ms', 1, 'n'],
    ['prefix cache hit rate', 'prefix_cache_hit_rate', 1, 'pct'],
  ];
  const fmt = (v: number, d: number, kind: string) => (kind === 'pct' ? `${(v * 100).toFixed(d)}%` : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
  const err = (got: number, want: number, kind: string) => (kind === 'pct' ? `${((got - want) * 100).toFixed(1)} pt` : `${((got / want - 1) * 100).toFixed(1)}%`);
  const out = [
    '| metric | RR reference | RR predicted | error | llm-d reference | llm-d predicted | error | llm-d, no-hit-lru 0 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, key, d, kind] of rows) {
    const a = REFERENCE.roundRobin[key] as number;
    const b = REFERENCE.llmd[key] as number;
    out.push(`| ${name} | ${fmt(a, d, kind)} | ${fmt(rr[key], d, kind)} | ${err(rr[key], a, kind)} | ${fmt(b, d, kind)} | ${fmt(llmd[key], d, kind)} | ${err(llmd[key], b, kind)} | ${fmt(asIs[key], d, kind)} |`);
  }
  const kv = (r: Record<string, number>) => `${(r.kv_cache_usage_mean * 100).toFixed(0)}% mean, ${(r.kv_cache_usage_p95 * 100).toFixed(0)}% p95`;
  out.push(`| GPU KV cache usage | 98-99% | ${kv(rr)} | | 64-71% | ${kv(llmd)} | | ${kv(asIs)} |`);
  out.push(`| hit rate, first lookups | | ${(rr.prefix_cache_hit_rate_first_lookup * 100).toFixed(1)}% | | | ${(llmd.prefix_cache_hit_rate_first_lookup * 100).toFixed(1)}% | | ${(asIs.prefix_cache_hit_rate_first_lookup * 100).toFixed(1)}% |`);
  out.push(`| preemptions | | ${rr.sim_num_preemptions} | | | ${llmd.sim_num_preemptions} | | ${asIs.sim_num_preemptions} |`);
  out.push(`| llm-d / RR request throughput | 2.34x | | | | ${(llmd.request_throughput / rr.request_throughput).toFixed(2)}x | | ${(asIs.request_throughput / rr.request_throughput).toFixed(2)}x |`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv.includes('--fit')) fit();
else if (process.argv.includes('--calibration')) calibrationTable();
else if (process.argv.includes('--what-if')) whatIf();
else bench();
