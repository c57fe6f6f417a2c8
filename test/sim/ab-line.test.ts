/**
 * The A/B line under `simulate`'s table says which way TTFT moved: a ratio below 1 is printed as
 * "higher", never as "0.5x lower" (which reads as an improvement).
 */
import type { Simulation } from '../../lib/sim';
import { formatTable } from '../../lib/sim/output';

/** A result with every number the table prints; only throughput and mean TTFT matter here. */
function result(requestThroughput: number, meanTtftMs: number): Record<string, number> {
  const keys = ['duration', 'output_throughput', 'total_token_throughput', 'median_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'p99_tpot_ms',
    'mean_itl_ms', 'p99_itl_ms', 'prefix_cache_hit_rate', 'prefix_cache_hit_rate_first_lookup', 'kv_cache_usage_mean', 'kv_cache_usage_p95',
    'max_waiting', 'sim_num_preemptions'];
  return { ...Object.fromEntries(keys.map((k) => [k, 1])), request_throughput: requestThroughput, mean_ttft_ms: meanTtftMs };
}

function abLine(rr: Record<string, number>, llmd: Record<string, number>): string {
  const sim = { runs: [{ label: 'round-robin', result: rr }, { label: 'llm-d', result: llmd }] } as unknown as Simulation;
  return formatTable(sim).split('\n').pop()!;
}

test.each([
  // llm-d faster: TTFT 1000 -> 400 ms
  [result(10, 1000), result(23, 400), 'llm-d vs round-robin: 2.30x request throughput, 2.5x lower mean TTFT'],
  // llm-d slower: TTFT 500 -> 1000 ms (printed "0.5x lower" before)
  [result(10, 500), result(5, 1000), 'llm-d vs round-robin: 0.50x request throughput, 2.0x higher mean TTFT'],
  // within the printed precision: neither "1.0x lower" nor "1.0x higher"
  [result(10, 500), result(10, 510), 'llm-d vs round-robin: 1.00x request throughput, about the same mean TTFT'],
  [result(10, 510), result(10, 500), 'llm-d vs round-robin: 1.00x request throughput, about the same mean TTFT'],
  // just past it, both ways
  [result(10, 1000), result(10, 900), 'llm-d vs round-robin: 1.00x request throughput, 1.1x lower mean TTFT'],
  [result(10, 900), result(10, 1000), 'llm-d vs round-robin: 1.00x request throughput, 1.1x higher mean TTFT'],
])('%#: the TTFT ratio is worded in the direction it goes', (rr, llmd, line) => {
  expect(abLine(rr, llmd)).toBe(line);
});
