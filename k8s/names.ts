/**
 * Names of Kubernetes objects that more than one chart, the CDK stacks or the CLI refer to.
 * Defined once so a rename cannot break a reference silently. A leaf module: it imports only the
 * config (the simulator and the CLI load it without cdk8s). The loader Job's name hashes the Job's
 * spec and lives with it (k8s/model-store/loader-job.ts `loaderJobName`).
 */
import { type BenchConfig, loaderNamespace, modelDir } from '../lib/config';

export interface SharedNames {
  /** Namespace of every project object except the loader's (Pod Security `restricted`). */
  readonly namespace: string;
  /**
   * Namespace of the weights loader and the read-write claim over the whole file system (Pod
   * Security `baseline`: the loader runs as root to write under the root-owned file system root).
   */
  readonly loaderNamespace: string;
  /** Static PV/PVC the vLLM pods, the render server and the benchmark client mount read-only (weights). */
  readonly modelsPvReadOnly: string;
  readonly modelsPvcReadOnly: string;
  /** Static PV/PVC over the whole file system, read-write, in the loader namespace only. */
  readonly modelsPvReadWrite: string;
  readonly modelsPvcReadWrite: string;
  /** Static PV/PVC over the `results` directory only (a Lustre fileset mount), read-write, for the benchmark client. */
  readonly resultsPv: string;
  readonly resultsPvc: string;
  /** The vLLM decode Deployment (= router.poolName), its PDB and PodMonitor. */
  readonly decodeDeployment: string;
  /** ClusterIP Service of the round-robin path. */
  readonly roundRobinService: string;
  /** ClusterIP Service of the llm-d path (Envoy in front of the EPP). */
  readonly routerService: string;
  /** The render server (`vllm launch render`) Deployment and the Service the EPP tokenizes through. */
  readonly renderDeployment: string;
  readonly renderService: string;
  /** The InferencePool. */
  readonly inferencePool: string;
  /** ServiceAccount of the loader Job (EKS Pod Identity reads the optional HF token for it). */
  readonly loaderServiceAccount: string;
  /** Directory of the weights inside pods. */
  readonly modelDir: string;
  /** File the loader writes last; its presence means the weights are complete. */
  readonly weightsMarker: string;
  /** Directory on the file system where benchmark results are written (as the loader sees it). */
  readonly resultsDir: string;
  /** Name of that directory below the file system root (the results PV mounts exactly it). */
  readonly resultsSubdir: string;
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
/** The results directory below the file system root. */
export const RESULTS_SUBDIR = 'results';

export function sharedNames(c: BenchConfig): SharedNames {
  const dir = modelDir(c);
  const ns = c.project.namespace;
  return {
    namespace: ns,
    loaderNamespace: loaderNamespace(c),
    modelsPvReadOnly: `${ns}-models-ro`,
    modelsPvcReadOnly: 'models-ro',
    modelsPvReadWrite: `${ns}-models-rw`,
    modelsPvcReadWrite: 'models-rw',
    resultsPv: `${ns}-results`,
    resultsPvc: 'results-rw',
    // Named after the pool (default 'vllm-decode'): its selector carries the pool label and a
    // Deployment's selector is immutable, so a renamed pool must make a new Deployment, not fail
    // `kubectl apply` of the stack update.
    decodeDeployment: c.router.poolName,
    roundRobinService: 'vllm-round-robin',
    routerService: c.router.serviceName,
    // Named after the pool like the decode Deployment: its selector carries the pool name (immutable).
    renderDeployment: `${c.router.poolName}-render`,
    renderService: 'vllm-render',
    inferencePool: c.router.poolName,
    loaderServiceAccount: 'model-loader',
    modelDir: dir,
    weightsMarker: `${dir}/.llmd-bench-complete`,
    resultsDir: `${c.modelStore.mountPath.replace(/\/$/, '')}/${RESULTS_SUBDIR}`,
    resultsSubdir: RESULTS_SUBDIR,
    eppDeployment: `${c.router.poolName}-epp`,
    eppServiceAccount: `${c.router.poolName}-epp`,
    eppService: `${c.router.poolName}-epp`,
    eppConfigMap: `${c.router.poolName}-epp-config`,
    envoyConfigMap: `${c.router.poolName}-envoy`,
    eppMetricsReader: `${c.router.poolName}-epp-metrics-reader`,
    eppMetricsReaderToken: `${c.router.poolName}-epp-metrics-reader-token`,
  };
}
