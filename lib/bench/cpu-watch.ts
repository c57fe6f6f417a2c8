/**
 * Whether the containers on a measured path had the CPU they asked for during a run, from cAdvisor.
 * How a shortage shows depends on the container's CPU limit, so the list of containers and how each
 * is measured come from the rendered manifests, never from a literal:
 * - a container WITH a CPU limit has a CFS quota and is throttled when it uses it up:
 *   `container_cpu_cfs_throttled_periods_total / container_cpu_cfs_periods_total` (share of CFS
 *   periods in which it was throttled). Today: the render server (`vllm-render`, on the llm-d arm's
 *   critical path: every request is tokenized through it) and the benchmark client.
 * - a container WITHOUT a CPU limit (vLLM, EPP, Envoy) has no CFS quota, so those series are absent or
 *   zero and can never warn; it lacks CPU only when the node's CPU is contended. That shows as CPU
 *   pressure (PSI "some": time in which at least one of its tasks was runnable but waiting for a CPU),
 *   `container_pressure_cpu_waiting_seconds_total`.
 * Sources: the kubelet exports the PSI series on /metrics/cadvisor (KEP-4205; beta and on by default
 * in Kubernetes 1.34, GA with the KubeletPSI gate locked on in 1.36, kubernetes.io "Understand PSI
 * metrics"), on cgroup v2 nodes with PSI enabled: the EKS AL2023 AMIs are cgroup v2 and their kernels
 * enable PSI by default since 6.1.19-30.43 (amazonlinux/amazon-linux-2023#271). kube-prometheus-stack
 * 88.5.3's kubelet ServiceMonitor keeps both families (its cAdvisorMetricRelabelings drop only
 * `container_cpu_cfs_throttled_seconds_total`, load/system/user, not the periods or pressure series).
 */
import type { BenchConfig } from '../config';
import { exampleBenchmarkRun } from '../../k8s/bench/benchmark-job';
import { renderHarnessJob } from '../../k8s/bench/harness-job';
import { allObjects, renderCharts, type K8sObject } from '../../k8s/render';
import type { PrometheusApi, PromSeries } from './cluster/types';
import { cpuFigures, type CpuWatch } from './cpu-figures';
import type { ThrottlingFigure } from './result-format';

export const CADVISOR_METRICS = {
  throttledPeriods: 'container_cpu_cfs_throttled_periods_total',
  periods: 'container_cpu_cfs_periods_total',
  pressureWaiting: 'container_pressure_cpu_waiting_seconds_total',
  usage: 'container_cpu_usage_seconds_total',
} as const;

/** Kubernetes CPU quantity (`4`, `500m`, `1.5`) in cores; undefined when absent or unreadable. */
export function cpuCores(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
}

function podSpec(o: K8sObject): Record<string, any> | undefined {
  return o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
}

/**
 * The containers that run during a benchmark (the app containers of every workload in the project
 * namespace, plus the benchmark client Job of the configured harness), each with how it is measured.
 * Init containers are left out: they have finished before a run starts.
 */
export function cpuWatchFromManifests(objects: readonly K8sObject[], namespace: string): CpuWatch[] {
  const out = new Map<string, CpuWatch>();
  for (const o of objects) {
    if (o.metadata?.namespace !== namespace) continue;
    for (const c of podSpec(o)?.containers ?? []) {
      const limit = cpuCores(c.resources?.limits?.cpu) ?? null;
      const watch: CpuWatch = { container: c.name, cpuLimitCores: limit, measure: limit === null ? 'pressure' : 'throttling' };
      const seen = out.get(c.name);
      // Two workloads with one container name: measure it the way that cannot miss a shortage.
      if (!seen || (seen.measure === 'throttling' && watch.measure === 'pressure')) out.set(c.name, watch);
    }
  }
  return [...out.values()];
}

const cache = new WeakMap<BenchConfig, CpuWatch[]>();

/** The containers a run watches under this config (rendered once per config object). */
export function cpuWatchFor(config: BenchConfig): CpuWatch[] {
  let watch = cache.get(config);
  if (!watch) {
    const objects = [...allObjects(renderCharts(config, undefined, ['stack'])), renderHarnessJob(config, exampleBenchmarkRun(config)) as K8sObject];
    watch = cpuWatchFromManifests(objects, config.project.namespace);
    cache.set(config, watch);
  }
  return watch;
}

/** PromQL of the CPU figures, per pod and container, over a window of `win` (`[Ns]`). */
export function cpuQueries(config: BenchConfig, win: string) {
  const ns = `namespace="${config.project.namespace}"`;
  const watch = cpuWatchFor(config);
  const limited = watch.filter((w) => w.measure === 'throttling').map((w) => w.container);
  const all = `container=~"${watch.map((w) => w.container).join('|')}"`;
  const byPod = 'sum by (pod, container)';
  return {
    throttled: limited.length === 0 ? undefined
      : `${byPod} (increase(${CADVISOR_METRICS.throttledPeriods}{${ns},container=~"${limited.join('|')}"}${win}))`
        + ` / ${byPod} (increase(${CADVISOR_METRICS.periods}{${ns},container=~"${limited.join('|')}"}${win}))`,
    // Seconds waited per second of the window: the share of the run some task of the container waited.
    pressure: `${byPod} (rate(${CADVISOR_METRICS.pressureWaiting}{${ns},${all}}${win}))`,
    cpuCores: `${byPod} (rate(${CADVISOR_METRICS.usage}{${ns},${all}}${win}))`,
  };
}

async function instant(prom: PrometheusApi, expr: string | undefined, time: number): Promise<PromSeries[] | undefined> {
  if (expr === undefined) return undefined;
  try {
    return await prom.query(expr, time);
  } catch {
    return undefined;
  }
}

/** Queries Prometheus for the CPU figures of one run (window `win` ending at `at`). */
export async function measureCpu(prom: PrometheusApi, config: BenchConfig, win: string, at: number): Promise<ThrottlingFigure[]> {
  const q = cpuQueries(config, win);
  const [throttled, pressure, cores] = await Promise.all([instant(prom, q.throttled, at), instant(prom, q.pressure, at), instant(prom, q.cpuCores, at)]);
  return cpuFigures(cpuWatchFor(config), { throttled, pressure, cores });
}

