/**
 * The benchmark Job: one `vllm bench serve` run against one path (the round-robin Service or the
 * llm-d router Service), on a system node, with the tokenizer read from the FSx weights.
 *
 * The chart renders standalone from the config plus the run parameters, so the CLI submits exactly
 * what the tests validate and the chart registry can render an example instance.
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { BenchConfig, servedModelName, vllmImage } from '../../lib/config';
import { RESULT_SUFFIX, resultBaseName } from '../../lib/bench/result-format';
import {
  BENCH_CLIENT_NAME, CLIENT_CONTAINER, isRunLabel, PATH_LABELS, PHASE_LABEL, RESULT_LOG_MARKERS, RUN_ID_LABEL, RUN_LABELS, RUN_METADATA_KEYS, type RunLabel, RunPhase,
  TARGET_LABEL,
} from '../../lib/bench/run-names';
import { vllmDatasetArgs } from './vllm-dataset-args';
import { cpu, emptyDir, gib, imageAnnotations, meta, nonRootPod, restrictedContainer, SYSTEM_NODE_SELECTOR } from '../charts/common';
import { eppPodLabels, PART_OF_LABEL } from '../labels';
import { sharedNames } from '../names';
import { VLLM_UID } from '../uids';

// The label and container names live in the leaf module the CLI imports too.
export { BENCH_CLIENT_NAME, BENCH_CLIENT_SELECTOR, CLIENT_CONTAINER, PHASE_LABEL, RUN_ID_LABEL, TARGET_LABEL } from '../../lib/bench/run-names';

/** What one benchmark Job measures. */
export interface BenchmarkRun {
  /** The path under test (round-robin, llm-d, llm-d-<profile>); also the result's label. */
  readonly label: RunLabel;
  /** `--request-rate`: requests per second, or "inf". */
  readonly requestRate: number | 'inf';
  /** `--num-prompts`. */
  readonly numPrompts: number;
  /** Identifies one `llmd-bench run` invocation; part of file and Job names. Lower-case, digits, "-". */
  readonly runId: string;
  /** main, ladder or warmup (a warm-up uses its own seed and lands in a `warmup/` subdirectory). */
  readonly phase: RunPhase;
}

/** Non-root UID of the client (the vLLM image's default is root; the decode pods run as the same UID). */
export const CLIENT_UID = VLLM_UID;
/** Writable home and scratch (an emptyDir): caches, and the result before it is published. */
export const HOME_DIR = '/var/cache/llmd-bench';
/** Size limits of the client's emptyDirs (the root file system is read-only). */
export const HOME_SIZE_LIMIT = '4Gi';
export const TMP_SIZE_LIMIT = '1Gi';
/** vLLM writes the result here first (its write is not atomic). */
export const SCRATCH_DIR = `${HOME_DIR}/result`;
/** Where the FSx results directory is mounted in the client pod (the results claim: that directory only). */
export const RESULTS_MOUNT = '/llmd-bench-results';
/** A finished Job stays this long for `kubectl logs` if the CLI could not delete it (it normally does). */
export const JOB_TTL_AFTER_FINISHED_SECONDS = 6 * 3600;

const RUN_ID = /^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/;

/** Throws a clear error for run parameters no Job may be made of. */
export function validateRun(config: BenchConfig, run: BenchmarkRun): void {
  const problems: string[] = [];
  if (!RUN_ID.test(run.runId)) problems.push(`runId ${JSON.stringify(run.runId)}: must be 1-24 lower-case letters, digits or "-", starting and ending alphanumeric`);
  if (!isRunLabel(run.label)) problems.push(`label ${JSON.stringify(run.label)}: must be one of ${RUN_LABELS.join(', ')}`);
  if (!(run.requestRate === 'inf' || (typeof run.requestRate === 'number' && run.requestRate > 0 && Number.isFinite(run.requestRate)))) {
    problems.push(`requestRate ${JSON.stringify(run.requestRate)}: must be "inf" or a positive number`);
  }
  if (config.workload.name === 'prefix-repetition' && (!Number.isInteger(run.numPrompts) || run.numPrompts < config.benchmark.numPrefixes || run.numPrompts % config.benchmark.numPrefixes !== 0)) {
    problems.push(`numPrompts ${run.numPrompts}: must be a multiple of benchmark.numPrefixes (${config.benchmark.numPrefixes})`);
  }
  if (problems.length > 0) throw new Error(`Invalid benchmark run:\n  - ${problems.join('\n  - ')}`);
}

