/**
 * The orchestrator against a fake cluster fed with recorded payloads: the order per path (reset ->
 * Job -> collect), failure paths (pod not ready, Job failed, deadline, stuck pod, timeout, Ctrl-C),
 * idempotence (resume skips collected steps, adopts a finished Job), and no half-written results.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../lib/config';
import { BenchError, CancelledError } from '../../lib/bench/errors';
import { planRun, PlannedStep } from '../../lib/bench/plan';
import { prometheusViaKube, prometheusServiceRef } from '../../lib/bench/prometheus';
import { BenchmarkRunner, extractResult, runPlan, StepHooks, StepProgress } from '../../lib/bench/runner';
import { FakeClock, FakeKube, fixture, fixtureText, referenceResult, successLog } from './fakes';
import { tempDir } from '../temp-dir';

// The endpoint reset (an opt-in since the default became restart) is what most of these tests step through.
const config = loadConfig({ 'benchmark.timeoutMinutes': 30, 'benchmark.cacheReset': 'endpoint' });

function tmpDir(): string {
  return tempDir('llmd-bench-run-');
}

function setup(opts: { targets?: 'rr' | 'llm-d' | 'both'; ladder?: boolean; warmup?: boolean; withPrometheus?: boolean; cfg?: typeof config } = {}) {
  const cfg = opts.cfg ?? config;
  const kube = new FakeKube();
  const clock = new FakeClock();
  const outDir = tmpDir();
  const prometheus = opts.withPrometheus === false ? undefined : prometheusViaKube(kube, prometheusServiceRef(cfg));
  const runner = new BenchmarkRunner({ config: cfg, kube, clock, prometheus });
  const steps = planRun(cfg, { targets: opts.targets ?? 'both', ladder: !!opts.ladder, warmup: !!opts.warmup, runId: 't1', outDir });
  const progress: StepProgress[] = [];
  const warnings: string[] = [];
  const hooks: StepHooks = { update: (p) => progress.push(p), warn: (w) => warnings.push(w) };
  return { cfg, kube, clock, outDir, runner, steps, progress, warnings, hooks };
}

/** The calls that matter for ordering: resets, Job creation/deletion, log reads. */
function significant(calls: string[]): string[] {
  return calls
    .filter((c) => /^(reset|createJob|deleteJob|readPodLog|restartDeployment)/.test(c))
    .map((c) => (c.startsWith('reset:') ? 'reset' : c.replace(/-x7q2m$/, '').replace(/@.*$/, '')));
}

function dedupeResets(calls: string[]): string[] {
  return calls.filter((c, i) => !(c === 'reset' && calls[i - 1] === 'reset'));
}

async function expectError(p: Promise<unknown>): Promise<BenchError> {
  try {
    await p;
  } catch (err) {
    return err as BenchError;
  }
  throw new Error('expected an error');
}

