/**
 * `llmd-bench report DIR --format llmd-benchmark`: the results of a directory as llm-d-benchmark
 * benchmark reports, version 0.2 (llm-d/llm-d-benchmark v0.8.0, llmdbenchmark/analysis/
 * benchmark_report/schema_v0_2.py; README: "new applications consuming benchmark data should use
 * 0.2.1", and every valid 0.2 report is a valid 0.2.1 report). One report per result, and for a staged
 * result one per measured stage (`scenario.load.standardized.stage`), as llm-d-benchmark writes one per
 * inference-perf stage file. Every report is validated against the vendored JSON Schema
 * (schemas/br_v0_2_json_schema.json) and the unit categories the Pydantic models add (base.py), and
 * written as `benchmark_report_v0.2,_<result>[_stage_<i>].yaml`, the name llm-d-benchmark globs for.
 *
 * `scenario.load` carries the workload's structure (prefix groups, multi-turn) from the same side file
 * (workloadStructure).
 *
 * Simulated results say so: the load tool is `llmd-bench simulate`, the description and load
 * metadata read "simulated", and `run.keywords` and `scenario.load.native.config.source` carry the
 * source ("simulation" or "measurement", as summary.json); no wall-clock time is invented for them.
 */
import { createHash } from 'node:crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { stringify } from 'yaml';
import { RUN_CONFIG_FILE, type StageResult, type VllmBenchResult, isSimulated } from '../result-format';
import { type LoadedResult, loadResultsDir, writeFileAtomic } from '../results-io';
import { BenchError, EXIT } from '../errors';
import { type BenchConfig, eppImage, gpuInstance, inferencePerfImage, splitImageReference, vllmImage } from '../../config';
import { INSTANCE_TYPES } from '../../config/tables/instances';
import { type LengthDist, lengthMean, lengthStd, parseLength } from '../../workload/lengths';
import { type WorkloadSpec, workloadSpec } from '../../workload/spec';
import schema from './schemas/br_v0_2_json_schema.json';

export const BENCHMARK_REPORT_VERSION = '0.2';
/** The simulator's side file (lib/sim/output.ts SIM_CONFIG_FILE). */
const SIM_CONFIG_FILE = 'llmd-bench-simulate.config.json';

/** Unit categories of schema_v0_2.py's validators (base.py UNITS_*), by the field they apply to. */
const UNITS: Readonly<Record<string, readonly string[]>> = {
  time_to_first_token: ['ms', 's'],
  request_latency: ['ms', 's'],
  time_per_output_token: ['ms/token', 's/token'],
  inter_token_latency: ['ms/token', 's/token'],
  normalized_time_per_output_token: ['ms/token', 's/token'],
  input_token_rate: ['tokens/s'],
  output_token_rate: ['tokens/s'],
  total_token_rate: ['tokens/s'],
  request_rate: ['queries/s'],
  input_length: ['count', 'pixels'],
  output_length: ['count', 'pixels'],
  kv_cache_usage: ['percent', 'fraction'],
  cache_hit_rate: ['percent', 'fraction'],
};

let validator: ValidateFunction | undefined;

/** Problems of a report against the v0.2 JSON Schema and the Pydantic unit checks; empty when valid. */
export function benchmarkReportProblems(report: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  const out = validator(report) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
  return [...out, ...unitProblems(report, '')];
}

function unitProblems(node: unknown, where: string): string[] {
  if (node === null || typeof node !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const here = `${where}/${k}`;
    const units = v !== null && typeof v === 'object' ? (v as { units?: unknown }).units : undefined;
    if (UNITS[k] && typeof units === 'string' && !UNITS[k].includes(units)) out.push(`${here}: units "${units}" must be one of ${UNITS[k].join(', ')}`);
    out.push(...unitProblems(v, here));
  }
  return out;
}

