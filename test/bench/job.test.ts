/**
 * The benchmark Job manifest: schema-valid for the cluster's Kubernetes version, every
 * `vllm bench serve` argument traceable to config or the run, placed on system nodes only, never
 * selected by the decode Services/InferencePool, and safe (non-root, read-only weights).
 */
import { BenchConfig, loadConfig, servedModelName } from '../../lib/config';
import {
  BenchmarkRun, JOB_SCRIPT, RESULTS_MOUNT, benchEndpoint, benchmarkJobName, exampleBenchmarkRun, podResultsDir,
  renderBenchmarkJob, resultFileName, targetUrl, validateRun, vllmBenchArgs,
} from '../../k8s/bench/benchmark-job';
import { decodePodLabels, eppPodLabels, matchesLabels } from '../../k8s/labels';
import { GPU_NODE_TAINT, NODE_ROLE_LABEL, SYSTEM_NODE_ROLE, sharedNames } from '../../k8s/names';
import { validateObjects, formatIssues } from '../../k8s/validate';
import { RESULT_LOG_MARKERS } from '../../lib/bench/result-format';
import { renderHarnessJob } from '../../k8s/bench/harness-job';
import { allObjects, renderCharts } from '../../k8s/render';

const config = loadConfig({});
const names = sharedNames(config);
const rrMain: BenchmarkRun = { label: 'round-robin', requestRate: 'inf', numPrompts: 9000, runId: '20261125-2301', phase: 'main' };
const llmdLadder: BenchmarkRun = { label: 'llm-d', requestRate: 12.5, numPrompts: 1800, runId: '20261125-2301', phase: 'ladder' };
const warmup: BenchmarkRun = { ...rrMain, numPrompts: 300, phase: 'warmup' };
const jobs = [rrMain, llmdLadder, warmup].map((r) => renderBenchmarkJob(config, r));
const [rrJob, llmdJob, warmJob] = jobs;
const pod = (job: Record<string, any>) => job.spec.template.spec;
const container = (job: Record<string, any>) => pod(job).containers[0];

/** `--flag value` of an argument list (values of nargs="*" flags until the next flag). */
function argValues(args: string[], flag: string): string[] {
  const i = args.indexOf(flag);
  if (i < 0) return [];
  const out: string[] = [];
  for (let j = i + 1; j < args.length && !args[j].startsWith('--'); j++) out.push(args[j]);
  return out;
}
const arg = (args: string[], flag: string) => argValues(args, flag)[0];

