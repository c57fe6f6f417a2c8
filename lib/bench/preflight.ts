/**
 * `llmd-bench preflight`: everything a run needs, checked in order, each failure with what to do.
 * AWS: the EKS cluster is ACTIVE at the configured version, the FSx file system is AVAILABLE with
 * the mount name the PV uses. Kubernetes: the right context, the CRDs, GPU nodes, decode pods, the
 * EPP, the InferencePool, the weights marker, Prometheus, and no other benchmark running. Liveness of
 * the llm-d chain: the render Service tokenizes, and the EPP holds a KV-event subscriber per decode pod.
 * A paused cluster (gpuNodes.count=0) gets one message with the resume command; the first unreachable
 * API server skips every later Kubernetes check instead of failing each one again.
 */
import { GPU_NODES_STACK_NAME, WORKLOADS_STACK_NAME } from '../names';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { replicasPerNode, servedModelName, type BenchConfig } from '../config';
import { INSTANCE_TYPES } from '../config/tables/instances';
import { BENCH_CLIENT_SELECTOR, PATH_LABELS, RUN_ID_LABEL } from './run-names';
import { decodeLabelSelector, decodePodLabels } from '../../k8s/labels';
import { loaderJobName } from '../../k8s/model-store/loader-job';
import { GPU_NODE_ROLE, NODE_ROLE_LABEL, sharedNames } from '../../k8s/names';
import { isPodReady, notReadyReason } from './cache-reset';
import { updateKubeconfigHint } from './cluster/client-node';
import { isUnreachable, type AwsApi, type EksClusterInfo, type KubeApi, type PrometheusApi } from './cluster/types';
import { BenchError, describeError } from './errors';
import { HARNESS_CHECKS } from './preflight-harness';
import { fail, pass, skip, warn, withKube } from './preflight-kit';
import { prometheusServiceRef, scalarOf } from './prometheus';
import { EPP_METRICS, identifiesPod, pathChecksFor } from './run-checks';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  readonly status: CheckStatus;
  readonly summary: string;
  readonly details?: readonly string[];
  /** What to do about a failure or warning. */
  readonly fix?: string;
}

export interface PreflightContext {
  readonly config: BenchConfig;
  /** Undefined when no kubeconfig could be loaded; `kubeError` then says why. */
  readonly kube?: KubeApi;
  readonly kubeError?: BenchError;
  /** Undefined with --skip-aws. */
  readonly aws?: AwsApi;
  readonly prometheus?: PrometheusApi;
  /** The run about to start (`run --run-id`): its own leftover Jobs are adopted, not an obstacle. */
  readonly runId?: string;
}

export interface PreflightCheck {
  readonly id: string;
  readonly title: string;
  run(ctx: PreflightContext, memo: Memo): Promise<CheckResult>;
}

/** Answers shared between checks (DescribeCluster is needed by two) and what stops the later ones. */
export interface Memo {
  cluster?: EksClusterInfo | null;
  /** The GPU node group is scaled to 0: nothing else is worth checking. */
  paused?: boolean;
  /** The API server did not answer (refused, DNS, TLS, --timeout): the later Kubernetes checks are skipped. */
  unreachable?: string;
  /** Prometheus failed its check: the checks that query it are skipped. */
  prometheusDown?: boolean;
}

/** The stacks a paused cluster is resumed with (lib/stacks: the GPU node group, then the workloads). */
export const RESUME_STACKS = [GPU_NODES_STACK_NAME, WORKLOADS_STACK_NAME] as const;

/** The command that resumes a paused cluster. */
export function resumeCommand(): string {
  return `npx cdk deploy ${RESUME_STACKS.join(' ')} -c gpuNodes.count=<N>`;
}

/** vLLM's chat render endpoint, which the EPP's token producer calls (llm-d-router v0.10.0 tokenizer/vllm_http.go chatRenderPath). */
export const CHAT_RENDER_PATH = '/v1/chat/completions/render';

/**
 * Where the EPP's token producer renders: the render Service on vLLM's port, the same target as the
 * rendered EndpointPickerConfig's token-producer `vllm.url` (test/bench/preflight.test.ts checks they agree).
 */
