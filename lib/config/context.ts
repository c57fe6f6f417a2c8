/**
 * Turns CDK context (`-c key=value`, cdk.json "context") into config overrides.
 * Our keys are dotted identifiers (`vllm.blockSize`); CDK's own keys contain `:`, `/`, `@` or `-`
 * and are ignored. Strings from the command line are coerced to the type the schema expects.
 */
import { editDistance } from './suggest';
import { configSchema } from './schema';
import { elementOf, leafKind, listKeys, schemaAt } from './schema-walk';
import { problem } from './problems';
import { exponentProblem } from './plain-number';

const OUR_KEY = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** A key taking a number or a string (a length, "inf", "none") keeps `1e3` a string: its schema refuses it, saying why. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export interface Overrides {
  readonly values: Record<string, unknown>;
  readonly problems: string[];
}

/** Flattens `{vllm: {blockSize: 32}}` into `{'vllm.blockSize': 32}`, stopping at leaves of the schema. */
function flatten(key: string, value: unknown, out: Map<string, unknown>): void {
  const schema = schemaAt(configSchema, key.split('.'));
  const isPlainObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isPlainObject && (schema === undefined ? true : leafKind(schema) === 'object')) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(`${key}.${k}`, v, out);
  } else {
    out.set(key, value);
  }
}

function coerceScalar(kind: string, raw: string): unknown {
  const s = raw.trim();
  if (kind === 'number' && NUMBER.test(s)) return Number(s);
  if (kind === 'number-or-string' && PLAIN_NUMBER.test(s)) return Number(s);
  if (kind === 'boolean') {
    if (/^(true|yes|1)$/i.test(s)) return true;
    if (/^(false|no|0)$/i.test(s)) return false;
  }
  return s;
}

/** Coerces a context string to what the schema at `key` expects; other values pass through. */
export function coerce(key: string, value: unknown): unknown {
  const schema = schemaAt(configSchema, key.split('.'));
  if (!schema || typeof value !== 'string') return value;
  const kind = leafKind(schema);
  if (kind !== 'array') return coerceScalar(kind, value);
  const s = value.trim();
  if (s.startsWith('[')) {
    try {
      return JSON.parse(s);
    } catch {
      return value;
    }
  }
  const element = elementOf(schema);
  const elementKind = element ? leafKind(element) : 'string';
  return s === '' ? [] : s.split(',').map((part) => coerceScalar(elementKind, part));
}

const ALL_KEYS = listKeys(configSchema).map((k) => k.key);

function suggestion(key: string): string {
  const best = ALL_KEYS.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .sort((x, y) => x.d - y.d)[0];
  const section = key.split('.')[0];
  const siblings = ALL_KEYS.filter((k) => k.startsWith(`${section}.`));
  if (best && best.d <= Math.max(2, Math.floor(key.length / 4))) return `did you mean "${best.k}"?`;
  if (siblings.length > 0) return `keys of "${section}" are: ${siblings.join(', ')}`;
  return `config sections are: ${[...new Set(ALL_KEYS.map((k) => k.split('.')[0]))].join(', ')}`;
}

/** A number-taking key given `1e3` on the command line: refused with what to write (length and stage specs say it themselves). */
function numericExponent(schema: Parameters<typeof leafKind>[0], raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const kind = leafKind(schema);
  const element = kind === 'array' ? elementOf(schema) : undefined;
  const numeric = kind === 'number' || kind === 'number-or-string' || (element !== undefined && ['number', 'number-or-string'].includes(leafKind(element)));
  if (!numeric) return undefined;
  return (kind === 'array' ? raw.split(',') : [raw]).map(exponentProblem).find((p) => p !== undefined);
}

/** Builds nested overrides from a flat context map; unknown keys become problems. */
export function contextToOverrides(context: Readonly<Record<string, unknown>>): Overrides {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(context)) {
    if (OUR_KEY.test(key)) flatten(key, value, flat);
  }
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, raw] of flat) {
    const path = key.split('.');
    const schema = schemaAt(configSchema, path);
    if (!schema || leafKind(schema) === 'object') {
      problems.push(problem(key, raw, `unknown config key; ${suggestion(key)}`));
      continue;
    }
    const exponent = numericExponent(schema, raw);
    if (exponent) {
      problems.push(problem(key, raw, exponent));
      continue;
    }
    let node = values;
    for (const part of path.slice(0, -1)) {
      node[part] = (node[part] as Record<string, unknown> | undefined) ?? {};
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = coerce(key, raw);
  }
  return { values, problems };
}
