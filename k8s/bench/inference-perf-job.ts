/**
 * The inference-perf benchmark Job: one run of kubernetes-sigs/inference-perf (image pinned by
 * benchmark.inferencePerfImage/Tag, v0.6.1, by digest when known) against one path, for the workloads vllm bench serve
 * cannot run (shared-prefix, multi-turn, random with distributions) and for load stages. It shares
 * everything else with the vllm bench serve Job (k8s/bench/benchmark-job.ts): the pod labels (the
 * NetworkPolicies that limit the client to the router Services select by them), node and anti-affinity
 * to the EPP, security context with a read-only root, size-limited emptyDirs, tokenizer from the FSx
 * weights, the results fileset claim, Job name and deadline.
 *
 * The config travels in an environment variable (no ConfigMap to create or clean up). A warm-up stage
 * runs as a first inference-perf invocation in the same pod, with no cache reset before the measured
 * one: its requests reach the same warm caches and EPP state a stage of the same process would, and the
 * measured run's summary never includes it. The CLI reads the report files from the log between
 * markers; a durable copy goes to FSx.
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { type BenchConfig, inferencePerfImage } from '../../lib/config';
import { INFERENCE_PERF_LOG_MARKERS } from '../../lib/bench/inference-perf-results';
import { resultBaseName } from '../../lib/bench/result-format';
import { runSpec, type RunSpec } from '../../lib/workload/spec';
import { cpu, gib, imageAnnotations, meta, nonRootPod, restrictedContainer, SYSTEM_NODE_SELECTOR } from '../charts/common';
import {
  type BenchmarkRun, benchmarkJobName, benchmarkPodLabels, clientAffinity, CLIENT_UID, clientEnv, clientVolumeMounts, clientVolumes, HOME_DIR,
  JOB_TTL_AFTER_FINISHED_SECONDS, runSeed, targetUrl, validateRun,
} from './benchmark-job';
import { inferencePerfConfig } from './inference-perf-config';
import { validateInferencePerfConfig } from './inference-perf-schema';

/** Name of the container (the CLI reads its log). */
export const INFERENCE_PERF_CONTAINER = 'inference-perf';
/** Report directories inside the pod (emptyDir). */
export const REPORT_DIR = `${HOME_DIR}/reports`;
export const WARMUP_REPORT_DIR = `${HOME_DIR}/warmup-reports`;

/** The run spec of one step: the configured load, or the step's own rate and prompt count (ladder, warm-up run). */
export function stepRunSpec(config: BenchConfig, run: BenchmarkRun): RunSpec {
  const staged = run.phase === 'main' && config.benchmark.stages.length > 0;
  return runSpec(config, { ...(staged ? {} : { requestRate: run.requestRate, numPrompts: run.numPrompts }), seed: runSeed(config, run) });
}

/** The configs the Job runs: the measured one, and the warm-up stage's when there is one. */
export function inferencePerfConfigs(config: BenchConfig, run: BenchmarkRun): { main: Record<string, unknown>; warmup?: Record<string, unknown> } {
  const spec = stepRunSpec(config, run);
  const baseUrl = targetUrl(config, run.label);
  const main = inferencePerfConfig(config, spec, spec.load.stages, { baseUrl, reportDir: REPORT_DIR });
  const warmup = spec.load.warmup ? inferencePerfConfig(config, spec, [spec.load.warmup], { baseUrl, reportDir: WARMUP_REPORT_DIR }) : undefined;
  for (const c of [main, warmup]) if (c) validateInferencePerfConfig(c);
  return { main, warmup };
}

const M = INFERENCE_PERF_LOG_MARKERS;

/**
 * The container's shell wrapper (busybox sh in the python:alpine based image): write the configs, run
 * the warm-up (if any) then the measured run, print every report file between markers, publish a copy
 * on FSx by write-then-rename (best effort, as the vllm Job). `set -e`: a failed run fails the Job.
 */
