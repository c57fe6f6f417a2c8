/**
 * The real KubeApi on @kubernetes/client-node 1.4. That package is ESM-only: it is loaded lazily
 * with require() (Node >= 20.19 loads ESM that way), so nothing imports it at module load and jest
 * never sees it. Proxy calls are raw HTTPS requests signed by the kubeconfig, because the generated
 * proxy methods URL-encode the "/" of the proxied path.
 */
import * as http from 'http';
import * as https from 'https';
import { PassThrough } from 'stream';
import type * as k8s from '@kubernetes/client-node';
import { BenchError } from '../errors';
import { ExecReply, HttpReply, KubeApi, KubeApiError, KubeContextInfo } from './types';

type ClientNode = typeof import('@kubernetes/client-node');

/** Loads @kubernetes/client-node on first use. */
export function loadClientNode(): ClientNode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node') as ClientNode;
}

/** Turns a client-node error (ApiException, network error, exec-plugin error) into a KubeApiError. */
export function toKubeError(err: unknown, what: string): KubeApiError {
  const e = err as { code?: unknown; body?: unknown; message?: string };
  if (typeof e?.code === 'number') {
    let reason: string | undefined;
    let detail = '';
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      reason = body?.reason;
      detail = body?.message ? `: ${body.message}` : '';
    } catch {
      detail = typeof e.body === 'string' ? `: ${e.body.slice(0, 200)}` : '';
    }
    return new KubeApiError(`${what} failed with HTTP ${e.code}${detail}`, e.code, reason);
  }
  const code = (err as { code?: string })?.code;
  const msg = e?.message ?? String(err);
  return new KubeApiError(`${what} failed: ${code ? `${code} ` : ''}${msg}`, 0);
}

async function optional<T>(p: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    const k = toKubeError(err, what);
    if (k.status === 404) return undefined;
    throw k;
  }
}

async function call<T>(p: Promise<T>, what: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw toKubeError(err, what);
  }
}

class ClientNodeKubeApi implements KubeApi {
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly batch: k8s.BatchV1Api;
  private readonly crds: k8s.ApiextensionsV1Api;
  private readonly custom: k8s.CustomObjectsApi;

  constructor(private readonly lib: ClientNode, private readonly kc: k8s.KubeConfig, readonly context: KubeContextInfo) {
    this.core = kc.makeApiClient(lib.CoreV1Api);
    this.apps = kc.makeApiClient(lib.AppsV1Api);
    this.batch = kc.makeApiClient(lib.BatchV1Api);
    this.crds = kc.makeApiClient(lib.ApiextensionsV1Api);
    this.custom = kc.makeApiClient(lib.CustomObjectsApi);
  }

  async listNodes(labelSelector: string) {
    return (await call(this.core.listNode({ labelSelector }), 'list nodes')).items;
  }

  async listPods(namespace: string, labelSelector: string) {
    return (await call(this.core.listNamespacedPod({ namespace, labelSelector }), `list pods in ${namespace}`)).items;
  }

  readDeployment(namespace: string, name: string) {
    return optional(this.apps.readNamespacedDeployment({ namespace, name }), `read deployment ${namespace}/${name}`);
  }

