/**
 * Test doubles for the cluster interfaces, fed with the recorded API payloads in test/fixtures.
 * They hold state (Jobs created, polls seen) and record every call, so tests can assert what the
 * orchestrator did and in which order; the payloads themselves are real API shapes.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { V1Deployment, V1Job, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1Service } from '@kubernetes/client-node';
import { CancelledError } from '../../lib/bench/errors';
import { toClusterInfo, toFileSystemInfo } from '../../lib/bench/cluster/aws';
import type { AwsApi, Clock, ExecReply, HttpReply, KubeApi, KubeContextInfo } from '../../lib/bench/cluster/types';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function fixture<T = any>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8')) as T;
}

export function fixtureText(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** How a created Job behaves: which recorded status it reaches after how many reads, and its log. */
export interface JobBehaviour {
  /** Reads of the Job before it reaches its final state. */
  readonly pollsUntilDone: number;
  readonly outcome: 'complete' | 'failed' | 'deadline' | 'never';
  readonly log: string;
  /** State of the client pod while the Job is not done. */
  readonly pod?: 'running' | 'unschedulable';
}

/** The log a successful client prints: the recorded template with a result JSON inside. */
export function successLog(result: Record<string, unknown>, resultFile: string): string {
  return fixtureText('k8s/pod-log-success.template.txt')
    .replace('{{RESULT_JSON}}', JSON.stringify(result))
    .replace('{{RESULT_FILE}}', resultFile);
}

/** The reference result of a path, as the Job of `runId` would print it. */
export function referenceResult(label: 'round-robin' | 'llm-d', runId: string, requestRate: number | 'inf' = 'inf', numPrompts = 9000): Record<string, unknown> {
  const dir = path.join(FIXTURES, 'results', 'reference');
  const file = fs.readdirSync(dir).find((f) => f.startsWith(`${label}-`))!;
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  return { ...r, request_rate: requestRate, num_prompts: numPrompts, llmd_bench_run_id: runId, llmd_bench_phase: 'main' };
}

interface StoredJob {
  manifest: Record<string, any>;
  reads: number;
  behaviour: JobBehaviour;
}

export class FakeKube implements KubeApi {
  readonly context: KubeContextInfo = { contextName: 'arn:aws:eks:us-west-2:123456789012:cluster/llmd-bench', server: 'https://9F1C2D3E4A5B6C7D8E9F0A1B2C3D4E5F.gr7.us-west-2.eks.amazonaws.com', source: 'kubeconfig' };
  /** Every call, in order, as "op:argument". */
  readonly calls: string[] = [];
  readonly jobs = new Map<string, StoredJob>();
  nodes: V1Node[] = [...fixture('k8s/nodes-gpu.json').items, ...fixture('k8s/nodes-system.json').items];
  decodePods: V1Pod[] = fixture('k8s/pods-decode.json').items;
  deployments = new Map<string, V1Deployment[]>([['vllm-decode-epp', [fixture('k8s/deployment-epp.json')]]]);
  services = new Map<string, V1Service>([
    ['vllm-round-robin', fixture('k8s/service-round-robin.json')],
    ['llm-d-router', fixture('k8s/service-router.json')],
  ]);
  pvs = new Map<string, V1PersistentVolume>([['llmd-bench-models-ro', fixture('k8s/pv-models-ro.json')]]);
  pvcs = new Map<string, V1PersistentVolumeClaim>([['models-ro', fixture('k8s/pvc-bound.json')], ['results-rw', { ...fixture('k8s/pvc-bound.json'), metadata: { name: 'results-rw', namespace: 'llmd-bench' } }]]);
  crds = new Set(['inferencepools.inference.networking.k8s.io']);
  customObjects = new Map<string, Record<string, unknown>>([['inferencepools/vllm-decode', fixture('k8s/inferencepool.json')]]);
  /** Exit code of `test -f <marker>` in a decode pod. */
  markerExit = 0;
  /** Exit code of any command run in a pod, when set (overrides markerExit). */
  execExit?: (command: string[]) => number;
  /** HTTP status of POST /reset_prefix_cache. */
  resetStatus = 200;
  /** Answer of POST through the service proxy (the render Service); default: the recorded render answer. */
  renderProxy: (ns: string, svc: string, port: number, p: string, body: unknown) => HttpReply = () => ({ status: 200, body: fixtureText('k8s/render-chat-response.json') });
  /** Answers of the service proxy (Prometheus); default: a ready Prometheus with recorded answers. */
  serviceProxy: (ns: string, svc: string, port: number, p: string, q: Record<string, string>) => HttpReply = defaultPrometheus();
  /** Behaviour of each Job created, by name (default: completes after 3 reads with a reference result). */
  behaviourFor: (manifest: Record<string, any>) => JobBehaviour = defaultBehaviour;
  /** Return Job times as Date objects, as client-node does (the recorded JSON has strings). */
  dateObjects = false;
  /** Called on every Job read (tests use it to press Ctrl-C mid-run). */
  onJobRead?: (name: string, reads: number) => void;