type Json = Record<string, unknown>;

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** Drops undefined and NaN values (the schema allows absent keys, not nulls everywhere). */
function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clean) as unknown as T;
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) continue;
      out[k] = clean(v);
    }
    return out as T;
  }
  return value;
}

function num(r: VllmBenchResult, key: string): number | undefined {
  const v = r[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A Statistics block in ms (vLLM's keys) for metric m. */
function msStats(r: VllmBenchResult, m: string, units: string): Json | undefined {
  const mean = num(r, `mean_${m}_ms`);
  if (mean === undefined) return undefined;
  return {
    units, mean, stddev: num(r, `std_${m}_ms`), p50: num(r, `median_${m}_ms`), p90: num(r, `p90_${m}_ms`), p95: num(r, `p95_${m}_ms`),
    p99: num(r, `p99_${m}_ms`), p99p9: num(r, `p99.9_${m}_ms`),
  };
}

/** vllm bench serve's date (%Y%m%d-%H%M%S) as ISO-8601, or undefined. */
function isoDate(date: unknown): string | undefined {
  const m = typeof date === 'string' ? /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(date) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : undefined;
}

function readSide(dir: string, name: string): Json | undefined {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch {
    return undefined;
  }
}

interface RunContext {
  readonly simulated: boolean;
  /** What was deployed (see Deployment); undefined when nothing says. */
  readonly deployment?: Deployment;
  readonly runConfig?: Json;
  readonly simConfig?: Json;
  readonly dirName: string;
}

/**
 * The deployment a result was measured (or simulated) on, from the directory's side file (the run's
 * llmd-bench-run.config.json, the simulation's llmd-bench-simulate.config.json) or, when the directory
 * has neither, from the configuration `report` runs with (said in the component's description).
 */
export interface Deployment {
  readonly replicas: number;
  readonly tensorParallelSize: number;
  /** The GPU's registry key (lib/config/tables/gpus.ts: A10G, H100, ...). */
  readonly gpu?: string;
  /** `repository:tag` of the vLLM image (also the vllm bench serve client), of the EPP and of inference-perf. */
  readonly vllmImage?: string;
  readonly eppImage?: string;
  readonly inferencePerfImage?: string;
  readonly from: 'run' | 'simulation' | 'configuration';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const tagged = (image: unknown, tag: unknown): string | undefined => (str(image) && str(tag) ? `${image}:${tag}` : undefined);

/** From the run config file `llmd-bench run` writes (runConfigRecord). */
export function deploymentOfRunConfig(cfg: Json): Deployment | undefined {
  const sec = (k: string) => (cfg[k] !== null && typeof cfg[k] === 'object' ? cfg[k] as Json : {});
  const vllm = sec('vllm');
  const router = sec('router');
  const benchmark = sec('benchmark');
  const replicas = Number(vllm.replicas);
  if (!(replicas > 0)) return undefined;
  const instanceType = str(sec('gpuNodes').instanceType);
  return {
    replicas,
    // Written before tensor parallelism existed: one GPU per replica.
    tensorParallelSize: Number(vllm.tensorParallelSize ?? 1),
    gpu: instanceType ? INSTANCE_TYPES[instanceType]?.gpuModel : undefined,
    vllmImage: tagged(vllm.image, vllm.tag),
    eppImage: tagged(router.eppImage, router.eppTag),
    inferencePerfImage: tagged(benchmark.inferencePerfImage, benchmark.inferencePerfTag),
    from: 'run',
  };
}

/** From the simulation's side file (lib/sim/output.ts simConfigSummary). */
export function deploymentOfSimConfig(sim: Json): Deployment | undefined {
  const replicas = Number(sim.replicas);
  if (!(replicas > 0)) return undefined;
  return {
    replicas,
    tensorParallelSize: Number(sim.tensor_parallel_size ?? 1),
    gpu: str(sim.gpu),
    vllmImage: str(sim.vllm_image),
    eppImage: str(sim.epp_image),
    from: 'simulation',
  };
}

/** From a configuration (cdk.json and -c at report time). */
export function deploymentOfConfig(c: BenchConfig): Deployment | undefined {
  if (!(c.vllm.replicas > 0)) return undefined;
  return {
    replicas: c.vllm.replicas,
    tensorParallelSize: c.vllm.tensorParallelSize,
    gpu: gpuInstance(c).gpuModel,
    vllmImage: vllmImage(c).tagged,
    eppImage: eppImage(c).tagged,
    inferencePerfImage: inferencePerfImage(c).tagged,
    from: 'configuration',
  };
}

/**
 * The version of an image as llm-d-benchmark's stack discovery records it: the tag
 * (llm_d_stack_discovery/discovery/collectors/vllm.py _get_vllm_version), or "unknown".
 */
function versionOf(image: string | undefined): string {
  return (image ? splitImageReference(image).tag : '') || 'unknown';
}

const FROM_CONFIGURATION = `deployment from the llmd-bench configuration at report time (cdk.json and -c): the results directory has no ${RUN_CONFIG_FILE}`;

function stack(r: VllmBenchResult, ctx: RunContext): Json[] | undefined {
  const d = ctx.deployment;
  if (!d) return undefined;
  const tp = d.tensorParallelSize;
  const engine = {
    kind: 'inference_engine',
    tool: 'vllm',
    tool_version: versionOf(d.vllmImage),
    role: 'replica',
    replicas: d.replicas,
    model: { name: String(r.model_id ?? '') },
    // schema_v0_2.py InferenceEngineAccelerator: model = "Hardware model name", count = "Total utilized
    // accelerator count" (every replica's TP group; llm-d-benchmark's own stack discovery puts one
    // pod's nvidia.com/gpu request there, the schema's wording is followed here).
    accelerator: { model: d.gpu ?? 'unknown', count: d.replicas * tp, parallelism: { tp } },
  };
  const router = String(r.label) === 'round-robin'
    ? { kind: 'generic', tool: 'kubernetes-service', tool_version: 'kube-proxy' }
    : { kind: 'generic', tool: 'llm-d-router', tool_version: versionOf(d.eppImage), path: r.label };
  const description = d.from === 'configuration' ? FROM_CONFIGURATION : undefined;
  const native = (image: string | undefined) => (image ? { config: { image } } : {});
  return [
    { metadata: { schema_version: '0.0.1', label: 'vllm-decode', cfg_id: hash(engine), description }, standardized: engine, native: native(d.vllmImage) },
    {
      metadata: { schema_version: '0.0.1', label: String(r.label), cfg_id: hash(router), description },
      standardized: router,
      native: native(String(r.label) === 'round-robin' ? undefined : d.eppImage),
    },
  ];
}

/**
 * The workload a directory's results ran, from its side file: the run config (its `benchmark` and
 * `workload` sections, as configured) or the simulation's summary (`workload`: the resolved spec with
 * lengths as text). A run config from before workloads existed ran prefix-repetition. Undefined when
 * neither file says; the report then describes no prefix or turn structure rather than guess one.
 */
export function workloadOfSideFiles(runConfig?: Json, simConfig?: Json): WorkloadSpec | undefined {
  try {
    if (runConfig && runConfig.benchmark !== null && typeof runConfig.benchmark === 'object') {
      const workload = (runConfig.workload ?? { name: 'prefix-repetition' }) as Json;
      return workloadSpec({ benchmark: runConfig.benchmark, workload } as unknown as BenchConfig);
    }
    const w = simConfig?.workload;
    if (w !== null && typeof w === 'object' && typeof (w as Json).name === 'string') {
      const entries = Object.entries(w as Json).map(([k, v]) => [k, k !== 'name' && typeof v === 'string' ? parseLength(v, k === 'thinkTimeS' ? 'seconds' : 'tokens') : v]);
      return Object.fromEntries(entries) as WorkloadSpec;
    }
  } catch {
    // An unreadable side file describes no workload.
  }
  return undefined;
}

/** A length distribution as the schema's SequenceLength (Distribution has fixed, gaussian, uniform, other). */
function sequenceLength(d: LengthDist): Json {
  switch (d.kind) {
    case 'fixed': return { distribution: 'fixed', value: d.value };
    case 'uniform': return { distribution: 'uniform', value: lengthMean(d), min: d.min, max: d.max };
    case 'normal': return { distribution: 'gaussian', value: d.mean, std_dev: d.sd, min: d.min, max: d.max };
    // no lognormal in the schema: "other", with the mean and standard deviation of the distribution
    default: return { distribution: 'other', value: lengthMean(d), std_dev: lengthStd(d), min: d.min, max: d.max };
  }
}

/**
 * The schema's `prefix` and `multi_turn` blocks of a workload (schema_v0_2.py LoadPrefix: num_groups =
 * "groups of users that share common prefixes", num_users_per_group, num_prefixes = "common prefixes
 * within a group"; MultiTurn: max_turns = "maximum number of requests per session"). As llm-d-benchmark
 * v0.8.0 fills them (analysis/benchmark_report/native_to_br0_2.py, inference-perf shared_prefix:
 * prefix_len = system_prompt_len, num_groups, num_users_per_group = num_prompts_per_group,
 * num_prefixes = 1; guidellm_native.py multi_turn: max_turns fixed at the turn count):
 *  - shared-prefix: G groups of P prompts, each group one system prompt of S tokens;
 *  - prefix-repetition (vllm bench serve prefix_repetition): the same structure, numPrefixes groups of
 *    numPrompts / numPrefixes prompts, each group one prefix of prefixLen tokens;
 *  - multi-turn: one system prompt shared by all C conversations, T turns per conversation;
 *  - random: neither.
 * Token ids are random in every generator we run (vLLM's prefix_repetition and random datasets,
 * inference-perf's random, shared_prefix and conversation_replay draw from the vocabulary), so the
 * source is "random", as llm-d-benchmark says for inference-perf random and shared_prefix.
 */
function workloadStructure(w: WorkloadSpec | undefined, numPrompts: number | undefined): Json {
  switch (w?.name) {
    case 'shared-prefix':
      return { prefix: { prefix_len: sequenceLength(w.systemPromptLen), num_groups: w.groups, num_users_per_group: w.promptsPerGroup, num_prefixes: 1 } };
    case 'prefix-repetition':
      return {
        prefix: {
          prefix_len: sequenceLength({ kind: 'fixed', value: w.prefixLen }),
          num_groups: w.numPrefixes,
          // vLLM: prompts_per_prefix = num_requests // num_prefixes
          num_users_per_group: Math.max(1, Math.floor((numPrompts ?? w.numPrefixes) / w.numPrefixes)),
          num_prefixes: 1,
        },
      };
    case 'multi-turn':
      return {
        prefix: { prefix_len: sequenceLength({ kind: 'fixed', value: w.systemPromptLen }), num_groups: 1, num_users_per_group: w.conversations, num_prefixes: 1 },
        multi_turn: { enabled: true, max_turns: sequenceLength({ kind: 'fixed', value: w.turns }) },
      };
    default:
      return {};
  }
}

function load(r: VllmBenchResult, ctx: RunContext, stage: number, stageSpec?: StageResult): Json {
  const tool = ctx.simulated ? 'llmd-bench simulate' : r.source === 'inference-perf' ? 'inference-perf' : 'vllm-benchmark';
  const completed = Math.max(1, r.completed);
  const rate = stageSpec ? stageSpec.rate : r.request_rate;
  const concurrency = typeof r.max_concurrency === 'number' ? r.max_concurrency : undefined;
  const workload = (ctx.simConfig?.workload ?? (ctx.runConfig as { workload?: Json } | undefined)?.workload) as Json | undefined;
  return {
    metadata: { schema_version: '0.0.1', cfg_id: hash({ tool, rate, concurrency, workload }), description: ctx.simulated ? 'simulated by llmd-bench simulate (no measurement)' : undefined },
    standardized: {
      tool,
      // inference-perf's image tag; vllm bench serve runs in the vLLM image (its tag is vLLM's version).
      tool_version: ctx.simulated ? 'llmd-eks-bench' : versionOf(r.source === 'inference-perf' ? ctx.deployment?.inferencePerfImage : ctx.deployment?.vllmImage),
      source: 'random',
      ...workloadStructure(workloadOfSideFiles(ctx.runConfig, ctx.simConfig), num(r, 'num_prompts') ?? numPromptsOf(ctx)),
      stage,
      input_seq_len: { distribution: 'other', value: r.total_input_tokens / completed },
      output_seq_len: { distribution: 'other', value: r.total_output_tokens / completed },
      rate_qps: typeof rate === 'number' ? rate : undefined,
      concurrency,
    },
    native: { config: { source: ctx.simulated ? 'simulation' : 'measurement', ...(workload ? { workload } : {}) } },
  };
}

/** The configured prompt count of a run (vllm bench serve --num-prompts) when the result has none. */
function numPromptsOf(ctx: RunContext): number | undefined {
  const n = Number((ctx.runConfig?.benchmark as Json | undefined)?.numPrompts ?? ctx.simConfig?.num_prompts);
  return n > 0 ? n : undefined;
}

function results(r: VllmBenchResult, s?: StageResult): Json {
  if (s) {
    return {
      request_performance: {
        aggregate: {
          requests: { total: s.completed },
          latency: {
            time_to_first_token: { units: 'ms', mean: s.mean_ttft_ms, p50: s.median_ttft_ms, p90: s.p90_ttft_ms, p99: s.p99_ttft_ms },
            time_per_output_token: { units: 'ms/token', mean: s.mean_tpot_ms, p99: s.p99_tpot_ms },
          },
          throughput: { request_rate: { units: 'queries/s', mean: s.request_throughput }, output_token_rate: { units: 'tokens/s', mean: s.output_throughput } },
        },
      },
      observability: s.prefix_cache_hit_rate === null ? undefined : {
        components: [{ component_label: 'vllm-decode', aggregate: { cache_hit_rate: { units: 'percent', mean: s.prefix_cache_hit_rate * 100 } } }],
      },
    };
  }
  const completed = Math.max(1, r.completed);
  const hit = num(r, 'prefix_cache_hit_rate');
  const kv = num(r, 'kv_cache_usage_mean');
  return {
    request_performance: {
      aggregate: {
        requests: {
          total: r.completed + (r.failed ?? 0),
          failures: r.failed ?? 0,
          input_length: { units: 'count', mean: r.total_input_tokens / completed },
          output_length: { units: 'count', mean: r.total_output_tokens / completed },
        },
        latency: {
          time_to_first_token: msStats(r, 'ttft', 'ms'),
          time_per_output_token: msStats(r, 'tpot', 'ms/token'),
          inter_token_latency: msStats(r, 'itl', 'ms/token'),
          request_latency: msStats(r, 'e2el', 'ms'),
        },
        throughput: {
          request_rate: { units: 'queries/s', mean: r.request_throughput },
          output_token_rate: { units: 'tokens/s', mean: r.output_throughput },
          total_token_rate: { units: 'tokens/s', mean: r.total_token_throughput },
        },
      },
    },
    observability: hit === undefined && kv === undefined ? undefined : {
      components: [{
        component_label: 'vllm-decode',
        aggregate: {
          cache_hit_rate: hit === undefined ? undefined : { units: 'percent', mean: hit * 100 },
          kv_cache_usage: kv === undefined ? undefined : { units: 'percent', mean: kv * 100 },
        },
      }],
    },
  };
}

/** The benchmark reports of one result: one, or one per measured stage. */
export function benchmarkReportsOf(loaded: LoadedResult, ctx: RunContext): { name: string; report: Json }[] {
  const r = loaded.result;
  const base = path.basename(loaded.file).replace(/\.json$/, '');
  const runId = String(r.llmd_bench_run_id ?? ctx.dirName);
  const description = `${r.model_id ?? 'model'} [${runId}] ${r.label}${ctx.simulated ? ' (simulated)' : ''}`;
  const end = ctx.simulated ? undefined : isoDate(r.date);
  const make = (stage: number, s?: StageResult) => clean({
    version: BENCHMARK_REPORT_VERSION,
    run: {
      uid: hash({ file: base, stage }),
      eid: hash({ runId }),
      description: s ? `${description}, stage ${stage}` : description,
      time: end ? { end } : undefined,
      // The schema has no source field; the keyword carries the report's "source" (summary.json's values).
      keywords: ['llmd-bench', `source:${ctx.simulated ? 'simulation' : 'measurement'}`],
    },
    scenario: { stack: stack(r, ctx), load: load(r, ctx, stage, s) },
    results: results(r, s),
  });
  const stages = Array.isArray(r.stages) ? (r.stages as StageResult[]) : [];
  if (stages.length === 0) return [{ name: `benchmark_report_v0.2,_${base}.yaml`, report: make(0) }];
  return stages.map((s, i) => ({ name: `benchmark_report_v0.2,_${base}_stage_${i}.yaml`, report: make(i, s) }));
}

export interface LlmdBenchmarkOptions {
  /**
   * The configuration to describe the deployment with when the directory has neither the run's nor
   * the simulation's config file (`report` passes cdk.json + -c); read only then. Without it such
   * reports have no stack.
   */
  readonly fallbackConfig?: () => BenchConfig;
}

export interface LlmdBenchmarkOutput {
  readonly written: string[];
  /** Where scenario.stack came from; "configuration" is worth a note to the user. */
  readonly deploymentFrom?: Deployment['from'];
}

/** Writes every result of `resultsDir` as benchmark reports into `outDir`; returns the file names. */
export function writeLlmdBenchmarkReports(resultsDir: string, outDir: string, options: LlmdBenchmarkOptions = {}): string[] {
  return exportLlmdBenchmark(resultsDir, outDir, options).written;
}

export function exportLlmdBenchmark(resultsDir: string, outDir: string, options: LlmdBenchmarkOptions = {}): LlmdBenchmarkOutput {
  const loaded = loadResultsDir(resultsDir);
  const simConfig = readSide(resultsDir, SIM_CONFIG_FILE);
  const runConfig = readSide(resultsDir, RUN_CONFIG_FILE);
  const deployment = (runConfig && deploymentOfRunConfig(runConfig)) ?? (simConfig && deploymentOfSimConfig(simConfig))
    ?? (options.fallbackConfig ? deploymentOfConfig(options.fallbackConfig()) : undefined);
  const written: string[] = [];
  for (const l of loaded.results) {
    const simulated = isSimulated(l.result) || isSimulated(l.timeseries);
    for (const { name, report } of benchmarkReportsOf(l, { simulated, deployment, runConfig, simConfig, dirName: path.basename(path.resolve(resultsDir)) })) {
      const problems = benchmarkReportProblems(report);
      if (problems.length > 0) {
        throw new BenchError(`${name}: does not validate against llm-d-benchmark's report schema v${BENCHMARK_REPORT_VERSION}: ${problems.join('; ')}`, { exitCode: EXIT.badInput });
      }
      writeFileAtomic(path.join(outDir, name), stringify(report, { lineWidth: 0 }));
      written.push(name);
    }
  }
  return { written, deploymentFrom: deployment?.from };
}
