/**
 * Schema validation of rendered Kubernetes objects, offline:
 * - built-in kinds against the Kubernetes v1.36.0 OpenAPI schema (the cluster's version; package
 *   kubernetes-models 5.1.0) plus an unknown-field check (field lists of @kubernetes/client-node 1.4.0,
 *   Kubernetes v1.34.0), in a child process (see core-worker.mjs for why);
 * - custom resources against the vendored CRDs' openAPIV3Schema (ajv, strict about unknown fields).
 * An object of a kind neither source knows is an issue too: nothing goes unvalidated.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { crdGroups, crdValidators, gvk } from './crd-schemas';

export interface ValidationIssue {
  /** Index of the object in the array given to validateObjects. */
  readonly index: number;
  /** `Kind/name` of the object. */
  readonly object: string;
  /** JSON pointer inside the object ('' for the object itself). */
  readonly path: string;
  readonly message: string;
}

/** Kubernetes version of the built-in schema (kubernetes-models 5.1.0). */
export const SCHEMA_KUBERNETES_VERSION = '1.36.0';
/** Kubernetes version of the field lists used for the unknown-field check (@kubernetes/client-node 1.4.0). */
export const FIELD_LIST_KUBERNETES_VERSION = '1.34.0';

const WORKER = join(__dirname, 'core-worker.mjs');
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type Obj = Record<string, any>;

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function describe(o: Obj): string {
  return `${o?.kind ?? '?'}/${o?.metadata?.name ?? '?'}`;
}

/** Runs the built-in-kind checks in a child Node process; returns issues with local indexes. */
function validateCore(objects: readonly Obj[]): { index: number; path: string; message: string }[] {
  if (objects.length === 0) return [];
  const out = execFileSync(process.execPath, [WORKER], {
    input: JSON.stringify(objects),
    cwd: join(__dirname, '..', '..'),
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

/** Validates every object; returns all issues (empty when everything is valid). */
export function validateObjects(objects: readonly Obj[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const groups = crdGroups();
  const validators = crdValidators();
  const core: { index: number; obj: Obj }[] = [];

  objects.forEach((o, index) => {
    const add = (path: string, message: string) => issues.push({ index, object: describe(o), path, message });
    if (!o || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      add('', 'apiVersion and kind must be strings');
      return;
    }
    if (!groups.has(groupOf(o.apiVersion))) {
      core.push({ index, obj: o });
      return;
    }
    const v = validators.get(gvk(o.apiVersion, o.kind));
    if (!v) {
      add('', `no vendored CRD defines ${o.apiVersion} ${o.kind}`);
      return;
    }
    const name = o.metadata?.name;
    if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name) || name.length > 253) add('/metadata/name', 'must be a DNS-1123 subdomain');
    if (v.namespaced && typeof o.metadata?.namespace !== 'string') add('/metadata/namespace', 'required for a namespaced custom resource');
    if (!v.validate(o)) {
      for (const e of v.validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
        add(e.instancePath, `${e.message ?? e.keyword}${extra}`);
      }
    }
  });

  for (const r of validateCore(core.map((c) => c.obj))) {
    const { index, obj } = core[r.index];
    issues.push({ index, object: describe(obj), path: r.path, message: r.message });
  }
  return issues.sort((a, b) => a.index - b.index);
}

/** One line per issue, for error messages. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  - ${i.object}${i.path}: ${i.message}`).join('\n');
}
