/**
 * The vLLM decode replicas (vllm.tensorParallelSize GPUs each) and the round-robin Service
 * (`vllm-round-robin`) in front of exactly those pods. The EPP tokenizes through a render server of its
 * own (render-chart.ts), not through these pods.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { type BenchConfig, replicasPerNode, vllmImage } from '../../lib/config';
import { decodeShmGiB } from '../../lib/config/pod-sizing';
import { decodePodLabels, decodeSelector, PART_OF_LABEL } from '../labels';
import { loaderJobName } from '../model-store/loader-job';
import { sharedNames } from '../names';
import { PORT_NAMES } from '../router/ports';
import { VLLM_UID } from '../uids';
import { coldStartBudgetSeconds, POD_IP_ENV, vllmEnv, vllmServeArgs } from '../vllm/flags';
import { cpu, emptyDir, fieldEnv, gib, GPU_NODE_SELECTOR, GPU_TOLERATION, imageAnnotations, meta, nonRootPod, restrictedContainer, type WorkloadChartProps } from './common';

export { VLLM_UID } from '../uids';
/** Writable home for every cache vLLM, torch, Triton and FlashInfer keep (an emptyDir). */
export const VLLM_CACHE_DIR = '/var/cache/vllm';
/** Size limits of the decode pod's disk-backed emptyDirs (compile caches; temporary files and IPC sockets). */
export const VLLM_CACHE_SIZE_LIMIT = '20Gi';
export const VLLM_TMP_SIZE_LIMIT = '4Gi';
/**
 * Memory-backed /dev/shm (PyTorch, vLLM's worker queue and NCCL use it; the container runtime's default
 * is 64 MiB): 2Gi with one GPU per replica, more for NCCL's SHM transport with TP (lib/config/pod-sizing.ts).
 */
export function shmSize(c: BenchConfig): string {
  const v = decodeShmGiB(c.vllm.tensorParallelSize);
  return Number.isInteger(v) ? `${v}Gi` : `${Math.round(v * 1024)}Mi`;
}
/** Seconds between SIGTERM and SIGKILL: drain in-flight streams after the endpoints are removed. */
export const DECODE_GRACE_SECONDS = 60;
/** Pause before SIGTERM so kube-proxy and the EPP stop sending new requests first. */
export const PRE_STOP_SLEEP_SECONDS = 10;
const STARTUP_PERIOD_SECONDS = 10;

/** Script of the init container: fail fast, with a message, when the weights are not there. */
function checkWeightsScript(c: BenchConfig): string {
  const n = sharedNames(c);
  return [
    'set -eu',
    'if [ ! -f "$WEIGHTS_MARKER" ]; then',
    '  echo "llmd-bench: the model weights in $MODEL_DIR are incomplete: $WEIGHTS_MARKER is missing." >&2',
    `  echo "The loader Job writes it last. Check: kubectl -n ${n.loaderNamespace} logs job/${loaderJobName(c)}" >&2`,
    '  exit 1',
    'fi',
    'if [ ! -r "$MODEL_DIR/config.json" ]; then',
    `  echo "llmd-bench: $MODEL_DIR/config.json is not readable by uid ${VLLM_UID}; the loader must leave the files world-readable." >&2`,
    '  exit 1',
    'fi',
    'echo "llmd-bench: weights complete in $MODEL_DIR"',
  ].join('\n');
}

