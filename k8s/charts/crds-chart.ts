/**
 * The CRDs we own: applied before any chart that creates their custom resources. Read from the
 * vendored, unedited upstream files in k8s/crds/ (see SOURCES.md there).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { parse } from 'yaml';

/** Directory of the vendored CRDs. */
export const CRD_DIR = join(__dirname, '..', 'crds');
/** CRDs this project applies (the Prometheus Operator ones come with kube-prometheus-stack). */
export const APPLIED_CRD_FILES: readonly string[] = ['inference.networking.k8s.io_inferencepools.yaml'];
/** Every vendored CRD, applied or not: the validator checks custom resources against all of them. */
export const VENDORED_CRD_FILES: readonly string[] = [
  'inference.networking.k8s.io_inferencepools.yaml',
  'monitoring.coreos.com_podmonitors.yaml',
  'monitoring.coreos.com_servicemonitors.yaml',
];

/** A vendored CRD as a plain object. */
export function loadCrd(file: string): Record<string, any> {
  return parse(readFileSync(join(CRD_DIR, file), 'utf8')) as Record<string, any>;
}

export class CrdsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const file of APPLIED_CRD_FILES) {
      // Drop the generator's empty `status` stanza: status belongs to the API server.
      const { status: _status, ...crd } = loadCrd(file);
      new ApiObject(this, crd.metadata.name, crd as any);
    }
  }
}
