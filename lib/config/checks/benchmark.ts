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
  multiple('benchmark.numPrompts', b.numPrompts);
  multiple('benchmark.ladderNumPrompts', b.ladderNumPrompts);
  multiple('benchmark.warmupNumPrompts', b.warmupNumPrompts);
  for (let i = 1; i < b.ladderRates.length; i++) {
    if (b.ladderRates[i] <= b.ladderRates[i - 1]) {
      out.push(problem('benchmark.ladderRates', b.ladderRates, 'must be strictly ascending'));
      break;
    }
  }
  return out;
};

export const BENCHMARK_CHECKS: readonly Check[] = [benchmark];
