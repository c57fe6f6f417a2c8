/**
 * Cross-checks against what the other parts of the project deploy, so a rename there breaks a test
 * here instead of a benchmark run: the Prometheus Service the CLI queries, the decode pods it resets,
 * the claims and results directory its Job mounts.
 */
import { defaultConfig } from '../../lib/config';
import { KUBE_PROMETHEUS_STACK_CHART } from '../../constructs/helm/kube-prometheus-stack';
import { MONITORING_NAMESPACE } from '../../lib/stacks/platform-stack';
import { prometheusServiceRef } from '../../lib/bench/prometheus';
import { renderBenchmarkJob, exampleBenchmarkRun, relativeResultsPath } from '../../k8s/bench/benchmark-job';
import { allObjects, renderCharts } from '../../k8s/render';
import { sharedNames } from '../../k8s/names';

const config = defaultConfig();
const objects = allObjects(renderCharts(config));

describe('integration with the platform and workloads', () => {
  test('benchmark.prometheusService is the Service kube-prometheus-stack creates for the platform stack\'s release', () => {
    // kube-prometheus-stack names it `<fullname>-prometheus` (fullname = the release when it contains
    // the chart name, cut to 26 characters) and serves on prometheus.service.port, 9090 by default.
    const { chart, release } = KUBE_PROMETHEUS_STACK_CHART;
    const fullname = (release.includes(chart) ? release : `${release}-${chart}`).slice(0, 26).replace(/-+$/, '');
    expect(prometheusServiceRef(config)).toEqual({ namespace: MONITORING_NAMESPACE, service: `${fullname}-prometheus`, port: 9090 });
  });

  test('the Job mounts claims that the model-store chart creates, and the results directory the loader prepares', () => {
    const n = sharedNames(config);
    const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name);
    expect(claims).toEqual(expect.arrayContaining([n.modelsPvcReadOnly, n.resultsPvc]));
    const job = renderBenchmarkJob(config, exampleBenchmarkRun(config));
    const used = job.spec.template.spec.volumes.map((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName).filter(Boolean);
    expect(used.sort()).toEqual([n.modelsPvcReadOnly, n.resultsPvc].sort());
    expect(`${config.modelStore.mountPath}/${relativeResultsPath(config)}`).toBe(n.resultsDir);
  });

  test('the registry renders the benchmark Job example as a cli chart', () => {
    const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/name'] === 'llmd-bench-client');
    expect(jobs.map((j) => j.metadata.name)).toEqual(['llmd-bench-rr-main-inf-example']);
  });
});
