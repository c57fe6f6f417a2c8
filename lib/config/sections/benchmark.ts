import { z } from 'zod';
import { oneOf, positiveInt, nonNegativeInt } from '../fields';

/** `inf` (send everything at once) or requests per second. Context strings become numbers. */
export const requestRate = () =>
  z.union([z.literal('inf'), z.number().positive()], { error: 'must be "inf" or a positive number of requests per second' });

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
  requestRate: requestRate().default('inf')
    .describe('--request-rate of the main run: "inf" or requests per second.'),
  maxConcurrency: positiveInt().default(512)
    .describe('--max-concurrency: requests in flight at most (a client-side semaphore).'),
  numPrompts: positiveInt().default(9000)
    .describe('--num-prompts of the main run (a multiple of numPrefixes).'),
  seed: nonNegativeInt().default(0)
    .describe('--seed: same seed, same prompts and order on both paths.'),
  backend: oneOf(['openai-chat', 'openai']).default('openai-chat')
    .describe('--backend: openai-chat (/v1/chat/completions, applies the chat template) or openai (/v1/completions).'),
  percentileMetrics: z.array(oneOf(['ttft', 'tpot', 'itl', 'e2el'])).default(['ttft', 'tpot', 'itl', 'e2el'])
    .describe('--percentile-metrics.'),
  metricPercentiles: z.array(z.number().gt(0, { error: 'must be in (0, 100)' }).lt(100, { error: 'must be in (0, 100)' }))
    .default([50, 90, 99])
    .describe('--metric-percentiles.'),
  ladderRates: z.array(z.number().positive({ error: 'must be a positive request rate' })).default([5, 10, 15, 20, 25, 30])
    .describe('Request rates of the rate ladder (`run --ladder`), ascending.'),
  ladderNumPrompts: positiveInt().default(1800)
    .describe('Prompts per ladder step (a multiple of numPrefixes).'),
  warmupNumPrompts: positiveInt().default(300)
    .describe('Prompts of the optional warm-up run (own seed, excluded from results, caches reset after).'),
  cacheReset: oneOf(['endpoint', 'restart']).default('endpoint')
    .describe('How prefix caches are emptied before each measured run: vLLM POST /reset_prefix_cache, or a rolling restart.'),
  timeoutMinutes: positiveInt().default(60)
    .describe('Longest a single benchmark Job may run before the CLI gives up and deletes it.'),
}).strict().prefault({});
