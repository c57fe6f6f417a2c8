/**
 * Every cdk8s chart of the project, in apply order. One list for three consumers: `npm run render`
 * (one YAML file per chart), the workloads stack (a KubernetesManifest per `stack` chart, each
 * depending on the one before), and the tests (render, validate, check invariants on all of them).
 */
import type { App, Chart } from 'cdk8s';
import type { BenchConfig } from '../lib/config';
import { BenchmarkJobChart, exampleBenchmarkRun } from './bench/benchmark-job';
import { CrdsChart } from './charts/crds-chart';
import { DcgmMonitorChart, MonitoringChart } from './charts/monitoring-chart';
import { NamespaceChart } from './charts/namespace-chart';
import { NetworkPolicyChart } from './charts/network-policy-chart';
import { RenderChart } from './charts/render-chart';
import { OperatorRbacChart } from './charts/operator-rbac-chart';
import { RouterChart } from './charts/router-chart';
import { VllmDecodeChart } from './charts/vllm-decode-chart';
import { LoaderChart } from './model-store/loader-chart';
import { ModelStoreChart } from './model-store/model-store-chart';

/** Values only the AWS deployment knows: CDK tokens in the stack, named placeholders in `render`. */
export interface ChartDeps {
  /** FSx for Lustre file system id (`fs-...`), the static PV's volumeHandle. */
  readonly fileSystemId: string;
  /** FSx DNS name (`fs-....fsx.<region>.amazonaws.com`). */
  readonly dnsName: string;
  /** FSx Lustre mount name. */
  readonly mountName: string;
}

/**
 * Where a chart goes:
 * - `stack`: applied by the CDK workloads stack, in list order; rendered to `dist/manifests/NN-<id>.yaml`.
 * - `cli`: created at run time by the `llmd-bench` CLI (benchmark Jobs); rendered to `dist/manifests/jobs/`.
 * - `optional`: not applied by the CDK app; rendered to `dist/manifests/optional/` for clusters that need it.
 */
export type ChartTarget = 'stack' | 'cli' | 'optional';

export interface ChartEntry {
  /** Construct id of the chart and stem of its manifest file. */
  readonly id: string;
  readonly target: ChartTarget;
  /** Who maintains the chart (platform, workloads or benchmark engineer). */
  readonly owner: 'platform' | 'workloads' | 'benchmark';
  /** One line for the render index and the docs. */
  readonly description: string;
  readonly build: (app: App, config: BenchConfig, deps: ChartDeps) => Chart;
}

export const CHARTS: readonly ChartEntry[] = [
  {
    id: 'crds', target: 'stack', owner: 'workloads',
    description: 'InferencePool CRD (GAIE v1.6.0), applied before any custom resource',
    build: (app) => new CrdsChart(app, 'crds'),
  },
  {
    id: 'namespace', target: 'stack', owner: 'workloads',
    description: 'Project namespace (Pod Security restricted) and loader namespace (baseline); admission policy refusing LoadBalancer/NodePort Services in both',
    build: (app, config) => new NamespaceChart(app, 'namespace', { config }),
  },
  {
    id: 'network-policy', target: 'stack', owner: 'workloads',
    description: 'NetworkPolicies: default deny in both namespaces, then exactly the connections the benchmark needs (each with its reason)',
    build: (app, config) => new NetworkPolicyChart(app, 'network-policy', { config }),
  },
  {
    id: 'model-store', target: 'stack', owner: 'platform',
    description: 'Static FSx for Lustre PVs and PVCs: models-ro (read-only), models-rw (loader namespace only), results-rw (the results fileset, benchmark client)',
    build: (app, config, deps) => new ModelStoreChart(app, 'model-store', { config, ...deps }),
  },
  {
    id: 'model-loader', target: 'stack', owner: 'platform',
    description: 'One-shot Job (loader namespace) that puts the model weights on FSx, verifies every file against the Hub\'s hashes and writes the completion marker last',
    build: (app, config) => new LoaderChart(app, 'model-loader', { config }),
  },
  {
    id: 'vllm-decode', target: 'stack', owner: 'workloads',
    description: 'vLLM decode Deployment (one replica per GPU), round-robin Service, PDB',
    build: (app, config) => new VllmDecodeChart(app, 'vllm-decode', { config }),
  },
  {
    id: 'render', target: 'stack', owner: 'workloads',
    description: 'Render server (`vllm launch render`, CPU only) the EPP tokenizes through, and its vllm-render Service',
    build: (app, config) => new RenderChart(app, 'render', { config }),
  },
  {
    id: 'router', target: 'stack', owner: 'workloads',
    description: 'InferencePool, llm-d EPP with Envoy sidecar, RBAC, EndpointPickerConfig, llm-d-router Service',
    build: (app, config) => new RouterChart(app, 'router', { config }),
  },
  {
    id: 'monitoring', target: 'stack', owner: 'workloads',
    description: 'PodMonitor (vLLM), ServiceMonitor (EPP) with its metrics reader, Grafana dashboard',
    build: (app, config) => new MonitoringChart(app, 'monitoring', { config }),
  },
  {
    id: 'operator-rbac', target: 'stack', owner: 'platform',
    description: 'Least-privilege RBAC of the llmd-bench-operators group (cluster.operatorRoleArns) and Grafana\'s ConfigMap reader in the project namespace',
    build: (app, config) => new OperatorRbacChart(app, 'operator-rbac', { config }),
  },
  {
    id: 'benchmark-job', target: 'cli', owner: 'benchmark',
    description: 'Example `vllm bench serve` Job (round-robin, main run); the CLI creates one per run',
    build: (app, config) => new BenchmarkJobChart(app, 'benchmark-job', { config, run: exampleBenchmarkRun(config) }),
  },
  {
    id: 'dcgm-monitor', target: 'optional', owner: 'workloads',
    description: 'ServiceMonitor for the DCGM exporter, only where the GPU operator does not create one',
    build: (app, config) => new DcgmMonitorChart(app, 'dcgm-monitor', { config }),
  },
];

/** Charts of one target, in apply order. */
export function chartsFor(target: ChartTarget): readonly ChartEntry[] {
  return CHARTS.filter((e) => e.target === target);
}