describe('a full A/B run', () => {
  test('per path: reset every decode pod, then launch, then collect; round-robin before llm-d', async () => {
    const s = setup();
    const outcomes = await runPlan(s.runner, s.steps, () => s.hooks);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done']);
    expect(dedupeResets(significant(s.kube.calls))).toEqual([
      'reset', 'createJob:llmd-bench-rr-main-inf-t1', 'readPodLog:llmd-bench-rr-main-inf-t1', 'deleteJob:llmd-bench-rr-main-inf-t1',
      'reset', 'restartDeployment:vllm-decode-epp', 'createJob:llmd-bench-llmd-main-inf-t1', 'readPodLog:llmd-bench-llmd-main-inf-t1', 'deleteJob:llmd-bench-llmd-main-inf-t1',
    ]);
    // All eight decode pods, on vLLM's port, before each measured run.
    const resets = s.kube.calls.filter((c) => c.startsWith('reset:'));
    expect(resets).toHaveLength(16);
    expect(new Set(resets.map((r) => r.split(':')[1])).size).toBe(8);
    expect(resets[0]).toMatch(/:8000\/reset_prefix_cache\?reset_running_requests=true$/);
    expect(outcomes[0].resetPods).toHaveLength(8);
  });

  test('writes each result as vLLM printed it, plus the time series from Prometheus', async () => {
    const s = setup();
    await runPlan(s.runner, s.steps, () => s.hooks);
    const files = fs.readdirSync(s.outDir).sort();
    expect(files).toEqual([
      'llm-d_rate-inf_t1.checks.json', 'llm-d_rate-inf_t1.json', 'llm-d_rate-inf_t1.timeseries.json',
      'round-robin_rate-inf_t1.checks.json', 'round-robin_rate-inf_t1.json', 'round-robin_rate-inf_t1.timeseries.json',
    ]);
    const rr = JSON.parse(fs.readFileSync(path.join(s.outDir, 'round-robin_rate-inf_t1.json'), 'utf8'));
    expect(rr).toEqual(referenceResult('round-robin', 't1'));
    const ts = JSON.parse(fs.readFileSync(path.join(s.outDir, 'round-robin_rate-inf_t1.timeseries.json'), 'utf8'));
    // The window is the Job's own start and completion time.
    expect(ts).toMatchObject({ label: 'round-robin', request_rate: 'inf', source: 'prometheus', step_s: config.benchmark.metricsStepSeconds, started_at: '2026-11-25T23:01:10.000Z' });
    expect(Object.keys(ts.series.kv_cache_usage)).toHaveLength(3);
    // Series Prometheus had nothing for are named, not fatal.
    expect(s.warnings.some((w) => w.includes('gpu_utilization'))).toBe(true);
  });

  test('Job times as Date objects (as client-node returns them) give the same time series window', async () => {
    const s = setup({ targets: 'rr' });
    s.kube.dateObjects = true;
    await runPlan(s.runner, s.steps, () => s.hooks);
    const ts = JSON.parse(fs.readFileSync(path.join(s.outDir, 'round-robin_rate-inf_t1.timeseries.json'), 'utf8'));
    expect(ts.started_at).toBe('2026-11-25T23:01:10.000Z');
  });

  test('reports progress: reset, launch, running with request counts, collect, done', async () => {
    const s = setup({ targets: 'rr' });
    await runPlan(s.runner, s.steps, () => s.hooks);
    const phases = s.progress.map((p) => p.phase).filter((p, i, a) => p !== a[i - 1]);
    expect(phases).toEqual(['reset', 'launch', 'running', 'collect', 'done']);
    const running = s.progress.filter((p) => p.phase === 'running');
    expect(running[0]).toMatchObject({ total: 9000, running: 256, waiting: 256 });
    expect(running.map((p) => p.completed)).toEqual([1500, 3000, 4500]);
    expect(running[1].elapsedS).toBeGreaterThan(running[0].elapsedS);
  });

  test('works without Prometheus: no live count, no time series, still a result', async () => {
    const s = setup({ targets: 'llm-d', withPrometheus: false });
    await runPlan(s.runner, s.steps, () => s.hooks);
    expect(fs.readdirSync(s.outDir)).toEqual(['llm-d_rate-inf_t1.checks.json', 'llm-d_rate-inf_t1.json']);
    // Without Prometheus nothing proves the path was live: said, not assumed.
    expect(JSON.parse(fs.readFileSync(path.join(s.outDir, 'llm-d_rate-inf_t1.checks.json'), 'utf8'))).toMatchObject({ status: 'unchecked' });
    expect(s.progress.filter((p) => p.phase === 'running').every((p) => p.completed === undefined)).toBe(true);
  });

  test('a warm-up goes first, is not reset before, and lands in warmup/ (excluded from results)', async () => {
    const s = setup({ targets: 'rr', warmup: true });
    s.kube.behaviourFor = (m) => {
      const file = m.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'RESULT_FILE').value;
      const args: string[] = m.spec.template.spec.containers[0].args;
      return { pollsUntilDone: 1, outcome: 'complete', log: successLog(referenceResult('round-robin', 't1', 'inf', Number(args[args.indexOf('--num-prompts') + 1])), file) };
    };
    await runPlan(s.runner, s.steps, () => s.hooks);
    expect(dedupeResets(significant(s.kube.calls))).toEqual([
      'createJob:llmd-bench-rr-warmup-inf-t1', 'readPodLog:llmd-bench-rr-warmup-inf-t1', 'deleteJob:llmd-bench-rr-warmup-inf-t1',
      'reset', 'createJob:llmd-bench-rr-main-inf-t1', 'readPodLog:llmd-bench-rr-main-inf-t1', 'deleteJob:llmd-bench-rr-main-inf-t1',
    ]);
    expect(fs.existsSync(path.join(s.outDir, 'warmup', 'round-robin_rate-inf_t1.json'))).toBe(true);
    expect(s.kube.jobs.size).toBe(0);
  });

  test('before an llm-d run the EPP is restarted after the reset and the run waits until it is Ready again', async () => {
    const s = setup({ targets: 'llm-d' });
    const epp = fixture('k8s/deployment-epp.json');
    const rolling = { ...epp, metadata: { ...epp.metadata, generation: 2 }, status: { ...epp.status, observedGeneration: 2, updatedReplicas: 0, readyReplicas: 1 } };
    const rolled = { ...epp, metadata: { ...epp.metadata, generation: 2 }, status: { ...epp.status, observedGeneration: 2 } };
    // The first read is the profile check (pointEppAt: is --config-file already the llm-d profile's file?).
    s.kube.deployments.set('vllm-decode-epp', [epp, epp, rolling, rolling, rolled]);
    await runPlan(s.runner, s.steps, () => s.hooks);
    const calls = s.kube.calls;
    const lastReset = calls.map((c, i) => (c.startsWith('reset:') ? i : -1)).reduce((a, b) => Math.max(a, b));
    const restart = calls.findIndex((c) => c.startsWith('restartDeployment:vllm-decode-epp'));
    const create = calls.indexOf('createJob:llmd-bench-llmd-main-inf-t1');
    expect(lastReset).toBeLessThan(restart);
    expect(restart).toBeLessThan(create);
    expect(calls.slice(restart, create).filter((c) => c === 'readDeployment:vllm-decode-epp')).toHaveLength(3);
    expect(s.progress.some((p) => p.phase === 'reset' && /endpoint picker/.test(p.detail ?? ''))).toBe(true);
  });

  describe('the EPP runs the path\'s profile before every llm-d step, warm-ups included', () => {
    const profiles = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'router.profiles': 'precise,approximate' });
    const eppCalls = (calls: string[]) => calls
      .filter((c) => /^(patchDeployment:vllm-decode-epp|restartDeployment:vllm-decode-epp|readDeployment:vllm-decode-epp|createJob|reset:)/.test(c))
      .map((c) => (c.startsWith('reset:') ? 'reset' : c.replace(/@.*$/, '').replace(/^(patchDeployment:vllm-decode-epp):.*endpoint-picker-config-(\w+)\.yaml.*$/, '$1->$2')))
      .filter((c, i, all) => !(c === 'reset' && all[i - 1] === 'reset'));
    // The reference result of the path's kind, labelled as the path the Job ran, with its prompt count.
    const labelledKube = () => {
      const kube = new FakeKube();
      kube.behaviourFor = (m) => {
        const labels = m.metadata.labels as Record<string, string>;
        const c = m.spec.template.spec.containers[0];
        const file = (c.env as { name: string; value: string }[]).find((e) => e.name === 'RESULT_FILE')!.value;
        const prompts = Number(c.args[c.args.indexOf('--num-prompts') + 1]);
        const label = labels['llmd-bench/target'];
        const result = { ...referenceResult(label === 'round-robin' ? 'round-robin' : 'llm-d', labels['llmd-bench/run-id'], 'inf', prompts), label };
        return { pollsUntilDone: 1, outcome: 'complete', log: successLog(result, file) };
      };
      return kube;
    };

    test('a profile\'s warm-up: pointed at its file and the rollout awaited before its Job, no restart; its main run then restarts without re-pointing', async () => {
      const kube = labelledKube();
      const epp = fixture('k8s/deployment-epp.json');
      const rolling = { ...epp, metadata: { ...epp.metadata, generation: 2 }, status: { ...epp.status, observedGeneration: 2, updatedReplicas: 0 } };
      // The profile check reads the Deployment, then the patch rolls the pods: rolling, then rolled.
      kube.deployments.set('vllm-decode-epp', [epp, rolling, epp]);
      const outDir = tmpDir();
      const steps = planRun(profiles, { targets: 'rr,approximate', ladder: false, warmup: true, runId: 't1', outDir });
      const runner = new BenchmarkRunner({ config: profiles, kube, clock: new FakeClock() });
      const progress: StepProgress[] = [];
      await runPlan(runner, steps, () => ({ update: (p) => progress.push(p), warn: () => undefined }));
      expect(eppCalls(kube.calls)).toEqual([
        'createJob:llmd-bench-rr-warmup-inf-t1', 'reset', 'createJob:llmd-bench-rr-main-inf-t1',
        // warm-up: point, wait for the rollout the patch started (two reads), run
        'readDeployment:vllm-decode-epp', 'patchDeployment:vllm-decode-epp->approximate', 'readDeployment:vllm-decode-epp', 'readDeployment:vllm-decode-epp',
        'createJob:llmd-bench-llmd-approximate-warmup-inf-t1',
        // main run: reset, the profile check (already there: no patch), the restart every measured llm-d run gets
        'reset', 'readDeployment:vllm-decode-epp', 'readDeployment:vllm-decode-epp', 'restartDeployment:vllm-decode-epp', 'readDeployment:vllm-decode-epp',
        'createJob:llmd-bench-llmd-approximate-main-inf-t1',
      ]);
      expect(progress.some((p) => p.detail === 'pointing the endpoint picker at the llm-d-approximate profile')).toBe(true);
    });

    test('a warm-up through the profile the EPP already runs: no patch, no restart', async () => {
      const kube = labelledKube();
      const steps = planRun(profiles, { targets: 'llm-d', ladder: false, warmup: true, runId: 't1', outDir: tmpDir() });
      await runPlan(new BenchmarkRunner({ config: profiles, kube, clock: new FakeClock() }), steps, () => ({ update: () => undefined, warn: () => undefined }));
      const calls = eppCalls(kube.calls);
      expect(calls.slice(0, calls.indexOf('createJob:llmd-bench-llmd-warmup-inf-t1') + 1)).toEqual(['readDeployment:vllm-decode-epp', 'createJob:llmd-bench-llmd-warmup-inf-t1']);
      expect(kube.calls.some((c) => c.startsWith('patchDeployment'))).toBe(false);
    });
  });

  test('cacheReset=restart: rolling restart, wait until every replica is new and Ready, then run', async () => {
    const cfg = loadConfig({ 'benchmark.cacheReset': 'restart' });
    const s = setup({ targets: 'rr', cfg });
    s.kube.deployments.set('vllm-decode', [fixture('k8s/deployment-decode-rolled.json'), fixture('k8s/deployment-decode-rolling.json'), fixture('k8s/deployment-decode-rolling.json'), fixture('k8s/deployment-decode-rolled.json')]);
    await runPlan(s.runner, s.steps, () => s.hooks);
    const sig = significant(s.kube.calls);
    expect(sig.slice(0, 2)).toEqual(['restartDeployment:vllm-decode', 'createJob:llmd-bench-rr-main-inf-t1']);
    // It waited: the Deployment was read until the rollout had finished.
    const reads = s.kube.calls.filter((c) => c === 'readDeployment:vllm-decode');
    expect(reads.length).toBe(4);
    expect(s.kube.calls.indexOf('createJob:llmd-bench-rr-main-inf-t1')).toBeGreaterThan(s.kube.calls.lastIndexOf('readDeployment:vllm-decode'));
  });
});

