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
import { DeadlineExceededError, DEFAULT_CALL_TIMEOUT_S, withDeadline } from '../deadline';
import { BenchError, EXIT } from '../errors';
import { ExecReply, HttpReply, KubeApi, KubeApiError, KubeContextInfo, PROXY_NO_ANSWER } from './types';

type ClientNode = typeof import('@kubernetes/client-node');

/** Loads @kubernetes/client-node on first use. */
export function loadClientNode(): ClientNode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node') as ClientNode;
}

/** Turns a client-node error (ApiException, network error, exec-plugin error) into a KubeApiError. */
export function toKubeError(err: unknown, what: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof DeadlineExceededError) return new KubeApiError(err.message, 0, 'Timeout');
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
  return new KubeApiError(`${what} failed: ${code && !msg.includes(code) ? `${code} ` : ''}${msg}`, 0);
}

/** 404 means "does not exist": undefined instead of an error. */
async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

type Options = k8s.ConfigurationOptions;

class ClientNodeKubeApi implements KubeApi {
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly batch: k8s.BatchV1Api;
  private readonly crds: k8s.ApiextensionsV1Api;
  private readonly custom: k8s.CustomObjectsApi;

  constructor(private readonly lib: ClientNode, private readonly kc: k8s.KubeConfig, readonly context: KubeContextInfo, private readonly timeoutMs: number) {
    this.core = kc.makeApiClient(lib.CoreV1Api);
    this.apps = kc.makeApiClient(lib.AppsV1Api);
    this.batch = kc.makeApiClient(lib.BatchV1Api);
    this.crds = kc.makeApiClient(lib.ApiextensionsV1Api);
    this.custom = kc.makeApiClient(lib.CustomObjectsApi);
  }

  /**
   * One typed call, bounded by --timeout. The generated clients take per-call middleware; ours puts an
   * AbortSignal on the request, which node-fetch (the client's HTTP library) turns into a destroyed
   * socket. The deadline also covers the exec credential plugin (`aws eks get-token`), which runs
   * before the request is built. (@kubernetes/client-node 1.4.0: gen/http/isomorphic-fetch.js passes
   * `request.getSignal()` to fetch; gen/types/ObservableAPI.js runs call-time middleware `pre` hooks.)
   */
  private call<T>(what: string, fn: (options: Options) => Promise<T>, headers: Record<string, string> = {}): Promise<T> {
    const { lib } = this;
    return withDeadline(this.timeoutMs, `${what} at ${this.context.server}`, (signal) => {
      let options: Options = {
        middleware: [{
          pre: (ctx) => {
            ctx.setSignal(signal);
            return new lib.Observable(Promise.resolve(ctx));
          },
          post: (rsp) => new lib.Observable(Promise.resolve(rsp)),
        }],
        middlewareMergeStrategy: 'append',
      };
      for (const [k, v] of Object.entries(headers)) options = lib.setHeaderOptions(k, v, options);
      return fn(options);
    }).catch((err: unknown) => {
      throw toKubeError(err, what);
    });
  }

  async listNodes(labelSelector: string) {
    return (await this.call('list nodes', (o) => this.core.listNode({ labelSelector }, o))).items;
  }

  async listPods(namespace: string, labelSelector: string) {
    return (await this.call(`list pods in ${namespace}`, (o) => this.core.listNamespacedPod({ namespace, labelSelector }, o))).items;
  }

  readDeployment(namespace: string, name: string) {
    return orUndefined(this.call(`read deployment ${namespace}/${name}`, (o) => this.apps.readNamespacedDeployment({ namespace, name }, o)));
  }

