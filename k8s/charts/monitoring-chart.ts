/**
 * Observability of the serving half: a PodMonitor for vLLM's /metrics, a ServiceMonitor for the EPP's
 * authenticated /metrics (with the identity Prometheus presents), and the Grafana dashboard as a
 * ConfigMap the kube-prometheus-stack Grafana sidecar provisions (label grafana_dashboard: "1", all
 * namespaces searched in chart 88.5.0).
 *
 * DCGM (GPU) metrics: the GPU operator (v26.7.0, dcgmExporter.serviceMonitor.enabled defaults to true)
 * creates its own ServiceMonitor, so this chart does not add a second one; see DcgmMonitorChart for
 * clusters where that is switched off.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { PodMonitor, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { decodeSelector, eppServiceLabels } from '../labels';
import { servingDashboard } from '../monitoring/serving-dashboard';
import { sharedNames } from '../names';
import { PORT_NAMES } from '../router/ports';
import { clusterMeta, meta, type WorkloadChartProps } from './common';

/** Label and value the Grafana dashboard sidecar of kube-prometheus-stack watches for. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
export const DASHBOARD_CONFIGMAP = 'llmd-bench-dashboard';
export const DASHBOARD_FILE = 'llmd-bench-serving.json';
/** Scrape interval: several points per benchmark phase without loading Prometheus. */
export const SCRAPE_INTERVAL = '15s';

export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const labels = { 'app.kubernetes.io/component': 'monitoring' };

    new PodMonitor(this, 'vllm', {
      metadata: meta(c, n.decodeDeployment, labels),
      spec: {
        selector: decodeSelector(c),
        namespaceSelector: { matchNames: [n.namespace] },
        podMetricsEndpoints: [{ port: PORT_NAMES.vllmHttp, path: '/metrics', interval: SCRAPE_INTERVAL }],
      },
    });

    // The identity Prometheus scrapes the EPP with: a ServiceAccount allowed to GET /metrics, and a
    // long-lived token for it that the ServiceMonitor references (the EPP checks it with a TokenReview
    // and a SubjectAccessReview).
    new k8s.KubeServiceAccount(this, 'metrics-reader', { metadata: meta(c, n.eppMetricsReader, labels), automountServiceAccountToken: false });
    new k8s.KubeSecret(this, 'metrics-reader-token', {
      metadata: meta(c, n.eppMetricsReaderToken, labels, { 'kubernetes.io/service-account.name': n.eppMetricsReader }),
      type: 'kubernetes.io/service-account-token',
    });
    const reader = clusterMeta(c, n.eppMetricsReader, labels);
    new k8s.KubeClusterRole(this, 'metrics-reader-role', {
      metadata: reader,
      rules: [{ nonResourceUrLs: ['/metrics'], verbs: ['get'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'metrics-reader-binding', {
      metadata: reader,
      subjects: [{ kind: 'ServiceAccount', name: n.eppMetricsReader, namespace: n.namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reader.name! },
    });

    new ServiceMonitor(this, 'epp', {
      metadata: meta(c, n.eppService, labels),
      spec: {
        selector: { matchLabels: eppServiceLabels(c) },
        namespaceSelector: { matchNames: [n.namespace] },
        endpoints: [{
          port: PORT_NAMES.eppMetrics,
          path: '/metrics',
          interval: SCRAPE_INTERVAL,
          authorization: { type: 'Bearer', credentials: { name: n.eppMetricsReaderToken, key: 'token' } },
        }],
      },
    });

    new k8s.KubeConfigMap(this, 'dashboard', {
      metadata: meta(c, DASHBOARD_CONFIGMAP, { ...labels, ...GRAFANA_DASHBOARD_LABEL }),
      data: { [DASHBOARD_FILE]: JSON.stringify(servingDashboard(c), null, 1) },
    });
  }
}

/**
 * Optional: a ServiceMonitor for the DCGM exporter, for clusters whose GPU operator does not create
 * one (`dcgmExporter.serviceMonitor.enabled=false`) or that run dcgm-exporter on its own. Not part of
 * the CDK deployment (the GPU operator's own ServiceMonitor scrapes it there); `npm run render` writes
 * it to dist/manifests/optional/.
 */
export class DcgmMonitorChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    const c = props.config;
    new ServiceMonitor(this, 'dcgm', {
      metadata: meta(c, 'nvidia-dcgm-exporter', { 'app.kubernetes.io/component': 'monitoring' }),
      spec: {
        // The GPU operator's Service: label app=nvidia-dcgm-exporter, port gpu-metrics (9400).
        selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } },
        namespaceSelector: { any: true },
        jobLabel: 'app',
        endpoints: [{ port: 'gpu-metrics', path: '/metrics', interval: SCRAPE_INTERVAL }],
      },
    });
  }
}
