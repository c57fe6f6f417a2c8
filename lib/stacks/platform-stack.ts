/**
 * LlmdBench-Platform: cluster-wide vendor Helm charts, pinned by config.
 * 0. Their namespaces, `monitoring` and `gpu-operator`, with explicit Pod Security labels and the
 *    reason (constructs/vendor-namespaces.ts), Grafana's ConfigMap-only Role in `monitoring`, and the
 *    ingress NetworkPolicies of Prometheus and Grafana (k8s/charts/network-policy-chart.ts).
 * 1. kube-prometheus-stack (namespace `monitoring`): Prometheus + Grafana on the system nodes. The
 *    Grafana admin password is a generated Secrets Manager secret, read in-cluster through Pod Identity.
 * 2. NVIDIA gpu-operator (namespace `gpu-operator`), after (1), so its DCGM ServiceMonitor is created.
 */
import { CfnOutput, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GpuOperator } from '../../constructs/helm/gpu-operator';
import { GRAFANA_ADMIN_USER, KubePrometheusStack } from '../../constructs/helm/kube-prometheus-stack';
import { PodIdentityRole } from '../../constructs/pod-identity-role';
import { VendorNamespaces } from '../../constructs/vendor-namespaces';
import { GRAFANA_DASHBOARD_LABEL } from '../../k8s/charts/monitoring-chart';
import { monitoringNetworkPolicies } from '../../k8s/charts/network-policy-chart';
import { operatorPrometheusAccess } from '../../k8s/charts/operator-rbac-chart';
import { NODE_ROLE_LABEL, SYSTEM_NODE_ROLE } from '../../k8s/names';
import type { BenchConfig } from '../config';
import { awsCliImage } from '../config/images';
import { GPU_OPERATOR_NAMESPACE, GRAFANA_CONFIGMAP_READER_ROLE, GRAFANA_SERVICE_ACCOUNT, MONITORING_NAMESPACE } from '../names';
import { PinnedAzStack } from './pinned-az-stack';

export { GPU_OPERATOR_NAMESPACE, MONITORING_NAMESPACE, PLATFORM_STACK_NAME } from '../names';

export interface PlatformStackProps extends StackProps {
  readonly config: BenchConfig;
  /** The cluster, with its kubectl provider. */
  readonly cluster: eks.ICluster;
}

export class PlatformStack extends PinnedAzStack {
  readonly grafanaAdminSecret: secretsmanager.Secret;
  readonly namespaces: VendorNamespaces;
  readonly monitoring: KubePrometheusStack;
  readonly gpuOperator: GpuOperator;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, { ...props, pinnedAvailabilityZones: props.config.aws.availabilityZones });
    const c = props.config;
    const systemNodes = { [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE };
    const projectNamespace = c.project.namespace;

    this.namespaces = new VendorNamespaces(this, 'Namespaces', {
      cluster: props.cluster,
      namespaces: [
        { name: MONITORING_NAMESPACE, reason: 'node exporter: hostNetwork, hostPID, hostPath / (kube-prometheus-stack); everything else here is baseline' },
        { name: GPU_OPERATOR_NAMESPACE, reason: 'NVIDIA GPU operator operands: privileged device plugin, GFD, DCGM exporter, validator, NFD worker with host paths' },
      ],
      configMapReader: { roleName: GRAFANA_CONFIGMAP_READER_ROLE, namespaces: [MONITORING_NAMESPACE] },
      // The operator group (cluster.operatorRoleArns) reads Prometheus through the service proxy;
      // Prometheus and Grafana take connections only from whom they serve (security review finding 2).
      extraObjects: [...operatorPrometheusAccess(c), ...monitoringNetworkPolicies(c)],
    });

    // CloudFormation picks the name: a fixed name would block a redeploy during the deleted secret's
    // recovery window.
    this.grafanaAdminSecret = new secretsmanager.Secret(this, 'GrafanaAdminPassword', {
      description: `Grafana admin password of EKS cluster ${c.cluster.name} (user "${GRAFANA_ADMIN_USER}")`,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const grafanaIdentity = new PodIdentityRole(this, 'GrafanaIdentity', {
      cluster: props.cluster,
      namespace: MONITORING_NAMESPACE,
      serviceAccount: GRAFANA_SERVICE_ACCOUNT,
      description: 'Grafana: read its admin password secret',
      statements: [new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.grafanaAdminSecret.secretArn] })],
    });

    this.monitoring = new KubePrometheusStack(this, 'KubePrometheusStack', {
      cluster: props.cluster,
      version: c.monitoring.kubePrometheusStackVersion,
      namespace: MONITORING_NAMESPACE,
      nodeSelector: systemNodes,
      retention: c.monitoring.prometheusRetention,
      storageGiB: c.monitoring.prometheusStorageGiB,
      crdUpgradeImageDigest: c.monitoring.crdUpgradeImageDigest,
      grafanaAdminSecret: { secretArn: this.grafanaAdminSecret.secretArn, region: c.aws.region, awsCliImage: awsCliImage(c).ref },
      dashboardLabel: GRAFANA_DASHBOARD_LABEL,
      // The serving dashboard's ConfigMap lives in the project namespace.
      dashboardNamespaces: [projectNamespace],
      // vLLM PodMonitor and EPP ServiceMonitor (project), DCGM ServiceMonitor (gpu-operator), the
      // kubelet endpoints the operator maintains (kube-system).
      monitoredNamespaces: [projectNamespace, GPU_OPERATOR_NAMESPACE, 'kube-system'],
    });
    // Grafana's pods wait for the chart; the association must exist before they start.
    this.monitoring.node.addDependency(grafanaIdentity, this.namespaces);

    this.gpuOperator = new GpuOperator(this, 'GpuOperator', {
      cluster: props.cluster,
      version: c.monitoring.gpuOperatorVersion,
      namespace: GPU_OPERATOR_NAMESPACE,
      nodeSelector: systemNodes,
    });
    // The DCGM exporter's ServiceMonitor needs the Prometheus operator's CRDs.
    this.gpuOperator.node.addDependency(this.monitoring, this.namespaces);

    new CfnOutput(this, 'GrafanaAdminSecretArn', {
      value: this.grafanaAdminSecret.secretArn,
      description: `Grafana password (user ${GRAFANA_ADMIN_USER}): aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text`,
    });
  }
}
