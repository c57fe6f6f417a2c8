import { z } from 'zod';
import { imageDigest, imageTag, oneOf, positiveInt, nonNegativeInt } from '../fields';
import { parseStage, StageSpecError, STAGE_SYNTAX } from '../../workload/stages';

/** `inf` (send everything at once) or requests per second. Context strings become numbers. */
export const requestRate = () =>
  z.union([z.literal('inf'), z.number().positive()], { error: 'must be "inf" or a positive number of requests per second' });

/** `namespace/service:port` of a Service reached through the API server's service proxy. */
export const SERVICE_REF = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?):(\d{1,5})$/;

/** A `rate:seconds` load stage (lib/workload/stages.ts). */
const stageSpec = () => z.string({ error: `must be a stage: ${STAGE_SYNTAX}` }).superRefine((value, ctx) => {
  try {
    parseStage(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof StageSpecError ? err.message : String(err) });
  }
});

/** Which client runs the benchmark Job (docs/benchmark.md, "Harnesses"). */
export const HARNESSES = ['vllm', 'inference-perf'] as const;
export type Harness = (typeof HARNESSES)[number];

export const benchmarkSchema = z.object({
  dataset: oneOf(['prefix_repetition']).default('prefix_repetition')
    .describe('vllm bench serve dataset: prompts share one of N random prefixes.'),
  numPrefixes: positiveInt().default(150)
    .describe('--prefix-repetition-num-prefixes: distinct shared prefixes.'),
  prefixLen: positiveInt().default(2048)
    .describe('--prefix-repetition-prefix-len: tokens per shared prefix.'),
  suffixLen: positiveInt().default(128)
    .describe('--prefix-repetition-suffix-len: private tokens per prompt.'),
  outputLen: positiveInt().default(256)
    .describe('--prefix-repetition-output-len: output tokens per request (--ignore-eos forces them).'),
  harness: oneOf(['auto', ...HARNESSES]).default('auto')
    .describe('Benchmark client (--harness): vllm (vllm bench serve: prefix-repetition, random) or inference-perf (shared-prefix, multi-turn, random, load stages); auto picks vllm when it can run the workload, else inference-perf.'),
  inferencePerfImage: z.string().default('quay.io/inference-perf/inference-perf')
    .describe('inference-perf image (kubernetes-sigs/inference-perf publishes releases to quay.io/inference-perf/inference-perf).'),
  inferencePerfTag: imageTag().default('v0.6.1')
    .describe('inference-perf release; its config schema and report files were checked at this tag (k8s/bench/inference-perf-config.ts).'),
  inferencePerfImageDigest: imageDigest().optional()
    .describe('Digest (sha256:…) of benchmark.inferencePerfImage:benchmark.inferencePerfTag; the client is then pulled by digest. Unset: the digest table pins the default tag.'),
  stages: z.array(stageSpec()).default([])
    .describe('Load stages run back to back (--stages), each RATE:SECONDS with Poisson arrivals (inference-perf). Empty: one run at requestRate.'),
  warmupStage: z.union([z.literal(''), stageSpec()]).default('')
    .describe('A RATE:SECONDS stage run before the stages (or the single --request-rate run) and left out of every result (--warmup-stage); inference-perf only, not multi-turn; empty: none.'),
  burstiness: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' }).default(1)
    .describe('--burstiness of vllm bench serve at a finite requestRate: gamma shape of the arrival gaps (1 = Poisson, < 1 burstier). inference-perf stages are always Poisson.'),
  requestRate: requestRate().default('inf')
    .describe('--request-rate of the main run: "inf" or requests per second.'),
  maxConcurrency: z.union([positiveInt(), z.literal('none')], { error: 'must be a positive whole number or "none"' }).default(512)
    .describe('--max-concurrency: requests in flight at most (a client-side semaphore); "none" for no client limit.'),
  numPrompts: positiveInt().default(9000)
    .describe('--num-prompts of the main run (a multiple of numPrefixes).'),
  seed: nonNegativeInt().default(0)
    .describe('--seed: same seed, same prompts and order on both paths.'),
  backend: oneOf(['openai-chat', 'openai']).default('openai-chat')
    .describe('--backend: openai-chat (/v1/chat/completions, applies the chat template) or openai (/v1/completions).'),
  percentileMetrics: z.array(oneOf(['ttft', 'tpot', 'itl', 'e2el'])).default(['ttft', 'tpot', 'itl', 'e2el'])
    .describe('--percentile-metrics. The report needs ttft and tpot.'),
  metricPercentiles: z.array(z.number().gt(0, { error: 'must be in (0, 100)' }).lt(100, { error: 'must be in (0, 100)' }))
    .default([50, 90, 99])
    .describe('--metric-percentiles. The report needs 99 (the reference table has P99 rows).'),
  ladderRates: z.array(z.number().positive({ error: 'must be a positive request rate' })).default([5, 10, 15, 20, 25, 30])
    .describe('Request rates of the rate ladder (`run --ladder`), ascending.'),
  ladderNumPrompts: positiveInt().default(1800)
    .describe('Prompts per ladder step (a multiple of numPrefixes).'),
  warmupNumPrompts: positiveInt().default(300)
    .describe('Prompts of the optional warm-up run (own seed, excluded from results, caches reset after).'),
  cacheReset: oneOf(['endpoint', 'restart']).default('restart')
    .describe('How prefix caches are emptied before each measured run: a rolling restart (default: ~15-20 min per reset, no development endpoints), ' +
      'or vLLM POST /reset_prefix_cache (seconds, but the decode pods then run with VLLM_SERVER_DEV_MODE=1, exposing /collective_rpc, /sleep and the other development endpoints to every pod; lab clusters only, docs/security.md).'),
  timeoutMinutes: positiveInt().default(60)
    .describe('Longest a single benchmark Job may run before the CLI gives up and deletes it (also the Job\'s activeDeadlineSeconds).'),
  restartTimeoutMinutes: positiveInt().default(60)
    .describe('Longest a rolling restart of the decode pods (cacheReset=restart) may take: pods restart one at a time, each rereading its weights from FSx and starting the engine (~20 min for the reference; `llmd-bench cost` estimates it for the configured deployment).'),
  clientCpu: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(2)
    .describe('CPU cores requested (and limited to) by the benchmark client pod. One asyncio loop streams 512 responses; starving it inflates TTFT on both paths alike, but less is cleaner.'),
  clientMemoryGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(6)
    .describe('Memory request and limit of the benchmark client pod, GiB (tokenizer, 9000 prompts, per-request results).'),
  pollSeconds: positiveInt().default(5)
    .describe('How often the CLI polls the Job and Prometheus for progress, seconds.'),
  metricsStepSeconds: positiveInt().default(15)
    .describe('Step of the Prometheus time series stored next to each result, seconds (>= the scrape interval gives one sample per scrape).'),
  prometheusService: z.string().regex(SERVICE_REF, { error: 'must be namespace/service:port, e.g. monitoring/kube-prometheus-stack-prometheus:9090' })
    .default('monitoring/kube-prometheus-stack-prometheus:9090')
    .describe('Prometheus Service the CLI queries through the API server service proxy (no port-forward), as namespace/service:port.'),
}).strict().prefault({});
