/**
 * Names of Kubernetes objects that more than one chart, the CDK stacks or the CLI refer to.
 * Defined once so a rename cannot break a reference silently.
 */
import { createHash } from 'node:crypto';
import { BenchConfig, modelDir } from '../lib/config';

export interface SharedNames {
  /** Namespace of every project object. */
  readonly namespace: string;
  /** Static PV/PVC the vLLM pods mount read-only (weights). */
  readonly modelsPvReadOnly: string;
  readonly modelsPvcReadOnly: string;
  /** Static PV/PVC the loader Job and benchmark Jobs mount read-write (weights download, results). */
  readonly modelsPvReadWrite: string;
  readonly modelsPvcReadWrite: string;
  /** The vLLM decode Deployment (= router.poolName), its PDB and PodMonitor. */
  readonly decodeDeployment: string;
  /** ClusterIP Service of the round-robin path. */
  readonly roundRobinService: string;
  /** ClusterIP Service of the llm-d path (Envoy in front of the EPP). */
  readonly routerService: string;
  /** Service the EPP reaches vLLM's /v1/completions/render through. */
  readonly renderService: string;
  /** The InferencePool. */
  readonly inferencePool: string;
  /**
   * The one-shot weights loader Job: `model-loader-<hash of its config inputs and its spec>`. A Job's
   * pod template is immutable, so any change to it (model, revision, source, image, or the loader's
   * code) must create a new Job, not update one (see loaderSpecHash).
   */
  readonly loaderJob: string;
  /** ServiceAccount of the loader Job (EKS Pod Identity reads the optional HF token for it). */
  readonly loaderServiceAccount: string;
  /** Directory of the weights inside pods. */
  readonly modelDir: string;
  /** File the loader writes last; its presence means the weights are complete. */
  readonly weightsMarker: string;
  /** Directory on the file system where benchmark results are written. */
  readonly resultsDir: string;
  /** The endpoint picker (EPP) Deployment, its ServiceAccount and its Service (gRPC ext_proc + metrics). */
  readonly eppDeployment: string;
  readonly eppServiceAccount: string;
  readonly eppService: string;
  /** ConfigMaps holding the EndpointPickerConfig and the Envoy bootstrap. */
  readonly eppConfigMap: string;
  readonly envoyConfigMap: string;
  /** ServiceAccount whose token Prometheus presents to the EPP's authenticated /metrics. */
  readonly eppMetricsReader: string;
  /** Secret holding that token (type kubernetes.io/service-account-token). */
  readonly eppMetricsReaderToken: string;
}

/** Node label every managed node group sets; its value says what runs there. */
export const NODE_ROLE_LABEL = 'llmd-bench/role';
/** Value of NODE_ROLE_LABEL on the GPU node group (vLLM decode pods only). */
export const GPU_NODE_ROLE = 'gpu';
/** Value of NODE_ROLE_LABEL on the system node group (router, monitoring, benchmark client). */
export const SYSTEM_NODE_ROLE = 'system';
/** Taint on GPU nodes, so only pods that tolerate it (the decode pods, GPU daemonsets) land there. */
export const GPU_NODE_TAINT = { key: 'nvidia.com/gpu', effect: 'NoSchedule' } as const;

/**
 * Short hash of the loader Job: the config it is built from and its whole spec as rendered
 * (k8s/model-store/loader-chart.ts). A Job's pod template is immutable, so `kubectl apply` (every
 * stack update) refuses a Job whose template changed under the same name. Hashing the spec itself
 * means a change of the loader's code (script, env, security context, resources) renames the Job
 * too, not only a change of these config keys; the config inputs stay so that a new file system
 * (deployment type, ...) re-runs the loader even though the spec does not mention it.
 */
export function loaderSpecHash(c: BenchConfig): string {
  // Loaded on first use, not at the top: loader-chart imports this module (and cdk8s, which the
  // simulator never needs).
  const { loaderJobSpec } = require('./model-store/loader-chart') as typeof import('./model-store/loader-chart');
  const inputs = { model: c.model, modelStore: c.modelStore, vllm: [c.vllm.image, c.vllm.tag], awsCliImage: c.project.awsCliImage, namespace: c.project.namespace, region: c.aws.region };
  return createHash('sha256').update(JSON.stringify(inputs)).update('\0').update(JSON.stringify(loaderJobSpec(c))).digest('hex').slice(0, 8);
}

/** Every shared name except the loader Job's, which hashes the Job spec built from these. */
export type BaseNames = Omit<SharedNames, 'loaderJob'>;

export function baseNames(c: BenchConfig): BaseNames {
  const dir = modelDir(c);
  return {
    namespace: c.project.namespace,
    modelsPvReadOnly: `${c.project.namespace}-models-ro`,
    modelsPvcReadOnly: 'models-ro',
    modelsPvReadWrite: `${c.project.namespace}-models-rw`,
    modelsPvcReadWrite: 'models-rw',
    // Named after the pool (default 'vllm-decode'): its selector carries the pool label and a
    // Deployment's selector is immutable, so a renamed pool must make a new Deployment, not fail
    // `kubectl apply` of the stack update.
    decodeDeployment: c.router.poolName,
    roundRobinService: 'vllm-round-robin',
    routerService: c.router.serviceName,
    renderService: 'vllm-render',
    inferencePool: c.router.poolName,
    loaderServiceAccount: 'model-loader',
    modelDir: dir,
    weightsMarker: `${dir}/.llmd-bench-complete`,
    resultsDir: `${c.modelStore.mountPath.replace(/\/$/, '')}/results`,
    eppDeployment: `${c.router.poolName}-epp`,
    eppServiceAccount: `${c.router.poolName}-epp`,
    eppService: `${c.router.poolName}-epp`,
    eppConfigMap: `${c.router.poolName}-epp-config`,
    envoyConfigMap: `${c.router.poolName}-envoy`,
    eppMetricsReader: `${c.router.poolName}-epp-metrics-reader`,
    eppMetricsReaderToken: `${c.router.poolName}-epp-metrics-reader-token`,
  };
}

export function sharedNames(c: BenchConfig): SharedNames {
  return {
    ...baseNames(c),
    // Computed when read: it builds the loader Job spec (cdk8s), which most callers never need.
    get loaderJob(): string {
      return `model-loader-${loaderSpecHash(c)}`;
    },
  };
}
