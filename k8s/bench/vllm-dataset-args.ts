/**
 * The dataset arguments of `vllm bench serve` for the workloads it runs (vllm/benchmarks/datasets.py):
 * prefix_repetition (the reference run) and random with fixed lengths (--random-range-ratio 0; the
 * config checks refuse other length distributions for this harness, lib/workload/spec.ts vllmCanRun).
 */
import type { BenchConfig } from '../../lib/config';
import { parseLength } from '../../lib/workload/lengths';

export function vllmDatasetArgs(c: BenchConfig): string[] {
  const b = c.benchmark;
  if (c.workload.name === 'random') {
    const input = parseLength(c.workload.random.inputLen);
    const output = parseLength(c.workload.random.outputLen);
    if (input.kind !== 'fixed' || output.kind !== 'fixed') throw new Error('vllm bench serve runs the random workload with fixed lengths only');
    return [
      '--dataset-name', 'random',
      '--random-input-len', String(input.value),
      '--random-output-len', String(output.value),
      '--random-range-ratio', '0',
    ];
  }
  if (c.workload.name !== 'prefix-repetition') throw new Error(`vllm bench serve has no ${c.workload.name} dataset`);
  return [
    '--dataset-name', b.dataset,
    '--prefix-repetition-num-prefixes', String(b.numPrefixes),
    '--prefix-repetition-prefix-len', String(b.prefixLen),
    '--prefix-repetition-suffix-len', String(b.suffixLen),
    '--prefix-repetition-output-len', String(b.outputLen),
  ];
}