export function renderTarget(config: BenchConfig): { namespace: string; service: string; port: number } {
  const n = sharedNames(config);
  return { namespace: n.namespace, service: n.renderService, port: config.vllm.port };
}

export const CRD_INFERENCE_POOL = 'inferencepools.inference.networking.k8s.io';
export const INFERENCE_POOL_API = { group: 'inference.networking.k8s.io', version: 'v1', plural: 'inferencepools' } as const;
export const VLLM_DEV_MODE_ENV = 'VLLM_SERVER_DEV_MODE';


async function describeClusterOnce(ctx: PreflightContext, memo: Memo): Promise<EksClusterInfo | undefined> {
  if (memo.cluster === undefined) memo.cluster = (await ctx.aws!.describeCluster(ctx.config.cluster.name)) ?? null;
  return memo.cluster ?? undefined;
}

function nodeReady(n: V1Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function norm(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

export const CHECKS: readonly PreflightCheck[] = [
  {
    id: 'paused',
    title: 'GPU nodes are not paused',
    async run(ctx, memo) {
      if (ctx.config.gpuNodes.count > 0) return pass(`gpuNodes.count=${ctx.config.gpuNodes.count}`);
      memo.paused = true;
      return fail('the cluster is paused: gpuNodes.count=0 (GPU node group scaled to 0, no vLLM replicas), so there is nothing to benchmark',
        `resume it with \`${resumeCommand()}\` (N GPU nodes, 8 in the reference run; also drop gpuNodes.count=0 from cdk.json if you set it there), wait for the decode pods to be Ready, then run preflight again`);
    },
  },
  {
    id: 'eks-cluster',
    title: 'EKS cluster is ACTIVE at the configured version',
    async run(ctx, memo) {
      if (memo.paused) return skip('cluster paused');
      if (!ctx.aws) return skip('--skip-aws');
      const { name, kubernetesVersion } = ctx.config.cluster;
      const c = await describeClusterOnce(ctx, memo);
      if (!c) return fail(`cluster ${name} not found in ${ctx.aws.region}`, 'deploy it with `npx cdk deploy --all`, or set cluster.name / aws.region to the cluster you deployed');
      if (c.status !== 'ACTIVE') return fail(`cluster ${name} is ${c.status}`, c.status === 'CREATING' || c.status === 'UPDATING' ? 'wait until it is ACTIVE' : 'check the CloudFormation stack events');
      if (c.version !== kubernetesVersion) return fail(`cluster ${name} runs Kubernetes ${c.version}, config says ${kubernetesVersion}`, `set -c cluster.kubernetesVersion=${c.version} or redeploy`);
      return pass(`${name} ACTIVE, Kubernetes ${c.version}`);
    },
  },
  {
    id: 'kube-context',
    title: 'kubeconfig points at this cluster',
    async run(ctx, memo) {
      if (memo.paused) return skip('cluster paused');
      const hint = updateKubeconfigHint(ctx.config.cluster.name, ctx.config.aws.region);
      if (!ctx.kube) return fail(ctx.kubeError?.message ?? 'no Kubernetes access', ctx.kubeError?.hint ?? hint);
      const { contextName, server, source } = ctx.kube.context;
      if (ctx.aws) {
        const c = await describeClusterOnce(ctx, memo);
        if (c && norm(c.endpoint) !== norm(server)) {
          return fail(`context ${contextName} points at ${server}, but cluster ${c.name} is at ${c.endpoint}`, `${hint}, or pass --kube-context <the cluster's context>`);
        }
      }
      try {
        await ctx.kube.listNodes(`${NODE_ROLE_LABEL}=${GPU_NODE_ROLE}`);
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 401 || status === 403) return fail(`context ${contextName}: not authorized (HTTP ${status})`, 'add your IAM role to cluster.adminRoleArns and redeploy, or use a role that has an access entry');
        if (isUnreachable(err)) memo.unreachable = (err as Error).message;
        return fail(`cannot reach the API server of context ${contextName}: ${(err as Error).message}`, 'the endpoint is private by default: run from inside the VPC, or add your IP to cluster.publicAccessCidrs and redeploy');
      }
      return pass(`context ${contextName} (${source === 'describe-cluster' ? 'built from DescribeCluster' : 'kubeconfig'}) at ${server}`);
    },
  },
  {
    id: 'fsx',
    title: 'FSx file system is AVAILABLE and matches the PV',
    run: withKube(async (kube, ctx) => {
      const names = sharedNames(ctx.config);
      const pv = await kube.readPersistentVolume(names.modelsPvReadOnly);
      if (!pv) return fail(`persistent volume ${names.modelsPvReadOnly} not found`, 'deploy the workloads stack (cdk deploy --all)');
      const fsId = pv.spec?.csi?.volumeHandle;
      const mountName = pv.spec?.csi?.volumeAttributes?.mountname;
      if (!fsId) return fail(`PV ${names.modelsPvReadOnly} has no CSI volumeHandle`, 'redeploy the workloads stack');
      if (!ctx.aws) return warn(`PV uses ${fsId} (mount name ${mountName ?? '?'}); not checked against FSx (--skip-aws)`, 'run without --skip-aws to verify the file system');
      const fs = await ctx.aws.describeFileSystem(fsId);
      if (!fs) return fail(`file system ${fsId} (from PV ${names.modelsPvReadOnly}) does not exist in ${ctx.aws.region}`, 'the PV is stale: redeploy the stacks');
      if (fs.lifecycle !== 'AVAILABLE') return fail(`file system ${fsId} is ${fs.lifecycle}`, fs.lifecycle === 'CREATING' ? 'wait until it is AVAILABLE' : 'check the file system in the FSx console');
      if (fs.mountName !== mountName) return fail(`file system ${fsId} has mount name ${fs.mountName}, the PV says ${mountName}`, 'the PV is stale: redeploy the workloads stack');
      return pass(`${fsId} AVAILABLE, mount name ${fs.mountName}`);
    }),
  },
  {
    id: 'claims',
    title: 'model claims are Bound',
    run: withKube(async (kube, ctx) => {
      const names = sharedNames(ctx.config);
      const problems: string[] = [];
      for (const claim of [names.modelsPvcReadOnly, names.resultsPvc]) {
        const pvc = await kube.readPersistentVolumeClaim(names.namespace, claim);
        if (!pvc) problems.push(`${claim}: not found`);
        else if (pvc.status?.phase !== 'Bound') problems.push(`${claim}: ${pvc.status?.phase ?? 'Unknown'}`);
      }
      if (problems.length > 0) return fail('model claims not Bound', `the benchmark client mounts ${names.modelsPvcReadOnly} (tokenizer) and ${names.resultsPvc} (results): deploy the stacks (cdk deploy --all); kubectl -n ${names.namespace} describe pvc`, problems);
      return pass(`${names.modelsPvcReadOnly}, ${names.resultsPvc} Bound`);
    }),
  },
  {
    id: 'crds',
    title: 'InferencePool CRD is installed',
    run: withKube(async (kube) => {
      if (!(await kube.crdExists(CRD_INFERENCE_POOL))) return fail(`CRD ${CRD_INFERENCE_POOL} is missing`, 'the platform stack installs the Gateway API Inference Extension CRDs: redeploy it (cdk deploy --all)');
      return pass(CRD_INFERENCE_POOL);
    }),
  },
  {
    id: 'gpu-nodes',
    title: 'GPU nodes are Ready with allocatable nvidia.com/gpu',
    run: withKube(async (kube, ctx) => {
      const { count, instanceType } = ctx.config.gpuNodes;
      const perNode = INSTANCE_TYPES[instanceType]?.gpus ?? 1;
      const nodes = await kube.listNodes(`${NODE_ROLE_LABEL}=${GPU_NODE_ROLE}`);
      if (nodes.length === 0) {
        // The live state, not the local config: someone paused the deployment (GPU node group at 0
        // nodes, `-c gpuNodes.count=0`) while this config still says ${count}.
        return fail(`no GPU nodes in the cluster (config expects ${count}): the cluster looks paused (GPU node group scaled to 0) or its nodes are still joining`,
          `resume it with \`${resumeCommand().replace('<N>', String(count))}\`, wait for the decode pods to be Ready, then run preflight again; if you just resumed, wait a few minutes: kubectl get nodes -l ${NODE_ROLE_LABEL}=${GPU_NODE_ROLE}`);
      }
      const problems: string[] = [];
      for (const n of nodes) {
        const gpus = Number(n.status?.allocatable?.['nvidia.com/gpu'] ?? 0);
        if (!nodeReady(n)) problems.push(`${n.metadata?.name}: not Ready`);
        else if (gpus < perNode) problems.push(`${n.metadata?.name}: allocatable nvidia.com/gpu ${gpus}, expected ${perNode}`);
      }
      if (nodes.length !== count || problems.length > 0) {
        const noGpu = problems.some((p) => p.includes('allocatable'));
        return fail(`${nodes.length - problems.length}/${count} GPU nodes usable`,
          noGpu ? 'the NVIDIA device plugin (GPU operator) has not registered the GPUs yet: kubectl -n gpu-operator get pods' : 'check the node group in the EKS console (capacity, instance type availability in the GPU AZ)',
          problems);
      }
      return pass(`${count} x ${instanceType}, ${perNode} GPU each`);
    }),
  },
  {
    id: 'decode-pods',
    title: 'decode pods are Ready, at most GPUs / tensor-parallel size per GPU node',
    run: withKube(async (kube, ctx) => {
      const ns = sharedNames(ctx.config).namespace;
      const pods = (await kube.listPods(ns, decodeLabelSelector(ctx.config))).filter((p) => !p.metadata?.deletionTimestamp);
      const want = ctx.config.vllm.replicas;
      const notReady = pods.filter((p) => !isPodReady(p));
      if (pods.length !== want || notReady.length > 0) {
        return fail(`${pods.length - notReady.length}/${want} decode pods Ready`,
          `kubectl -n ${ns} describe pod <name>; pods loading weights become Ready on their own (watch kubectl -n ${ns} get pods -w)`,
          notReady.map((p) => `${p.metadata?.name}: ${notReadyReason(p)}`));
      }
      // A node holds GPUs / TP replicas (one on a g5.xlarge, four on a g5.12xlarge or a p5.48xlarge at TP 2).
      const perNode = replicasPerNode(ctx.config);
      const byNode = new Map<string, string[]>();
      for (const p of pods) byNode.set(p.spec?.nodeName ?? '?', [...(byNode.get(p.spec?.nodeName ?? '?') ?? []), p.metadata?.name ?? '?']);
      const crowded = [...byNode].filter(([, names]) => names.length > perNode);
      if (crowded.length > 0) {
        return fail(`${pods.length} decode pods share ${byNode.size} nodes; a ${ctx.config.gpuNodes.instanceType} fits ${perNode} (its GPUs / vllm.tensorParallelSize ${ctx.config.vllm.tensorParallelSize})`,
          'each replica needs its own GPUs; check the pod anti-affinity / GPU requests of the decode Deployment',
          crowded.map(([node, names]) => `${node}: ${names.length} pods (${names.join(', ')})`));
      }
      const nodes = byNode;
      if (ctx.config.benchmark.cacheReset === 'endpoint') {
        const missing = pods.filter((p) => !devModeOn(p));
        if (missing.length > 0) {
          return fail(`${missing.length} decode pods lack ${VLLM_DEV_MODE_ENV}=1, so POST /reset_prefix_cache does not exist`,
            'redeploy with benchmark.cacheReset=endpoint (the decode pods then enable it), or run with -c benchmark.cacheReset=restart',
            missing.map((p) => p.metadata?.name ?? '?'));
        }
      }
      return pass(`${pods.length} Ready on ${nodes.size} nodes`);
    }),
  },
  {
    id: 'services',
    title: 'both paths select exactly the decode pods',
    run: withKube(async (kube, ctx) => {
      const names = sharedNames(ctx.config);
      const rr = await kube.readService(names.namespace, names.roundRobinService);
      const router = await kube.readService(names.namespace, names.routerService);
      const missing = [rr ? undefined : names.roundRobinService, router ? undefined : names.routerService].filter(Boolean);
      if (missing.length > 0) return fail(`services missing: ${missing.join(', ')}`, 'deploy the workloads stack (cdk deploy --all)');
      const want = decodePodLabels(ctx.config);
      const sel = rr?.spec?.selector ?? {};
      const same = Object.keys(want).length === Object.keys(sel).length && Object.entries(want).every(([k, v]) => sel[k] === v);
      if (!same) return fail(`service ${names.roundRobinService} selects ${JSON.stringify(sel)}, not the decode pods ${JSON.stringify(want)}`, 'redeploy the workloads stack; the A/B is unfair if the paths reach different pods');
      return pass(`${names.roundRobinService} and ${names.routerService} present`);
    }),
  },
  {
    id: 'epp',
    title: 'endpoint picker (EPP) is Ready',
    run: withKube(async (kube, ctx) => {
      const names = sharedNames(ctx.config);
      const d = await kube.readDeployment(names.namespace, names.eppDeployment);
      if (!d) return fail(`deployment ${names.namespace}/${names.eppDeployment} not found`, 'deploy the workloads stack (cdk deploy --all)');
      const ready = d.status?.readyReplicas ?? 0;
      const want = ctx.config.router.eppReplicas;
      if (ready < want) return fail(`${ready}/${want} EPP replicas Ready`, `kubectl -n ${names.namespace} logs deploy/${names.eppDeployment} -c epp`);
      return pass(`${ready}/${want} Ready`);
    }),
  },
  {
    id: 'epp-render',
    title: 'the EPP\'s render backend tokenizes a chat request',
    run: withKube(async (kube, ctx) => {
      const t = renderTarget(ctx.config);
      const where = `${t.namespace}/${t.service}:${t.port}${CHAT_RENDER_PATH}`;
      const body = { model: servedModelName(ctx.config), messages: [{ role: 'user', content: 'llmd-bench preflight: render check' }], add_generation_prompt: true };
      const logs = `kubectl -n ${t.namespace} get endpoints ${t.service}; kubectl -n ${t.namespace} logs deploy/${sharedNames(ctx.config).eppDeployment} -c epp | grep -i render`;
      let reply: { status: number; body: string };
      try {
        reply = await kube.serviceProxyPost(t.namespace, t.service, t.port, CHAT_RENDER_PATH, body);
      } catch (err) {
        if (isUnreachable(err)) throw err;
        return fail(`POST ${where} failed: ${(err as Error).message}`, `the EPP cannot tokenize without it: ${logs}`);
      }
      if (reply.status === 404) {
        return fail(`POST ${where} answered 404: the render endpoint is off or missing, so the EPP gets no tokens and scores every pod 0 (it only logs the error)`,
          `vLLM v0.30+ serves render only with --enable-scale-out (or use \`vllm launch render\`); check the vLLM tag and ${logs}`);
      }
      if (reply.status !== 200) return fail(`POST ${where} answered HTTP ${reply.status}: ${reply.body.slice(0, 200)}`, `the EPP cannot tokenize without it: ${logs}`);
      let ids: unknown;
      try {
        ids = (JSON.parse(reply.body) as { token_ids?: unknown }).token_ids;
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => Number.isInteger(x))) {
        return fail(`POST ${where} answered 200 without token_ids: ${reply.body.slice(0, 200)}`, `the EPP's token producer reads token_ids from this answer; check what serves ${t.service} (${logs})`);
      }
      return pass(`${ids.length} token ids from ${t.service}:${t.port}`);
    }),
  },
  {
    id: 'inference-pool',
    title: 'InferencePool exists',
    run: withKube(async (kube, ctx) => {
      const names = sharedNames(ctx.config);
      const { group, version, plural } = INFERENCE_POOL_API;
      if (!(await kube.crdExists(CRD_INFERENCE_POOL))) return skip('CRD missing (see the CRD check)');
      const pool = await kube.getCustomObject(group, version, names.namespace, plural, names.inferencePool);
      if (!pool) return fail(`InferencePool ${names.namespace}/${names.inferencePool} not found`, 'deploy the workloads stack (cdk deploy --all)');
      return pass(`${names.namespace}/${names.inferencePool}`);
    }),
  },
  {
    id: 'weights',
    title: 'weights marker is present on FSx',
    run: withKube(async (kube, ctx) => {
      const names = sharedNames(ctx.config);
      const pod = (await kube.listPods(names.namespace, decodeLabelSelector(ctx.config))).find(isPodReady);
      if (!pod?.metadata?.name) return skip('no Ready decode pod to look through');
      const container = (pod.spec?.containers ?? []).find((c) => c.name === 'vllm')?.name ?? pod.spec?.containers?.[0]?.name ?? 'vllm';
      const reply = await kube.execInPod(names.namespace, pod.metadata.name, container, ['test', '-f', names.weightsMarker]);
      const loaderJob = loaderJobName(ctx.config);
      if (reply.exitCode !== 0) return fail(`${names.weightsMarker} is missing`, `the weights are incomplete: kubectl -n ${names.loaderNamespace} logs job/${loaderJob}; to load them again: npm run render (same -c options as the deploy), kubectl -n ${names.loaderNamespace} delete job ${loaderJob}, kubectl apply -f dist/manifests/*-model-loader.yaml (cdk deploy alone does not re-apply an unchanged Job)`);
      return pass(names.weightsMarker);
    }),
  },
  {
    id: 'prometheus',
    title: 'Prometheus is reachable and scrapes vLLM',
    run: withKube(async (_kube, ctx, memo) => {
      const ref = prometheusServiceRef(ctx.config);
      const where = `${ref.namespace}/${ref.service}:${ref.port}`;
      const fix = `check benchmark.prometheusService (${ctx.config.benchmark.prometheusService}) and kubectl -n ${ref.namespace} get svc`;
      memo.prometheusDown = true;
      if (!ctx.prometheus) return fail(`no Prometheus client for ${where}`, fix);
      let ready = false;
      try {
        ready = await ctx.prometheus.ready();
      } catch (err) {
        if (isUnreachable(err)) throw err;
        return fail(`${where} unreachable through the API server: ${(err as Error).message}`, fix);
      }
      if (!ready) return fail(`${where} is not ready`, fix);
      memo.prometheusDown = false;
      const ns = sharedNames(ctx.config).namespace;
      const scraped = scalarOf(await ctx.prometheus.query(`count(vllm:num_requests_running{namespace="${ns}"})`)) ?? 0;
      if (scraped < ctx.config.vllm.replicas) {
        return warn(`Prometheus sees ${scraped}/${ctx.config.vllm.replicas} vLLM pods`, `runs work, but progress and time series will be incomplete: check the vLLM PodMonitor (kubectl -n ${ns} get podmonitors)`);
      }
      return pass(`${where} ready, ${scraped} vLLM pods scraped`);
    }),
  },
  // The benchmark client's image and tokenizer (lib/bench/preflight-harness.ts).
  ...HARNESS_CHECKS,
  {
    id: 'kv-subscriptions',
    title: 'the EPP subscribes to the KV-cache events of every decode pod',
    run: withKube(async (kube, ctx, memo) => {
      // The EPP runs router.profile; only a profile with the precise producer subscribes (run-checks.ts pathChecksFor).
      if (pathChecksFor(ctx.config, PATH_LABELS.llmd) !== 'kv-events') {
        return skip(`router.profile=${ctx.config.router.profile} subscribes to no KV events (a precise profile run is checked after the run)`);
      }
      if (memo.prometheusDown || !ctx.prometheus) return skip('Prometheus unavailable (see the Prometheus check)');
      const ns = sharedNames(ctx.config).namespace;
      const fix = `kubectl -n ${ns} logs deploy/${sharedNames(ctx.config).eppDeployment} -c epp | grep -i -e zmq -e subscriber; check the decode pods' --kv-events-config and port ${ctx.config.vllm.kvEventsPort}`;
      const subscribers = scalarOf(await ctx.prometheus.query(`max(${EPP_METRICS.activeSubscribers}{namespace="${ns}"})`));
      if (subscribers === undefined) {
        return fail(`Prometheus has no ${EPP_METRICS.activeSubscribers}: the EPP's metrics are not scraped, so no run could prove the llm-d path live`,
          `check the EPP's ServiceMonitor and metrics token: kubectl -n ${ns} get servicemonitors; the Prometheus targets page`);
      }
      const want = ctx.config.vllm.replicas;
      if (subscribers < want) return fail(`the EPP manages ${subscribers} KV-event subscribers for ${want} decode pods: its index cannot see what the others cache`, fix);
      const pods = (await kube.listPods(ns, decodeLabelSelector(ctx.config))).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '?');
      const errors = await ctx.prometheus.query(`sum by (pod_identifier) (increase(${EPP_METRICS.zmqErrors}{namespace="${ns}"}[5m]))`);
      const failing = pods.filter((pod) => errors.some((s) => identifiesPod(s.metric.pod_identifier ?? '', ns, pod) && (s.values[0]?.[1] ?? 0) > 0));
      if (failing.length > 0) return warn(`ZMQ errors in the last 5 min on the subscribers of ${failing.join(', ')}`, fix);
      const received = await ctx.prometheus.query(`sum by (pod_identifier) (${EPP_METRICS.messagesReceived}{namespace="${ns}"})`);
      const heard = pods.filter((pod) => received.some((s) => identifiesPod(s.metric.pod_identifier ?? '', ns, pod) && (s.values[0]?.[1] ?? 0) > 0));
      // An idle pod publishes nothing until it stores a block, so silence here is not a failure; `run` checks it after each run.
      return pass(`${subscribers} subscribers for ${want} decode pods; events received so far from ${heard.length} of them`);
    }),
  },
  {
    id: 'idle',
    title: 'no other benchmark Job is running',
    run: withKube(async (kube, ctx) => {
      const ns = sharedNames(ctx.config).namespace;
      const active = (await kube.listJobs(ns, BENCH_CLIENT_SELECTOR))
        .filter((j) => (j.status?.active ?? 0) > 0 && (ctx.runId === undefined || j.metadata?.labels?.[RUN_ID_LABEL] !== ctx.runId));
      if (active.length > 0) {
        return fail(`benchmark Job running: ${active.map((j) => j.metadata?.name).join(', ')}`, `two clients would share the GPUs and skew both results; wait, or kubectl -n ${ns} delete job ${active[0].metadata?.name}`);
      }
      return pass('idle');
    }),
  },
];

