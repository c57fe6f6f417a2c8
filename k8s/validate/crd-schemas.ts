/**
 * Validators for custom resources, compiled with ajv from the vendored CRDs' `openAPIV3Schema`.
 *
 * Strict like the API server's field validation: where a schema lists `properties` and neither
 * allows additional properties nor sets `x-kubernetes-preserve-unknown-fields`, an unknown field is an
 * error (the API server would prune it silently, and `kubectl apply --validate=strict` rejects it).
 * Not evaluated: CEL rules (`x-kubernetes-validations`); the tests check the ones that matter
 * (e.g. InferencePool port uniqueness) as invariants.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { loadCrd, VENDORED_CRD_FILES } from '../charts/crds-chart';

/** `group/version` + kind of a custom resource. */
export function gvk(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

export interface CrdValidator {
  readonly validate: ValidateFunction;
  readonly namespaced: boolean;
}

const K8S_EXTENSIONS = [
  'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
];

/** Copies a schema, closing every object schema that does not explicitly allow unknown fields. */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    // `properties` and `patternProperties` map names to schemas; recurse into each value.
    out[k] = (k === 'properties' || k === 'patternProperties') && v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, strictSchema(pv)]))
      : strictSchema(v);
  }
  if (s.properties && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

let cache: Map<string, CrdValidator> | undefined;

/** One validator per served version of every vendored CRD, keyed by `gvk()`. */
export function crdValidators(): Map<string, CrdValidator> {
  if (cache) return cache;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const keyword of K8S_EXTENSIONS) ajv.addKeyword({ keyword });
  const out = new Map<string, CrdValidator>();
  for (const file of VENDORED_CRD_FILES) {
    const crd = loadCrd(file);
    for (const version of crd.spec.versions as { name: string; served: boolean; schema: { openAPIV3Schema: unknown } }[]) {
      if (!version.served) continue;
      const schema = strictSchema(version.schema.openAPIV3Schema) as Record<string, unknown>;
      // apiVersion, kind and metadata are the API server's; only spec (and status) come from the CRD.
      const props = (schema.properties ?? {}) as Record<string, unknown>;
      props.metadata = { type: 'object' };
      out.set(gvk(`${crd.spec.group}/${version.name}`, crd.spec.names.kind), {
        validate: ajv.compile(schema),
        namespaced: crd.spec.scope === 'Namespaced',
      });
    }
  }
  cache = out;
  return out;
}

/** API groups the vendored CRDs define (objects of these groups are custom resources). */
export function crdGroups(): Set<string> {
  return new Set(VENDORED_CRD_FILES.map((f) => loadCrd(f).spec.group as string));
}