describe('failure paths', () => {
  test('a decode pod not Ready: nothing is launched, the error names the pod and why', async () => {
    const s = setup({ targets: 'rr' });
    const pod = s.kube.decodePods[3];
    pod.status!.conditions = pod.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'ContainersNotReady' } : c));
    pod.status!.containerStatuses![0] = { ...pod.status!.containerStatuses![0], ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } };
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toBe('decode pods not ready: 7/8 Ready');
    expect(err.details.join('\n')).toContain('vllm-decode-6d5f8c7b9-9mwtd: Running, CrashLoopBackOff, ContainersNotReady');
    expect(err.hint).toContain('kubectl -n llmd-bench get pods -l app.kubernetes.io/name=vllm,llm-d.ai/role=decode,llmd-bench/pool=vllm-decode');
    expect(s.kube.calls.some((c) => c.startsWith('createJob') || c.startsWith('reset:'))).toBe(false);
  });

  test('the reset endpoint missing (404): says how to enable it or switch to restart', async () => {
    const s = setup({ targets: 'rr' });
    s.kube.resetStatus = 404;
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toContain('VLLM_SERVER_DEV_MODE=1');
    expect(err.hint).toContain('benchmark.cacheReset=restart');
    expect(s.kube.calls.some((c) => c.startsWith('createJob'))).toBe(false);
  });

  test('a failed Job: the error shows its last log lines; the Job is kept for kubectl logs; no result file', async () => {
    const s = setup({ targets: 'rr' });
    s.kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'failed', log: fixtureText('k8s/pod-log-failure.txt') });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toBe('Job llmd-bench/llmd-bench-rr-main-inf-t1 failed (BackoffLimitExceeded: Job has reached the specified backoff limit)');
    expect(err.details[0]).toBe('last log lines:');
    expect(err.details[err.details.length - 1]).toMatch(/^OSError: Can't load tokenizer for '\/models\/Qwen\/Qwen2.5-7B-Instruct'/);
    expect(err.hint).toContain('kubectl -n llmd-bench logs job/llmd-bench-rr-main-inf-t1');
    expect(s.kube.calls).toContain('readPodLog:llmd-bench-rr-main-inf-t1-x7q2m:tail25');
    expect(s.kube.jobs.has('llmd-bench-rr-main-inf-t1')).toBe(true);
    expect(fs.readdirSync(s.outDir)).toEqual([]);
  });

  test('log lines of a failed Job carry no terminal control sequences (a pod cannot drive the user\'s terminal)', async () => {
    const s = setup({ targets: 'rr' });
    const log = `${fixtureText('k8s/pod-log-failure.txt')}\u001b]0;owned\u0007\u001b[2J\u001b[31mRuntimeError: boom\u001b[0m\r\n`;
    s.kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'failed', log });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.details[err.details.length - 1]).toBe('RuntimeError: boom');
    for (const line of err.details) expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  test('the Job hits its activeDeadlineSeconds: reported as a timeout, Job deleted', async () => {
    const s = setup({ targets: 'rr' });
    s.kube.behaviourFor = () => ({ pollsUntilDone: 2, outcome: 'deadline', log: 'Starting main benchmark run...\nTraffic request rate: inf\n' });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toBe('Job llmd-bench/llmd-bench-rr-main-inf-t1 hit its deadline of 30 min');
    expect(err.details).toContain('Traffic request rate: inf');
    expect(err.hint).toContain('benchmark.timeoutMinutes');
    expect(s.kube.calls[s.kube.calls.length - 1]).toBe('deleteJob:llmd-bench-rr-main-inf-t1');
  });

  test('the CLI times out waiting (Job never finishes): Job deleted, last log lines shown', async () => {
    const s = setup({ targets: 'rr' });
    s.kube.behaviourFor = () => ({ pollsUntilDone: 0, outcome: 'never', log: 'Starting main benchmark run...\n' });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toBe('Job llmd-bench/llmd-bench-rr-main-inf-t1 did not finish within 30 min; deleted it');
    expect(err.details).toEqual(['last log lines:', 'Starting main benchmark run...']);
    expect(s.kube.jobs.size).toBe(0);
    // Virtual time: 30 min deadline + 90 s grace, polled every pollSeconds.
    expect(s.clock.now() - Date.parse('2026-11-25T23:00:00Z')).toBeGreaterThan(31.5 * 60_000);
  });

  test('a client pod that cannot be scheduled fails fast with the scheduler message', async () => {
    const s = setup({ targets: 'rr' });
    s.kube.behaviourFor = () => ({ pollsUntilDone: 10_000, outcome: 'never', log: '', pod: 'unschedulable' });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toContain('cannot start: unschedulable: 0/10 nodes are available: 2 Insufficient cpu');
    expect(err.hint).toContain('llmd-bench/role=system');
    expect(s.kube.jobs.size).toBe(0);
  });

  test('a Job that succeeded but whose every request failed is an error, not a result', async () => {
    const s = setup({ targets: 'rr' });
    const dead = { ...referenceResult('round-robin', 't1'), completed: 0, failed: 9000 };
    s.kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'complete', log: successLog(dead, 'round-robin_rate-inf_t1.json') });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toContain('every request failed (0 of 9000 completed)');
    expect(fs.readdirSync(s.outDir)).toEqual([]);
  });

  test('malformed result JSON in the log: clear error, nothing half-written in results', async () => {
    const s = setup({ targets: 'rr' });
    const log = successLog(referenceResult('round-robin', 't1'), 'x.json').replace(/"mean_ttft_ms": [0-9.]+, /, '').replace(/}\n===LLMD/, '\n===LLMD');
    s.kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'complete', log });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toMatch(/^malformed result JSON in the log of llmd-bench-rr-main-inf-t1-x7q2m/);
    expect(fs.readdirSync(s.outDir)).toEqual([]);
  });

  test('a result missing a key the report needs is rejected before it is written', async () => {
    const s = setup({ targets: 'rr' });
    const r = referenceResult('round-robin', 't1');
    delete r.mean_ttft_ms;
    s.kube.behaviourFor = () => ({ pollsUntilDone: 1, outcome: 'complete', log: successLog(r, 'x.json') });
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(err.message).toContain('mean_ttft_ms');
    expect(fs.readdirSync(s.outDir)).toEqual([]);
  });

  test('Ctrl-C while the Job runs: the Job it started is deleted, then CancelledError', async () => {
    const s = setup();
    const abort = new AbortController();
    s.kube.behaviourFor = () => ({ pollsUntilDone: 50, outcome: 'complete', log: '' });
    s.kube.onJobRead = (_name, reads) => { if (reads === 3) abort.abort(); };
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks, abort.signal));
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.exitCode).toBe(130);
    expect(err.message).toBe('cancelled; deleted Job llmd-bench/llmd-bench-rr-main-inf-t1');
    expect(s.kube.jobs.size).toBe(0);
    // The second path never started.
    expect(s.kube.calls.some((c) => c.includes('llmd-bench-llmd-'))).toBe(false);
    expect(fs.readdirSync(s.outDir)).toEqual([]);
  });
});