  async restartDeployment(namespace: string, name: string, restartedAt: string) {
    const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } };
    await call(
      this.apps.patchNamespacedDeployment({ namespace, name, body }, this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.MergePatch)),
      `restart deployment ${namespace}/${name}`,
    );
  }

  async patchDeployment(namespace: string, name: string, body: Record<string, unknown>) {
    await call(
      this.apps.patchNamespacedDeployment({ namespace, name, body }, this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.StrategicMergePatch)),
      `patch deployment ${namespace}/${name}`,
    );
  }

  readPersistentVolume(name: string) {
    return optional(this.core.readPersistentVolume({ name }), `read persistent volume ${name}`);
  }

  readPersistentVolumeClaim(namespace: string, name: string) {
    return optional(this.core.readNamespacedPersistentVolumeClaim({ namespace, name }), `read claim ${namespace}/${name}`);
  }

  readService(namespace: string, name: string) {
    return optional(this.core.readNamespacedService({ namespace, name }), `read service ${namespace}/${name}`);
  }

  async crdExists(name: string) {
    return (await optional(this.crds.readCustomResourceDefinition({ name }), `read CRD ${name}`)) !== undefined;
  }

  async getCustomObject(group: string, version: string, namespace: string, plural: string, name: string) {
    return optional(this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name }), `read ${plural}.${group} ${namespace}/${name}`) as Promise<Record<string, unknown> | undefined>;
  }

  async listJobs(namespace: string, labelSelector: string) {
    return (await call(this.batch.listNamespacedJob({ namespace, labelSelector }), `list jobs in ${namespace}`)).items;
  }

  readJob(namespace: string, name: string) {
    return optional(this.batch.readNamespacedJob({ namespace, name }), `read job ${namespace}/${name}`);
  }

  async createJob(namespace: string, manifest: Record<string, unknown>) {
    await call(this.batch.createNamespacedJob({ namespace, body: manifest as k8s.V1Job }), `create job in ${namespace}`);
  }

  async deleteJob(namespace: string, name: string) {
    await optional(this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }), `delete job ${namespace}/${name}`);
  }

  readPodLog(namespace: string, pod: string, options: { container?: string; tailLines?: number } = {}) {
    return call(this.core.readNamespacedPodLog({ namespace, name: pod, container: options.container, tailLines: options.tailLines }), `read log of ${namespace}/${pod}`);
  }

  podProxyPost(namespace: string, pod: string, port: number, path: string) {
    return this.raw('POST', `/api/v1/namespaces/${namespace}/pods/${pod}:${port}/proxy${path}`);
  }

  serviceProxyGet(namespace: string, service: string, port: number, path: string, query: Record<string, string> = {}) {
    return this.raw('GET', `/api/v1/namespaces/${namespace}/services/${service}:${port}/proxy${path}`, query);
  }

  execInPod(namespace: string, pod: string, container: string, command: string[]): Promise<ExecReply> {
    const exec = new this.lib.Exec(this.kc);
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => { stdout += String(d); });
    err.on('data', (d) => { stderr += String(d); });
    return new Promise<ExecReply>((resolve, reject) => {
      exec.exec(namespace, pod, container, command, out, err, null, false, (status) => {
        const causes = (status.details?.causes ?? []) as { reason?: string; message?: string }[];
        const exitCause = causes.find((c) => c.reason === 'ExitCode');
        resolve({ exitCode: status.status === 'Success' ? 0 : Number(exitCause?.message ?? 1), stdout, stderr });
      }).catch((e: unknown) => reject(toKubeError(e, `exec in ${namespace}/${pod}`)));
    });
  }

  private async raw(method: 'GET' | 'POST', apiPath: string, query: Record<string, string> = {}): Promise<HttpReply> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError('the kubeconfig has no current cluster', 0);
    const url = new URL(`${cluster.server.replace(/\/$/, '')}${apiPath}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const opts: https.RequestOptions = { method, headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise<HttpReply>((resolve, reject) => {
      const req = lib.request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(toKubeError(e, `${method} ${url.pathname}`)));
      });
      req.setTimeout(60_000, () => req.destroy(new Error('timed out after 60 s')));
      req.on('error', (e) => reject(toKubeError(e, `${method} ${url.pathname}`)));
      req.end();
    });
  }
}

export interface ConnectOptions {
  /** --kubeconfig: a kubeconfig file; default $KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  /** --context: a context of that kubeconfig; default its current context. */
  readonly context?: string;
  /** Used when there is no kubeconfig at all: a config built from DescribeCluster + `aws eks get-token`. */
  readonly fallbackCluster?: { name: string; region: string; endpoint: string; certificateAuthorityData: string };
}

/** Hint shown whenever there is no usable kubeconfig. */
export function updateKubeconfigHint(clusterName: string, region: string): string {
  return `run \`aws eks update-kubeconfig --name ${clusterName} --region ${region}\` (or pass --kubeconfig / --kube-context)`;
}

/** Builds the real KubeApi from a kubeconfig (or DescribeCluster); throws BenchError with a fix. */
export function connectKube(options: ConnectOptions, clusterName: string, region: string): KubeApi {
  const lib = loadClientNode();
  const kc = new lib.KubeConfig();
  const hint = updateKubeconfigHint(clusterName, region);
  let source: KubeContextInfo['source'] = 'kubeconfig';
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new BenchError(`cannot read kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${(err as Error).message}`, { hint });
  }
  // loadFromDefault falls back to in-cluster or localhost:8080 when no file exists; both are useless here.
  const usable = kc.getContexts().length > 0 && kc.getCurrentCluster() !== null && !/localhost:8080$/.test(kc.getCurrentCluster()?.server ?? '');
  if (!usable) {
    const fb = options.fallbackCluster;
    if (!fb) throw new BenchError('no kubeconfig found (looked at --kubeconfig, $KUBECONFIG, ~/.kube/config)', { hint });
    kc.loadFromOptions({
      clusters: [{ name: fb.name, server: fb.endpoint, caData: fb.certificateAuthorityData }],
      users: [{
        name: 'aws-eks-get-token',
        exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', fb.name, '--region', fb.region], interactiveMode: 'Never' },
      }],
      contexts: [{ name: `${fb.name}@describe-cluster`, cluster: fb.name, user: 'aws-eks-get-token' }],
      currentContext: `${fb.name}@describe-cluster`,
    });
    source = 'describe-cluster';
  }
  if (options.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new BenchError(`kubeconfig has no context ${JSON.stringify(options.context)}; it has: ${names.join(', ') || 'none'}`, { hint });
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  return new ClientNodeKubeApi(lib, kc, { contextName: kc.getCurrentContext(), server: cluster?.server ?? '?', source });
}
