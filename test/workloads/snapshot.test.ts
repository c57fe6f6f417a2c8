/**
 * Snapshot of the rendered YAML of every chart (default config): a review sees exactly what a change
 * does to the manifests. Stable: no timestamps, hashes or paths (the EPP config hash is content-derived).
 */
import { defaultConfig } from '../../lib/config';
import { renderCharts, toYaml } from '../../k8s/render';

const charts = renderCharts(defaultConfig());

describe('rendered manifests', () => {
  // Keyed by chart id (not file name), so inserting a chart does not rename every snapshot.
  test.each(charts.map((c) => [c.entry.id, c] as const))('%s', (_id, chart) => {
    expect(toYaml(chart.objects)).toMatchSnapshot();
  });
});
