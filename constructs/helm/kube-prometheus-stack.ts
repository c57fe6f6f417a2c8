/**
 * kube-prometheus-stack (Prometheus operator, Prometheus, Grafana, kube-state-metrics, node exporter)
 * from the prometheus-community Helm repository, with values in typed code. Keys and defaults below
 * are checked against the pinned chart (kube-prometheus-stack-88.5.3 values.yaml and templates; its
 * subcharts grafana 12.11.1 and kube-state-metrics 8.4.0):
 *
 * - Prometheus picks up every ServiceMonitor/PodMonitor/PrometheusRule/Probe the operator watches
 *   (the `*SelectorNilUsesHelmValues: false` switches; otherwise only the chart's own release label
 *   counts and the project's vLLM PodMonitor, EPP ServiceMonitor and the GPU operator's DCGM
 *   ServiceMonitor would be ignored).
 * - Prometheus storage is an emptyDir with a size limit: nothing `cdk destroy` could leak. The kubelet
 *   evicts a pod whose emptyDir exceeds its sizeLimit, and time-based retention does not bound the
 *   TSDB size, so `retentionSize` is set to 80% of the limit: old blocks go before the pod would.
 * - CRDs: Helm installs `crds/` on install only, so a chart bump would leave the operator on old CRDs.
 *   The chart's CRD upgrade job (`crds.upgradeJob`, a pre-install/pre-upgrade hook that runs
 *   `kubectl apply --server-side --force-conflicts` on the chart's CRDs) is turned on, with its busybox
 *   image pinned by tag (the chart default is `latest`), by digest with `monitoring.crdUpgradeImageDigest`,
 *   and on the system nodes.
 * - Grafana's admin password comes from a generated Secrets Manager secret, read by an init container
 *   through EKS Pod Identity into an in-memory file that Grafana reads via GF_SECURITY_ADMIN_PASSWORD__FILE.
 *   With that variable set the chart creates no admin Secret (so no default password) and its
 *   sidecars do not call Grafana's admin API: dashboards are picked up by Grafana's provisioning poll,
 *   datasources are written by an init container before Grafana starts.
 * - Nothing here reads every Secret of the cluster (security review finding 4):
 *   Grafana's sidecars read ConfigMaps only (`resource: configmap`), in the monitoring namespace and
 *   the project namespace only (`searchNamespace`, where the dashboard ConfigMap lives), through a
 *   configmaps-only Role (`rbac.namespaced` + `rbac.useExistingRole`: the chart's own Role would add
 *   Secrets); the Role in monitoring comes with the platform stack, the one in the project namespace
 *   with k8s/charts/operator-rbac-chart.ts. kube-state-metrics drops its `secrets` collector (and with
 *   it the list/watch on Secrets). The Prometheus operator is limited to the namespaces that hold
 *   monitors (`prometheusOperator.namespaces`); its ClusterRole keeps Secrets access because the chart
 *   has no namespaced RBAC for the operator (templates/prometheus-operator/clusterrole.yaml), a
 *   deliberate exception listed in docs/security.md.
 * - No Alertmanager datasource in Grafana: Alertmanager is off (no receivers), and the chart adds the
 *   datasource on `grafana.sidecar.datasources.alertmanager.enabled`, not on `alertmanager.enabled`
 *   (templates/grafana/configmaps-datasources.yaml).
 * - Every Service is ClusterIP (reach Grafana/Prometheus with `kubectl port-forward`).
 * - Control-plane scrapes that cannot work on EKS (etcd, scheduler, controller manager, kube-proxy's
 *   localhost metrics) are off, so no target is permanently down.
 * - Everything but the node exporter DaemonSet runs on the system nodes.
 */
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { secretFileInitContainer, secretVolume, type ContainerJson } from '../../k8s/secret-file-init-container';
import { withDefaults } from '../defaults';
import { helmRelease } from './release';
import { PROMETHEUS_CPU_REQUEST, PROMETHEUS_MEMORY_GIB } from '../../lib/config/checks/serving';
import { GRAFANA_CONFIGMAP_READER_ROLE, GRAFANA_SERVICE_ACCOUNT } from '../../lib/names';

export const KUBE_PROMETHEUS_STACK_CHART = {
  chart: 'kube-prometheus-stack',
  repository: 'https://prometheus-community.github.io/helm-charts',
  release: 'kube-prometheus-stack',
} as const;

export { GRAFANA_SERVICE_ACCOUNT };
/** Share of the emptyDir sizeLimit Prometheus may fill with TSDB blocks before it deletes old ones. */
export const PROMETHEUS_RETENTION_SIZE_FRACTION = 0.8;
/**
 * Image of the CRD upgrade job's init container (it only runs `bzcat`); the chart default tag is
 * `latest`. The job's kubectl image follows the cluster version (registry.k8s.io/kubectl:<version>).
 */