export class VllmDecodeChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const labels = decodePodLabels(c);
    const image = vllmImage(c).ref;
    const perNode = replicasPerNode(c);
    const gpus = k8s.Quantity.fromNumber(c.vllm.tensorParallelSize);

    const models: k8s.VolumeMount = { name: 'models', mountPath: c.modelStore.mountPath, readOnly: true };
    const httpGetHealth = { path: '/health', port: k8s.IntOrString.fromString(PORT_NAMES.vllmHttp) };

    new k8s.KubeDeployment(this, 'decode', {
      metadata: meta(c, n.decodeDeployment, labels),
      spec: {
        replicas: c.vllm.replicas,
        selector: decodeSelector(c),
        // Every GPU is taken: a surge pod could never schedule. Replace one pod at a time instead.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: { ...PART_OF_LABEL, ...labels }, annotations: imageAnnotations({ vllm: vllmImage(c) }) },
          spec: {
            nodeSelector: GPU_NODE_SELECTOR,
            tolerations: [GPU_TOLERATION],
            // One replica per node: never two decode pods on a host. Several replicas per node (GPUs /
            // TP of them fit): spread evenly by node, the GPU request bounding each node's share.
            ...(perNode === 1
              ? {
                affinity: {
                  podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: decodeSelector(c), topologyKey: 'kubernetes.io/hostname' }],
                  },
                },
              }
              : {
                topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: decodeSelector(c) }],
              }),
            securityContext: nonRootPod(VLLM_UID),
            // vLLM needs no Kubernetes API access.
            automountServiceAccountToken: false,
            // Service links would inject VLLM_ROUND_ROBIN_PORT=tcp://... and similar VLLM_* variables,
            // which vLLM reads as its own settings.
            enableServiceLinks: false,
            terminationGracePeriodSeconds: DECODE_GRACE_SECONDS,
            initContainers: [{
              name: 'check-weights',
              image,
              command: ['sh', '-c', checkWeightsScript(c)],
              env: [
                { name: 'MODEL_DIR', value: n.modelDir },
                { name: 'WEIGHTS_MARKER', value: n.weightsMarker },
              ],
              volumeMounts: [models],
              resources: { requests: { cpu: cpu(0.05), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('64Mi') } },
              securityContext: restrictedContainer(true),
              // The message above becomes the pod's termination message (kubectl describe pod).
              terminationMessagePolicy: 'FallbackToLogsOnError',
            }],
            containers: [{
              name: 'vllm',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['vllm', 'serve'],
              args: vllmServeArgs(c),
              env: [fieldEnv(POD_IP_ENV, 'status.podIP'), ...vllmEnv(c, VLLM_CACHE_DIR)],
              ports: [
                { name: PORT_NAMES.vllmHttp, containerPort: c.vllm.port, protocol: 'TCP' },
                // Each EPP replica dials podIP:this for KV-cache events, and the replay port for what it missed.
                { name: PORT_NAMES.vllmKvEvents, containerPort: c.vllm.kvEventsPort, protocol: 'TCP' },
                { name: PORT_NAMES.vllmKvReplay, containerPort: c.vllm.kvEventsReplayPort, protocol: 'TCP' },
              ],
              resources: {
                requests: { 'cpu': cpu(c.vllm.cpuRequest), 'memory': gib(c.vllm.memoryRequestGiB), 'nvidia.com/gpu': gpus },
                limits: { 'memory': gib(c.vllm.memoryLimitGiB), 'nvidia.com/gpu': gpus },
              },
              // Cold start reads the weights from FSx while every other replica does the same.
              startupProbe: {
                httpGet: httpGetHealth,
                periodSeconds: STARTUP_PERIOD_SECONDS,
                timeoutSeconds: 5,
                failureThreshold: Math.ceil(coldStartBudgetSeconds(c) / STARTUP_PERIOD_SECONDS),
              },
              readinessProbe: { httpGet: httpGetHealth, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
              // Generous: /health answers slowly under a 512-request burst, and a restart mid-run ruins it.
              livenessProbe: { httpGet: httpGetHealth, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 },
              lifecycle: { preStop: { exec: { command: ['sleep', String(PRE_STOP_SLEEP_SECONDS)] } } },
              volumeMounts: [
                models,
                { name: 'shm', mountPath: '/dev/shm' },
                { name: 'cache', mountPath: VLLM_CACHE_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
              // Read-only root: HOME, XDG_*, VLLM_CACHE_ROOT, TRITON_CACHE_DIR and TORCHINDUCTOR_CACHE_DIR
              // point into the cache emptyDir; Python's tempfile and vLLM's IPC sockets use /tmp.
              securityContext: restrictedContainer(true),
            }],
            volumes: [
              { name: 'models', persistentVolumeClaim: { claimName: n.modelsPvcReadOnly, readOnly: true } },
              emptyDir('shm', shmSize(c), 'Memory'),
              emptyDir('cache', VLLM_CACHE_SIZE_LIMIT),
              emptyDir('tmp', VLLM_TMP_SIZE_LIMIT),
            ],
          },
        },
      },
    });

    // Path A: kube-proxy spreads connections over the ready decode pods (iptables mode: at random).
    new k8s.KubeService(this, 'round-robin', {
      metadata: meta(c, n.roundRobinService, { 'app.kubernetes.io/name': 'vllm', 'app.kubernetes.io/component': 'round-robin' }),
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: PORT_NAMES.vllmHttp, port: c.vllm.port, targetPort: k8s.IntOrString.fromString(PORT_NAMES.vllmHttp), protocol: 'TCP' }],
      },
    });

    // A node drain (node group update) takes one replica at a time.
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: meta(c, n.decodeDeployment, labels),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: decodeSelector(c) },
    });
  }
}
