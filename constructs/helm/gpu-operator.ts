/**
 * NVIDIA GPU operator from NVIDIA's Helm repository, configured for the EKS AL2023 NVIDIA AMI:
 *
 * - driver and container toolkit disabled: the AMI ships the driver, the NVIDIA container toolkit and
 *   a containerd configured for it; the operator installing its own would fight the AMI.
 * - device plugin (advertises nvidia.com/gpu), GPU feature discovery (node labels) and the DCGM
 *   exporter with a ServiceMonitor: those DaemonSets tolerate the GPU taint (the chart's
 *   `daemonsets.tolerations`, set explicitly here).
 * - the operator and node-feature-discovery's master and garbage collector run on the system nodes;
 *   NFD's worker runs everywhere (it tolerates the GPU taint) to label the GPU nodes.
 * - installed after kube-prometheus-stack (the caller adds the dependency): the operator creates the
 *   DCGM ServiceMonitor only when the Prometheus operator's CRDs exist.
 */
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { GPU_NODE_TAINT } from '../../k8s/names';
import { withDefaults } from '../defaults';
import { helmRelease } from './release';

export const GPU_OPERATOR_CHART = {
  chart: 'gpu-operator',
  repository: 'https://helm.ngc.nvidia.com/nvidia',
  release: 'gpu-operator',
} as const;

export interface GpuOperatorProps {
  readonly cluster: eks.ICluster;
  /** Chart version (config `monitoring.gpuOperatorVersion`), e.g. v26.7.0. */
  readonly version: string;
  /** @default 'gpu-operator' */
  readonly namespace?: string;
  /** Node selector of the operator and NFD's control pods (the system nodes). */
  readonly nodeSelector: Record<string, string>;
  /** Helm's --timeout (see KubePrometheusStackProps.timeout). @default 12 minutes */
  readonly timeout?: Duration;
}

export const GPU_OPERATOR_DEFAULTS = { namespace: 'gpu-operator', timeout: Duration.minutes(12) } as const;

type Toleration = { key: string; operator: 'Exists'; effect: string };

/** The values we give the chart (the subset of its values.yaml this project sets). */
export interface GpuOperatorValues {
  readonly operator: { nodeSelector: Record<string, string> };
  readonly driver: { enabled: false };
  readonly toolkit: { enabled: false };
  readonly devicePlugin: { enabled: true };
  readonly gfd: { enabled: true };
  readonly dcgmExporter: { enabled: true; serviceMonitor: { enabled: true; interval: string } };
  readonly daemonsets: { tolerations: Toleration[] };
  readonly nfd: { enabled: true };
  readonly 'node-feature-discovery': {
    master: { nodeSelector: Record<string, string> };
    gc: { nodeSelector: Record<string, string> };
  };
}

export function gpuOperatorValues(p: GpuOperatorProps): GpuOperatorValues {
  const gpuToleration: Toleration = { key: GPU_NODE_TAINT.key, operator: 'Exists', effect: GPU_NODE_TAINT.effect };
  return {
    operator: { nodeSelector: p.nodeSelector },
    driver: { enabled: false },
    toolkit: { enabled: false },
    devicePlugin: { enabled: true },
    gfd: { enabled: true },
    dcgmExporter: { enabled: true, serviceMonitor: { enabled: true, interval: '15s' } },
    daemonsets: { tolerations: [gpuToleration] },
    nfd: { enabled: true },
    'node-feature-discovery': {
      master: { nodeSelector: p.nodeSelector },
      gc: { nodeSelector: p.nodeSelector },
    },
  };
}

export class GpuOperator extends Construct {
  readonly chart: eks.HelmChart;
  readonly values: GpuOperatorValues;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: GpuOperatorProps) {
    super(scope, id);
    const p = withDefaults(GPU_OPERATOR_DEFAULTS, props);
    if (!/^v\d+\.\d+\.\d+$/.test(p.version)) throw new Error(`GpuOperator ${id}: version must be vX.Y.Z, got ${p.version}`);
    this.namespace = p.namespace;
    this.values = gpuOperatorValues(p);
    this.chart = helmRelease(this, GPU_OPERATOR_CHART, { cluster: p.cluster, version: p.version, namespace: p.namespace, values: this.values, timeout: p.timeout });
  }
}
