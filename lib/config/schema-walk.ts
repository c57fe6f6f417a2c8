/** Walks the zod schema: leaf lookup by dotted key (for context coercion) and key listing (for docs). */
import { z } from 'zod';

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  options?: AnySchema[];
  defaultValue?: unknown;
  values?: unknown[];
}

const def = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips default/prefault/optional wrappers. */
export function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if ((d.type === 'default' || d.type === 'prefault' || d.type === 'optional' || d.type === 'nullable') && d.innerType) {
      s = d.innerType;
    } else {
      return s;
    }
  }
}

/** The object shape of a schema, or undefined when it is not an object. */
export function shapeOf(schema: AnySchema): Record<string, AnySchema> | undefined {
  const inner = unwrap(schema);
  const d = def(inner);
  return d.type === 'object' ? (inner as unknown as { shape: Record<string, AnySchema> }).shape : undefined;
}

/** The schema at a dotted path, or undefined when no such key exists. */
export function schemaAt(root: AnySchema, path: readonly string[]): AnySchema | undefined {
  let s: AnySchema | undefined = root;
  for (const key of path) {
    const shape: Record<string, AnySchema> | undefined = s ? shapeOf(s) : undefined;
    if (!shape || !Object.prototype.hasOwnProperty.call(shape, key)) return undefined;
    s = shape[key];
  }
  return s;
}

export type LeafKind = 'number' | 'boolean' | 'string' | 'array' | 'number-or-string' | 'object' | 'other';

/** What a context string should be coerced to for this schema. */
export function leafKind(schema: AnySchema): LeafKind {
  const inner = unwrap(schema);
  const d = def(inner);
  switch (d.type) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
    case 'enum':
      return 'string';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    case 'union': {
      const kinds = (d.options ?? []).map(leafKind);
      return kinds.includes('number') ? 'number-or-string' : 'string';
    }
    case 'literal':
      return typeof (d.values ?? [])[0] === 'number' ? 'number' : 'string';
    case 'pipe':
    default:
      return 'other';
  }
}

/** The element schema of an array schema. */
export function elementOf(schema: AnySchema): AnySchema | undefined {
  const d = def(unwrap(schema));
  return d.type === 'array' ? d.element : undefined;
}

export interface KeyDoc {
  /** Dotted key, as given to `-c key=value`. */
  readonly key: string;
  /** Default value, or undefined when the key is optional without one. */
  readonly defaultValue: unknown;
  readonly description: string;
}

/** Every leaf key with its default and description, in schema order. */
export function listKeys(root: AnySchema, prefix: string[] = []): KeyDoc[] {
  const shape = shapeOf(root);
  if (!shape) return [];
  const out: KeyDoc[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const path = [...prefix, key];
    if (shapeOf(child)) {
      out.push(...listKeys(child, path));
      continue;
    }
    const d = def(child);
    out.push({
      key: path.join('.'),
      defaultValue: d.type === 'default' ? d.defaultValue : undefined,
      description: (child as unknown as { description?: string }).description ?? '',
    });
  }
  return out;
}
