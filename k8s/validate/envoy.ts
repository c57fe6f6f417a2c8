/**
 * Shape check of an Envoy bootstrap against the Envoy v1.33 API, offline: every key must be a field
 * of its message (proto field names, as Envoy's YAML uses them), scalars must have the field's type,
 * enums a value of the enum, durations the `<n>s` form, an `Any` a `@type` of a known message, at
 * most one member of a oneof (exactly one where the API requires it), no deprecated field.
 *
 * The messages come from envoy-api-v1.33.json: the fields of every message the rendered bootstrap
 * uses, read from envoyproxy/data-plane-api at the v1.33.0 API cut (see its `source`). A message the
 * file does not hold is an issue too ("not vendored"), so a config that grows a new block fails until
 * the file is extended from the same commit. Not checked: protoc-gen-validate value rules beyond the
 * required oneofs (ranges, string patterns), which Envoy checks at start-up.
 */
import schemaFile from './envoy-api-v1.33.json';

interface FieldDef {
  readonly type: string;
  readonly repeated?: boolean;
  readonly map?: boolean;
  readonly oneof?: string;
  readonly deprecated?: boolean;
}
interface MessageDef {
  readonly fields: Readonly<Record<string, FieldDef>>;
  readonly requiredOneofs?: readonly string[];
}
interface SchemaFile {
  readonly source: { readonly repository: string; readonly commit: string };
  readonly messages: Readonly<Record<string, MessageDef>>;
  readonly enums: Readonly<Record<string, readonly string[]>>;
}

const schema = schemaFile as unknown as SchemaFile;
/** Where the vendored field lists come from. */
export const ENVOY_API_SOURCE = schema.source;
export const BOOTSTRAP_TYPE = 'envoy.config.bootstrap.v3.Bootstrap';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

const INTEGER = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const WRAPPERS: Readonly<Record<string, 'integer' | 'number' | 'boolean' | 'string'>> = {
  'google.protobuf.UInt32Value': 'integer', 'google.protobuf.UInt64Value': 'integer',
  'google.protobuf.Int32Value': 'integer', 'google.protobuf.Int64Value': 'integer',
  'google.protobuf.DoubleValue': 'number', 'google.protobuf.FloatValue': 'number',
  'google.protobuf.BoolValue': 'boolean', 'google.protobuf.StringValue': 'string', 'google.protobuf.BytesValue': 'string',
};
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

export interface EnvoyIssue {
  /** JSON pointer into the bootstrap. */
  readonly path: string;
  readonly message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkScalar(type: string, v: unknown, path: string, out: EnvoyIssue[]): void {
  const add = (message: string) => out.push({ path, message });
  if (type === 'string' || type === 'bytes') {
    if (typeof v !== 'string') add(`must be a string (${type})`);
  } else if (type === 'bool') {
    if (typeof v !== 'boolean') add('must be true or false (bool)');
  } else if (INTEGER.has(type)) {
    const ok = (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
    if (!ok || (type.startsWith('uint') || type.startsWith('fixed')) && Number(v) < 0) add(`must be an integer (${type})`);
  } else if (type === 'double' || type === 'float') {
    if (typeof v !== 'number') add(`must be a number (${type})`);
  } else if (schema.enums[type]) {
    if (!(typeof v === 'string' && schema.enums[type].includes(v)) && !(typeof v === 'number' && Number.isInteger(v))) {
      add(`must be one of ${schema.enums[type].join(', ')} (${type})`);
    }
  } else {
    add(`type ${type} is not in the vendored Envoy v1.33 schema (extend k8s/validate/envoy-api-v1.33.json from ${schema.source.repository}@${schema.source.commit.slice(0, 8)})`);
  }
}

function checkValue(type: string, v: unknown, path: string, out: EnvoyIssue[]): void {
  const add = (message: string) => out.push({ path, message });
  if (type === 'google.protobuf.Duration') {
    if (typeof v !== 'string' || !DURATION.test(v)) add('must be a duration such as "10s" or "0.5s" (google.protobuf.Duration)');
    return;
  }
  if (WRAPPERS[type]) {
    const kind = WRAPPERS[type];
    const ok = kind === 'integer' ? Number.isInteger(v) : typeof v === kind;
    if (!ok) add(`must be a ${kind} (${type})`);
    return;
  }
  if (type === 'google.protobuf.Struct') {
    if (!isObject(v)) add('must be an object (google.protobuf.Struct)');
    return;
  }
  if (type === 'google.protobuf.Empty') {
    if (!isObject(v) || Object.keys(v).length > 0) add('must be {} (google.protobuf.Empty)');
    return;
  }
  if (type === 'google.protobuf.Any') {
    if (!isObject(v) || typeof v['@type'] !== 'string' || !v['@type'].startsWith(TYPE_URL_PREFIX)) {
      add(`must be an object with "@type": "${TYPE_URL_PREFIX}<message>" (google.protobuf.Any)`);
      return;
    }
    const inner = v['@type'].slice(TYPE_URL_PREFIX.length);
    const { '@type': _t, ...rest } = v;
    checkMessage(inner, rest, path, out);
    return;
  }
  if (schema.messages[type]) {
    checkMessage(type, v, path, out);
    return;
  }
  checkScalar(type, v, path, out);
}

function checkMessage(type: string, v: unknown, path: string, out: EnvoyIssue[]): void {
  const def = schema.messages[type];
  if (!def) {
    out.push({ path, message: `message ${type} is not in the vendored Envoy v1.33 schema (extend k8s/validate/envoy-api-v1.33.json from ${schema.source.repository}@${schema.source.commit.slice(0, 8)})` });
    return;
  }
  if (!isObject(v)) {
    out.push({ path, message: `must be an object (${type})` });
    return;
  }
  const setOneofs = new Map<string, string[]>();
  for (const [key, value] of Object.entries(v)) {
    const at = `${path}/${key}`;
    const field = def.fields[key];
    if (!field) {
      out.push({ path: at, message: `unknown field "${key}" (not in ${type})` });
      continue;
    }
    if (field.deprecated) out.push({ path: at, message: `deprecated field "${key}" of ${type}` });
    if (field.oneof) setOneofs.set(field.oneof, [...(setOneofs.get(field.oneof) ?? []), key]);
    if (field.map) {
      if (!isObject(value)) out.push({ path: at, message: 'must be an object (map)' });
      else for (const [k, item] of Object.entries(value)) checkValue(field.type, item, `${at}/${k}`, out);
    } else if (field.repeated) {
      if (!Array.isArray(value)) out.push({ path: at, message: 'must be a list (repeated)' });
      else value.forEach((item, i) => checkValue(field.type, item, `${at}/${i}`, out));
    } else {
      checkValue(field.type, value, at, out);
    }
  }
  for (const [oneof, keys] of setOneofs) {
    if (keys.length > 1) out.push({ path, message: `oneof ${oneof} of ${type} set more than once: ${keys.join(', ')}` });
  }
  for (const oneof of def.requiredOneofs ?? []) {
    if (!setOneofs.has(oneof)) out.push({ path, message: `oneof ${oneof} of ${type} is required` });
  }
}

/** Every issue of a bootstrap (empty when it matches the v1.33 API). */
export function validateEnvoyBootstrap(bootstrap: unknown): EnvoyIssue[] {
  const out: EnvoyIssue[] = [];
  checkMessage(BOOTSTRAP_TYPE, bootstrap, '', out);
  return out;
}
