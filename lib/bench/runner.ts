/**
 * The orchestrator of `llmd-bench run`. Per step: reset the prefix caches -> launch the Job ->
 * wait (with progress from the Job and Prometheus) -> collect the result and time series -> delete
 * the Job. Steps whose result already exists are skipped, so re-running with the same --run-id
 * resumes an interrupted run. Ctrl-C (the abort signal) deletes the Job it started.
 */
import * as fs from 'fs';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { BenchConfig } from '../config';
import { harnessContainer, renderHarnessJob } from '../../k8s/bench/harness-job';
import { stepRunSpec } from '../../k8s/bench/inference-perf-job';
import { decodeLabelSelector } from '../../k8s/labels';
import { sharedNames } from '../../k8s/names';
import { servedModelName } from '../config';
import { resolveHarness } from '../workload/spec';
import { pointEppAt } from './epp-profile';
import { extractReportFiles, fillStageCacheFigures, normaliseInferencePerf, stageTimesFromLog } from './inference-perf-results';
import { isEppLabel } from './run-names';
import { notReadyReason, resetPrefixCaches, restartEndpointPicker, waitForEndpointPicker } from './cache-reset';
import type { Clock, KubeApi, PrometheusApi } from './cluster/types';
import { BenchError, CancelledError } from './errors';
import type { PlannedStep } from './plan';
import { collectTimeSeries, progressQueries, scalarOf } from './prometheus';
import { RESULT_LOG_MARKERS, RUN_METADATA_KEYS, type RunValidity, type TimeSeriesFile, type VllmBenchResult, vllmDate } from './result-format';
import { parseResult, writeFileAtomic, writeJsonAtomic } from './results-io';
import { cpuWarning } from './cpu-figures';
import { checkRun } from './run-checks';
import { stripControl } from './sanitize';

export type StepPhase = 'skipped' | 'cleanup' | 'reset' | 'launch' | 'pending' | 'running' | 'collect' | 'done';

export interface StepProgress {
  readonly phase: StepPhase;
  readonly elapsedS: number;
  readonly total: number;
  /** Requests finished so far (from vLLM's request_success counter). */
  readonly completed?: number;
  /** Requests in the engines' running batches / queues, summed over pods. */
  readonly running?: number;
  readonly waiting?: number;
  readonly detail?: string;
}

export interface StepHooks {
  update(progress: StepProgress): void;
  warn(message: string): void;
}

export interface StepOutcome {
  readonly status: 'done' | 'skipped';
  readonly resultPath: string;
  readonly completed?: number;
  readonly failed?: number;
  readonly durationS?: number;
  readonly resetPods?: string[];
  /** What the liveness checks found (run-checks.ts); undefined for skipped steps and warm-ups. */
  readonly validity?: RunValidity;
  readonly invalidReasons?: readonly string[];
}

export interface RunnerDeps {
  readonly config: BenchConfig;
  readonly kube: KubeApi;
  /** Without it there is no live request count and no time series; the run itself still works. */
  readonly prometheus?: PrometheusApi;
  readonly clock: Clock;
}

/** Label Kubernetes puts on a Job's pods. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** Lines of the pod log shown when a Job fails or times out. */
export const LOG_TAIL_LINES = 25;
/** How long a client pod may stay unschedulable or unable to pull its image before the run gives up. */
export const STUCK_POD_LIMIT_MS = 10 * 60_000;
/** Extra time over the Job's own activeDeadlineSeconds before the CLI stops waiting. */
const TIMEOUT_GRACE_MS = 90_000;

/** A Job that ran and failed: kept in the cluster for `kubectl logs` (the next attempt deletes it). */
export class JobFailedError extends BenchError {}

function isFailed(job: V1Job): boolean {
  return jobCondition(job, 'Failed') !== undefined || (job.status?.failed ?? 0) > 0;
}