/** In-cluster URL of a path: the round-robin Service on vLLM's port, or the llm-d router Service. */
export function targetUrl(config: BenchConfig, label: RunLabel): string {
  const names = sharedNames(config);
  const [service, port] = label === PATH_LABELS.roundRobin
    ? [names.roundRobinService, config.vllm.port]
    : [names.routerService, config.router.servicePort];
  return `http://${service}.${names.namespace}.svc.cluster.local:${port}`;
}

/** The OpenAI endpoint `vllm bench serve` must call for the configured backend. */
export function benchEndpoint(config: BenchConfig): string {
  // The openai-chat request function rejects URLs that do not end in chat/completions.
  return config.benchmark.backend === 'openai-chat' ? '/v1/chat/completions' : '/v1/completions';
}

/** Short path name used in Job names: rr, llmd, llmd-<profile>. */
export function targetShortName(label: RunLabel): string {
  return label === PATH_LABELS.roundRobin ? 'rr' : label.replace(/^llm-d/, 'llmd');
}

/** `llmd-bench-<rr|llmd>-<phase>-<rate>-<runId>`: at most 63 characters, one per step of a run. */
export function benchmarkJobName(run: BenchmarkRun): string {
  const rate = String(run.requestRate).replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  return `llmd-bench-${targetShortName(run.label)}-${run.phase}-${rate}-${run.runId}`.slice(0, 63).replace(/-+$/, '');
}

/** The seed of a run: warm-ups use another seed so they never pre-play the measured prompts. */
export function runSeed(config: BenchConfig, run: BenchmarkRun): number {
  return run.phase === 'warmup' ? config.benchmark.seed + 1 : config.benchmark.seed;
}

/** File name of the result (`<label>_rate-<rate>_<runId>.json`). */
export function resultFileName(run: BenchmarkRun): string {
  return `${resultBaseName(run.label, run.requestRate, run.runId)}${RESULT_SUFFIX}`;
}

/** Directory of this run's results inside the client pod (on FSx). */
export function podResultsDir(run: BenchmarkRun): string {
  return `${RESULTS_MOUNT}/${run.runId}${run.phase === 'warmup' ? '/warmup' : ''}`;
}

/** Every argument of `vllm bench serve`, in order; each one traceable to config or the run. */
export function vllmBenchArgs(config: BenchConfig, run: BenchmarkRun): string[] {
  const b = config.benchmark;
  const names = sharedNames(config);
  return [
    '--backend', b.backend,
    '--base-url', targetUrl(config, run.label),
    '--endpoint', benchEndpoint(config),
    '--model', servedModelName(config),
    // The tokenizer comes from the weights on FSx; HF_HUB_OFFLINE stops any hub download.
    '--tokenizer', names.modelDir,
    ...vllmDatasetArgs(config),
    '--num-prompts', String(run.numPrompts),
    '--request-rate', String(run.requestRate),
    // Gamma-shaped gaps at a finite rate; 1 (Poisson) is vLLM's default and is not repeated.
    ...(run.requestRate !== 'inf' && b.burstiness !== 1 ? ['--burstiness', String(b.burstiness)] : []),
    ...(b.maxConcurrency === 'none' ? [] : ['--max-concurrency', String(b.maxConcurrency)]),
    '--seed', String(runSeed(config, run)),
    // Every request generates exactly outputLen tokens, so both paths do the same work.
    '--ignore-eos',
    '--percentile-metrics', b.percentileMetrics.join(','),
    '--metric-percentiles', b.metricPercentiles.join(','),
    '--label', run.label,
    '--metadata',
    `${RUN_METADATA_KEYS.runId}=${run.runId}`,
    `${RUN_METADATA_KEYS.phase}=${run.phase}`,
    `${RUN_METADATA_KEYS.targetUrl}=${targetUrl(config, run.label)}`,
    `${RUN_METADATA_KEYS.cacheReset}=${b.cacheReset}`,
    '--save-result',
    '--result-dir', SCRATCH_DIR,
    '--result-filename', resultFileName(run),
    // A progress bar per request floods the log the CLI reads the result from.
    '--disable-tqdm',
  ];
}