  async restartDeployment(namespace: string, name: string, restartedAt: string) {
    const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } };
    await this.call(`restart deployment ${namespace}/${name}`, (o) => this.apps.patchNamespacedDeployment({ namespace, name, body }, o),
      { 'Content-Type': this.lib.PatchStrategy.MergePatch });
  }

  async patchDeployment(namespace: string, name: string, body: Record<string, unknown>) {
    await this.call(`patch deployment ${namespace}/${name}`, (o) => this.apps.patchNamespacedDeployment({ namespace, name, body }, o),
      { 'Content-Type': this.lib.PatchStrategy.StrategicMergePatch });
  }

  readPersistentVolume(name: string) {
    return orUndefined(this.call(`read persistent volume ${name}`, (o) => this.core.readPersistentVolume({ name }, o)));
  }

  readPersistentVolumeClaim(namespace: string, name: string) {
    return orUndefined(this.call(`read claim ${namespace}/${name}`, (o) => this.core.readNamespacedPersistentVolumeClaim({ namespace, name }, o)));
  }

  readService(namespace: string, name: string) {
    return orUndefined(this.call(`read service ${namespace}/${name}`, (o) => this.core.readNamespacedService({ namespace, name }, o)));
  }

  async crdExists(name: string) {
    return (await orUndefined(this.call(`read CRD ${name}`, (o) => this.crds.readCustomResourceDefinition({ name }, o)))) !== undefined;
  }

  async getCustomObject(group: string, version: string, namespace: string, plural: string, name: string) {
    return orUndefined(this.call(`read ${plural}.${group} ${namespace}/${name}`, (o) => this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name }, o))) as Promise<Record<string, unknown> | undefined>;
  }

  async listJobs(namespace: string, labelSelector: string) {
    return (await this.call(`list jobs in ${namespace}`, (o) => this.batch.listNamespacedJob({ namespace, labelSelector }, o))).items;
  }

  readJob(namespace: string, name: string) {
    return orUndefined(this.call(`read job ${namespace}/${name}`, (o) => this.batch.readNamespacedJob({ namespace, name }, o)));
  }

  async createJob(namespace: string, manifest: Record<string, unknown>) {
    await this.call(`create job in ${namespace}`, (o) => this.batch.createNamespacedJob({ namespace, body: manifest as k8s.V1Job }, o));
  }

  async deleteJob(namespace: string, name: string) {
    await orUndefined(this.call(`delete job ${namespace}/${name}`, (o) => this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }, o)));
  }

  readPodLog(namespace: string, pod: string, options: { container?: string; tailLines?: number } = {}) {
    return this.call(`read log of ${namespace}/${pod}`, (o) => this.core.readNamespacedPodLog({ namespace, name: pod, container: options.container, tailLines: options.tailLines }, o));
  }

  podProxyPost(namespace: string, pod: string, port: number, path: string) {
    return this.raw('POST', `/api/v1/namespaces/${namespace}/pods/${pod}:${port}/proxy${path}`);
  }

  serviceProxyGet(namespace: string, service: string, port: number, path: string, query: Record<string, string> = {}) {
    return this.raw('GET', `/api/v1/namespaces/${namespace}/services/${service}:${port}/proxy${path}`, query);
  }

  serviceProxyPost(namespace: string, service: string, port: number, path: string, body: unknown) {
    return this.raw('POST', `/api/v1/namespaces/${namespace}/services/${service}:${port}/proxy${path}`, {}, body);
  }

  /**
   * Exec over a WebSocket, bounded like every other call: at the deadline the socket is terminated
   * (or, if it connects later, closed the moment it does).
   */
  execInPod(namespace: string, pod: string, container: string, command: string[]): Promise<ExecReply> {
    const exec = new this.lib.Exec(this.kc);
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => { stdout += String(d); });
    err.on('data', (d) => { stderr += String(d); });
    const what = `exec in ${namespace}/${pod}`;
    return withDeadline(this.timeoutMs, `${what} at ${this.context.server}`, (signal) => new Promise<ExecReply>((resolve, reject) => {
      exec.exec(namespace, pod, container, command, out, err, null, false, (status) => {
        const causes = (status.details?.causes ?? []) as { reason?: string; message?: string }[];
        const exitCause = causes.find((c) => c.reason === 'ExitCode');
        resolve({ exitCode: status.status === 'Success' ? 0 : Number(exitCause?.message ?? 1), stdout, stderr });
      }).then((ws) => {
        if (signal.aborted) ws.terminate?.();
        else signal.addEventListener('abort', () => ws.terminate?.(), { once: true });
      }, reject);
    })).catch((e: unknown) => {
      throw toKubeError(e, what);
    });
  }

  /** A request through the API server's proxy, signed by the kubeconfig; the socket is destroyed at the deadline. */
  private raw(method: 'GET' | 'POST', apiPath: string, query: Record<string, string> = {}, body?: unknown): Promise<HttpReply> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) return Promise.reject(new KubeApiError('the kubeconfig has no current cluster', 0));
    const url = new URL(`${cluster.server.replace(/\/$/, '')}${apiPath}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const what = `${method} ${url.pathname}`;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return withDeadline(this.timeoutMs, `${what} at ${this.context.server}`, async (signal) => {
      const opts: https.RequestOptions = { method, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {} };
      await this.kc.applyToHTTPSOptions(opts);
      if (payload) opts.headers = { ...opts.headers, 'Content-Type': 'application/json', 'Content-Length': String(payload.length) };
      const lib = url.protocol === 'http:' ? http : https;
      return new Promise<HttpReply>((resolve, reject) => {
        const req = lib.request(url, { ...opts, signal }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    }).catch((e: unknown) => {
      const k = toKubeError(e, what);
      // The API server answered every other call: a silent proxy call is the proxied service's problem.
      throw k.reason === 'Timeout' ? new KubeApiError(k.message, 0, PROXY_NO_ANSWER) : k;
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
  /** Why that fallback is missing (DescribeCluster failed), for the "no kubeconfig" message. */
  readonly fallbackError?: string;
  /** Upper bound of each call, ms (--timeout). */
  readonly timeoutMs?: number;
  /** --insecure-http: allow an API server URL with plain http: (credentials would travel in clear text). */
  readonly allowInsecureHttp?: boolean;
}

/** Hint shown whenever there is no usable kubeconfig. */
export function updateKubeconfigHint(clusterName: string, region: string): string {
  return `run \`aws eks update-kubeconfig --name ${clusterName} --region ${region}\` (or pass --kubeconfig / --kube-context)`;
}