describe('Ctrl-C during the cache reset', () => {
  test('no Job is created after the reset when the user already pressed Ctrl-C', async () => {
    const s = setup();
    const abort = new AbortController();
    const base = s.kube.podProxyPost.bind(s.kube);
    s.kube.podProxyPost = async (...args) => { abort.abort(); return base(...args); };
    const err = await expectError(runPlan(s.runner, s.steps, () => s.hooks, abort.signal));
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toBe('cancelled before the Job was started');
    expect(s.kube.calls.some((c) => c.startsWith('createJob'))).toBe(false);
    expect(fs.readdirSync(s.outDir)).toEqual([]);
  });
});

describe('idempotence', () => {
  test('re-running the same run id skips what is collected and runs only the rest', async () => {
    const s = setup();
    // First attempt: llm-d fails.
    s.kube.behaviourFor = (m) => (m.metadata.name.includes('-llmd-') ? { pollsUntilDone: 1, outcome: 'failed', log: fixtureText('k8s/pod-log-failure.txt') } : defaultFor(m));
    await expectError(runPlan(s.runner, s.steps, () => s.hooks));
    expect(fs.readdirSync(s.outDir).filter((f) => !f.includes('timeseries') && !f.includes('checks'))).toEqual(['round-robin_rate-inf_t1.json']);
    const before = fs.readFileSync(path.join(s.outDir, 'round-robin_rate-inf_t1.json'), 'utf8');

    // Second attempt: round-robin is skipped untouched; the failed llm-d Job is replaced.
    s.kube.behaviourFor = defaultFor;
    s.kube.calls.length = 0;
    const outcomes = await runPlan(s.runner, s.steps, () => s.hooks);
    expect(outcomes.map((o) => o.status)).toEqual(['skipped', 'done']);
    expect(dedupeResets(significant(s.kube.calls))).toEqual([
      'deleteJob:llmd-bench-llmd-main-inf-t1', 'reset', 'restartDeployment:vllm-decode-epp', 'createJob:llmd-bench-llmd-main-inf-t1', 'readPodLog:llmd-bench-llmd-main-inf-t1', 'deleteJob:llmd-bench-llmd-main-inf-t1',
    ]);
    expect(fs.readFileSync(path.join(s.outDir, 'round-robin_rate-inf_t1.json'), 'utf8')).toBe(before);

    // Third attempt: nothing left to do, nothing touched in the cluster.
    s.kube.calls.length = 0;
    expect((await runPlan(s.runner, s.steps, () => s.hooks)).map((o) => o.status)).toEqual(['skipped', 'skipped']);
    expect(significant(s.kube.calls)).toEqual([]);
  });

  test('a finished Job left by a crashed CLI is adopted: collected, not re-run, caches not reset', async () => {
    const s = setup({ targets: 'rr' });
    await s.kube.createJob('llmd-bench', fixtureJobManifest(s.steps[0]));
    s.kube.jobs.get('llmd-bench-rr-main-inf-t1')!.reads = 10;
    s.kube.calls.length = 0;
    const [outcome] = await runPlan(s.runner, s.steps, () => s.hooks);
    expect(outcome.status).toBe('done');
    expect(significant(s.kube.calls)).toEqual(['readPodLog:llmd-bench-rr-main-inf-t1', 'deleteJob:llmd-bench-rr-main-inf-t1']);
    expect(fs.existsSync(s.steps[0].resultPath)).toBe(true);
  });

  test('an existing but malformed result is not silently kept', async () => {
    const s = setup({ targets: 'rr' });
    fs.writeFileSync(s.steps[0].resultPath, '{"label": "round-robin", "duration": ');
    await expect(runPlan(s.runner, s.steps, () => s.hooks)).rejects.toThrow(/JSON/);
  });
});

describe('extractResult', () => {
  test('takes the text between the last pair of markers', () => {
    const log = successLog({ a: 1 }, 'f.json');
    expect(extractResult(log)).toBe('{"a":1}');
    expect(extractResult('no markers here')).toBeUndefined();
    expect(extractResult(`${log}\n${successLog({ b: 2 }, 'f.json')}`)).toBe('{"b":2}');
  });
});

function defaultFor(m: Record<string, any>) {
  const file = m.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'RESULT_FILE').value;
  const label = m.metadata.labels['llmd-bench/target'];
  return { pollsUntilDone: 2, outcome: 'complete' as const, log: successLog(referenceResult(label, 't1'), file) };
}

function fixtureJobManifest(step: PlannedStep): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderBenchmarkJob } = require('../../k8s/bench/benchmark-job');
  return renderBenchmarkJob(config, step.run);
}