/**
 * The container's shell wrapper: run the benchmark (arguments arrive as "$@"), print the result
 * between markers (the CLI collects it from the log), then publish a durable copy on FSx with
 * write-then-rename, so the results directory never holds half a file. The FSx copy is best effort:
 * a results directory the client's UID cannot write is reported, not fatal. `set -e`: a failed
 * benchmark fails the Job, which the CLI reports with these log lines.
 */
export const JOB_SCRIPT = [
  'set -eu',
  `mkdir -p "${SCRATCH_DIR}" "$TMPDIR"`,
  'vllm bench serve "$@"',
  `src="${SCRATCH_DIR}/$RESULT_FILE"`,
  'test -s "$src"',
  `echo "${RESULT_LOG_MARKERS.begin}"`,
  'cat "$src"',
  'echo',
  `echo "${RESULT_LOG_MARKERS.end}"`,
  'if mkdir -p "$RESULTS_DIR" && cp "$src" "$RESULTS_DIR/.$RESULT_FILE.partial" && mv -f "$RESULTS_DIR/.$RESULT_FILE.partial" "$RESULTS_DIR/$RESULT_FILE"; then',
  '  echo "llmd-bench: saved $RESULTS_DIR/$RESULT_FILE on FSx"',
  'else',
  `  echo "llmd-bench: warning: could not write $RESULTS_DIR on FSx (uid ${VLLM_UID} needs write access); the CLI keeps the copy from this log" >&2`,
  'fi',
].join('\n');

/**
 * Keep the client off the EPP's node where possible: the client's event loop and the EPP + Envoy
 * compete for CPU only on the llm-d arm (llmd-wiring review F7). Every harness's Job uses it.
 */
export function clientAffinity(config: BenchConfig): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { labelSelector: { matchLabels: eppPodLabels(config) }, topologyKey: 'kubernetes.io/hostname' },
      }],
    },
  };
}

/** The client's volumes: tokenizer (read-only weights), the results fileset, and size-limited scratch (read-only root). */
export function clientVolumes(config: BenchConfig): k8s.Volume[] {
  const names = sharedNames(config);
  return [
    { name: 'models', persistentVolumeClaim: { claimName: names.modelsPvcReadOnly, readOnly: true } },
    { name: 'results', persistentVolumeClaim: { claimName: names.resultsPvc } },
    emptyDir('home', HOME_SIZE_LIMIT),
    emptyDir('tmp', TMP_SIZE_LIMIT),
  ];
}

/** Where clientVolumes() go in the client container. */
export function clientVolumeMounts(config: BenchConfig): k8s.VolumeMount[] {
  return [
    // The tokenizer, read-only, from the same claim the decode pods use.
    { name: 'models', mountPath: config.modelStore.mountPath, readOnly: true },
    // The results directory only (a fileset mount of the file system): the weights stay out of reach.
    { name: 'results', mountPath: RESULTS_MOUNT },
    { name: 'home', mountPath: HOME_DIR },
    { name: 'tmp', mountPath: '/tmp' },
  ];
}

/** Pod (and Job) labels of a run. */
export function benchmarkPodLabels(run: BenchmarkRun): Record<string, string> {
  return {
    ...PART_OF_LABEL,
    'app.kubernetes.io/name': BENCH_CLIENT_NAME,
    'app.kubernetes.io/component': 'benchmark',
    [RUN_ID_LABEL]: run.runId,
    [TARGET_LABEL]: run.label,
    [PHASE_LABEL]: run.phase,
  };
}

export interface BenchmarkJobChartProps {
  readonly config: BenchConfig;
  readonly run: BenchmarkRun;
}

