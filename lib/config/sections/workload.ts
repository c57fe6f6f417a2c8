import { z } from 'zod';
import { LENGTH_SYNTAX, LengthSpecError, parseLength, type LengthUnit } from '../../workload/lengths';
import { oneOf, positiveInt } from '../fields';

/** The workloads a run (and `simulate`) can send; the names are the `--workload` values. */
export const WORKLOAD_NAMES = ['prefix-repetition', 'shared-prefix', 'multi-turn', 'random'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** A length: a whole number, or a distribution string (lib/workload/lengths.ts). */
export const lengthSpec = (unit: LengthUnit = 'tokens') =>
  z.union([z.number(), z.string()], { error: `must be a length: ${LENGTH_SYNTAX}` }).superRefine((value, ctx) => {
    try {
      parseLength(value, unit);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof LengthSpecError ? err.message : String(err) });
    }
  });

/**
 * What the benchmark client sends (docs/workloads.md, "Workloads"). `prefix-repetition` keeps its
 * parameters in `benchmark.*` (numPrefixes, prefixLen, suffixLen, outputLen), unchanged; the other
 * workloads are described here. Lengths take `128`, `64-512`, `n:512:64` or `ln:512:0.5`.
 */
export const workloadSchema = z.object({
  name: oneOf(WORKLOAD_NAMES).default('prefix-repetition')
    .describe('Workload of `run` and `simulate` (--workload): prefix-repetition (vllm bench serve, the reference run), shared-prefix, multi-turn or random.'),
  sharedPrefix: z.object({
    groups: positiveInt().default(32)
      .describe('shared-prefix: groups G, each with its own system prompt (inference-perf num_groups). 32 x 32 x 2048/256/256 is llm-d-benchmark\'s shared_prefix_synthetic profile, the workload of the llm-d precise-prefix-cache guide.'),
    promptsPerGroup: positiveInt().default(32)
      .describe('shared-prefix: prompts per group P, each = the group\'s system prompt + its own question (num_prompts_per_group). All G x P prompts are sent in one seeded shuffled order, then reused cyclically in the same order.'),
    systemPromptLen: lengthSpec().default(2048)
      .describe('shared-prefix: tokens of each group\'s system prompt S (one sample per group).'),
    questionLen: lengthSpec().default(256)
      .describe('shared-prefix: tokens of each prompt\'s own question Q.'),
    outputLen: lengthSpec().default(256)
      .describe('shared-prefix: output tokens O per request (max_tokens, EOS ignored).'),
  }).strict().prefault({}),
  multiTurn: z.object({
    conversations: positiveInt().default(64)
      .describe('multi-turn: conversations C (inference-perf conversation_replay num_conversations); request i belongs to conversation i mod C.'),
    turns: positiveInt().default(8)
      .describe('multi-turn: turns T per conversation; turn k sends the system prompt, every earlier user message and answer, and a new user message. A finished conversation starts again from turn 0.'),
    systemPromptLen: positiveInt().default(512)
      .describe('multi-turn: tokens of the system prompt every conversation starts with (shared_system_prompt_len). inference-perf v0.6.1 keeps no history without one, so it must be >= 1.'),
    userLen: lengthSpec().default(128)
      .describe('multi-turn: tokens U of each new user message.'),
    outputLen: lengthSpec().default(128)
      .describe('multi-turn: output tokens O of each answer (max_tokens, EOS ignored).'),
    thinkTimeS: lengthSpec('seconds').default(2)
      .describe('multi-turn: seconds between an answer and the conversation\'s next turn (tool_call_latency_sec; a distribution is sampled per turn and rounded to whole seconds, as inference-perf does).'),
  }).strict().prefault({}),
  random: z.object({
    inputLen: lengthSpec().default('n:1024:256')
      .describe('random: prompt tokens per request (no sharing between requests).'),
    outputLen: lengthSpec().default(256)
      .describe('random: output tokens per request.'),
  }).strict().prefault({}),
}).strict().prefault({});