/**
 * Builds the real KubeApi from a kubeconfig (or DescribeCluster); throws BenchError with a fix.
 * Problems with what the user passed (an unreadable --kubeconfig, an unknown --kube-context, a
 * plain-http server without --insecure-http) are bad input (exit 2).
 */
export function connectKube(options: ConnectOptions, clusterName: string, region: string): KubeApi {
  const lib = loadClientNode();
  const kc = new lib.KubeConfig();
  const hint = updateKubeconfigHint(clusterName, region);
  let source: KubeContextInfo['source'] = 'kubeconfig';
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new BenchError(`cannot read kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${reason}`, { hint, exitCode: options.kubeconfig ? EXIT.badInput : EXIT.failure });
  }
  // loadFromDefault falls back to in-cluster or localhost:8080 when no file exists; both are useless here.
  const usable = kc.getContexts().length > 0 && kc.getCurrentCluster() !== null && !/localhost:8080$/.test(kc.getCurrentCluster()?.server ?? '');
  if (!usable) {
    const fb = options.fallbackCluster;
    if (!fb) {
      const why = options.fallbackError ? `; building one from EKS DescribeCluster failed too: ${options.fallbackError}` : '';
      throw new BenchError(`no kubeconfig found (looked at --kubeconfig, $KUBECONFIG, ~/.kube/config)${why}`, { hint });
    }
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
      throw new BenchError(`kubeconfig has no context ${JSON.stringify(options.context)}; it has: ${names.join(', ') || 'none'}`, { hint: 'pass one of those to --kube-context', exitCode: EXIT.badInput });
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  const server = cluster?.server ?? '?';
  if (/^http:/i.test(server) && !options.allowInsecureHttp) {
    throw new BenchError(`context ${kc.getCurrentContext()} talks to ${server} over plain http: credentials and results would cross the network unencrypted`, {
      hint: 'use the https:// endpoint of the cluster; pass --insecure-http only for a local test cluster you trust',
      exitCode: EXIT.badInput,
    });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_S * 1000;
  return new ClientNodeKubeApi(lib, kc, { contextName: kc.getCurrentContext(), server, source }, timeoutMs);
}
