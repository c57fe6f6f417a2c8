/**
 * Public anchors: published, sourced vLLM serving benchmarks that the timing model is fitted and
 * validated on (issue 12, section 2). Each anchor is one JSON file in test/fixtures/anchors/ (the
 * schema is described there, in README.md). This module only defines and checks the shape; it knows
 * nothing about the simulator, so the fitter can take anchors from anywhere.
 *
 * Numbers are stored exactly as published; every reading taken where the source is ambiguous is
 * written into the anchor's `readings`, never folded silently into a number.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';

/** Where the anchor fixtures live, relative to the repository root. */
export const ANCHOR_DIR = path.join(__dirname, '..', '..', 'test', 'fixtures', 'anchors');

/**
 * Metric keys an observation may carry. Where vLLM's `--save-result` has the quantity, its key is
 * used unchanged (same unit); the rest are named after what they measure.
 */
export const METRIC_UNITS = {
  // vllm bench serve result keys
  duration: 's',
  completed: 'requests',
  total_input_tokens: 'tokens',
  total_output_tokens: 'tokens',
  request_throughput: 'req/s',
  output_throughput: 'tok/s',
  total_token_throughput: 'tok/s',
  mean_ttft_ms: 'ms',
  median_ttft_ms: 'ms',
  p90_ttft_ms: 'ms',
  p99_ttft_ms: 'ms',
  mean_tpot_ms: 'ms',
  median_tpot_ms: 'ms',
  p99_tpot_ms: 'ms',
  mean_itl_ms: 'ms',
  median_itl_ms: 'ms',
  p90_itl_ms: 'ms',
  // engine counters (vLLM /metrics), as fractions or counts
  prefix_cache_hit_rate: 'fraction',
  kv_cache_usage_mean: 'fraction',
  kv_cache_usage_p90: 'fraction',
  kv_cache_usage_max: 'fraction',
  num_requests_waiting_mean: 'requests',
  num_requests_waiting_p90: 'requests',
  // quantities the sources give that vllm bench serve does not
  /** Cluster-wide output tokens generated per second (inference-perf per-stage "Output toks/s"). */
  output_token_rate: 'tok/s',
  /** Peak per-stage output token rate over a load ladder. */
  peak_output_token_rate: 'tok/s',
  /** Output tokens per second seen by ONE request (1000 / TPOT). */
  per_request_decode_rate: 'tok/s',
  /** Aggregate decode tokens per second of all running requests. */
  aggregate_decode_rate: 'tok/s',
  /** Prompt tokens a replica prefills per second (llm-d peakPrefillThroughput = chunk / TTFT). */
  prefill_throughput: 'tok/s',
  /** KV-cache capacity of one replica as vLLM logs it ("GPU KV cache size: N tokens"). */
  kv_cache_capacity_tokens: 'tokens',
  /** Requests per second a load-ladder report attributes to a stage (tracks the offered rate, not completions). */
  stage_request_rate: 'req/s',
  /** Median end-to-end latency divided by output tokens (llm-d reports' NTPOT). */
  median_ntpot_ms: 'ms',
  /** Output throughput relative to another observation of the same anchor (`relativeTo`). */
  output_throughput_ratio: 'ratio',
} as const;

export type MetricKey = keyof typeof METRIC_UNITS;
const METRIC_KEYS = Object.keys(METRIC_UNITS) as [MetricKey, ...MetricKey[]];

const nonEmpty = z.string().trim().min(1);
const isoDate = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, { error: 'must be YYYY, YYYY-MM or YYYY-MM-DD' });
const positiveInt = z.number().int().positive();

/** A length distribution: fixed, or only its mean is known (with bounds where the source gives them). */
const lengthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), tokens: positiveInt }).strict(),
  z.object({
    kind: z.literal('mean'),
    tokens: z.number().positive(),
    min: positiveInt.optional(),
    max: positiveInt.optional(),
    /** Why only the mean is known (EOS honoured, dataset-driven, derived from totals, ...). */
    note: nonEmpty,
  }).strict(),
]);

const loadSchema = z.discriminatedUnion('kind', [
  /** Closed loop: `vllm bench serve --max-concurrency N --request-rate inf` (or a burst of N at once). */
  z.object({ kind: z.literal('concurrency'), concurrency: positiveInt, numPrompts: positiveInt.nullable() }).strict(),
  /** Open loop at a fixed rate (Poisson unless `arrival` says otherwise). */
  z.object({
    kind: z.literal('rate'),
    requestsPerSecond: z.number().positive(),
    arrival: z.enum(['poisson', 'constant']),
    numPrompts: positiveInt.nullable(),
    maxConcurrency: positiveInt.nullable(),
  }).strict(),
  /** A load ladder (inference-perf stages); observations name the stage they were read from. */
  z.object({
    kind: z.literal('stages'),
    arrival: z.enum(['poisson', 'constant']),
    stages: z.array(z.object({ rate: z.number().positive(), durationS: z.number().positive() }).strict()).min(1),
  }).strict(),
  /** One request at a time, repeated (single-request latency calibration). */
  z.object({ kind: z.literal('sequential'), repetitions: positiveInt.nullable() }).strict(),
]);