  async listNodes(labelSelector: string) {
    this.calls.push(`listNodes:${labelSelector}`);
    return clone(this.nodes.filter((n) => matches(labelSelector, n.metadata?.labels)));
  }

  async listPods(namespace: string, labelSelector: string) {
    this.calls.push(`listPods:${labelSelector}`);
    const jobName = /^batch\.kubernetes\.io\/job-name=(.+)$/.exec(labelSelector)?.[1];
    if (jobName) {
      const job = this.jobs.get(jobName);
      return job ? [this.clientPod(jobName, job)] : [];
    }
    return clone(this.decodePods.filter((p) => p.metadata?.namespace === namespace && matches(labelSelector, p.metadata?.labels)));
  }

  async readDeployment(_ns: string, name: string) {
    this.calls.push(`readDeployment:${name}`);
    const list = this.deployments.get(name);
    if (!list || list.length === 0) return undefined;
    // Each read moves through the recorded states; the last one stays.
    return clone(list.length > 1 ? list.shift()! : list[0]);
  }

  async restartDeployment(_ns: string, name: string, at: string) {
    this.calls.push(`restartDeployment:${name}@${at}`);
  }

  /** Applies a strategic-merge patch of container args (the only kind the CLI sends) to every stored state. */
  async patchDeployment(_ns: string, name: string, patch: Record<string, any>) {
    const containers = patch.spec?.template?.spec?.containers ?? [];
    this.calls.push(`patchDeployment:${name}:${JSON.stringify(containers.map((c: { name: string; args?: string[] }) => [c.name, c.args]))}`);
    for (const d of this.deployments.get(name) ?? []) {
      for (const c of containers) {
        const target = d.spec?.template?.spec?.containers?.find((x) => x.name === c.name);
        if (target && c.args) target.args = [...c.args];
      }
    }
  }

  async readPersistentVolume(name: string) {
    return clone(this.pvs.get(name));
  }

  async readPersistentVolumeClaim(_ns: string, name: string) {
    return clone(this.pvcs.get(name));
  }

  async readService(_ns: string, name: string) {
    return clone(this.services.get(name));
  }

  async crdExists(name: string) {
    return this.crds.has(name);
  }

  async getCustomObject(_g: string, _v: string, _ns: string, plural: string, name: string) {
    return clone(this.customObjects.get(`${plural}/${name}`));
  }

  async listJobs(_ns: string, labelSelector: string) {
    return [...this.jobs.entries()]
      .filter(([, j]) => matches(labelSelector, j.manifest.metadata?.labels))
      .map(([name, j]) => this.jobState(name, j, false));
  }

  async readJob(_ns: string, name: string) {
    this.calls.push(`readJob:${name}`);
    const job = this.jobs.get(name);
    if (!job) return undefined;
    job.reads++;
    this.onJobRead?.(name, job.reads);
    return this.jobState(name, job, true);
  }

  async createJob(namespace: string, manifest: Record<string, unknown>) {
    const m = manifest as Record<string, any>;
    this.calls.push(`createJob:${m.metadata.name}`);
    if (m.metadata.namespace !== namespace) throw new Error(`namespace mismatch ${m.metadata.namespace} != ${namespace}`);
    if (this.jobs.has(m.metadata.name)) throw Object.assign(new Error('AlreadyExists'), { status: 409 });
    this.jobs.set(m.metadata.name, { manifest: clone(m), reads: 0, behaviour: this.behaviourFor(m) });
  }

  async deleteJob(_ns: string, name: string) {
    this.calls.push(`deleteJob:${name}`);
    this.jobs.delete(name);
  }

  /** Containers whose logs were read, in order. */
  readonly logContainers: (string | undefined)[] = [];

  async readPodLog(_ns: string, pod: string, options: { container?: string; tailLines?: number } = {}) {
    this.calls.push(`readPodLog:${pod}${options.tailLines ? `:tail${options.tailLines}` : ''}`);
    this.logContainers.push(options.container);
    const job = [...this.jobs.entries()].find(([name]) => pod.startsWith(`${name}-`));
    if (!job) throw Object.assign(new Error(`pods "${pod}" not found`), { status: 404 });
    const lines = job[1].behaviour.log.replace(/\n$/, '').split('\n');
    return `${(options.tailLines ? lines.slice(-options.tailLines) : lines).join('\n')}\n`;
  }

