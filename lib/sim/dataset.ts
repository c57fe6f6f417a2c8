/**
 * The simulator's request list, and the `prefix_repetition` dataset of `vllm bench serve`
 * (vllm/benchmarks/datasets.py, PrefixRepetitionRandomDataset): `numPrompts / numPrefixes` prompts per
 * prefix, each prompt = its prefix's random tokens + its own random suffix, then one seeded shuffle of
 * the whole list. A prompt count that is not a multiple of the prefix count is refused (vLLM would make
 * num_prompts // num_prefixes per prefix and send fewer than asked). The chat template (backend
 * openai-chat) wraps every prompt in the same leading tokens (system prompt) and trailing tokens
 * (assistant marker). The other workloads are built in workloads.ts.
 */
import { NodeIds, type SegmentTable, SegmentTableBuilder } from './block-keys';
import { Rng, RNG_STREAMS } from './rng';

/** What the engine and routers read about the requests of a run, indexed by request id (send order). */
export interface Workload {
  readonly count: number;
  /** Group of each request: prefix, shared-prefix group, conversation; -1 when nothing is shared. */
  readonly prefixOf: Int32Array;
  /** Prompt tokens as the engine sees them (template included). */
  readonly promptLen: Int32Array;
  /** Output tokens (the max_tokens limit, forced by ignore-eos). */
  readonly outputLen: Int32Array;
  /** Segments of each request's sequence (prompt, then output): the sharing structure (block-keys.ts). */
  readonly segments: SegmentTable;
  /** Index of each request's stage in the run's stage list (warm-up first, when there is one). */
  readonly stage: Int32Array;
  /** multi-turn: the request whose answer this one extends (it waits for it); -1 for none. */
  readonly after: Int32Array;
  /** Seconds the client keeps a request (and its concurrency slot) after its last token: think time. */
  readonly holdAfter: Float64Array;
}

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

export function promptsPerPrefix(numPrompts: number, numPrefixes: number): number {
  if (numPrompts < numPrefixes || numPrompts % numPrefixes !== 0) {
    throw new Error(`numPrompts (${numPrompts}) must be a multiple of numPrefixes (${numPrefixes}): vllm bench serve makes num_prompts // num_prefixes prompts per prefix`);
  }
  return numPrompts / numPrefixes;
}

/** Name of the shared node of the chat template's leading tokens. */
export const TEMPLATE_NODE = 'template';

/** Every request in stage 0, no turn dependencies. */
export function singleStage(count: number): Pick<Workload, 'stage' | 'after' | 'holdAfter'> {
  return { stage: new Int32Array(count), after: new Int32Array(count).fill(-1), holdAfter: new Float64Array(count) };
}

export function buildWorkload(p: WorkloadParams, ids = new NodeIds()): Workload {
  const perPrefix = promptsPerPrefix(p.numPrompts, p.numPrefixes);
  const count = perPrefix * p.numPrefixes;
  const prefixOf = new Int32Array(count);
  for (let i = 0; i < count; i++) prefixOf[i] = Math.floor(i / perPrefix);
  new Rng(p.seed, RNG_STREAMS.dataset).shuffle(prefixOf);
  const promptLen = new Int32Array(count).fill(p.leadingTokens + p.prefixLen + p.suffixLen + p.trailingTokens);
  const outputLen = new Int32Array(count).fill(p.outputLen);
  const seg = new SegmentTableBuilder(count * 4);
  const template = ids.shared(TEMPLATE_NODE);
  for (let r = 0; r < count; r++) {
    seg.add(template, p.leadingTokens)
      .add(ids.shared(`prefix:${prefixOf[r]}`), p.prefixLen)
      // the suffix is random per prompt; the trailing template after it is therefore private too
      .add(ids.fresh(), p.suffixLen + p.trailingTokens)
      .add(ids.fresh(), p.outputLen)
      .endRequest();
  }
  return { count, prefixOf, promptLen, outputLen, segments: seg.build(), ...singleStage(count) };
}