/** Router profiles the anchors use (llm-d names as the sources write them). */
export const ROUTER_KINDS = [
  'none', // one replica, no router
  'kubernetes-service', // ClusterIP / kube-proxy spreading (round-robin or random per connection)
  'random', // EPP random-picker
  'llm-d-load', // EPP load scorers only (queue / kv-utilization / active-request)
  'llm-d-approximate-prefix', // EPP prefix-cache-scorer on routing history (approximate)
  'llm-d-precise-prefix', // EPP precise prefix-cache scorer fed by vLLM KV events
  'llm-d-token-aware', // prefix-cache-affinity-filter + token-load-scorer (llm-d default since 2026-08)
] as const;

const routerSchema = z.object({
  kind: z.enum(ROUTER_KINDS),
  /** Scorers, weights, picker, block size: as the source states them. */
  detail: nonEmpty,
}).strict();

const setupSchema = z.object({
  /** GPU as the source names it (e.g. "H100 80GB HBM3"); `gpuKey` is the short key used in tables. */
  gpu: nonEmpty,
  gpuKey: z.enum(['A10G', 'L4', 'L40S', 'A40', 'A100-40GB', 'A100-80GB', 'H100', 'H100-PCIe', 'H200']),
  /** GPUs per vLLM replica = tensor-parallel x pipeline-parallel size. */
  tensorParallel: positiveInt,
  replicas: positiveInt,
  interconnect: z.enum(['none', 'nvlink', 'pcie', 'unknown']),
  host: nonEmpty.nullable(),
  vllmVersion: nonEmpty.nullable(),
  model: nonEmpty,
  dtype: z.enum(['bf16', 'fp16']),
  kvCacheDtype: z.enum(['auto', 'fp8']),
  maxNumSeqs: positiveInt.nullable(),
  maxNumBatchedTokens: positiveInt.nullable(),
  blockSize: positiveInt.nullable(),
  gpuMemoryUtilization: z.number().gt(0).lte(1).nullable(),
  prefixCaching: z.boolean().nullable(),
  enforceEager: z.boolean().nullable(),
  /** Other server flags the source states (verbatim). */
  otherFlags: z.array(nonEmpty),
}).strict();

const workloadSchema = z.object({
  client: nonEmpty,
  endpoint: z.enum(['completions', 'chat', 'unknown']),
  dataset: z.enum(['random', 'sharegpt', 'prefix_repetition', 'shared_prefix', 'single_request']),
  inputLen: lengthSchema,
  outputLen: lengthSchema,
  ignoreEos: z.boolean().nullable(),
  streaming: z.boolean().nullable(),
  /** Shared-prefix structure (prefix_repetition / shared_prefix): groups x prompts, prefix + question. */
  sharedPrefix: z.object({
    groups: positiveInt,
    promptsPerGroup: positiveInt,
    prefixTokens: positiveInt,
    questionTokens: positiveInt,
  }).strict().nullable(),
  load: loadSchema,
}).strict();

const observationSchema = z.object({
  /** Unique within the anchor; `<anchor id>/<observation id>` names it everywhere else. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'lower-case letters, digits and dashes' }),
  /** Which setup variant: the router used, the load point read, the KV dtype, ... */
  router: z.enum(ROUTER_KINDS).nullable(),
  requestRate: z.number().positive().nullable(),
  concurrency: positiveInt.nullable(),
  kvCacheDtype: z.enum(['auto', 'fp8']).nullable(),
  /** Overrides of the anchor's workload for this observation (e.g. a prefill length of a sweep). */
  inputTokens: positiveInt.nullable(),
  /** Where in the source the numbers are (table, row, figure). */
  where: nonEmpty,
  metrics: z.partialRecord(z.enum(METRIC_KEYS), z.number().finite().nonnegative())
    .refine((m) => Object.keys(m).length > 0, { error: 'an observation needs at least one metric' }),
  /** Observation id this one's ratio metrics are relative to. */
  relativeTo: z.string().nullable(),
  /**
   * The queue regime the source shows at this point (issue 12's TTFT target for saturated anchors):
   * flat = no queue to speak of; standing-queue = saturated closed loop (the client caps what waits);
   * queue-growing = open loop above capacity (TTFT grows with time).
   */
  regime: z.enum(['flat', 'standing-queue', 'queue-growing', 'unknown']),
  /** How far the fit should trust these numbers (low: unexplained by the setup, or derived by us). */
  confidence: z.enum(['high', 'medium', 'low']),
}).strict();