describe('benchmark Job manifest', () => {
  test('is valid against the Kubernetes schema (no unknown fields)', () => {
    const broken = JSON.parse(JSON.stringify(rrJob));
    broken.spec.template.spec.containers[0].resources.limit = {};
    broken.spec.backoffLimit = 'none';
    const issues = validateObjects([...jobs, broken]);
    // The validator is not vacuous: the broken copy (index 3) fails, the real Jobs pass.
    expect(formatIssues(issues.filter((i) => i.index < 3))).toBe('');
    expect(issues.filter((i) => i.index === 3).length).toBeGreaterThanOrEqual(2);
  });

  test('one Job per step, named for path, phase, rate and run id, within 63 characters', () => {
    expect(jobs.map((j) => [j.kind, j.metadata.name, j.metadata.namespace])).toEqual([
      ['Job', 'llmd-bench-rr-main-inf-20261125-2301', 'llmd-bench'],
      ['Job', 'llmd-bench-llmd-ladder-12-5-20261125-2301', 'llmd-bench'],
      ['Job', 'llmd-bench-rr-warmup-inf-20261125-2301', 'llmd-bench'],
    ]);
    const longest = benchmarkJobName({ ...llmdLadder, requestRate: 1234.5678, runId: 'abcdefghijklmnopqrstuvwx' });
    expect(longest.length).toBeLessThanOrEqual(63);
    expect(longest).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test('never retried, bounded by the configured timeout, cleaned up after a while', () => {
    expect(rrJob.spec.backoffLimit).toBe(0);
    expect(rrJob.spec.activeDeadlineSeconds).toBe(config.benchmark.timeoutMinutes * 60);
    expect(rrJob.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(pod(rrJob).restartPolicy).toBe('Never');
  });
});

describe('vllm bench serve arguments come from config', () => {
  const args: string[] = container(rrJob).args;
  const b = config.benchmark;

  test('the reference workload: 150 / 2048 / 128 / 256 / inf / 512 / 9000, prefix_repetition', () => {
    expect([
      arg(args, '--prefix-repetition-num-prefixes'), arg(args, '--prefix-repetition-prefix-len'), arg(args, '--prefix-repetition-suffix-len'),
      arg(args, '--prefix-repetition-output-len'), arg(args, '--request-rate'), arg(args, '--max-concurrency'), arg(args, '--num-prompts'),
    ]).toEqual(['150', '2048', '128', '256', 'inf', '512', '9000']);
    expect(arg(args, '--dataset-name')).toBe('prefix_repetition');
    expect(arg(args, '--seed')).toBe(String(b.seed));
    expect(args).toContain('--ignore-eos');
    expect(arg(args, '--percentile-metrics')).toBe('ttft,tpot,itl,e2el');
    expect(arg(args, '--metric-percentiles')).toBe('50,90,99');
  });

  test('target, model and tokenizer: the path\'s Service, the served name, the weights on FSx', () => {
    expect(arg(args, '--base-url')).toBe(`http://${names.roundRobinService}.${names.namespace}.svc.cluster.local:${config.vllm.port}`);
    expect(arg(container(llmdJob).args, '--base-url')).toBe(`http://${names.routerService}.${names.namespace}.svc.cluster.local:${config.router.servicePort}`);
    expect(arg(args, '--backend')).toBe('openai-chat');
    expect(arg(args, '--endpoint')).toBe('/v1/chat/completions');
    expect(arg(args, '--model')).toBe(servedModelName(config));
    expect(arg(args, '--tokenizer')).toBe(names.modelDir);
    const env = Object.fromEntries(container(rrJob).env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.HF_HUB_OFFLINE).toBe('1');
  });

  test('vLLM\'s own label names the path; the result file names path, rate and run id', () => {
    expect(arg(args, '--label')).toBe('round-robin');
    expect(arg(container(llmdJob).args, '--label')).toBe('llm-d');
    expect(args).toContain('--save-result');
    expect(arg(args, '--result-filename')).toBe('round-robin_rate-inf_20261125-2301.json');
    expect(arg(container(llmdJob).args, '--result-filename')).toBe('llm-d_rate-12.5_20261125-2301.json');
    expect(argValues(args, '--metadata')).toEqual([
      'llmd_bench_run_id=20261125-2301', 'llmd_bench_phase=main',
      `llmd_bench_target_url=${targetUrl(config, 'round-robin')}`, `llmd_bench_cache_reset=${config.benchmark.cacheReset}`,
    ]);
  });

  test('ladder steps use their rate and prompt count; warm-ups another seed', () => {
    const l: string[] = container(llmdJob).args;
    expect([arg(l, '--request-rate'), arg(l, '--num-prompts')]).toEqual(['12.5', '1800']);
    expect(arg(container(warmJob).args, '--seed')).toBe(String(config.benchmark.seed + 1));
    expect(arg(container(warmJob).args, '--num-prompts')).toBe('300');
  });

  test('config changes flow into the arguments', () => {
    const c: BenchConfig = loadConfig({
      'benchmark.numPrefixes': 100, 'benchmark.numPrompts': 5000, 'benchmark.maxConcurrency': 256, 'benchmark.prefixLen': 1024,
      'benchmark.backend': 'openai', 'benchmark.seed': 7, 'benchmark.metricPercentiles': '95,99', 'vllm.port': 8080, 'router.servicePort': 8081,
      'project.namespace': 'bench2', 'modelStore.mountPath': '/fsx',
    });
    const run = { ...rrMain, numPrompts: 5000 };
    const a = vllmBenchArgs(c, run);
    expect([arg(a, '--prefix-repetition-num-prefixes'), arg(a, '--num-prompts'), arg(a, '--max-concurrency'), arg(a, '--prefix-repetition-prefix-len'), arg(a, '--seed'), arg(a, '--metric-percentiles')])
      .toEqual(['100', '5000', '256', '1024', '7', '95,99']);
    expect(arg(a, '--endpoint')).toBe('/v1/completions');
    expect(benchEndpoint(c)).toBe('/v1/completions');
    expect(arg(a, '--base-url')).toBe('http://vllm-round-robin.bench2.svc.cluster.local:8080');
    expect(arg(vllmBenchArgs(c, { ...llmdLadder, numPrompts: 1800 }), '--base-url')).toBe('http://llm-d-router.bench2.svc.cluster.local:8081');
    expect(arg(a, '--tokenizer')).toBe('/fsx/Qwen/Qwen2.5-7B-Instruct');
    const job = renderBenchmarkJob(c, run);
    expect(job.metadata.namespace).toBe('bench2');
    expect(container(job).volumeMounts[0]).toEqual({ name: 'models', mountPath: '/fsx', readOnly: true });
  });
});

describe('placement and isolation', () => {
  test('runs on system nodes only and does not tolerate the GPU taint', () => {
    for (const job of jobs) {
      expect(pod(job).nodeSelector).toEqual({ [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE });
      const tolerations = pod(job).tolerations ?? [];
      expect(tolerations.some((t: { key?: string }) => t.key === GPU_NODE_TAINT.key)).toBe(false);
      expect(container(job).resources.limits['nvidia.com/gpu']).toBeUndefined();
    }
  });

  test('keeps off the EPP pod\'s node where it can (llmd-wiring review F7), whatever the harness', () => {
    // The EPP pod's labels as rendered (its Deployment's pod template), not the helper the Job uses.
    const epp = allObjects(renderCharts(config)).find((o) => o.kind === 'Deployment' && o.metadata.name === names.eppDeployment)!;
    const eppLabels = epp.spec.template.metadata.labels;
    const inferencePerf = loadConfig({ 'benchmark.harness': 'inference-perf', 'workload.name': 'shared-prefix' });
    for (const job of [...jobs, renderHarnessJob(inferencePerf, rrMain)]) {
      const affinity = pod(job).affinity;
      expect(Object.keys(affinity)).toEqual(['podAntiAffinity']);
      // Preferred, not required: with one system node (or a full one) the run still starts.
      expect(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
      const terms = affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
      expect(terms).toHaveLength(1);
      expect(terms[0].weight).toBe(100);
      expect(terms[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
      expect(matchesLabels(terms[0].podAffinityTerm.labelSelector.matchLabels, eppLabels)).toBe(true);
      // ... and it is the EPP it avoids, not its own kind or the decode pods.
      expect(matchesLabels(terms[0].podAffinityTerm.labelSelector.matchLabels, job.spec.template.metadata.labels)).toBe(false);
    }
  });

  test('its pods are never selected by the decode Services, the InferencePool or the EPP Service', () => {
    for (const job of jobs) {
      const labels = job.spec.template.metadata.labels;
      expect(matchesLabels(decodePodLabels(config), labels)).toBe(false);
      expect(matchesLabels(eppPodLabels(config), labels)).toBe(false);
      // Not even one decode key/value: a partial selector (e.g. render Service) must not catch it either.
      for (const [k, v] of Object.entries(decodePodLabels(config))) expect(labels[k] === v).toBe(false);
    }
  });

  test('non-root, no capabilities, no escalation, no API token, RuntimeDefault seccomp', () => {
    for (const job of jobs) {
      const sc = pod(job).securityContext;
      expect(sc).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container(job).securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod(job).automountServiceAccountToken).toBe(false);
      expect(container(job).resources.requests).toEqual(container(job).resources.limits);
    }
  });

  test('weights read-only from the read-only claim; results through the results claim (the results fileset only), never the read-write claim', () => {
    const p = pod(rrJob);
    expect(p.volumes).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: names.modelsPvcReadOnly, readOnly: true } });
    expect(p.volumes).toContainEqual({ name: 'results', persistentVolumeClaim: { claimName: names.resultsPvc } });
    expect(JSON.stringify(p.volumes)).not.toContain(names.modelsPvcReadWrite);
    expect(container(rrJob).volumeMounts).toContainEqual({ name: 'results', mountPath: RESULTS_MOUNT });
    const env = Object.fromEntries(container(rrJob).env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.RESULTS_DIR).toBe(podResultsDir(rrMain));
    expect(env.RESULT_FILE).toBe(resultFileName(rrMain));
    expect(podResultsDir(warmup)).toBe(`${RESULTS_MOUNT}/20261125-2301/warmup`);
  });
});

describe('the wrapper script', () => {
  const c = container(rrJob);
  test('runs vllm bench serve with the args, prints the result between markers, publishes by rename', () => {
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.command[2]).toBe(JOB_SCRIPT);
    expect(JOB_SCRIPT).toContain('vllm bench serve "$@"');
    expect(JOB_SCRIPT.indexOf(RESULT_LOG_MARKERS.begin)).toBeLessThan(JOB_SCRIPT.indexOf(RESULT_LOG_MARKERS.end));
    expect(JOB_SCRIPT).toMatch(/cp "\$src" "\$RESULTS_DIR\/\.\$RESULT_FILE\.partial" && mv -f "\$RESULTS_DIR\/\.\$RESULT_FILE\.partial" "\$RESULTS_DIR\/\$RESULT_FILE"/);
    expect(JOB_SCRIPT.split('\n')[0]).toBe('set -eu');
    // The scratch result directory is where vLLM writes (--result-dir).
    expect(JOB_SCRIPT).toContain(arg(c.args, '--result-dir'));
  });
});

describe('run parameters are validated', () => {
  test.each([
    [{ runId: 'Bad_Id' }, /runId/],
    [{ numPrompts: 1000 }, /multiple of benchmark.numPrefixes \(150\)/],
    [{ requestRate: -1 }, /requestRate/],
    [{ label: 'blue' }, /label "blue"/],
  ])('%j', (patch, message) => {
    expect(() => validateRun(config, { ...rrMain, ...(patch as Partial<BenchmarkRun>) })).toThrow(message);
    expect(() => renderBenchmarkJob(config, { ...rrMain, ...(patch as Partial<BenchmarkRun>) })).toThrow(message);
  });

  test('the example instance for the chart registry renders', () => {
    expect(renderBenchmarkJob(config, exampleBenchmarkRun(config)).metadata.name).toBe('llmd-bench-rr-main-inf-example');
  });
});
