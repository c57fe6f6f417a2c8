/**
 * The weights loader Job as plain data: its spec (pod template, env, volumes) and its name, which
 * hashes that spec. Not a chart (the loader chart wraps it), so the CLI and the decode chart can name
 * the Job without loading a chart, and k8s/names.ts stays a leaf.
 *
 * - Runs in its own namespace (`sharedNames().loaderNamespace`, Pod Security `baseline`) with the
 *   read-write claim over the whole file system: the only pod that can write the weights. It runs as
 *   root (the file system root belongs to root, 0755) with every capability dropped except CHOWN
 *   (hands the results directory to the benchmark client's UID); `restricted` forbids both, which is
 *   why it is not in the project namespace.
 * - Optional Hugging Face token: an init container reads the Secrets Manager secret named by
 *   `modelStore.hfTokenSecretName` through EKS Pod Identity into an in-memory volume, and
 *   huggingface_hub reads it from `HF_TOKEN_PATH`. The token never enters a template or etcd.
 * - Pod labels `app.kubernetes.io/name: model-loader`: never the decode pods' labels.
 */
import { createHash } from 'node:crypto';
import { type BenchConfig, modelFacts } from '../../lib/config';
import { modelWeightBytes } from '../../lib/config/fit';
import { awsCliImage, vllmImage } from '../../lib/config/images';
import { PART_OF_LABEL } from '../labels';
import { NODE_ROLE_LABEL, sharedNames, SYSTEM_NODE_ROLE } from '../names';
import { secretFileInitContainer, secretVolume } from '../secret-file-init-container';
import { VLLM_UID } from '../uids';
import { LOADER_SCRIPT } from './loader-script';

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
/** Scratch space for the Hub client's caches (not on the file system, not in the image layer). */
const SCRATCH_DIR = '/scratch';

/**
 * Size limit of the scratch emptyDir (HOME, TMPDIR, HF_HOME), in GiB. It holds no weights:
 * `snapshot_download(local_dir=MODEL_DIR)` writes every file, and its `.incomplete` part while it
 * downloads, under MODEL_DIR/.cache/huggingface/download on the file system (huggingface_hub
 * file_download.py `_download_to_tmp_and_move`, _local_folder.py `get_local_download_paths`). What
 * lands in scratch is bounded, whatever the model's size (LOADER_SCRATCH_BOUND_BYTES), so 20 GiB holds it
 * with room for any hf_xet the pinned vLLM image ships; a larger model needs no larger scratch.
 */
export const LOADER_SCRATCH_GIB = 20;

/**
 * The most each thing the loader may write to scratch can take (huggingface/xet-core sources):
 * - hf_xet's chunk cache in HF_HOME/xet (HF_XET_CACHE): off by default from hf_xet 1.3.0 (hf_xet/
 *   Cargo.toml default feature `no-default-cache`), before that capped at HF_XET_CHUNK_CACHE_SIZE_BYTES,
 *   default 10 GiB in 1.1.x (chunk_cache/src/disk.rs `DEFAULT_CHUNK_CACHE_CAPACITY = 10 << 30`) and
 *   10 GB in 1.2.x. The loader does not raise it. Downloads build no shard cache (data/src/
 *   file_downloader.rs reconstructs files from the CAS server; shards are an upload's dedup index);
 * - hf_xet's log directory HF_HOME/xet/logs, pruned to 250 MB (xet_logging LOG_DIR_MAX_SIZE);
 * - the rest (the Hub token file, huggingface_hub's small metadata, Python's temporary files): a
 *   generous 256 MiB.
 */
export const LOADER_SCRATCH_BOUND_BYTES = {
  xetChunkCache: 10 * 2 ** 30,
  xetLogs: 250 * 2 ** 20,
  other: 256 * 2 ** 20,
} as const;
/** The benchmark client (non-root) owns the results directory. */
export const RESULTS_OWNER_UID = VLLM_UID;

type Json = Record<string, unknown>;

