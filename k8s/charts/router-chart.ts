/**
 * The llm-d path in standalone mode (no Gateway, no cloud load balancer): the InferencePool over the
 * decode pods, the endpoint picker (EPP) with an Envoy sidecar, its least-privilege RBAC, its config,
 * and the `llm-d-router` ClusterIP Service the benchmark calls.
 */
import { createHash } from 'node:crypto';
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { envoyImage, eppImage } from '../../lib/config';
import { InferencePool, InferencePoolSpecAppProtocol, InferencePoolSpecEndpointPickerRefFailureMode } from '../imports/inference.networking.k8s.io';
import { decodePodLabels, eppPodLabels, eppServiceLabels, PART_OF_LABEL } from '../labels';
import { sharedNames } from '../names';
import { EPP_CONFIG_DIR, EPP_CONFIG_FILE, endpointPickerConfig } from '../router/endpoint-picker-config';
import { eppProfileFiles } from '../router/profiles';
import { eppConfigProblems } from '../router/epp-config-checks';
import { ENVOY_CONFIG_DIR, ENVOY_CONFIG_FILE, envoyBootstrap, envoyBootstrapYaml } from '../router/envoy-config';
import { validateEnvoyBootstrap } from '../validate/envoy';
import { ENVOY_HTTP_PORT, ENVOY_READY_PORT, EPP_GRPC_PORT, EPP_HEALTH_PORT, EPP_METRICS_PORT, PORT_NAMES } from '../router/ports';
import { EPP_UID } from '../uids';
import { clusterMeta, cpu, emptyDir, fieldEnv, gib, imageAnnotations, meta, nonRootPod, restrictedContainer, SYSTEM_NODE_SELECTOR, type WorkloadChartProps } from './common';

export { EPP_UID } from '../uids';
/** API group of the InferencePool the EPP watches. */
export const POOL_GROUP = 'inference.networking.k8s.io';
/** Pod annotation whose value changes whenever the EPP or Envoy config changes (rolls the pod). */
export const CONFIG_HASH_ANNOTATION = 'llmd-bench/config-hash';
const READ = ['get', 'list', 'watch'];
/** The EPP's /tmp (TLS material it generates for --secure-serving; nothing large). */
export const EPP_TMP_SIZE_LIMIT = '256Mi';

