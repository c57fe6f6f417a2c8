/**
 * `npm run bench:matrix`: the issue-10 matrix with the configured (reference) workload: per row the
 * KV tokens per replica, the simulated throughput of both paths, $/h and $ per million output tokens,
 * as the Markdown table of docs/simulator.md. Offline; a few seconds.
 */
import { fitInput, loadConfig } from '../lib/config';
import { kvTokensPerReplica } from '../lib/config/fit';
import { costReport } from '../lib/bench/cost';
import { simulate } from '../lib/sim';
import { ROWS } from '../test/matrix/rows';

const fmt = (v: number, d = 1) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const lines = [
  '| deployment | replicas x TP | KV tokens / replica | RR req/s | llm-d req/s | llm-d / RR | RR TPOT ms | llm-d TPOT ms | $/h (us-west-2) | RR $/M out tok | llm-d $/M out tok |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const row of ROWS) {
  const c = loadConfig(row.context);
  const started = Date.now();
  const sim = simulate(c, { routers: ['round-robin', 'llm-d'], intervals: false });
  const [rr, llmd] = sim.runs.map((r) => r.result);
  const prediction = { source: 'simulated' as const, notes: sim.calibration.warning ? [sim.calibration.warning] : [], paths: {
    'round-robin': { requestThroughput: rr.request_throughput, outputThroughput: rr.output_throughput },
    'llm-d': { requestThroughput: llmd.request_throughput, outputThroughput: llmd.output_throughput },
  } };
  const cost = costReport(c, { targets: 2, ladder: false, warmup: false }, undefined, prediction);
  lines.push(`| ${row.name} | ${c.vllm.replicas} x ${c.vllm.tensorParallelSize} | ${fmt(kvTokensPerReplica(fitInput(c)), 0)} | ${fmt(rr.request_throughput, 2)} | ${fmt(llmd.request_throughput, 2)} | ${fmt(llmd.request_throughput / rr.request_throughput, 2)}x | ` +
    `${fmt(rr.mean_tpot_ms)} | ${fmt(llmd.mean_tpot_ms)} | ${fmt(cost.perHour, 2)} | ${fmt(cost.paths[0].usdPerMillionOutputTokens, 2)} | ${fmt(cost.paths[1].usdPerMillionOutputTokens, 2)} |`);
  process.stderr.write(`${row.name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${lines.join('\n')}\n`);
