/** How config problems are worded: the key, the value given, and what is allowed. */

/** Renders a value the way a user typed it. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(nothing)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** One problem: `<key>: got <value>; <what is allowed>`. */
export function problem(key: string, value: unknown, allowed: string): string {
  return `${key}: got ${formatValue(value)}; ${allowed}`;
}

/** Thrown when the configuration is invalid; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid llmd-eks-bench configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${p}`).join('\n') +
      '\nSee the configuration table in README.md; override with `-c key=value` or in cdk.json "context".');
    this.name = 'ConfigError';
  }
}