function devModeOn(pod: V1Pod): boolean {
  return (pod.spec?.containers ?? []).some((c) => (c.env ?? []).some((e) => e.name === VLLM_DEV_MODE_ENV && e.value === '1'));
}

export interface PreflightReport {
  readonly ok: boolean;
  readonly results: { check: PreflightCheck; result: CheckResult }[];
}

/** Runs one check; an exception becomes a failed check, never a crash. */
export async function runCheck(check: PreflightCheck, ctx: PreflightContext, memo: Memo): Promise<CheckResult> {
  try {
    return await check.run(ctx, memo);
  } catch (err) {
    // The first unreachable API server fails this check; the later ones are skipped, not failed again.
    if (isUnreachable(err)) memo.unreachable ??= (err as Error).message;
    // The hint goes to `fix` only: describeError's text already carries it ("what to do" twice).
    if (err instanceof BenchError) return fail(err.message, err.hint ?? 'see the message; re-run preflight when fixed', [...err.details]);
    return fail(describeError(err).text, 'see the message; re-run preflight when fixed');
  }
}

export async function runPreflight(ctx: PreflightContext, checks: readonly PreflightCheck[] = CHECKS): Promise<PreflightReport> {
  const memo: Memo = {};
  const results: PreflightReport['results'] = [];
  for (const check of checks) results.push({ check, result: await runCheck(check, ctx, memo) });
  return { ok: results.every((r) => r.result.status !== 'fail'), results };
}

/** Plain-text lines of a preflight report (what the CLI prints after the live list). */
export function formatPreflight(report: PreflightReport): string[] {
  const mark: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '!', skip: '-' };
  const lines: string[] = [];
  for (const { check, result } of report.results) {
    lines.push(`${mark[result.status]} ${check.title}: ${result.summary}`);
    for (const d of result.details ?? []) lines.push(`    ${d}`);
    if (result.fix && (result.status === 'fail' || result.status === 'warn')) lines.push(`    what to do: ${result.fix}`);
  }
  return lines;
}
