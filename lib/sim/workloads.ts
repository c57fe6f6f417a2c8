/**
 * The request generator of every workload (lib/workload/spec.ts), built the way the harness that runs
 * it builds its requests, so a prediction and a measurement send the same traffic:
 *
 *  - prefix-repetition: vllm bench serve's prefix_repetition (dataset.ts).
 *  - shared-prefix: inference-perf v0.6.1 SharedPrefixDataGenerator (datagen/shared_prefix_datagen.py):
 *    one system-prompt length per group, one question and output length per prompt, all G x P prompts
 *    put in one seeded permutation, then request i of a stage sends prompt perm[i mod G x P]: whole
 *    prompts come back cyclically in the same shuffled order. Every stage starts at i = 0 again
 *    (loadgen/load_generator.py run_stage calls datagen.get_data() afresh).
 *  - multi-turn: inference-perf ConversationReplayDataGenerator (datagen/conversation_replay_datagen.py):
 *    request i belongs to conversation i mod C, round i div C, turn round mod T; turn k sends the
 *    system prompt, every earlier user message and answer of the conversation, and its own user message
 *    (apis/user_session.py); it waits for turn k - 1's answer and think time (tool_call_latency_sec,
 *    slept after the answer while the session lock and the concurrency slot are held). A conversation
 *    that ran all T turns starts again at turn 0 with the same messages and fresh answers.
 *  - random: vllm bench serve's random dataset (fixed lengths) or inference-perf's RandomDataGenerator:
 *    one length array drawn once, request i of every stage taking entry i.
 *
 * Token values are not modelled; what matters is which tokens two requests share (block-keys.ts).
 */
import type { RunSpec, WorkloadSpec } from '../workload/spec';
import { type LengthDist, sampleLength } from '../workload/lengths';
import { NodeIds, SegmentTableBuilder } from './block-keys';
import { buildWorkload, TEMPLATE_NODE, type Workload } from './dataset';
import { Rng, RNG_STREAMS } from './rng';

/** Chat-template tokens around each prompt (vllm bench serve with the openai-chat backend only). */
export interface TemplateTokens {
  readonly leading: number;
  readonly trailing: number;
}

export const NO_TEMPLATE: TemplateTokens = { leading: 0, trailing: 0 };

/** Requests per stage, in order: the warm-up (if any) first, then the measured stages. */
export function stageRequestCounts(run: RunSpec): number[] {
  if (run.harness !== 'inference-perf') return [run.load.numPrompts];
  return [...(run.load.warmup ? [run.load.warmup] : []), ...run.load.stages].map((s) => s.requests);
}

class Collector {
  readonly seg = new SegmentTableBuilder();
  readonly prefixOf: number[] = [];
  readonly promptLen: number[] = [];
  readonly outputLen: number[] = [];
  readonly stage: number[] = [];
  readonly after: number[] = [];
  readonly holdAfter: number[] = [];

  push(r: { group: number; prompt: number; output: number; stage: number; after?: number; hold?: number }): void {
    this.seg.endRequest();
    this.prefixOf.push(r.group);
    this.promptLen.push(r.prompt);
    this.outputLen.push(r.output);
    this.stage.push(r.stage);
    this.after.push(r.after ?? -1);
    this.holdAfter.push(r.hold ?? 0);
  }

  build(): Workload {
    const count = this.prefixOf.length;
    return {
      count,
      prefixOf: Int32Array.from(this.prefixOf),
      promptLen: Int32Array.from(this.promptLen),
      outputLen: Int32Array.from(this.outputLen),
      segments: this.seg.build(),
      stage: Int32Array.from(this.stage),
      after: Int32Array.from(this.after),
      holdAfter: Float64Array.from(this.holdAfter),
    };
  }
}

function samples(d: LengthDist, n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => sampleLength(d, rng));
}