function jobCondition(job: V1Job, type: 'Complete' | 'Failed' | 'SuccessCriteriaMet' | 'FailureTarget') {
  return (job.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
}

/** Extracts the result JSON the Job printed between the markers (the last block wins). */
export function extractResult(log: string): string | undefined {
  const end = log.lastIndexOf(RESULT_LOG_MARKERS.end);
  if (end < 0) return undefined;
  const begin = log.lastIndexOf(RESULT_LOG_MARKERS.begin, end);
  if (begin < 0) return undefined;
  return log.slice(begin + RESULT_LOG_MARKERS.begin.length, end).trim();
}

/** Why a client pod will never start, if it is stuck (unschedulable, image cannot be pulled). */
function stuckReason(pod: V1Pod): string | undefined {
  const sched = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (sched) return `unschedulable: ${sched.message ?? ''}`.trim();
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w && ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError'].includes(w.reason ?? '')) {
      return `${w.reason}: ${w.message ?? ''}`.trim();
    }
  }
  return undefined;
}

/** client-node turns date-time fields into Date objects; raw JSON has strings. */
function epochSeconds(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** The last lines of a pod log, with terminal control sequences removed (a pod must not drive the user's terminal). */
function lastLines(text: string, n: number): string[] {
  const lines = stripControl(text.replace(/\s+$/, '')).split('\n');
  return lines.slice(-n);
}

export class BenchmarkRunner {
  private readonly ns: string;

  constructor(private readonly deps: RunnerDeps) {
    this.ns = sharedNames(deps.config).namespace;
  }

  /** Runs one step; see the module comment for the order. */
  async runStep(step: PlannedStep, hooks: StepHooks, signal?: AbortSignal): Promise<StepOutcome> {
    const { kube, clock, config } = this.deps;
    const t0 = clock.now();
    const elapsed = () => Math.round((clock.now() - t0) / 1000);
    const total = step.run.numPrompts;
    const update = (phase: StepPhase, extra: Partial<StepProgress> = {}) => hooks.update({ phase, elapsedS: elapsed(), total, ...extra });

    if (step.run.phase !== 'warmup' && fs.existsSync(step.resultPath)) {
      // Validate it: a resumed run must not silently keep a broken file.
      const existing = parseResult(JSON.parse(fs.readFileSync(step.resultPath, 'utf8')), step.resultPath);
      update('skipped', { detail: `already collected (${step.resultPath})`, completed: existing.completed });
      return { status: 'skipped', resultPath: step.resultPath, completed: existing.completed, failed: existing.failed };
    }
    if (signal?.aborted) throw new CancelledError();

    // A Job of this step left by an earlier invocation (the CLI crashed or lost the connection):
    // adopt it when it is running or done (its caches were reset before it started), else replace it.
    const leftover = await kube.readJob(this.ns, step.jobName);
    const adopt = leftover !== undefined && !isFailed(leftover);
    if (leftover && !adopt) await this.removeFailedJob(step, update, signal);

    let resetPods: string[] | undefined;
    let baseline: number | undefined;
    if (!adopt) {
      if (step.resetCaches) {
        update('reset', { detail: `${config.benchmark.cacheReset === 'endpoint' ? 'POST /reset_prefix_cache' : 'rolling restart'} on the decode pods` });
        resetPods = (await resetPrefixCaches(config, kube, clock, signal)).pods;
      }
      if (isEppLabel(step.run.label)) {
        // Every llm-d step, warm-ups included, runs through its own profile's file.
        const repointed = await pointEppAt(config, kube, step.run.label);
        if (repointed) update('reset', { detail: `pointing the endpoint picker at the ${step.run.label} profile` });
        if (step.resetCaches) {
          // The restart starts the EPP on that file with an empty index.
          update('reset', { detail: 'restarting the endpoint picker (its prefix index ignores cache resets)' });
          await restartEndpointPicker(config, kube, clock, signal);
        } else if (repointed) {
          // A warm-up needs no empty index: only the rollout the new file started is awaited.
          update('reset', { detail: 'waiting for the endpoint picker to roll out on its new file' });
          await waitForEndpointPicker(config, kube, clock, signal);
        }
      }
      baseline = await this.promScalar(progressQueries(config).completed);
      // Ctrl-C during the reset (the endpoint reset does not wait on the signal): start nothing.
      if (signal?.aborted) throw new CancelledError('cancelled before the Job was started');
      update('launch', { detail: step.jobName });
      await kube.createJob(this.ns, renderHarnessJob(config, step.run));
    } else {
      update('running', { detail: `adopted Job ${step.jobName} of an earlier attempt` });
    }

    let job: V1Job;
    try {
      job = await this.waitForJob(step, update, baseline, signal);
    } catch (err) {
      if (!(err instanceof JobFailedError)) await this.deleteQuietly(step.jobName);
      if (err instanceof CancelledError) throw new CancelledError(`cancelled; deleted Job ${this.ns}/${step.jobName}`);
      throw err;
    }

    update('collect', { completed: total });
    const outcome = await this.collect(step, job, hooks);
    await this.deleteQuietly(step.jobName);
    update('done', { completed: outcome.completed, detail: step.resultPath });
    return { ...outcome, resetPods };
  }

  private async removeFailedJob(step: PlannedStep, update: (p: StepPhase, e?: Partial<StepProgress>) => void, signal?: AbortSignal) {
    const { kube, clock } = this.deps;
    update('cleanup', { detail: `deleting failed Job ${step.jobName} of an earlier attempt` });
    await kube.deleteJob(this.ns, step.jobName);
    const deadline = clock.now() + 120_000;
    while (await kube.readJob(this.ns, step.jobName)) {
      if (clock.now() > deadline) throw new BenchError(`old Job ${this.ns}/${step.jobName} is still being deleted after 2 min`, { hint: `kubectl -n ${this.ns} delete job ${step.jobName} --wait` });
      await clock.sleep(2000, signal);
    }
  }

  private async waitForJob(step: PlannedStep, update: (p: StepPhase, e?: Partial<StepProgress>) => void, baseline: number | undefined, signal?: AbortSignal): Promise<V1Job> {
    const { kube, clock, config } = this.deps;
    const started = clock.now();
    const deadline = started + config.benchmark.timeoutMinutes * 60_000 + TIMEOUT_GRACE_MS;
    let stuckSince: number | undefined;
    for (;;) {
      await clock.sleep(config.benchmark.pollSeconds * 1000, signal);
      const job = await kube.readJob(this.ns, step.jobName);
      if (!job) throw new BenchError(`Job ${this.ns}/${step.jobName} disappeared while running (deleted by someone else?)`);
      const pods = await kube.listPods(this.ns, `${JOB_NAME_LABEL}=${step.jobName}`);
      const pod = pods[pods.length - 1];

      if (jobCondition(job, 'Complete') || (job.status?.succeeded ?? 0) > 0) return job;
      const failed = jobCondition(job, 'Failed');
      if (failed || (job.status?.failed ?? 0) > 0) {
        const tail = await this.tail(pod);
        const deadlineHit = failed?.reason === 'DeadlineExceeded';
        const ErrorClass = deadlineHit ? BenchError : JobFailedError;
        throw new ErrorClass(
          deadlineHit
            ? `Job ${this.ns}/${step.jobName} hit its deadline of ${config.benchmark.timeoutMinutes} min`
            : `Job ${this.ns}/${step.jobName} failed${failed ? ` (${failed.reason ?? ''}${failed.message ? `: ${failed.message}` : ''})` : ''}`,
          {
            details: ['last log lines:', ...tail],
            hint: deadlineHit
              ? 'raise benchmark.timeoutMinutes (-c benchmark.timeoutMinutes=120) or lower numPrompts'
              : `kubectl -n ${this.ns} logs job/${step.jobName}; the failed Job is kept for inspection and deleted by the next run of this step`,
          },
        );
      }

      const reason = pod ? stuckReason(pod) : undefined;
      stuckSince = reason ? (stuckSince ?? clock.now()) : undefined;
      if (reason && stuckSince !== undefined && clock.now() - stuckSince > STUCK_POD_LIMIT_MS) {
        throw new BenchError(`benchmark pod ${pod?.metadata?.name} cannot start: ${reason}`, {
          hint: `the client runs on nodes labelled llmd-bench/role=system and needs ${config.benchmark.clientCpu} CPU / ${config.benchmark.clientMemoryGiB} GiB free; kubectl -n ${this.ns} describe pod ${pod?.metadata?.name}`,
        });
      }
      if (clock.now() > deadline) {
        const tail = await this.tail(pod);
        throw new BenchError(`Job ${this.ns}/${step.jobName} did not finish within ${config.benchmark.timeoutMinutes} min; deleted it`, {
          details: ['last log lines:', ...tail],
          hint: 'raise benchmark.timeoutMinutes (-c benchmark.timeoutMinutes=120) or lower numPrompts',
        });
      }

      if (!pod || pod.status?.phase === 'Pending') {
        update('pending', { detail: pod ? notReadyReason(pod) : 'waiting for the pod' });
        continue;
      }
      const q = progressQueries(config);
      const now = await this.promScalar(q.completed);
      const completed = now !== undefined && baseline !== undefined ? Math.min(step.run.numPrompts, Math.max(0, Math.round(now - baseline))) : undefined;
      update('running', { completed, running: await this.promScalar(q.running), waiting: await this.promScalar(q.waiting) });
    }
  }

  private async collect(step: PlannedStep, job: V1Job, hooks: StepHooks): Promise<StepOutcome> {
    const { kube, clock, config, prometheus } = this.deps;
    const pods = await kube.listPods(this.ns, `${JOB_NAME_LABEL}=${step.jobName}`);
    const pod = pods.find((p) => p.status?.phase === 'Succeeded') ?? pods[pods.length - 1];
    if (!pod?.metadata?.name) throw new BenchError(`Job ${this.ns}/${step.jobName} completed but its pod is gone; the result is on FSx only`, { hint: 'the FSx copy is under the results directory of the file system' });
    const log = await kube.readPodLog(this.ns, pod.metadata.name, { container: harnessContainer(config) });
    const inferencePerf = resolveHarness(config) === 'inference-perf';
    let result = inferencePerf ? this.inferencePerfResult(step, job, log, pod.metadata.name) : this.vllmResult(step, log, pod.metadata.name);
    if (result.label !== step.run.label || String(result.request_rate) !== String(step.run.requestRate)) {
      throw new BenchError(`Job ${step.jobName} returned a result for label ${result.label} at rate ${result.request_rate}, expected ${step.run.label} at ${step.run.requestRate}`);
    }
    if (result.completed === 0) {
      throw new BenchError(`Job ${step.jobName}: every request failed (0 of ${result.failed ?? '?'} completed); nothing was measured`, {
        hint: `the ${step.run.label} path is unreachable or rejects requests: kubectl -n ${this.ns} get endpoints; check the router and vLLM logs`,
      });
    }
    if ((result.failed ?? 0) > 0) hooks.warn(`${step.title}: ${result.failed} of ${result.completed + (result.failed ?? 0)} requests failed`);

    let series: TimeSeriesFile | undefined;
    if (prometheus) {
      const startS = epochSeconds(job.status?.startTime) ?? clock.now() / 1000 - result.duration;
      const endS = epochSeconds(job.status?.completionTime) ?? clock.now() / 1000;
      try {
        const { file, missing } = await collectTimeSeries(prometheus, config, step.run.label, step.run.requestRate, startS, endS);
        series = file;
        if (missing.length > 0) hooks.warn(`no Prometheus data for ${missing.join(', ')} (${step.title})`);
      } catch (err) {
        hooks.warn(`time series not stored for ${step.title}: ${(err as Error).message}`);
      }
    }
    // Each stage's hit rate and queue peak: the Prometheus series inside the stage's window.
    if (inferencePerf && series && result.stages) result = fillStageCacheFigures(result, stageTimesFromLog(log), series);
    // vLLM's own file is kept byte for byte; an inference-perf result is the normalised one.
    writeFileAtomic(step.resultPath, inferencePerf ? `${JSON.stringify(result, null, 2)}\n` : `${extractResult(log)}\n`);
    if (series) writeJsonAtomic(step.timeseriesPath, series);
    if (step.run.phase === 'warmup') return { status: 'done', resultPath: step.resultPath, completed: result.completed, failed: result.failed, durationS: result.duration };

    // Prove the path was live during the run; a failed proof marks the result invalid, never silently.
    const startS = epochSeconds(job.status?.startTime) ?? clock.now() / 1000 - result.duration;
    let decodePods: string[] = [];
    try {
      decodePods = (await kube.listPods(this.ns, decodeLabelSelector(config))).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '?');
    } catch (err) {
      hooks.warn(`could not list the decode pods for the liveness checks: ${(err as Error).message}`);
    }
    const checks = await checkRun(prometheus, { config, label: step.run.label, requestRate: step.run.requestRate, decodePods, startS, endS: clock.now() / 1000 });
    writeJsonAtomic(step.checksPath, checks);
    if (checks.status === 'invalid') hooks.warn(`${step.title}: result INVALID: ${checks.reasons.join('; ')}`);
    else if (checks.status === 'unchecked') hooks.warn(`${step.title}: liveness not proven: ${checks.reasons.join('; ')}`);
    for (const t of checks.cpu_throttling.filter((x) => x.warn)) {
      hooks.warn(`${step.title}: ${cpuWarning(t)}`);
    }
    return {
      status: 'done', resultPath: step.resultPath, completed: result.completed, failed: result.failed, durationS: result.duration,
      validity: checks.status, invalidReasons: checks.reasons,
    };
  }

  /** vllm bench serve's --save-result JSON, printed between the markers. */
  private vllmResult(step: PlannedStep, log: string, podName: string): VllmBenchResult {
    const text = extractResult(log);
    if (text === undefined) {
      throw new BenchError(`Job ${this.ns}/${step.jobName} completed but printed no result`, { details: ['last log lines:', ...lastLines(log, LOG_TAIL_LINES)] });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new BenchError(`malformed result JSON in the log of ${podName}: ${(err as Error).message}`);
    }
    return parseResult(raw, `${step.jobName} (pod log)`);
  }

  /** inference-perf's report files, printed between markers, normalised into the project's result format. */
  private inferencePerfResult(step: PlannedStep, job: V1Job, log: string, podName: string): VllmBenchResult {
    const { config, clock } = this.deps;
    const texts = extractReportFiles(log);
    if (texts.size === 0) {
      throw new BenchError(`Job ${this.ns}/${step.jobName} completed but printed no inference-perf report`, { details: ['last log lines:', ...lastLines(log, LOG_TAIL_LINES)] });
    }
    const files = new Map<string, unknown>();
    for (const [name, text] of texts) {
      try {
        files.set(name, JSON.parse(text));
      } catch (err) {
        throw new BenchError(`malformed inference-perf report ${name} in the log of ${podName}: ${(err as Error).message}`);
      }
    }
    const spec = stepRunSpec(config, step.run);
    const finished = epochSeconds(job.status?.completionTime);
    const raw = normaliseInferencePerf({
      files,
      label: step.run.label,
      requestRate: step.run.requestRate,
      maxConcurrency: spec.load.maxConcurrency,
      stages: spec.load.stages.map((s) => (s.kind === 'poisson' ? { rate: s.rate, durationS: s.durationS } : { rate: 'inf' as const, durationS: null })),
      staged: spec.load.staged,
      modelId: servedModelName(config),
      date: vllmDate(finished !== undefined ? finished * 1000 : clock.now()),
      percentiles: config.benchmark.metricPercentiles,
      metadata: {
        [RUN_METADATA_KEYS.runId]: step.run.runId,
        [RUN_METADATA_KEYS.phase]: step.run.phase,
        [RUN_METADATA_KEYS.cacheReset]: config.benchmark.cacheReset,
      },
    });
    return parseResult(raw, `${step.jobName} (inference-perf reports)`);
  }

  private async tail(pod: V1Pod | undefined): Promise<string[]> {
    if (!pod?.metadata?.name) return ['(no pod was created)'];
    try {
      return lastLines(await this.deps.kube.readPodLog(this.ns, pod.metadata.name, { container: harnessContainer(this.deps.config), tailLines: LOG_TAIL_LINES }), LOG_TAIL_LINES);
    } catch (err) {
      return [`(log unavailable: ${(err as Error).message})`];
    }
  }

  private async promScalar(expr: string): Promise<number | undefined> {
    if (!this.deps.prometheus) return undefined;
    try {
      return scalarOf(await this.deps.prometheus.query(expr));
    } catch {
      return undefined;
    }
  }

  private async deleteQuietly(jobName: string): Promise<void> {
    try {
      await this.deps.kube.deleteJob(this.ns, jobName);
    } catch {
      // Best effort: the Job's TTL removes it anyway.
    }
  }
}

/** Runs the steps in order; stops at the first failure. */
export async function runPlan(
  runner: BenchmarkRunner, steps: readonly PlannedStep[], hooksFor: (step: PlannedStep) => StepHooks, signal?: AbortSignal,
): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const step of steps) outcomes.push(await runner.runStep(step, hooksFor(step), signal));
  return outcomes;
}
