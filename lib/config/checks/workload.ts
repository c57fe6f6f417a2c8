/**
 * Checks of the workload and load keys against the harness that would run them. Everything a harness
 * cannot run exactly as configured is refused here, before a Job is rendered or a simulation starts,
 * so neither consumer bends the traffic silently.
 */
import { problem } from '../problems';
import { MODELS } from '../tables/models';
import { isProfileFile } from '../tables/router-profiles';
import type { BenchConfig } from '../schema';
import { lengthBounds, parseLength } from '../../workload/lengths';
import { configuredStages, inferencePerfCanRun, longestRequestTokens, resolveHarness, vllmCanRun, workloadSpec } from '../../workload/spec';
import type { Check } from './types';

/**
 * inference-perf's conversation replay truncates history once prompt + max_tokens + 200 exceeds
 * max_model_len (inference_perf/apis/user_session.py at v0.6.1, "200 token buffer").
 */
export const INFERENCE_PERF_CONTEXT_BUFFER = 200;

/** Template tokens around a prompt when vllm bench serve uses the chat backend (0 on completions). */
export function templateTokens(c: BenchConfig): number {
  const model = MODELS[c.model.id];
  return resolveHarness(c) === 'vllm' && c.benchmark.backend === 'openai-chat' && model ? model.chatTemplateOverheadTokens : 0;
}

export const harness: Check = (c) => {
  const out: string[] = [];
  const b = c.benchmark;
  const chosen = resolveHarness(c);
  if (b.harness === 'vllm') {
    const why = vllmCanRun(c);
    if (why) out.push(problem('benchmark.harness', b.harness, `cannot run workload.name=${c.workload.name} as configured: ${why}; use --harness inference-perf`));
  }
  if (chosen === 'inference-perf') {
    const why = inferencePerfCanRun(c);
    const staged = b.harness === 'auto' && (b.stages.length > 0 || b.warmupStage !== '');
    if (why && staged) out.push(problem(b.stages.length > 0 ? 'benchmark.stages' : 'benchmark.warmupStage', b.stages.length > 0 ? b.stages : b.warmupStage, `load stages run on inference-perf, which cannot run workload.name=${c.workload.name}: ${why}`));
    else if (why) out.push(problem('benchmark.harness', b.harness, `cannot run workload.name=${c.workload.name}: ${why}`));
  }
  if (chosen !== 'inference-perf') return out;

  // inference-perf's load generator: Poisson stages of whole seconds, or concurrent stages.
  if (b.burstiness !== 1) {
    out.push(problem('benchmark.burstiness', b.burstiness, 'must be 1 with inference-perf: its stages have Poisson arrivals (load.type poisson); gamma burstiness is a vllm bench serve option'));
  }
  const stages = configuredStages(c);
  if (stages.length === 0) {
    if (b.requestRate === 'inf' && b.maxConcurrency === 'none') {
      out.push(problem('benchmark.maxConcurrency', b.maxConcurrency, 'must be a number with inference-perf at requestRate inf: it runs a closed loop of that many requests (load.type concurrent)'));
    }
    if (b.requestRate !== 'inf') {
      const seconds = b.numPrompts / b.requestRate;
      if (Math.abs(seconds - Math.round(seconds)) > 1e-9 || Math.round(seconds) < 1) {
        out.push(problem('benchmark.numPrompts', b.numPrompts,
          `inference-perf runs a finite rate as one stage of whole seconds; ${b.numPrompts} prompts at ${b.requestRate} req/s is ${seconds.toFixed(2)} s. ` +
          `Give a count that is a whole number of seconds at that rate, or --stages ${b.requestRate}:${Math.max(1, Math.round(seconds))}`));
      }
    }
  }
  if (c.workload.name === 'multi-turn') {
    // conversation_replay_datagen.py re-primes sessions without system_prompt after the first stage
    // (LoadGenerator clears LocalUserSession instances between stages), and user_session.py then
    // sends only the new user message: every stage after the first would lose its history.
    if (stages.length > 1) {
      out.push(problem('benchmark.stages', b.stages, 'multi-turn takes one stage: inference-perf v0.6.1 drops conversation history after the first stage (conversation_replay_datagen.py re-primes sessions without the system prompt); run one stage per run'));
    }
    if (b.warmupStage !== '') {
      out.push(problem('benchmark.warmupStage', b.warmupStage, 'multi-turn takes no warm-up stage: inference-perf v0.6.1 drops conversation history after the first stage'));
    }
  }
  return out;
};

export const workloadLengths: Check = (c) => {
  const out: string[] = [];
  const w = workloadSpec(c);
  const template = templateTokens(c);
  if (w.name === 'multi-turn') {
    const last = longestRequestTokens(w);
    const limit = c.vllm.maxModelLen - INFERENCE_PERF_CONTEXT_BUFFER;
    if (last > limit) {
      out.push(problem('workload.multiTurn.turns', w.turns,
        `the last turn can reach ${last} tokens (system ${w.systemPromptLen} + ${w.turns} x (user ${lengthBounds(w.userLen).max} + answer ${lengthBounds(w.outputLen).max}) at most), ` +
        `more than vllm.maxModelLen - ${INFERENCE_PERF_CONTEXT_BUFFER} (${limit}): inference-perf would silently drop history. Fewer turns, shorter messages, or a larger vllm.maxModelLen`));
    }
    const think = parseLength(c.workload.multiTurn.thinkTimeS, 'seconds');
    if (think.kind === 'fixed' && !Number.isInteger(think.value)) {
      out.push(problem('workload.multiTurn.thinkTimeS', c.workload.multiTurn.thinkTimeS, 'must be a whole number of seconds: inference-perf samples think times as integers (sample_from_distribution rounds)'));
    }
  } else if (w.name !== 'prefix-repetition') {
    // prefix-repetition is checked by the serving checks (vllm.maxModelLen).
    const longest = longestRequestTokens(w) + template;
    if (longest > c.vllm.maxModelLen) {
      out.push(problem('vllm.maxModelLen', c.vllm.maxModelLen, `a ${w.name} request can reach ${longest} tokens (largest prompt + output${template ? ` + ${template} chat-template tokens` : ''}); vLLM would reject it. Shorten the workload or raise vllm.maxModelLen`));
    }
  }
  return out;
};

export const routerProfiles: Check = (c) => {
  const out: string[] = [];
  const files = new Set([c.router.profile, ...c.router.profiles].filter(isProfileFile));
  if (files.size > 1) out.push(problem('router.profiles', c.router.profiles, `at most one EndpointPickerConfig file can be deployed (the "custom" profile); got ${[...files].join(', ')}`));
  return out;
};

export const WORKLOAD_CHECKS: readonly Check[] = [harness, workloadLengths, routerProfiles];
