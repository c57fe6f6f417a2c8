/**
 * Held-out check (`npm run bench:sim -- --holdout`): published runs the fit never reads
 * (test/fixtures/holdout/), predicted with the committed all-fit. The fixture says what is read into
 * them (stand-in models, mean lengths for ShareGPT); docs/simulator.md carries the table.
 *
 * The GPU is a validation-only row here, like the A40 anchor's (lib/sim/anchor-predict.ts): no EC2
 * instance has it, so the instance type only carries the config and these facts replace its GPU's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../lib/config';
import { GPUS, type GpuFacts } from '../lib/config/tables/gpus';
import { simulate } from '../lib/sim';
import { fittedCalibration } from '../lib/sim/calibration/fitted';
import { IO_NET_HOST, IOG_PROMPTS, iogRunContext } from '../lib/sim/anchor-predict';

export const HOLDOUT_DIR = path.join(__dirname, '..', 'test', 'fixtures', 'holdout');

const GPU_ROWS: Readonly<Record<string, { facts: GpuFacts; instanceType: string }>> = {
  RTX4090: {
    instanceType: 'g6e.xlarge',
    facts: {
      memoryGB: 24, usableMemoryGiB: 23.99, memoryBandwidthGBs: 1008, bf16Tflops: 165.2,
      architecture: 'ada', computeCapability: 8.9, l2CacheMiB: 72, link: GPUS.L4.link,
      sources: ['VALIDATION ONLY: NVIDIA Ada Lovelace architecture whitepaper (RTX 4090: 1,008 GB/s GDDR6X, 165.2 dense bf16 TFLOPS with FP32 accumulate, 72 MB L2); nvidia-smi 24,564 MiB'],
    },
  },
};

interface HoldoutFixture {
  readonly id: string;
  readonly runs: readonly {
    readonly gpu: string; readonly model: string; readonly predictAs: string; readonly inputTokens: number; readonly outputTokens: number;
    readonly rows: readonly { readonly qps: number; readonly request_throughput: number; readonly mean_ttft_ms: number; readonly mean_tpot_ms: number }[];
  }[];
}

export const HOLDOUT_METRICS = ['request_throughput', 'mean_ttft_ms', 'mean_tpot_ms'] as const;

export interface HoldoutRow {
  readonly fixture: string;
  readonly gpu: string;
  readonly model: string;
  readonly qps: number;
  readonly published: Readonly<Record<(typeof HOLDOUT_METRICS)[number], number>>;
  readonly predicted: Readonly<Record<(typeof HOLDOUT_METRICS)[number], number>>;
}

/** Every published row of every holdout fixture next to its prediction with the committed all-fit. */
export function holdoutRows(dir: string = HOLDOUT_DIR): HoldoutRow[] {
  const fitted = fittedCalibration();
  if (!fitted) throw new Error('no fit committed (lib/sim/calibration/fitted.json): run `npm run bench:sim -- --fit`');
  const out: HoldoutRow[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as HoldoutFixture;
    for (const run of fx.runs) {
      const gpu = GPU_ROWS[run.gpu];
      if (!gpu) throw new Error(`${file}: no validation GPU row "${run.gpu}" (scripts/holdout.ts)`);
      for (const row of run.rows) {
        // The same run setup as the H100 PCIe anchor of the same harness (lib/sim/anchor-predict.ts).
        const config = loadConfig(iogRunContext({
          instanceType: gpu.instanceType, gpuMemoryGB: gpu.facts.memoryGB, model: run.predictAs,
          input: Math.round(run.inputTokens / IOG_PROMPTS), output: Math.round(run.outputTokens / IOG_PROMPTS), rate: row.qps,
        }));
        const r = simulate(config, { routers: ['round-robin'], intervals: false, overrides: { replicas: 1 }, model: { timing: fitted.params, gpu: gpu.facts, host: IO_NET_HOST } }).runs[0].result;
        out.push({
          fixture: fx.id, gpu: run.gpu, model: run.model, qps: row.qps,
          published: { request_throughput: row.request_throughput, mean_ttft_ms: row.mean_ttft_ms, mean_tpot_ms: row.mean_tpot_ms },
          predicted: { request_throughput: r.request_throughput, mean_ttft_ms: r.mean_ttft_ms, mean_tpot_ms: r.mean_tpot_ms },
        });
      }
    }
  }
  return out;
}

const pct = (p: number, q: number) => `${p / q - 1 >= 0 ? '+' : ''}${((p / q - 1) * 100).toFixed(0)}%`;

export function holdoutTable(rows: readonly HoldoutRow[]): string {
  const lines = [
    '| GPU | model (run) | QPS | req/s published / predicted | mean TTFT ms | mean TPOT ms |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const cell = (k: (typeof HOLDOUT_METRICS)[number], d: number) => `${r.published[k].toFixed(d)} / ${r.predicted[k].toFixed(d)} (${pct(r.predicted[k], r.published[k])})`;
    lines.push(`| ${r.gpu} | ${r.model.split('/')[1]} | ${r.qps} | ${cell('request_throughput', 2)} | ${cell('mean_ttft_ms', 1)} | ${cell('mean_tpot_ms', 2)} |`);
  }
  return lines.join('\n');
}