  async podProxyPost(_ns: string, pod: string, port: number, p: string): Promise<HttpReply> {
    this.calls.push(`reset:${pod}:${port}${p}`);
    return { status: this.resetStatus, body: '' };
  }

  async serviceProxyGet(ns: string, svc: string, port: number, p: string, q: Record<string, string> = {}): Promise<HttpReply> {
    return this.serviceProxy(ns, svc, port, p, q);
  }

  async serviceProxyPost(ns: string, svc: string, port: number, p: string, body: unknown): Promise<HttpReply> {
    this.calls.push(`post:${ns}/${svc}:${port}${p}`);
    return this.renderProxy(ns, svc, port, p, body);
  }

  async execInPod(_ns: string, pod: string, _container: string, command: string[]): Promise<ExecReply> {
    this.calls.push(`exec:${pod}:${command.join(' ')}`);
    return { exitCode: this.execExit ? this.execExit(command) : this.markerExit, stdout: '', stderr: '' };
  }

  private jobState(name: string, job: StoredJob, countsAsRead: boolean): V1Job {
    const done = countsAsRead ? job.reads > job.behaviour.pollsUntilDone : false;
    const file = !done || job.behaviour.outcome === 'never' ? 'job-running.json'
      : ({ complete: 'job-complete.json', failed: 'job-failed.json', deadline: 'job-deadline.json' } as const)[job.behaviour.outcome];
    const j = fixture<V1Job>(`k8s/${file}`);
    j.metadata = { ...j.metadata, name, labels: job.manifest.metadata.labels };
    if (this.dateObjects && j.status) {
      // What @kubernetes/client-node hands back: date-time fields deserialized into Date objects.
      const s = j.status as { startTime?: unknown; completionTime?: unknown };
      if (typeof s.startTime === 'string') s.startTime = new Date(s.startTime);
      if (typeof s.completionTime === 'string') s.completionTime = new Date(s.completionTime);
    }
    return j;
  }

  private clientPod(jobName: string, job: StoredJob): V1Pod {
    const finished = job.reads > job.behaviour.pollsUntilDone && job.behaviour.outcome !== 'never';
    const pod = fixture<V1Pod>(job.behaviour.pod === 'unschedulable' && !finished ? 'k8s/pod-client-unschedulable.json' : 'k8s/pod-client-running.json');
    pod.metadata = { ...pod.metadata, name: `${jobName}-x7q2m`, labels: { ...pod.metadata?.labels, 'batch.kubernetes.io/job-name': jobName, 'job-name': jobName } };
    if (finished) pod.status = { ...pod.status, phase: job.behaviour.outcome === 'complete' ? 'Succeeded' : 'Failed' };
    return pod;
  }
}

function defaultBehaviour(manifest: Record<string, any>): JobBehaviour {
  const labels = manifest.metadata.labels as Record<string, string>;
  const env = manifest.spec.template.spec.containers[0].env as { name: string; value: string }[];
  const file = env.find((e) => e.name === 'RESULT_FILE')!.value;
  const args = manifest.spec.template.spec.containers[0].args as string[];
  const rate = args[args.indexOf('--request-rate') + 1];
  const prompts = Number(args[args.indexOf('--num-prompts') + 1]);
  const result = referenceResult(labels['llmd-bench/target'] as 'round-robin' | 'llm-d', labels['llmd-bench/run-id'], rate === 'inf' ? 'inf' : Number(rate), prompts);
  return { pollsUntilDone: 3, outcome: 'complete', log: successLog(result, file) };
}

/** `a=b,c=d` label selector matching (equality only, as the CLI uses). */
export function matches(selector: string, labels: Record<string, string> | undefined): boolean {
  return selector.split(',').filter(Boolean).every((term) => {
    const [k, v] = term.split('=');
    return labels?.[k] === v;
  });
}

/** Recorded answers to the liveness and throttling queries (run-checks.ts, preflight), by what the query asks. */
export interface PromAnswers {
  subscribers: string;
  messages: string;
  indexed: string;
  evicted: string;
  lookups: string;
  lookupHits: string;
  served: string;
  throttled: string;
  pressure: string;
  cores: string;
  zmqErrors: string;
  /** The approximate producer's index size gauge and hit-ratio sample count (llm_d_epp_prefix_indexer_*). */
  approxIndexSize: string;
  approxHitSamples: string;
}