export const INFERENCE_PERF_SCRIPT = [
  'set -eu',
  `mkdir -p "$HOME/config" "${REPORT_DIR}" "${WARMUP_REPORT_DIR}" "$TMPDIR"`,
  'printf \'%s\\n\' "$INFERENCE_PERF_CONFIG" > "$HOME/config/config.yaml"',
  'if [ -n "${INFERENCE_PERF_WARMUP_CONFIG:-}" ]; then',
  '  printf \'%s\\n\' "$INFERENCE_PERF_WARMUP_CONFIG" > "$HOME/config/warmup.yaml"',
  '  echo "llmd-bench: warm-up stage (left out of the results)"',
  '  inference-perf --config_file "$HOME/config/warmup.yaml" --log-level INFO',
  'fi',
  `echo "${M.measured}"`,
  'inference-perf --config_file "$HOME/config/config.yaml" --log-level INFO',
  `test -s "${REPORT_DIR}/summary_lifecycle_metrics.json"`,
  `for f in "${REPORT_DIR}"/*.json; do`,
  `  echo "${M.fileBegin} $(basename "$f")"`,
  '  cat "$f"',
  '  echo',
  `  echo "${M.fileEnd}"`,
  'done',
  'dst="$RESULTS_DIR/$RESULT_BASE"',
  `if mkdir -p "$dst.partial" && cp "${REPORT_DIR}"/*.json "$dst.partial/" && rm -rf "$dst" && mv "$dst.partial" "$dst"; then`,
  '  echo "llmd-bench: saved $dst on FSx"',
  'else',
  `  echo "llmd-bench: warning: could not write $RESULTS_DIR on FSx (uid ${CLIENT_UID} needs write access); the CLI keeps the copy from this log" >&2`,
  'fi',
].join('\n');

export interface InferencePerfJobChartProps {
  readonly config: BenchConfig;
  readonly run: BenchmarkRun;
}

export class InferencePerfJobChart extends Chart {
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: InferencePerfJobChartProps) {
    const { config, run } = props;
    validateRun(config, run);
    super(scope, id);
    const b = config.benchmark;
    this.jobName = benchmarkJobName(run);
    const labels = benchmarkPodLabels(run);
    const memory = gib(b.clientMemoryGiB);
    const cores = cpu(b.clientCpu);
    const configs = inferencePerfConfigs(config, run);
    const image = inferencePerfImage(config);
    const yaml = (o: Record<string, unknown>) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });

    new k8s.KubeJob(this, 'job', {
      metadata: meta(config, this.jobName, labels),
      spec: {
        // Never retry: a second attempt would meet caches warmed by the first and measure something else.
        backoffLimit: 0,
        activeDeadlineSeconds: b.timeoutMinutes * 60,
        ttlSecondsAfterFinished: JOB_TTL_AFTER_FINISHED_SECONDS,
        template: {
          metadata: { labels, annotations: imageAnnotations({ [INFERENCE_PERF_CONTAINER]: image }) },
          spec: {
            restartPolicy: 'Never',
            nodeSelector: SYSTEM_NODE_SELECTOR,
            affinity: clientAffinity(config),
            securityContext: nonRootPod(CLIENT_UID),
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            containers: [{
              name: INFERENCE_PERF_CONTAINER,
              image: image.ref,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '-c', INFERENCE_PERF_SCRIPT, 'llmd-bench'],
              env: [
                ...clientEnv(run),
                { name: 'RESULT_BASE', value: resultBaseName(run.label, run.requestRate, run.runId) },
                { name: 'INFERENCE_PERF_CONFIG', value: yaml(configs.main) },
                ...(configs.warmup ? [{ name: 'INFERENCE_PERF_WARMUP_CONFIG', value: yaml(configs.warmup) }] : []),
              ],
              resources: { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } },
              // The same volumes as the vllm bench serve client: the results fileset claim, size-limited scratch.
              volumeMounts: clientVolumeMounts(config),
              // Read-only root: HOME, every cache, TMPDIR and the reports point into the emptyDirs.
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

/** Renders the Job manifest (one object) for `config` and `run`. */
export function renderInferencePerfJob(config: BenchConfig, run: BenchmarkRun): Record<string, any> {
  const app = new App();
  const chart = new InferencePerfJobChart(app, 'inference-perf', { config, run });
  const objects = chart.toJson() as Record<string, any>[];
  const job = objects.find((o) => o.kind === 'Job');
  if (!job || objects.length !== 1) throw new Error(`inference-perf chart rendered ${objects.length} objects, expected exactly one Job`);
  return job;
}
