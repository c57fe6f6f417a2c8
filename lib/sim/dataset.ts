/**
 * The `prefix_repetition` dataset of `vllm bench serve` (vllm/benchmarks/datasets.py,
 * PrefixRepetitionRandomDataset): `numPrompts // numPrefixes` prompts per prefix, each prompt = its
 * prefix's random tokens + its own random suffix, then one seeded shuffle of the whole list. Token
 * values do not matter to the simulator, only which tokens are shared: a prompt is described by its
 * prefix id and its lengths. The chat template (backend openai-chat) wraps every prompt in the same
 * leading tokens (system prompt) and trailing tokens (assistant marker).
 */
import { Rng, RNG_STREAMS } from './rng';

export interface WorkloadParams {
  readonly numPrompts: number;
  readonly numPrefixes: number;
  readonly prefixLen: number;
  readonly suffixLen: number;
  readonly outputLen: number;
  /** Template tokens before the prompt, identical in every request. */
  readonly leadingTokens: number;
  /** Template tokens after the prompt. */
  readonly trailingTokens: number;
  readonly seed: number;
}

export interface Workload {
  /** Requests actually generated: (numPrompts // numPrefixes) x numPrefixes. */
  readonly count: number;
  /** Prefix id of each request, in send order. */
  readonly prefixOf: Int32Array;
  /** Prompt tokens as the engine sees them (template + prefix + suffix). */
  readonly promptLen: Int32Array;
  /** Output tokens (the max_tokens limit, forced by --ignore-eos). */
  readonly outputLen: Int32Array;
  readonly leadingTokens: number;
  readonly prefixLen: number;
}

export function promptsPerPrefix(numPrompts: number, numPrefixes: number): number {
  return Math.floor(numPrompts / numPrefixes);
}

export function buildWorkload(p: WorkloadParams): Workload {
  const perPrefix = promptsPerPrefix(p.numPrompts, p.numPrefixes);
  if (perPrefix < 1) {
    throw new Error(`numPrompts (${p.numPrompts}) must be >= numPrefixes (${p.numPrefixes}), as vllm bench serve requires`);
  }
  const count = perPrefix * p.numPrefixes;
  const prefixOf = new Int32Array(count);
  for (let i = 0; i < count; i++) prefixOf[i] = Math.floor(i / perPrefix);
  new Rng(p.seed, RNG_STREAMS.dataset).shuffle(prefixOf);
  const promptLen = new Int32Array(count).fill(p.leadingTokens + p.prefixLen + p.suffixLen + p.trailingTokens);
  const outputLen = new Int32Array(count).fill(p.outputLen);
  return { count, prefixOf, promptLen, outputLen, leadingTokens: p.leadingTokens, prefixLen: p.prefixLen };
}