function sharedPrefix(w: Extract<WorkloadSpec, { name: 'shared-prefix' }>, counts: number[], t: TemplateTokens, rng: Rng): Workload {
  const ids = new NodeIds();
  const G = w.groups;
  const P = w.promptsPerGroup;
  const sys = samples(w.systemPromptLen, G, rng);
  const q: number[][] = [];
  const o: number[][] = [];
  for (let g = 0; g < G; g++) {
    q.push(samples(w.questionLen, P, rng));
    o.push(samples(w.outputLen, P, rng));
  }
  const order = rng.shuffle(Int32Array.from({ length: G * P }, (_, i) => i));
  const out = new Collector();
  const template = ids.shared(TEMPLATE_NODE);
  counts.forEach((n, stage) => {
    for (let i = 0; i < n; i++) {
      const prompt = order[i % (G * P)];
      const g = Math.floor(prompt / P);
      const p = prompt % P;
      out.seg.add(template, t.leading)
        .add(ids.shared(`system:${g}`), sys[g])
        // the whole prompt is sent again every cycle: its question (and what follows it) is shared too
        .add(ids.shared(`question:${g}:${p}`), q[g][p] + t.trailing)
        .add(ids.fresh(), o[g][p]);
      out.push({ group: g, prompt: t.leading + sys[g] + q[g][p] + t.trailing, output: o[g][p], stage });
    }
  });
  return out.build();
}

function multiTurn(w: Extract<WorkloadSpec, { name: 'multi-turn' }>, counts: number[], rng: Rng): Workload {
  const ids = new NodeIds();
  const C = w.conversations;
  const T = w.turns;
  // Blueprints, sampled in inference-perf's order: all user lengths, all answer lengths, all latencies.
  const user = samples(w.userLen, C * T, rng);
  const answer = samples(w.outputLen, C * T, rng);
  const think = Array.from({ length: C * T }, () => sampleLength(w.thinkTimeS, rng, 'seconds', true));
  const out = new Collector();
  const system = ids.shared('system');
  counts.forEach((n, stage) => {
    const base = out.prefixOf.length;
    for (let i = 0; i < n; i++) {
      const c = i % C;
      const round = Math.floor(i / C);
      const k = round % T;
      const instance = Math.floor(round / T);
      const turn = (j: number) => c * T + j;
      // Earlier turns of this instance: user messages and answers, then this turn's message.
      out.seg.add(system, w.systemPromptLen);
      let prompt = w.systemPromptLen;
      for (let j = 0; j < k; j++) {
        out.seg.add(ids.shared(j === 0 ? `user:${c}:0` : `user:${c}:${j}:${instance}`), user[turn(j)])
          .add(ids.shared(`answer:${c}:${j}:${instance}`), answer[turn(j)]);
        prompt += user[turn(j)] + answer[turn(j)];
      }
      out.seg.add(ids.shared(k === 0 ? `user:${c}:0` : `user:${c}:${k}:${instance}`), user[turn(k)]);
      prompt += user[turn(k)];
      // The answer is re-sent by the next turn, unless this is the conversation's last one.
      out.seg.add(k < T - 1 ? ids.shared(`answer:${c}:${k}:${instance}`) : ids.fresh(), answer[turn(k)]);
      out.push({ group: c, prompt, output: answer[turn(k)], stage, after: k > 0 ? base + i - C : -1, hold: think[turn(k)] });
    }
  });
  return out.build();
}

function random(w: Extract<WorkloadSpec, { name: 'random' }>, counts: number[], t: TemplateTokens, rng: Rng): Workload {
  const ids = new NodeIds();
  const longest = Math.max(...counts);
  const input = samples(w.inputLen, longest, rng);
  const output = samples(w.outputLen, longest, rng);
  const out = new Collector();
  const template = ids.shared(TEMPLATE_NODE);
  counts.forEach((n, stage) => {
    for (let i = 0; i < n; i++) {
      out.seg.add(template, t.leading).add(ids.fresh(), input[i] + t.trailing).add(ids.fresh(), output[i]);
      out.push({ group: -1, prompt: t.leading + input[i] + t.trailing, output: output[i], stage });
    }
  });
  return out.build();
}

/** Every request of a run (warm-up stage first), in send order. */
export function buildRunWorkload(run: RunSpec, template: TemplateTokens = NO_TEMPLATE): Workload {
  const w = run.workload;
  const counts = stageRequestCounts(run);
  const rng = new Rng(run.seed, RNG_STREAMS.dataset);
  switch (w.name) {
    case 'prefix-repetition':
      return buildWorkload({
        numPrompts: run.load.numPrompts, numPrefixes: w.numPrefixes, prefixLen: w.prefixLen, suffixLen: w.suffixLen,
        outputLen: w.outputLen, leadingTokens: template.leading, trailingTokens: template.trailing, seed: run.seed,
      });
    case 'shared-prefix': return sharedPrefix(w, counts, template, rng);
    case 'multi-turn': return multiTurn(w, counts, rng);
    default: return random(w, counts, template, rng);
  }
}
