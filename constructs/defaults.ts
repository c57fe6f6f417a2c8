/**
 * `{ ...defaults, ...props }` where a prop explicitly set to `undefined` keeps the default (a plain
 * spread would overwrite it with `undefined`, which callers that forward optional props do).
 */
export function withDefaults<D extends object, P extends object>(defaults: D, props: P): D & P {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v;
  return out as D & P;
}
