/**
 * kube-prometheus-stack (Prometheus operator, Prometheus, Grafana, kube-state-metrics, node exporter)
 * from the prometheus-community Helm repository, with values in typed code:
 *
 * - Prometheus picks up every ServiceMonitor/PodMonitor/PrometheusRule/Probe in every namespace (the
 *   `*SelectorNilUsesHelmValues: false` switches; otherwise only the chart's own release label counts
 *   and the project's vLLM PodMonitor, EPP ServiceMonitor and the GPU operator's DCGM ServiceMonitor
 *   would be ignored).
 * - Prometheus storage is an emptyDir with a size limit: nothing `cdk destroy` could leak.
 * - Grafana's admin password comes from a generated Secrets Manager secret, read by an init container
 *   through EKS Pod Identity into an in-memory file that Grafana reads via GF_SECURITY_ADMIN_PASSWORD__FILE.
 *   With that variable set the chart creates no admin Secret (so no default password) and its
 *   sidecars do not call Grafana's admin API: dashboards are picked up by Grafana's provisioning poll,
 *   datasources are written by an init container before Grafana starts.
 * - Every Service is ClusterIP (reach Grafana/Prometheus with `kubectl port-forward`).
 * - Control-plane scrapes that cannot work on EKS (etcd, scheduler, controller manager, kube-proxy's
 *   localhost metrics) are off, so no target is permanently down; Alertmanager is off (no receivers).
 * - Everything but the node exporter DaemonSet runs on the system nodes.
 */
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { secretFileInitContainer, secretVolume, type ContainerJson } from '../../k8s/secret-file-init-container';
import { withDefaults } from '../defaults';
import { helmRelease } from './release';
import { PROMETHEUS_CPU_REQUEST, PROMETHEUS_MEMORY_GIB } from '../../lib/config/checks/serving';

export const KUBE_PROMETHEUS_STACK_CHART = {
  chart: 'kube-prometheus-stack',
  repository: 'https://prometheus-community.github.io/helm-charts',
  release: 'kube-prometheus-stack',
} as const;

/** Service account of Grafana (named, so the Pod Identity association can refer to it). */
export const GRAFANA_SERVICE_ACCOUNT = 'grafana';
/** Grafana's UID in the image; the init container writes the password file as this UID. */
export const GRAFANA_UID = 472;
export const GRAFANA_ADMIN_USER = 'admin';
const GRAFANA_SECRET_DIR = '/etc/grafana-admin';
const GRAFANA_SECRET_FILE = 'password';

export interface KubePrometheusStackProps {
  readonly cluster: eks.ICluster;
  /** Chart version (config `monitoring.kubePrometheusStackVersion`). */
  readonly version: string;
  /** @default 'monitoring' */
  readonly namespace?: string;
  /** Node selector of every pod except the node exporter (the system nodes). */
  readonly nodeSelector: Record<string, string>;
  /** Prometheus retention, e.g. '2d'. */
  readonly retention: string;
  /** emptyDir size limit of Prometheus, GiB. */
  readonly storageGiB: number;
  /** Grafana admin password: where the init container reads it. */
  readonly grafanaAdminSecret: { readonly secretArn: string; readonly region: string; readonly awsCliImage: string };
  /**
   * Helm's --timeout. The kubectl Lambda itself stops after 15 minutes; 12 leaves Helm time to report
   * its own error (which pods were not ready) instead of a bare Lambda timeout.
   * @default 12 minutes
   */
  readonly timeout?: Duration;
}

export const KUBE_PROMETHEUS_STACK_DEFAULTS = { namespace: 'monitoring', timeout: Duration.minutes(12) } as const;

