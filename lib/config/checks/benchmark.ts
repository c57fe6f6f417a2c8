/** Checks of the benchmark keys. */
import { problem } from '../problems';
import type { Check } from './types';

export const benchmark: Check = (c) => {
  const out: string[] = [];
  const b = c.benchmark;
  const multiple = (key: string, n: number) => {
    if (n < b.numPrefixes || n % b.numPrefixes !== 0) {
      out.push(problem(key, n, `must be a multiple of benchmark.numPrefixes (${b.numPrefixes}): vllm bench serve makes num_prompts // num_prefixes prompts per prefix`));
    }
  };
  // Only prefix_repetition groups prompts by prefix; the other workloads take any count. The ladder's
  // and warm-up's counts are checked when `run --ladder/--warmup` plans them (k8s/bench/benchmark-job.ts
  // validateRun), so a simulation or a main run with another prefix count is not refused for them.
  if (c.workload.name === 'prefix-repetition') multiple('benchmark.numPrompts', b.numPrompts);
  if (b.ladderRates.length === 0) {
    out.push(problem('benchmark.ladderRates', b.ladderRates, 'must list at least one request rate'));
  }
  for (let i = 1; i < b.ladderRates.length; i++) {
    if (b.ladderRates[i] <= b.ladderRates[i - 1]) {
      out.push(problem('benchmark.ladderRates', b.ladderRates, 'must be strictly ascending'));
      break;
    }
  }
  // The report reproduces the reference table, which has TTFT and TPOT rows and a P99 column.
  for (const m of ['ttft', 'tpot'] as const) {
    if (!b.percentileMetrics.includes(m)) {
      out.push(problem('benchmark.percentileMetrics', b.percentileMetrics, `must include "${m}": the report's ${m.toUpperCase()} rows read mean_${m}_ms and p99_${m}_ms`));
    }
  }
  if (!b.metricPercentiles.includes(99)) {
    out.push(problem('benchmark.metricPercentiles', b.metricPercentiles, 'must include 99: the report has P99 TTFT and P99 TPOT rows'));
  }
  if (new Set(b.metricPercentiles).size !== b.metricPercentiles.length) {
    out.push(problem('benchmark.metricPercentiles', b.metricPercentiles, 'each percentile may appear once'));
  }
  return out;
};

export const BENCHMARK_CHECKS: readonly Check[] = [benchmark];