export class RouterChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const podLabels = eppPodLabels(c);
    const leaderElection = c.router.eppReplicas > 1;
    // Refuse to synthesize a config whose prefix scores would silently be 0.
    const problems = eppConfigProblems(endpointPickerConfig(c));
    if (problems.length > 0) throw new Error(`EndpointPickerConfig is broken:\n  - ${problems.join('\n  - ')}`);
    // Refuse an Envoy bootstrap that does not match the Envoy v1.33 API (Envoy would not start).
    const envoyIssues = validateEnvoyBootstrap(envoyBootstrap(c));
    if (envoyIssues.length > 0) throw new Error(`Envoy bootstrap does not match the v1.33 API:\n  - ${envoyIssues.map((i) => `${i.path}: ${i.message}`).join('\n  - ')}`);
    // Every deployed router profile gets its own file in the EPP ConfigMap (k8s/router/profiles.ts).
    const profileFiles = eppProfileFiles(c);
    const eppYaml = profileFiles[EPP_CONFIG_FILE];
    const envoyYaml = envoyBootstrapYaml(c);

    new InferencePool(this, 'pool', {
      metadata: meta(c, n.inferencePool),
      spec: {
        // Exactly the decode pods; the same labels the round-robin Service selects.
        selector: { matchLabels: decodePodLabels(c) },
        targetPorts: [{ number: c.vllm.port }],
        appProtocol: InferencePoolSpecAppProtocol.HTTP,
        endpointPickerRef: {
          group: '',
          kind: 'Service',
          name: n.eppService,
          port: { number: EPP_GRPC_PORT },
          // Explicit (the CRD default is FailClose); Envoy's failure_mode_allow says the same.
          failureMode: c.router.failureMode === 'FailOpen'
            ? InferencePoolSpecEndpointPickerRefFailureMode.FAIL_OPEN
            : InferencePoolSpecEndpointPickerRefFailureMode.FAIL_CLOSE,
        },
      },
    });

    // --- identity and least-privilege RBAC -------------------------------------------------------
    new k8s.KubeServiceAccount(this, 'sa', { metadata: meta(c, n.eppServiceAccount, podLabels) });
    const subject = [{ kind: 'ServiceAccount', name: n.eppServiceAccount, namespace: n.namespace }];

    new k8s.KubeRole(this, 'role', {
      metadata: meta(c, n.eppServiceAccount, podLabels),
      rules: [
        // Endpoints of the pool.
        { apiGroups: [''], resources: ['pods'], verbs: READ },
        { apiGroups: [POOL_GROUP], resources: ['inferencepools'], verbs: READ },
        // We create no objectives, but if another install added these CRDs the EPP watches them;
        // without read access its caches would never sync.
        { apiGroups: ['llm-d.ai', 'inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: READ },
      ],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: meta(c, n.eppServiceAccount, podLabels),
      subjects: subject,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.eppServiceAccount },
    });

    // /metrics is authenticated (--metrics-endpoint-auth): the EPP asks the API server who a bearer
    // token belongs to and whether it may GET /metrics.
    const authRole = clusterMeta(c, `${n.eppServiceAccount}-metrics-auth`, podLabels);
    new k8s.KubeClusterRole(this, 'metrics-auth', {
      metadata: authRole,
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'metrics-auth-binding', {
      metadata: authRole,
      subjects: subject,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: authRole.name! },
    });

    if (leaderElection) {
      const le = `${n.eppServiceAccount}-leader-election`;
      new k8s.KubeRole(this, 'leader-election', {
        metadata: meta(c, le, podLabels),
        rules: [
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
          { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        ],
      });
      new k8s.KubeRoleBinding(this, 'leader-election-binding', {
        metadata: meta(c, le, podLabels),
        subjects: subject,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: le },
      });
    }

    // --- configuration ---------------------------------------------------------------------------
    new k8s.KubeConfigMap(this, 'epp-config', { metadata: meta(c, n.eppConfigMap, podLabels), data: profileFiles });
    new k8s.KubeConfigMap(this, 'envoy-config', { metadata: meta(c, n.envoyConfigMap, podLabels), data: { [ENVOY_CONFIG_FILE]: envoyYaml } });
    // ConfigMap changes do not restart pods; this hash in the pod template does.
    const hash = createHash('sha256').update(eppYaml).update('\0').update(envoyYaml);
    for (const [file, text] of Object.entries(profileFiles)) if (file !== EPP_CONFIG_FILE) hash.update('\0').update(file).update('\0').update(text);
    const configHash = hash.digest('hex').slice(0, 16);

    // --- EPP + Envoy -----------------------------------------------------------------------------
    const healthService = leaderElection ? undefined : 'inference-extension';
    new k8s.KubeDeployment(this, 'epp', {
      metadata: meta(c, n.eppDeployment, podLabels),
      spec: {
        replicas: c.router.eppReplicas,
        selector: { matchLabels: podLabels },
        // The KV-block index lives in the process: never run an old and a new EPP side by side.
        strategy: { type: 'Recreate' },
        template: {
          metadata: {
            labels: { ...PART_OF_LABEL, ...podLabels },
            annotations: { [CONFIG_HASH_ANNOTATION]: configHash, ...imageAnnotations({ envoy: envoyImage(c), epp: eppImage(c) }) },
          },
          spec: {
            serviceAccountName: n.eppServiceAccount,
            nodeSelector: SYSTEM_NODE_SELECTOR,
            securityContext: nonRootPod(EPP_UID),
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 130,
            containers: [
              {
                name: 'envoy',
                image: envoyImage(c).ref,
                imagePullPolicy: 'IfNotPresent',
                command: ['envoy'],
                args: ['--service-node', 'llm-d-router', '--log-level', 'warn', '--cpuset-threads', '--drain-strategy', 'immediate', '--drain-time-s', '60', '-c', `${ENVOY_CONFIG_DIR}/${ENVOY_CONFIG_FILE}`],
                ports: [
                  { name: PORT_NAMES.envoyHttp, containerPort: ENVOY_HTTP_PORT, protocol: 'TCP' },
                  { name: PORT_NAMES.envoyReady, containerPort: ENVOY_READY_PORT, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: k8s.IntOrString.fromString(PORT_NAMES.envoyReady) }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 1 },
                // No CPU limit (throttling would stall every stream of the llm-d arm); requests sized from
                // the upstream charts within the system node (router.envoyCpuRequest).
                resources: { requests: { cpu: cpu(c.router.envoyCpuRequest), memory: gib(c.router.envoyMemoryGiB) }, limits: { memory: gib(c.router.envoyMemoryGiB * 2) } },
                volumeMounts: [{ name: 'envoy-config', mountPath: ENVOY_CONFIG_DIR, readOnly: true }],
                securityContext: restrictedContainer(true),
              },
              {
                name: 'epp',
                image: eppImage(c).ref,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  `--pool-name=${n.inferencePool}`,
                  `--pool-namespace=${n.namespace}`,
                  `--pool-group=${POOL_GROUP}`,
                  `--config-file=${EPP_CONFIG_DIR}/${EPP_CONFIG_FILE}`,
                  `--grpc-port=${EPP_GRPC_PORT}`,
                  `--grpc-health-port=${EPP_HEALTH_PORT}`,
                  `--metrics-port=${EPP_METRICS_PORT}`,
                  // Defaults, stated: TLS on ext_proc (Envoy does not verify the self-signed cert) and a
                  // bearer token on /metrics (the ServiceMonitor sends the metrics reader's).
                  '--secure-serving=true',
                  '--metrics-endpoint-auth=true',
                  // Default true exports traces to localhost:4317, where nothing listens.
                  '--tracing=false',
                  '--zap-encoder=json',
                  '--v=2',
                  ...(leaderElection ? ['--ha-enable-leader-election'] : []),
                ],
                env: [fieldEnv('NAMESPACE', 'metadata.namespace'), fieldEnv('POD_NAME', 'metadata.name')],
                ports: [
                  { name: PORT_NAMES.eppGrpc, containerPort: EPP_GRPC_PORT, protocol: 'TCP' },
                  { name: PORT_NAMES.eppHealth, containerPort: EPP_HEALTH_PORT, protocol: 'TCP' },
                  { name: PORT_NAMES.eppMetrics, containerPort: EPP_METRICS_PORT, protocol: 'TCP' },
                ],
                livenessProbe: { grpc: { port: EPP_HEALTH_PORT, service: healthService ?? 'liveness' }, initialDelaySeconds: 5, periodSeconds: 10 },
                readinessProbe: { grpc: { port: EPP_HEALTH_PORT, service: healthService ?? 'readiness' }, periodSeconds: 2 },
                resources: {
                  requests: { cpu: cpu(c.router.eppCpuRequest), memory: gib(c.router.eppMemoryGiB) },
                  limits: { memory: gib(c.router.eppMemoryGiB * 2) },
                },
                volumeMounts: [
                  { name: 'epp-config', mountPath: EPP_CONFIG_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                securityContext: restrictedContainer(true),
              },
            ],
            volumes: [
              { name: 'epp-config', configMap: { name: n.eppConfigMap } },
              { name: 'envoy-config', configMap: { name: n.envoyConfigMap } },
              emptyDir('tmp', EPP_TMP_SIZE_LIMIT),
            ],
          },
        },
      },
    });

    // The InferencePool's endpointPickerRef, and the target of the EPP ServiceMonitor.
    new k8s.KubeService(this, 'epp-service', {
      metadata: meta(c, n.eppService, eppServiceLabels(c)),
      spec: {
        type: 'ClusterIP',
        selector: podLabels,
        ports: [
          { name: 'grpc-ext-proc', port: EPP_GRPC_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.eppGrpc), protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
          { name: PORT_NAMES.eppMetrics, port: EPP_METRICS_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.eppMetrics), protocol: 'TCP' },
        ],
      },
    });

    // Path B: the single URL of the llm-d path (http://llm-d-router.<namespace>).
    new k8s.KubeService(this, 'router-service', {
      metadata: meta(c, n.routerService, { 'app.kubernetes.io/name': 'llm-d-router', 'app.kubernetes.io/component': 'router' }),
      spec: {
        type: 'ClusterIP',
        selector: podLabels,
        ports: [{ name: 'http', port: c.router.servicePort, targetPort: k8s.IntOrString.fromString(PORT_NAMES.envoyHttp), protocol: 'TCP' }],
      },
    });
  }
}
