/**
 * The small interfaces the benchmark CLI reaches Kubernetes, AWS and Prometheus through. The real
 * adapters (client-node.ts, aws.ts) stay out of the tests' import graph; tests use fakes fed with
 * recorded API payloads. Types come from the client libraries as `import type` only (erased).
 */
import type { V1Deployment, V1Job, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1Service } from '@kubernetes/client-node';

/** Where the Kubernetes credentials came from, for messages. */
export interface KubeContextInfo {
  /** kubeconfig context name (or the synthetic one built from DescribeCluster). */
  readonly contextName: string;
  /** API server URL of that context. */
  readonly server: string;
  readonly source: 'kubeconfig' | 'describe-cluster';
}

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

export interface ExecReply {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Kubernetes API error with its HTTP status (0 when the server was not reached or did not answer in time). */
export class KubeApiError extends Error {
  constructor(message: string, readonly status: number, readonly reason?: string) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** `reason` of a KubeApiError from a call through the API server's proxy that got no answer: the target hangs, not the API server. */
export const PROXY_NO_ANSWER = 'ProxyNoAnswer';

/** True when an error says the API server itself is unreachable (refused, DNS, TLS, timeout), not that a request or a proxied service failed. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 0 && err.reason !== PROXY_NO_ANSWER;
}

export interface KubeApi {
  readonly context: KubeContextInfo;
  listNodes(labelSelector: string): Promise<V1Node[]>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /** undefined when it does not exist. */
  readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined>;
  /** `kubectl rollout restart`: stamps the pod template with a restartedAt annotation. */
  restartDeployment(namespace: string, name: string, restartedAt: string): Promise<void>;
  /** Strategic-merge patch of a Deployment (`kubectl patch --type strategic`). */
  patchDeployment(namespace: string, name: string, patch: Record<string, unknown>): Promise<void>;
  readPersistentVolume(name: string): Promise<V1PersistentVolume | undefined>;
  /** undefined when it does not exist. */
  readPersistentVolumeClaim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined>;
  /** undefined when it does not exist. */
  readService(namespace: string, name: string): Promise<V1Service | undefined>;
  /** True when the CustomResourceDefinition `<plural>.<group>` exists. */
  crdExists(name: string): Promise<boolean>;
  /** undefined when it does not exist. */
  getCustomObject(group: string, version: string, namespace: string, plural: string, name: string): Promise<Record<string, unknown> | undefined>;
  listJobs(namespace: string, labelSelector: string): Promise<V1Job[]>;
  readJob(namespace: string, name: string): Promise<V1Job | undefined>;
  createJob(namespace: string, manifest: Record<string, unknown>): Promise<void>;
  /** Deletes the Job and (in the background) its pods; a missing Job is not an error. */
  deleteJob(namespace: string, name: string): Promise<void>;
  /** Log of a pod's container; `tailLines` limits it to the last lines. */
  readPodLog(namespace: string, pod: string, options?: { container?: string; tailLines?: number }): Promise<string>;
  /** POST through the API server's pod proxy: /api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy<path>. */
  podProxyPost(namespace: string, pod: string, port: number, path: string): Promise<HttpReply>;
  /** GET through the API server's service proxy: /api/v1/namespaces/<ns>/services/<svc>:<port>/proxy<path>. */
  serviceProxyGet(namespace: string, service: string, port: number, path: string, query?: Record<string, string>): Promise<HttpReply>;
  /** POST a JSON body through the API server's service proxy. */
  serviceProxyPost(namespace: string, service: string, port: number, path: string, body: unknown): Promise<HttpReply>;
  /** Runs a command in a container and waits for it. */
  execInPod(namespace: string, pod: string, container: string, command: string[]): Promise<ExecReply>;
}

/** The parts of EKS DescribeCluster the CLI uses. */
export interface EksClusterInfo {
  readonly name: string;
  readonly status: string;
  readonly version: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
}

/** The parts of FSx DescribeFileSystems the CLI uses. */
export interface FsxFileSystemInfo {
  readonly fileSystemId: string;
  readonly lifecycle: string;
  readonly mountName?: string;
  readonly dnsName?: string;
}

export interface AwsApi {
  readonly region: string;
  /** undefined when the cluster does not exist. */
  describeCluster(name: string): Promise<EksClusterInfo | undefined>;
  /** undefined when the file system does not exist. */
  describeFileSystem(fileSystemId: string): Promise<FsxFileSystemInfo | undefined>;
}

/** One Prometheus sample series: labels and [unix seconds, value] points. */
export interface PromSeries {
  readonly metric: Record<string, string>;
  readonly values: Array<[number, number]>;
}

export interface PrometheusApi {
  /** Instant query; one point per series. */
  query(expr: string, time?: number): Promise<PromSeries[]>;
  /** Range query over [start, end] unix seconds. */
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<PromSeries[]>;
  /** True when /-/ready answers 200. */
  ready(): Promise<boolean>;
}

/** Time and waiting, so tests run the orchestrator without real time passing. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with CancelledError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
