/**
 * Renders every chart of the registry to plain Kubernetes objects, offline. Used by `npm run render`
 * and by the tests (render once per test file, assert on the result).
 */
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import type { BenchConfig } from '../lib/config';
import { CHARTS, type ChartDeps, type ChartEntry, type ChartTarget } from './registry';

/** A Kubernetes object as rendered (plain JSON). */
export type K8sObject = Record<string, any> & { apiVersion: string; kind: string; metadata: Record<string, any> };

export interface RenderedChart {
  readonly entry: ChartEntry;
  /** Path of the manifest file relative to the output directory. */
  readonly file: string;
  readonly objects: readonly K8sObject[];
}

/**
 * What `npm run render` writes where the CDK app would put a deploy-time value. The README tells
 * bring-your-own-cluster users to replace them (e.g. with envsubst) before `kubectl apply`.
 */
export const RENDER_PLACEHOLDERS: ChartDeps = {
  fileSystemId: '${FSX_FILE_SYSTEM_ID}',
  dnsName: '${FSX_DNS_NAME}',
  mountName: '${FSX_MOUNT_NAME}',
};

const SUBDIR: Record<ChartTarget, string> = { stack: '', cli: 'jobs/', optional: 'optional/' };

/** Manifest file of each chart: `NN-<id>.yaml` in apply order for `stack` charts, else in a subfolder. */
export function manifestFile(entry: ChartEntry, indexInTarget: number): string {
  return entry.target === 'stack'
    ? `${String(indexInTarget).padStart(2, '0')}-${entry.id}.yaml`
    : `${SUBDIR[entry.target]}${entry.id}.yaml`;
}

/** Renders all charts (or those of some targets) with the given deploy-time values. */
export function renderCharts(config: BenchConfig, deps: ChartDeps = RENDER_PLACEHOLDERS, targets?: readonly ChartTarget[]): RenderedChart[] {
  const app = new App();
  const counters = new Map<ChartTarget, number>();
  const out: RenderedChart[] = [];
  for (const entry of CHARTS) {
    const index = counters.get(entry.target) ?? 0;
    counters.set(entry.target, index + 1);
    if (targets && !targets.includes(entry.target)) continue;
    const chart = entry.build(app, config, deps);
    out.push({ entry, file: manifestFile(entry, index), objects: chart.toJson() as K8sObject[] });
  }
  return out;
}

/** All objects of a render, flattened. */
export function allObjects(charts: readonly RenderedChart[]): K8sObject[] {
  return charts.flatMap((c) => [...c.objects]);
}

/** A multi-document YAML file, deterministic (keys in construction order, no timestamps). */
export function toYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
