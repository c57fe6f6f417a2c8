// Validates built-in Kubernetes objects (reads a JSON array from stdin, prints a JSON array of issues).
// A separate Node process because both schema sources are ESM-only packages, which jest (CommonJS)
// cannot load:
//  - kubernetes-models 5.1.0: JSON-schema validators generated from the Kubernetes v1.36.0 OpenAPI
//    spec (types, required fields, enums, formats such as quantities and int32).
//  - @kubernetes/client-node 1.4.0: model classes generated from the v1.34.0 OpenAPI spec; their
//    attribute maps list every field, so an unknown field is reported, as `kubectl apply`
//    (--validate=strict) would reject it at deploy time.
import * as clientNode from '@kubernetes/client-node';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));

/** Class name in client-node: `apps/v1` + `Deployment` -> `V1Deployment`. */
function clientNodeClass(apiVersion, kind) {
  const version = apiVersion.split('/').pop();
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** Walks `value` against client-node's attribute map of `type`; reports fields the type lacks. */
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, m[1], `${path}/${i}`, out));
    return;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) unknownFields(v, m[1], `${path}/${k}`, out);
    return;
  }
  const cls = clientNode[type];
  if (!cls || !Array.isArray(cls.attributeTypeMap) || typeof value !== 'object' || Array.isArray(value)) return;
  const attrs = new Map(cls.attributeTypeMap.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!attrs.has(k)) out.push({ path: `${path}/${k}`, message: `unknown field "${k}" (not in ${type})` });
    else unknownFields(v, attrs.get(k), `${path}/${k}`, out);
  }
}

const issues = [];
for (let index = 0; index < objects.length; index++) {
  const obj = objects[index];
  const { apiVersion, kind } = obj;
  let Model;
  try {
    Model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    issues.push({ index, path: '', message: `no schema for ${apiVersion} ${kind}: not a built-in kind of Kubernetes v1.36 and no vendored CRD defines it` });
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    const errors = Array.isArray(e.errors) ? e.errors : [{ instancePath: '', message: String(e.message ?? e) }];
    for (const err of errors) {
      const extra = err.params && err.params.allowedValues ? ` (allowed: ${err.params.allowedValues.join(', ')})` : '';
      issues.push({ index, path: err.instancePath ?? '', message: `${err.message}${extra}` });
    }
  }
  const type = clientNodeClass(apiVersion, kind);
  if (!clientNode[type]) {
    issues.push({ index, path: '', message: `no field list for ${apiVersion} ${kind} (${type})` });
    continue;
  }
  const unknown = [];
  unknownFields(obj, type, '', unknown);
  for (const u of unknown) issues.push({ index, ...u });
}
process.stdout.write(JSON.stringify(issues));