/** The values we give the chart (the subset of its values.yaml this project sets). */
export interface KubePrometheusStackValues {
  readonly crds: { enabled: boolean };
  readonly alertmanager: { enabled: boolean };
  readonly kubeEtcd: { enabled: boolean };
  readonly kubeScheduler: { enabled: boolean };
  readonly kubeControllerManager: { enabled: boolean };
  readonly kubeProxy: { enabled: boolean };
  readonly prometheusOperator: {
    nodeSelector: Record<string, string>;
    admissionWebhooks: { patch: { nodeSelector: Record<string, string> } };
  };
  readonly 'kube-state-metrics': { nodeSelector: Record<string, string> };
  readonly 'prometheus-node-exporter': { tolerations: { operator: 'Exists'; effect?: string }[] };
  readonly prometheus: {
    service: { type: 'ClusterIP' };
    thanosServiceExternal: { enabled: false };
    prometheusSpec: {
      nodeSelector: Record<string, string>;
      retention: string;
      serviceMonitorSelectorNilUsesHelmValues: false;
      podMonitorSelectorNilUsesHelmValues: false;
      ruleSelectorNilUsesHelmValues: false;
      probeSelectorNilUsesHelmValues: false;
      scrapeConfigSelectorNilUsesHelmValues: false;
      serviceMonitorNamespaceSelector: Record<string, never>;
      podMonitorNamespaceSelector: Record<string, never>;
      storageSpec: { emptyDir: { sizeLimit: string } };
      resources: { requests: Record<string, string>; limits: Record<string, string> };
    };
  };
  readonly grafana: {
    enabled: true;
    nodeSelector: Record<string, string>;
    service: { type: 'ClusterIP' };
    persistence: { enabled: false };
    testFramework: { enabled: false };
    serviceAccount: { create: true; name: string; autoMount: true };
    env: Record<string, string>;
    extraInitContainers: ContainerJson[];
    extraVolumes: ReturnType<typeof secretVolume>[];
    extraVolumeMounts: { name: string; mountPath: string; readOnly: true }[];
    sidecar: {
      dashboards: { skipReload: true };
      datasources: { skipReload: true; initDatasources: true };
    };
  };
}

/** Builds the typed values (exported for tests and docs). */
export function kubePrometheusStackValues(p: KubePrometheusStackProps): KubePrometheusStackValues {
  const sys = p.nodeSelector;
  return {
    crds: { enabled: true },
    alertmanager: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: { nodeSelector: sys, admissionWebhooks: { patch: { nodeSelector: sys } } },
    'kube-state-metrics': { nodeSelector: sys },
    // Node metrics from every node, the GPU nodes included.
    'prometheus-node-exporter': { tolerations: [{ operator: 'Exists' }] },
    prometheus: {
      service: { type: 'ClusterIP' },
      thanosServiceExternal: { enabled: false },
      prometheusSpec: {
        nodeSelector: sys,
        retention: p.retention,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        serviceMonitorNamespaceSelector: {},
        podMonitorNamespaceSelector: {},
        storageSpec: { emptyDir: { sizeLimit: `${p.storageGiB}Gi` } },
        resources: {
          requests: { cpu: `${PROMETHEUS_CPU_REQUEST * 1000}m`, memory: `${PROMETHEUS_MEMORY_GIB}Gi` },
          limits: { memory: `${PROMETHEUS_MEMORY_GIB * 2}Gi` },
        },
      },
    },
    grafana: {
      enabled: true,
      nodeSelector: sys,
      service: { type: 'ClusterIP' },
      persistence: { enabled: false },
      testFramework: { enabled: false },
      serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT, autoMount: true },
      env: {
        GF_SECURITY_ADMIN_USER: GRAFANA_ADMIN_USER,
        GF_SECURITY_ADMIN_PASSWORD__FILE: `${GRAFANA_SECRET_DIR}/${GRAFANA_SECRET_FILE}`,
      },
      extraInitContainers: [secretFileInitContainer({
        name: 'fetch-admin-password',
        image: p.grafanaAdminSecret.awsCliImage,
        secretId: p.grafanaAdminSecret.secretArn,
        region: p.grafanaAdminSecret.region,
        volumeName: 'grafana-admin',
        mountPath: GRAFANA_SECRET_DIR,
        fileName: GRAFANA_SECRET_FILE,
        runAsUser: GRAFANA_UID,
      })],
      extraVolumes: [secretVolume('grafana-admin')],
      extraVolumeMounts: [{ name: 'grafana-admin', mountPath: GRAFANA_SECRET_DIR, readOnly: true }],
      sidecar: {
        dashboards: { skipReload: true },
        datasources: { skipReload: true, initDatasources: true },
      },
    },
  };
}

export class KubePrometheusStack extends Construct {
  readonly chart: eks.HelmChart;
  readonly values: KubePrometheusStackValues;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: KubePrometheusStackProps) {
    super(scope, id);
    const p = withDefaults(KUBE_PROMETHEUS_STACK_DEFAULTS, props);
    if (!/^\d+\.\d+\.\d+$/.test(p.version)) throw new Error(`KubePrometheusStack ${id}: version must be x.y.z, got ${p.version}`);
    this.namespace = p.namespace;
    this.values = kubePrometheusStackValues(p);
    // Waits for the pods: a broken Grafana secret fetch fails the deploy here, not silently later.
    this.chart = helmRelease(this, KUBE_PROMETHEUS_STACK_CHART, { cluster: p.cluster, version: p.version, namespace: p.namespace, values: this.values, timeout: p.timeout });
  }
}