export const CRD_UPGRADE_BUSYBOX_TAG = '1.37.0';
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
  /**
   * `sha256:…` of the CRD upgrade job's busybox image (config `monitoring.crdUpgradeImageDigest`).
   * @default none: pulled by the pinned tag
   */
  readonly crdUpgradeImageDigest?: string;
  /** Prometheus retention, e.g. '2d'. */
  readonly retention: string;
  /** emptyDir size limit of Prometheus, GiB. */
  readonly storageGiB: number;
  /** Grafana admin password: where the init container reads it. */
  readonly grafanaAdminSecret: { readonly secretArn: string; readonly region: string; readonly awsCliImage: string };
  /**
   * Label (one key, one value) of the ConfigMaps Grafana's sidecar provisions as dashboards.
   * @default { grafana_dashboard: '1' } (the chart's default)
   */
  readonly dashboardLabel?: Readonly<Record<string, string>>;
  /**
   * Namespaces besides the release's that hold dashboard ConfigMaps (the project namespace).
   * @default none
   */
  readonly dashboardNamespaces?: readonly string[];
  /**
   * Namespaces besides the release's whose ServiceMonitors/PodMonitors (and the Secrets they refer
   * to) the Prometheus operator may read.
   * @default none
   */
  readonly monitoredNamespaces?: readonly string[];
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
  readonly crds: {
    enabled: boolean;
    upgradeJob: { enabled: true; image: CrdUpgradeImageValues; nodeSelector: Record<string, string> };
  };
  readonly alertmanager: { enabled: boolean };
  readonly kubeEtcd: { enabled: boolean };
  readonly kubeScheduler: { enabled: boolean };
  readonly kubeControllerManager: { enabled: boolean };
  readonly kubeProxy: { enabled: boolean };
  readonly prometheusOperator: {
    nodeSelector: Record<string, string>;
    admissionWebhooks: { patch: { nodeSelector: Record<string, string> } };
    namespaces: { releaseNamespace: true; additional: string[] };
  };
  readonly 'kube-state-metrics': { nodeSelector: Record<string, string>; collectorsExclude: string[] };
  readonly 'prometheus-node-exporter': { tolerations: { operator: 'Exists'; effect?: string }[] };
  readonly prometheus: {
    service: { type: 'ClusterIP' };
    thanosServiceExternal: { enabled: false };
    prometheusSpec: {
      nodeSelector: Record<string, string>;
      retention: string;
      retentionSize: string;
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
    serviceAccount: { create: true; name: string; automountServiceAccountToken: true };
    rbac: { namespaced: true; useExistingRole: string };
    env: Record<string, string>;
    extraInitContainers: ContainerJson[];
    extraVolumes: ReturnType<typeof secretVolume>[];
    extraVolumeMounts: { name: string; mountPath: string; readOnly: true }[];
    sidecar: {
      dashboards: { skipReload: true; label: string; labelValue: string; searchNamespace: string[]; resource: 'configmap' };
      datasources: { skipReload: true; initDatasources: true; resource: 'configmap'; alertmanager: { enabled: false } };
    };
  };
}

/** `crds.upgradeJob.image` values: the busybox tag, and its digest when one is given. */
export interface CrdUpgradeImageValues {
  readonly busybox: { tag: string; sha?: string };
  /** The switch the chart's template tests (see crdUpgradeImage). */
  readonly sha?: string;
}

/**
 * The CRD upgrade job's busybox image, by digest when one is given. The chart (kube-prometheus-stack
 * 88.5.3, charts/crds/templates/upgrade/job.yaml) adds `@sha256:<busybox.sha>` only when
 * `upgradeJob.image.sha` is set, a key its values.yaml does not list (the kubectl image tests its own
 * `kubectl.sha`), so the hex digest goes into both. The template writes the `sha256:` prefix itself.
 */
export function crdUpgradeImage(digest?: string): CrdUpgradeImageValues {
  if (!digest) return { busybox: { tag: CRD_UPGRADE_BUSYBOX_TAG } };
  const hex = digest.replace(/^sha256:/, '');
  return { busybox: { tag: CRD_UPGRADE_BUSYBOX_TAG, sha: hex }, sha: hex };
}

/** `retentionSize` for an emptyDir of `storageGiB` (MiB, a unit the Prometheus CRD and Prometheus accept). */
export function prometheusRetentionSize(storageGiB: number): string {
  return `${Math.floor(storageGiB * 1024 * PROMETHEUS_RETENTION_SIZE_FRACTION)}MiB`;
}

/** Builds the typed values (exported for tests and docs). */
export function kubePrometheusStackValues(p: KubePrometheusStackProps): KubePrometheusStackValues {
  const sys = p.nodeSelector;
  const labels = Object.entries(p.dashboardLabel ?? { grafana_dashboard: '1' });
  if (labels.length !== 1) throw new Error(`dashboardLabel must have exactly one key, got ${JSON.stringify(p.dashboardLabel)}`);
  const [[label, labelValue]] = labels;
  const namespace = p.namespace ?? KUBE_PROMETHEUS_STACK_DEFAULTS.namespace;
  return {
    crds: { enabled: true, upgradeJob: { enabled: true, image: crdUpgradeImage(p.crdUpgradeImageDigest), nodeSelector: sys } },
    alertmanager: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: {
      nodeSelector: sys,
      admissionWebhooks: { patch: { nodeSelector: sys } },
      namespaces: { releaseNamespace: true, additional: [...new Set(p.monitoredNamespaces ?? [])].filter((n) => n !== namespace) },
    },
    'kube-state-metrics': { nodeSelector: sys, collectorsExclude: ['secrets'] },
    // Node metrics from every node, the GPU nodes included.
    'prometheus-node-exporter': { tolerations: [{ operator: 'Exists' }] },
    prometheus: {
      service: { type: 'ClusterIP' },
      thanosServiceExternal: { enabled: false },
      prometheusSpec: {
        nodeSelector: sys,
        retention: p.retention,
        retentionSize: prometheusRetentionSize(p.storageGiB),
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
      // automountServiceAccountToken: the chart's new name for the deprecated autoMount (grafana values.yaml).
      serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT, automountServiceAccountToken: true },
      rbac: { namespaced: true, useExistingRole: GRAFANA_CONFIGMAP_READER_ROLE },
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
        dashboards: {
          skipReload: true,
          label,
          labelValue,
          searchNamespace: [...new Set([namespace, ...(p.dashboardNamespaces ?? [])])],
          resource: 'configmap',
        },
        datasources: { skipReload: true, initDatasources: true, resource: 'configmap', alertmanager: { enabled: false } },
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
