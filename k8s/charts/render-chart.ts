/**
 * The render server the EPP tokenizes through: a CPU-only Deployment of `vllm launch render`
 * (k8s/vllm/render.ts) on the system nodes, behind the `vllm-render` Service the token producer's
 * `vllm.url` names.
 *
 * Why a Deployment of its own and not the decode pods or an EPP sidecar (docs/workloads.md):
 * - not the decode pods: their render work (chat template + tokenization of every prompt) would
 *   load the measured pods on the llm-d arm only, and a plain `vllm serve` stops serving /render by
 *   default after v0.29 (vllm-project/vllm#54579, #55176), which would silently zero every prefix
 *   score; `vllm launch render` always serves it;
 * - not an EPP sidecar (the llm-d-router chart's `tokenizer` option): render CPU would share the
 *   EPP pod's node budget with the EPP and Envoy, and its replicas would be tied to the EPP's (one);
 *   as a Deployment it scales on its own (`router.renderReplicas`) and spreads over the system nodes,
 *   like the llm-d guide's `render/standalone` pool.
 *
 * The pods carry the vLLM image's name label but never the decode label set, so neither the
 * InferencePool nor the round-robin Service selects them (a test checks every selector).
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { renderImage } from '../../lib/config';
import { PART_OF_LABEL, renderPodLabels } from '../labels';
import { sharedNames } from '../names';
import { PORT_NAMES } from '../router/ports';
import { VLLM_UID } from '../uids';
import { vllmHomeEnv } from '../vllm/flags';
import { RENDER_COMMAND, renderArgs } from '../vllm/render';
import { cpu, emptyDir, gib, imageAnnotations, meta, nonRootPod, restrictedContainer, SYSTEM_NODE_SELECTOR, type WorkloadChartProps } from './common';

/** Writable home for the Python caches of the render server (the root file system is read-only). */
export const RENDER_CACHE_DIR = '/var/cache/vllm';
export const RENDER_CACHE_SIZE_LIMIT = '2Gi';
export const RENDER_TMP_SIZE_LIMIT = '1Gi';
/** Name of the container. */
export const RENDER_CONTAINER = 'vllm-render';
const STARTUP_PERIOD_SECONDS = 5;

export class RenderChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const labels = renderPodLabels(c);
    const image = renderImage(c);
    const health = { path: '/health', port: k8s.IntOrString.fromString(PORT_NAMES.renderHttp) };

    new k8s.KubeDeployment(this, 'render', {
      metadata: meta(c, n.renderDeployment, labels),
      spec: {
        replicas: c.router.renderReplicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...PART_OF_LABEL, ...labels }, annotations: imageAnnotations({ [RENDER_CONTAINER]: image }) },
          spec: {
            nodeSelector: SYSTEM_NODE_SELECTOR,
            // One replica per system node where possible: a node loss keeps the EPP tokenizing.
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
            securityContext: nonRootPod(VLLM_UID),
            automountServiceAccountToken: false,
            // Service links would inject VLLM_* variables, which vLLM reads as its own settings.
            enableServiceLinks: false,
            containers: [{
              name: RENDER_CONTAINER,
              image: image.ref,
              imagePullPolicy: 'IfNotPresent',
              command: [...RENDER_COMMAND],
              args: renderArgs(c),
              env: vllmHomeEnv(RENDER_CACHE_DIR),
              ports: [{ name: PORT_NAMES.renderHttp, containerPort: c.vllm.port, protocol: 'TCP' }],
              resources: {
                // A CPU limit above the request: the t=0 burst renders 512 prompts at once.
                requests: { cpu: cpu(c.router.renderCpuRequest), memory: gib(c.router.renderMemoryGiB) },
                limits: { cpu: cpu(c.router.renderCpuRequest * 4), memory: gib(c.router.renderMemoryGiB * 2) },
              },
              // Python imports and the tokenizer load take tens of seconds; no weights are read.
              startupProbe: { httpGet: health, periodSeconds: STARTUP_PERIOD_SECONDS, timeoutSeconds: 5, failureThreshold: 60 },
              readinessProbe: { httpGet: health, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
              livenessProbe: { httpGet: health, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 },
              volumeMounts: [
                // config.json, tokenizer and chat template from the weights directory, read-only.
                { name: 'models', mountPath: c.modelStore.mountPath, readOnly: true },
                { name: 'cache', mountPath: RENDER_CACHE_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
              securityContext: restrictedContainer(true),
              terminationMessagePolicy: 'FallbackToLogsOnError',
            }],
            volumes: [
              { name: 'models', persistentVolumeClaim: { claimName: n.modelsPvcReadOnly, readOnly: true } },
              emptyDir('cache', RENDER_CACHE_SIZE_LIMIT),
              emptyDir('tmp', RENDER_TMP_SIZE_LIMIT),
            ],
          },
        },
      },
    });

    // The token producer's vllm.url (router/endpoint-picker-config.ts renderServiceUrl).
    new k8s.KubeService(this, 'service', {
      metadata: meta(c, n.renderService, { 'app.kubernetes.io/name': 'vllm', 'app.kubernetes.io/component': 'render' }),
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: PORT_NAMES.renderHttp, port: c.vllm.port, targetPort: k8s.IntOrString.fromString(PORT_NAMES.renderHttp), protocol: 'TCP' }],
      },
    });
  }
}
