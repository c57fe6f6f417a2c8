/**
 * The one-shot weights loader (k8s/model-store/loader-job.ts): a Job on a system node, in the loader
 * namespace, with the file system mounted read-write, that puts the model into
 * `sharedNames(config).modelDir`, verifies every file against the Hub's hashes and writes the
 * completion marker last (see loader-script.ts). The vLLM decode pods refuse to start until the
 * marker exists.
 */
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { BenchConfig } from '../../lib/config';
import { PART_OF_LABEL } from '../labels';
import { sharedNames } from '../names';
import { LOADER_POD_LABELS, loaderJobName, loaderJobSpec } from './loader-job';

export { LOADER_POD_LABELS, loaderEnv, loaderJobName, loaderJobSpec, HF_TOKEN_DIR, LOADER_BACKOFF_LIMIT, loaderDeadlineSeconds, LOADER_MIN_DEADLINE_SECONDS, LOADER_MIN_DOWNLOAD_MBPS } from './loader-job';

export interface LoaderChartProps {
  readonly config: BenchConfig;
}

export class LoaderChart extends Chart {
  constructor(scope: Construct, id: string, props: LoaderChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const labels = { ...PART_OF_LABEL, ...LOADER_POD_LABELS };

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: n.loaderServiceAccount, namespace: n.loaderNamespace, labels },
      // Kubernetes API access is never needed; Pod Identity only where a token must be fetched.
      automountServiceAccountToken: c.modelStore.hfTokenSecretName !== undefined,
    });

    new ApiObject(this, 'job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: loaderJobName(c), namespace: n.loaderNamespace, labels },
      spec: loaderJobSpec(c),
    });
  }
}