export const HEALTHY_PROM: PromAnswers = {
  subscribers: 'epp-active-subscribers.json',
  messages: 'epp-messages-by-pod.json',
  indexed: 'epp-index-held.json',
  evicted: 'epp-index-evictions.json',
  lookups: 'epp-lookups.json',
  lookupHits: 'epp-lookup-hits.json',
  served: 'vllm-served-by-pod.json',
  throttled: 'cadvisor-throttled.json',
  pressure: 'cadvisor-cpu-pressure.json',
  cores: 'cadvisor-cpu-cores.json',
  zmqErrors: 'query-range-empty.json',
  approxIndexSize: 'epp-approx-index-size.json',
  approxHitSamples: 'epp-approx-hit-ratio-samples.json',
};

const EMPTY_VECTOR = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });

function answerFor(query: string, answers: PromAnswers): string | undefined {
  const pick = (f: string) => (f === 'empty' ? EMPTY_VECTOR : fixtureText(`prometheus/${f}`).replace('"matrix"', '"vector"'));
  if (query.includes('kv_cache_events_active_subscribers')) return pick(answers.subscribers);
  if (query.includes('kv_cache_events_messages_received_total')) return pick(answers.messages);
  if (query.includes('kv_cache_events_zmq_errors_total')) return pick(answers.zmqErrors);
  if (query.includes('kv_cache_index_admissions_total')) return pick(answers.indexed);
  if (query.includes('kv_cache_index_evictions_total')) return pick(answers.evicted);
  if (query.includes('kv_cache_index_lookup_requests_total')) return pick(answers.lookups);
  if (query.includes('kv_cache_index_lookup_hits_total')) return pick(answers.lookupHits);
  if (query.includes('llm_d_epp_prefix_indexer_size')) return pick(answers.approxIndexSize);
  if (query.includes('llm_d_epp_prefix_indexer_hit_ratio_count')) return pick(answers.approxHitSamples);
  if (query.includes('by (pod) (increase(vllm:request_success_total')) return pick(answers.served);
  if (query.includes('container_cpu_cfs_throttled_periods_total')) return pick(answers.throttled);
  if (query.includes('container_pressure_cpu_waiting_seconds_total')) return pick(answers.pressure);
  if (query.includes('container_cpu_usage_seconds_total')) return pick(answers.cores);
  return undefined;
}

/** A Prometheus behind the service proxy answering with the recorded payloads. */
export function defaultPrometheus(answers: Partial<PromAnswers> = {}): (ns: string, svc: string, port: number, p: string, q: Record<string, string>) => HttpReply {
  let completed = 0;
  const all = { ...HEALTHY_PROM, ...answers };
  return (_ns, _svc, _port, p, q) => {
    if (p === '/-/ready') return { status: 200, body: 'Prometheus Server is Ready.\n' };
    const recorded = p === '/api/v1/query' ? answerFor(q.query, all) : undefined;
    if (recorded !== undefined) return { status: 200, body: recorded };
    if (p === '/api/v1/query') {
      const body = fixture('prometheus/query-vector-completed.json');
      if (q.query.startsWith('sum(vllm:request_success_total')) {
        body.data.result[0].value[1] = String(completed);
        completed += 1500;
      } else if (q.query.startsWith('count(')) {
        body.data.result[0].value[1] = '8';
      } else {
        body.data.result[0].value[1] = '256';
      }
      return { status: 200, body: JSON.stringify(body) };
    }
    if (p === '/api/v1/query_range') {
      const name = q.query.includes('kv_cache_usage_perc') ? 'query-range-kv-cache-usage.json'
        : q.query.includes('prefix_cache_hits_total') ? 'query-range-prefix-hit-rate.json' : 'query-range-empty.json';
      return { status: 200, body: fixtureText(`prometheus/${name}`) };
    }
    return { status: 404, body: '404 page not found\n' };
  };
}

/** AWS answering with the recorded DescribeCluster / DescribeFileSystems payloads, mapped like the real adapter. */
export class FakeAws implements AwsApi {
  readonly region = 'us-west-2';
  cluster: Record<string, any> = fixture('aws/describe-cluster.json');
  fileSystems: Record<string, any> = fixture('aws/describe-file-systems.json');

  async describeCluster(name: string) {
    return this.cluster.cluster?.name === name ? toClusterInfo(this.cluster, name) : undefined;
  }

  async describeFileSystem(id: string) {
    const found = (this.fileSystems.FileSystems ?? []).filter((f: { FileSystemId: string }) => f.FileSystemId === id);
    return found.length > 0 ? toFileSystemInfo({ FileSystems: found }, id) : undefined;
  }
}

/** Virtual time: sleeps advance the clock at once; an aborted signal ends them with CancelledError. */
export class FakeClock implements Clock {
  t = Date.parse('2026-11-25T23:00:00Z');
  now() {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal) {
    if (signal?.aborted) throw new CancelledError();
    this.t += ms;
    await Promise.resolve();
    if (signal?.aborted) throw new CancelledError();
  }
}
