/**
 * Names of Kubernetes objects that more than one chart, the CDK stacks or the CLI refer to.
 * Defined once so a rename cannot break a reference silently.
 */
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
  /** The vLLM decode Deployment. */
  readonly decodeDeployment: string;
  /** ClusterIP Service of the round-robin path. */
  readonly roundRobinService: string;
  /** ClusterIP Service of the llm-d path (Envoy in front of the EPP). */
  readonly routerService: string;
  /** Service the EPP reaches vLLM's /v1/completions/render through. */
  readonly renderService: string;
  /** The InferencePool. */
  readonly inferencePool: string;
  /** The one-shot weights loader Job. */
  readonly loaderJob: string;
  /** Directory of the weights inside pods. */
  readonly modelDir: string;
  /** File the loader writes last; its presence means the weights are complete. */
  readonly weightsMarker: string;
  /** Directory on the file system where benchmark results are written. */
  readonly resultsDir: string;
}

export function sharedNames(c: BenchConfig): SharedNames {
  const dir = modelDir(c);
  return {
    namespace: c.project.namespace,
    modelsPvReadOnly: `${c.project.namespace}-models-ro`,
    modelsPvcReadOnly: 'models-ro',
    modelsPvReadWrite: `${c.project.namespace}-models-rw`,
    modelsPvcReadWrite: 'models-rw',
    decodeDeployment: 'vllm-decode',
    roundRobinService: 'vllm-round-robin',
    routerService: c.router.serviceName,
    renderService: 'vllm-render',
    inferencePool: c.router.poolName,
    loaderJob: 'model-loader',
    modelDir: dir,
    weightsMarker: `${dir}/.llmd-bench-complete`,
    resultsDir: `${c.modelStore.mountPath.replace(/\/$/, '')}/results`,
  };
}
