/**
 * The one-shot weights loader: a Job on a system node with the file system mounted read-write, that
 * puts the model into `sharedNames(config).modelDir` and writes the completion marker last (see
 * loader-script.ts for what it verifies). The vLLM decode pods refuse to start until the marker exists.
 *
 * - Job name `model-loader-<hash>`: a Job's pod template is immutable, so a new model, revision, source
 *   or image makes a new Job (the old one is deleted with its manifest) instead of a failed update.
 * - Optional Hugging Face token: an init container reads the Secrets Manager secret named by
 *   `modelStore.hfTokenSecretName` through EKS Pod Identity (the model-store stack associates this
 *   service account with a role that may read exactly that secret) into an in-memory volume, and
 *   huggingface_hub reads it from `HF_TOKEN_PATH`. The token never enters a template or etcd.
 * - Pod labels `app.kubernetes.io/name: model-loader`: never the decode pods' labels, so no Service
 *   or InferencePool can route traffic to the loader.
 * - Runs as root with every capability dropped: the file system root belongs to root (0755); the
 *   loader leaves the weights world-readable for the non-root vLLM pods.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { secretFileInitContainer, secretVolume, type ContainerJson } from '../../constructs/secret-file-init-container';
import { type BenchConfig, modelFacts } from '../../lib/config';
import { modelWeightBytes } from '../../lib/config/fit';
import { PART_OF_LABEL } from '../labels';
import { baseNames, NODE_ROLE_LABEL, sharedNames, SYSTEM_NODE_ROLE } from '../names';
import { CLIENT_UID } from '../bench/benchmark-job';
import { LOADER_SCRIPT } from './loader-script';

export interface LoaderChartProps {
  readonly config: BenchConfig;
}

/** Labels of the loader pods. Deliberately disjoint from the decode pods' label set. */
export const LOADER_POD_LABELS = {
  'app.kubernetes.io/name': 'model-loader',
  'app.kubernetes.io/component': 'weights-loader',
} as const;

/** Retries of the Job (network hiccups while downloading); each attempt is a fresh pod with its own log. */
export const LOADER_BACKOFF_LIMIT = 3;
/** Slowest sustained download the loader's deadline allows for (Hub or S3 hydration), MB/s. */
export const LOADER_MIN_DOWNLOAD_MBPS = 10;
/** Floor of the Job deadline, seconds. */
export const LOADER_MIN_DEADLINE_SECONDS = 2 * 60 * 60;

/**
 * Hard stop for the whole Job, sized from the weight bytes: the weights at a slow 10 MB/s plus 30 minutes,
 * never less than 2 hours (15 GB: 2 h; a 141 GB 70B model: 4.4 h). A hung download does not run forever.
 */
export function loaderDeadlineSeconds(c: BenchConfig): number {
  const download = modelWeightBytes(modelFacts(c)) / (LOADER_MIN_DOWNLOAD_MBPS * 1e6);
  return Math.max(LOADER_MIN_DEADLINE_SECONDS, Math.ceil(download + 30 * 60));
}
/** Where the in-memory token volume is mounted. */
export const HF_TOKEN_DIR = '/var/run/secrets/huggingface';
const HF_TOKEN_FILE = 'token';
/**
 * Scratch space for the Hub client's caches (not on the file system, not in the image layer). Its size
 * does not follow the model: the weights download straight into MODEL_DIR on FSx (snapshot_download with
 * local_dir keeps its partial files there), scratch holds metadata and the hf_xet chunk cache (10 GiB cap).
 */
const SCRATCH_DIR = '/scratch';

function quantities(r: Record<string, string>): Record<string, k8s.Quantity> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}

function toK8sContainer(c: ContainerJson): k8s.Container {
  return {
    ...c,
    resources: { requests: quantities(c.resources.requests), limits: quantities(c.resources.limits) },
    securityContext: c.securityContext as k8s.SecurityContext,
  };
}

function toK8sVolume(v: ReturnType<typeof secretVolume>): k8s.Volume {
  return { name: v.name, emptyDir: { medium: v.emptyDir.medium, sizeLimit: k8s.Quantity.fromString(v.emptyDir.sizeLimit) } };
}