export class BenchmarkJobChart extends Chart {
  /** Name of the Job. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: BenchmarkJobChartProps) {
    const { config, run } = props;
    validateRun(config, run);
    super(scope, id);
    this.jobName = benchmarkJobName(run);
    const labels = benchmarkPodLabels(run);
    const memory = gib(config.benchmark.clientMemoryGiB);
    const cores = cpu(config.benchmark.clientCpu);
    const image = vllmImage(config);

    new k8s.KubeJob(this, 'job', {
      metadata: meta(config, this.jobName, labels),
      spec: {
        // Never retry: a second attempt would meet caches warmed by the first and measure something else.
        backoffLimit: 0,
        activeDeadlineSeconds: config.benchmark.timeoutMinutes * 60,
        ttlSecondsAfterFinished: JOB_TTL_AFTER_FINISHED_SECONDS,
        template: {
          metadata: { labels, annotations: imageAnnotations({ [CLIENT_CONTAINER]: image }) },
          spec: {
            restartPolicy: 'Never',
            // System nodes only; GPU nodes also carry a taint this pod does not tolerate.
            nodeSelector: SYSTEM_NODE_SELECTOR,
            affinity: clientAffinity(config),
            securityContext: nonRootPod(CLIENT_UID),
            // The client talks to Services only; it needs no Kubernetes API access.
            automountServiceAccountToken: false,
            // Service links would inject VLLM_* variables, which vLLM reads as its own settings.
            enableServiceLinks: false,
            containers: [{
              name: CLIENT_CONTAINER,
              image: image.ref,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '-c', JOB_SCRIPT, 'llmd-bench'],
              args: vllmBenchArgs(config, run),
              env: clientEnv(run),
              resources: { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } },
              volumeMounts: clientVolumeMounts(config),
              // Read-only root: HOME, every cache and TMPDIR point into the emptyDirs below.
              securityContext: restrictedContainer(true),
              terminationMessagePolicy: 'FallbackToLogsOnError',
            }],
            volumes: clientVolumes(config),
          },
        },
      },
    });
  }
}

/** Environment of the client: offline tokenizer, no telemetry, every cache under the writable home. */
export function clientEnv(run: BenchmarkRun): k8s.EnvVar[] {
  return [
    { name: 'RESULTS_DIR', value: podResultsDir(run) },
    { name: 'RESULT_FILE', value: resultFileName(run) },
    // The tokenizer comes from FSx; never reach for the Hub.
    { name: 'HF_HUB_OFFLINE', value: '1' },
    { name: 'TRANSFORMERS_OFFLINE', value: '1' },
    { name: 'DO_NOT_TRACK', value: '1' },
    { name: 'VLLM_NO_USAGE_STATS', value: '1' },
    { name: 'PYTHONUNBUFFERED', value: '1' },
    // A non-root UID without a passwd entry: a writable HOME, and USER because torch calls
    // getpass.getuser() at import (as in the decode pods).
    { name: 'HOME', value: HOME_DIR },
    { name: 'USER', value: 'vllm' },
    { name: 'XDG_CACHE_HOME', value: `${HOME_DIR}/.cache` },
    { name: 'XDG_CONFIG_HOME', value: `${HOME_DIR}/.config` },
    { name: 'HF_HOME', value: `${HOME_DIR}/huggingface` },
    { name: 'VLLM_CACHE_ROOT', value: `${HOME_DIR}/vllm` },
    { name: 'TMPDIR', value: `${HOME_DIR}/tmp` },
  ];
}

/** resultsDir relative to the file system root: what the results claim mounts (a Lustre fileset). */
export function relativeResultsPath(config: BenchConfig): string {
  const root = config.modelStore.mountPath.replace(/\/$/, '');
  const names = sharedNames(config);
  if (names.resultsDir !== `${root}/${names.resultsSubdir}`) throw new Error(`resultsDir ${names.resultsDir} is not ${root}/${names.resultsSubdir}`);
  return names.resultsSubdir;
}

/** Renders the Job manifest (one object) for `config` and `run`, without any other chart. */
export function renderBenchmarkJob(config: BenchConfig, run: BenchmarkRun): Record<string, any> {
  const app = new App();
  const chart = new BenchmarkJobChart(app, 'benchmark', { config, run });
  const objects = chart.toJson() as Record<string, any>[];
  const job = objects.find((o) => o.kind === 'Job');
  if (!job || objects.length !== 1) throw new Error(`benchmark chart rendered ${objects.length} objects, expected exactly one Job`);
  return job;
}

/** An instance for the chart registry and documentation: the main round-robin run of the reference. */
export function exampleBenchmarkRun(config: BenchConfig): BenchmarkRun {
  return { label: PATH_LABELS.roundRobin, requestRate: config.benchmark.requestRate, numPrompts: config.benchmark.numPrompts, runId: 'example', phase: 'main' };
}
