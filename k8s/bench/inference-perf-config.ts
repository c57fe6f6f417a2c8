/**
 * The inference-perf config of one run (kubernetes-sigs/inference-perf v0.6.1, the image the Job
 * pins), rendered from the same workload and load spec the simulator reads (lib/workload/spec.ts).
 * Every key was read from the pydantic models at that tag (inference_perf/config/): api (APIConfig),
 * data (DataConfig, SharedPrefix, ConversationReplayConfig, Distribution), load (LoadConfig,
 * StandardLoadStage, ConcurrentLoadStage), report (ReportConfig), storage (StorageConfig), server
 * (ModelServerClientConfig), tokenizer (CustomTokenizerConfig). Those models ignore unknown keys, so a
 * typo would pass upstream silently: the rendered object is validated against the stricter vendored
 * schema (schemas/inference-perf-v0.6.1.config.schema.json) before any Job is made of it.
 *
 * Choices, all explicit so the run is what the simulator predicts:
 *  - api completion + streaming: shared_prefix and conversation_replay build completion requests
 *    (no chat template); TTFT exists only for streamed responses (reportgen/base.py).
 *  - one worker process (num_workers 1): the concurrency cap (worker_max_concurrency) is then one
 *    global semaphore, as vllm bench serve's, and conversations keep their order.
 *  - load.interval 0: a stage starts when the previous one drained (plus inference-perf's own 1 s).
 *  - every seed set (base_seed defaults to the wall clock upstream).
 */
import type { BenchConfig } from '../../lib/config';
import { servedModelName } from '../../lib/config';
import { inferencePerfDistribution, type LengthDist } from '../../lib/workload/lengths';
import { INFERENCE_PERF_UNLIMITED_CONCURRENCY, type RunSpec, type RunStage } from '../../lib/workload/spec';
import { sharedNames } from '../names';

/** inference-perf's default aiohttp connection limit per worker (LoadConfig.worker_max_tcp_connections). */
const DEFAULT_TCP_CONNECTIONS = 2500;

export interface InferencePerfTarget {
  /** Base URL of the path under test. */
  readonly baseUrl: string;
  /** Where the reports go inside the pod. */
  readonly reportDir: string;
}

function lengthValue(d: LengthDist, flavor: 'sample' | 'generate' = 'sample'): number | Record<string, unknown> {
  return d.kind === 'fixed' ? d.value : inferencePerfDistribution(d, flavor);
}

function stageObject(s: RunStage): Record<string, number> {
  return s.kind === 'poisson' ? { rate: s.rate, duration: s.durationS } : { num_requests: s.requests, concurrency_level: s.concurrency };
}

function dataSection(c: BenchConfig, run: RunSpec): Record<string, unknown> {
  const w = run.workload;
  switch (w.name) {
    case 'shared-prefix':
      return {
        type: 'shared_prefix',
        shared_prefix: {
          num_groups: w.groups,
          num_prompts_per_group: w.promptsPerGroup,
          system_prompt_len: lengthValue(w.systemPromptLen),
          question_len: lengthValue(w.questionLen),
          output_len: lengthValue(w.outputLen),
          seed: run.seed,
        },
      };
    case 'multi-turn':
      return {
        type: 'conversation_replay',
        conversation_replay: {
          seed: run.seed,
          num_conversations: w.conversations,
          shared_system_prompt_len: w.systemPromptLen,
          turns_per_conversation: inferencePerfDistribution({ kind: 'fixed', value: w.turns }),
          input_tokens_per_turn: inferencePerfDistribution(w.userLen),
          output_tokens_per_turn: inferencePerfDistribution(w.outputLen),
          ...(w.thinkTimeS.kind === 'fixed' && w.thinkTimeS.value === 0 ? {} : { tool_call_latency_sec: inferencePerfDistribution(w.thinkTimeS) }),
          // History beyond this (minus inference-perf's 200-token buffer) would be dropped; the config checks refuse that.
          max_model_len: c.vllm.maxModelLen,
        },
      };
    case 'random':
      return {
        type: 'random',
        // total_count is filled in by inference-perf (largest stage + 1).
        input_distribution: inferencePerfDistribution(w.inputLen, 'generate'),
        output_distribution: inferencePerfDistribution(w.outputLen, 'generate'),
      };
    default:
      throw new Error(`inference-perf has no ${w.name} dataset`);
  }
}

/** The config object for `stages` (the measured ones, or the warm-up stage alone). */
export function inferencePerfConfig(c: BenchConfig, run: RunSpec, stages: readonly RunStage[], target: InferencePerfTarget): Record<string, unknown> {
  if (stages.length === 0) throw new Error('an inference-perf run needs at least one stage');
  const concurrent = stages[0].kind === 'concurrent';
  if (stages.some((s) => (s.kind === 'concurrent') !== concurrent)) throw new Error('inference-perf stages of one run share one load type');
  const cap = concurrent ? Math.max(...stages.map((s) => (s.kind === 'concurrent' ? s.concurrency : 0))) : run.load.maxConcurrency ?? INFERENCE_PERF_UNLIMITED_CONCURRENCY;
  const percentiles = [...new Set([50, 90, 99, ...c.benchmark.metricPercentiles])].sort((a, b) => a - b);
  return {
    api: { type: 'completion', streaming: true },
    server: { type: 'vllm', model_name: servedModelName(c), base_url: target.baseUrl, ignore_eos: true },
    // The tokenizer comes from the weights on FSx (HF_HUB_OFFLINE in the pod).
    tokenizer: { pretrained_model_name_or_path: sharedNames(c).modelDir },
    data: dataSection(c, run),
    load: {
      type: concurrent ? 'concurrent' : 'poisson',
      interval: 0,
      stages: stages.map(stageObject),
      num_workers: 1,
      worker_max_concurrency: cap,
      worker_max_tcp_connections: Math.max(DEFAULT_TCP_CONNECTIONS, cap),
      base_seed: run.seed,
    },
    report: {
      request_lifecycle: { summary: true, per_stage: true, per_request: false, percentiles },
    },
    storage: { local_storage: { path: target.reportDir } },
  };
}