/** Environment of the loader container (what loader-script.ts reads). */
export function loaderEnv(c: BenchConfig): { name: string; value: string }[] {
  const n = sharedNames(c);
  const source = c.modelStore.modelSource === 'huggingface' ? 'huggingface' : 's3';
  const env = [
    { name: 'MODEL_ID', value: c.model.id },
    { name: 'MODEL_REVISION', value: c.model.revision },
    { name: 'MODEL_SOURCE', value: source },
    { name: 'MODEL_DIR', value: n.modelDir },
    { name: 'WEIGHTS_MARKER', value: n.weightsMarker },
    { name: 'RESULTS_DIR', value: n.resultsDir },
    // The benchmark client runs as this non-root UID and writes its result copies into RESULTS_DIR.
    { name: 'RESULTS_OWNER_UID', value: String(RESULTS_OWNER_UID) },
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
 * The Job's spec (everything but its metadata), as the manifest says it. Its JSON is part of the
 * Job's name (loaderJobName): the pod template of a Job is immutable, so whatever changes here must
 * rename the Job.
 */
export function loaderJobSpec(c: BenchConfig): Json {
  const n = sharedNames(c);
  const tokenSecret = c.modelStore.hfTokenSecretName;
  const vllm = vllmImage(c);
  const cli = awsCliImage(c);
  const initContainers = tokenSecret
    ? [secretFileInitContainer({
      name: 'fetch-hf-token',
      image: cli.ref,
      secretId: tokenSecret,
      region: c.aws.region,
      volumeName: 'hf-token',
      mountPath: HF_TOKEN_DIR,
      fileName: HF_TOKEN_FILE,
      // The loader (root, no capabilities) reads the 0600 file: it must own it.
      runAsUser: 0,
    })]
    : [];
  const volumeMounts = [
    { name: 'models', mountPath: c.modelStore.mountPath },
    { name: 'scratch', mountPath: SCRATCH_DIR },
    ...(tokenSecret ? [{ name: 'hf-token', mountPath: HF_TOKEN_DIR, readOnly: true }] : []),
  ];
  const images: Record<string, string> = { 'llmd-bench/image.loader': vllm.tagged };
  if (tokenSecret) images['llmd-bench/image.fetch-hf-token'] = cli.tagged;
  return {
    backoffLimit: LOADER_BACKOFF_LIMIT,
    activeDeadlineSeconds: loaderDeadlineSeconds(c),
    template: {
      metadata: { labels: { ...PART_OF_LABEL, ...LOADER_POD_LABELS }, annotations: images },
      spec: {
        serviceAccountName: n.loaderServiceAccount,
        automountServiceAccountToken: tokenSecret !== undefined,
        restartPolicy: 'Never',
        nodeSelector: { [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE },
        enableServiceLinks: false,
        securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } },
        initContainers,
        containers: [{
          name: 'loader',
          image: vllm.ref,
          imagePullPolicy: 'IfNotPresent',
          command: ['python3', '-c', LOADER_SCRIPT],
          env: loaderEnv(c),
          volumeMounts,
          resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '8Gi' } },
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
          { name: 'scratch', emptyDir: { sizeLimit: `${LOADER_SCRATCH_GIB}Gi` } },
          ...(tokenSecret ? [secretVolume('hf-token')] : []),
        ],
      },
    },
  };
}

/**
 * `model-loader-<hash>`: the config the Job is built from and its whole spec as rendered. `kubectl
 * apply` (every stack update) refuses a Job whose template changed under the same name, so a change
 * of the loader's code (script, env, security context, resources) must rename it too; the config
 * inputs stay so that a new file system (deployment type, ...) re-runs the loader although the spec
 * does not mention it.
 */
export function loaderJobName(c: BenchConfig): string {
  const n = sharedNames(c);
  const inputs = {
    model: c.model, modelStore: c.modelStore, vllm: vllmImage(c).ref, awsCliImage: awsCliImage(c).ref,
    namespace: n.loaderNamespace, region: c.aws.region,
  };
  const hash = createHash('sha256').update(JSON.stringify(inputs)).update('\0').update(JSON.stringify(loaderJobSpec(c))).digest('hex').slice(0, 8);
  return `model-loader-${hash}`;
}