export const anchorSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'lower-case letters, digits and dashes' }),
  title: nonEmpty,
  source: z.object({
    /** null only for the project's own reference run, which has no public URL. */
    url: z.url().nullable(),
    /** Further URLs read for this anchor (the raw report behind a blog, the config files, ...). */
    alsoRead: z.array(z.url()),
    publisher: nonEmpty,
    published: isoDate,
    kind: z.enum(['project-reference', 'vendor-report', 'project-blog', 'project-repo-report', 'github-issue', 'personal-blog']),
    /** primary: the people who ran it, with their configs; secondary: a summary or a third party. */
    quality: z.enum(['primary', 'secondary']),
  }).strict(),
  setup: setupSchema,
  workload: workloadSchema,
  /** Every router the observations use, with its configuration as the source gives it. */
  routers: z.array(routerSchema).min(1),
  observations: z.array(observationSchema).min(1),
  /** Every ambiguity in the source and the reading taken. */
  readings: z.array(nonEmpty).min(1),
  /** Which mechanisms of the timing model this anchor constrains (identifiability, issue 12 §2). */
  pins: z.array(nonEmpty).min(1),
}).strict().superRefine((a, ctx) => {
  const ids = new Set<string>();
  a.observations.forEach((o, i) => {
    if (ids.has(o.id)) ctx.addIssue({ code: 'custom', path: ['observations', i, 'id'], message: `duplicate observation id "${o.id}"` });
    ids.add(o.id);
  });
  const routerKinds = new Set(a.routers.map((r) => r.kind));
  a.observations.forEach((o, i) => {
    if (o.router !== null && !routerKinds.has(o.router)) {
      ctx.addIssue({ code: 'custom', path: ['observations', i, 'router'], message: `router "${o.router}" is not described in routers` });
    }
    if (o.relativeTo !== null && !ids.has(o.relativeTo)) {
      ctx.addIssue({ code: 'custom', path: ['observations', i, 'relativeTo'], message: `no observation "${o.relativeTo}" in this anchor` });
    }
    const hasRatio = Object.keys(o.metrics).some((k) => METRIC_UNITS[k as MetricKey] === 'ratio');
    if (hasRatio && o.relativeTo === null) {
      ctx.addIssue({ code: 'custom', path: ['observations', i, 'relativeTo'], message: 'a ratio metric needs relativeTo' });
    }
  });
  if (a.source.url === null && a.source.kind !== 'project-reference') {
    ctx.addIssue({ code: 'custom', path: ['source', 'url'], message: 'every published anchor needs its URL' });
  }
  if ((a.workload.dataset === 'prefix_repetition' || a.workload.dataset === 'shared_prefix') && a.workload.sharedPrefix === null) {
    ctx.addIssue({ code: 'custom', path: ['workload', 'sharedPrefix'], message: `dataset ${a.workload.dataset} needs sharedPrefix` });
  }
});

export type Anchor = z.infer<typeof anchorSchema>;
export type AnchorObservation = Anchor['observations'][number];

/** Parses one anchor; throws one line per problem, each naming the file and the JSON path. */
export function parseAnchor(json: unknown, file: string): Anchor {
  const r = anchorSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(lines.join('\n'));
  }
  const expected = path.basename(file, '.json');
  if (r.data.id !== expected) throw new Error(`${file}: id "${r.data.id}" must equal the file name "${expected}"`);
  return r.data;
}

/** Loads and validates every `*.json` anchor in `dir`, sorted by id. */
export function loadAnchors(dir: string = ANCHOR_DIR): Anchor[] {
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
      }
      return parseAnchor(json, file);
    });
}

/** Relative uncertainty assumed for each confidence level (the fit weighs a number by 1 / u^2). */
export const CONFIDENCE_UNCERTAINTY = { high: 0.05, medium: 0.15, low: 0.5 } as const;

/**
 * The numbers of an anchor as fit observations: key `<anchor>/<observation>/<metric>`, group = the
 * anchor (the leave-one-out unit), weight = 1 / u^2 from the observation's confidence. Zero values
 * (no log error) and the metrics `include` leaves out are skipped.
 */
export function fitObservations(anchor: Anchor, include: (metric: MetricKey, o: AnchorObservation) => boolean = () => true):
  { group: string; key: string; published: number; weight: number }[] {
  return anchor.observations.flatMap((o) => (Object.entries(o.metrics) as [MetricKey, number][])
    .filter(([metric, value]) => value > 0 && include(metric, o))
    .map(([metric, value]) => ({
      group: anchor.id,
      key: `${anchor.id}/${o.id}/${metric}`,
      published: value,
      weight: 1 / CONFIDENCE_UNCERTAINTY[o.confidence] ** 2,
    })));
}