/** Environment of the loader container (what loader-script.ts reads). */
export function loaderEnv(c: BenchConfig): k8s.EnvVar[] {
  const n = baseNames(c);
  const source = c.modelStore.modelSource === 'huggingface' ? 'huggingface' : 's3';
  const env: k8s.EnvVar[] = [
    { name: 'MODEL_ID', value: c.model.id },
    { name: 'MODEL_REVISION', value: c.model.revision },
    { name: 'MODEL_SOURCE', value: source },
    { name: 'MODEL_DIR', value: n.modelDir },
    { name: 'WEIGHTS_MARKER', value: n.weightsMarker },
    { name: 'RESULTS_DIR', value: n.resultsDir },
    // The benchmark client runs as this non-root UID and writes its result copies into RESULTS_DIR.
    { name: 'RESULTS_OWNER_UID', value: String(CLIENT_UID) },
    // The image's root file system is read-only here: every cache and temporary file goes to scratch.
    { name: 'HOME', value: SCRATCH_DIR },
    { name: 'TMPDIR', value: SCRATCH_DIR },
    { name: 'HF_HOME', value: `${SCRATCH_DIR}/hf` },
    { name: 'HF_HUB_DISABLE_TELEMETRY', value: '1' },
    { name: 'PYTHONUNBUFFERED', value: '1' },
  ];
  if (source === 's3') env.push({ name: 'MODEL_S3_URI', value: c.modelStore.modelSource });
  if (c.modelStore.hfTokenSecretName) env.push({ name: 'HF_TOKEN_PATH', value: `${HF_TOKEN_DIR}/${HF_TOKEN_FILE}` });
  return env;
}

/**
 * The Job's spec (everything but its metadata). Its JSON is part of the Job's name (loaderSpecHash in
 * k8s/names.ts): the pod template of a Job is immutable, so whatever changes here must rename the Job.
 * Built from `baseNames` (sharedNames would hash this very spec).
 */
export function loaderJobSpec(c: BenchConfig): k8s.JobSpec {
  const n = baseNames(c);
  const labels = { ...PART_OF_LABEL, ...LOADER_POD_LABELS };
  const tokenSecret = c.modelStore.hfTokenSecretName;

  const initContainers = tokenSecret
    ? [toK8sContainer(secretFileInitContainer({
      name: 'fetch-hf-token',
      image: c.project.awsCliImage,
      secretId: tokenSecret,
      region: c.aws.region,
      volumeName: 'hf-token',
      mountPath: HF_TOKEN_DIR,
      fileName: HF_TOKEN_FILE,
      runAsUser: 0,
    }))]
    : [];

  const volumeMounts: k8s.VolumeMount[] = [
    { name: 'models', mountPath: c.modelStore.mountPath },
    { name: 'scratch', mountPath: SCRATCH_DIR },
    ...(tokenSecret ? [{ name: 'hf-token', mountPath: HF_TOKEN_DIR, readOnly: true }] : []),
  ];

  return {
    backoffLimit: LOADER_BACKOFF_LIMIT,
    activeDeadlineSeconds: loaderDeadlineSeconds(c),
    template: {
      metadata: { labels },
      spec: {
        serviceAccountName: n.loaderServiceAccount,
        automountServiceAccountToken: tokenSecret !== undefined,
        restartPolicy: 'Never',
        nodeSelector: { [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE },
        securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } },
        initContainers,
        containers: [{
          name: 'loader',
          image: `${c.vllm.image}:${c.vllm.tag}`,
          imagePullPolicy: 'IfNotPresent',
          command: ['python3', '-c', LOADER_SCRIPT],
          env: loaderEnv(c),
          volumeMounts,
          resources: {
            requests: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('2Gi') },
            limits: { memory: k8s.Quantity.fromString('8Gi') },
          },
          securityContext: {
            privileged: false,
            allowPrivilegeEscalation: false,
            // CHOWN only: hand the results directory to the benchmark client's UID.
            capabilities: { drop: ['ALL'], add: ['CHOWN'] },
            readOnlyRootFilesystem: true,
          },
        }],
        volumes: [
          { name: 'models', persistentVolumeClaim: { claimName: n.modelsPvcReadWrite } },
          { name: 'scratch', emptyDir: { sizeLimit: k8s.Quantity.fromString('20Gi') } },
          ...(tokenSecret ? [toK8sVolume(secretVolume('hf-token'))] : []),
        ],
      },
    },
  };
}

export class LoaderChart extends Chart {
  constructor(scope: Construct, id: string, props: LoaderChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const labels = { ...PART_OF_LABEL, ...LOADER_POD_LABELS };

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: n.loaderServiceAccount, namespace: n.namespace, labels },
      // Kubernetes API access is never needed; Pod Identity only where a token must be fetched.
      automountServiceAccountToken: c.modelStore.hfTokenSecretName !== undefined,
    });

    new k8s.KubeJob(this, 'job', {
      metadata: { name: n.loaderJob, namespace: n.namespace, labels },
      spec: loaderJobSpec(c),
    });
  }
}
