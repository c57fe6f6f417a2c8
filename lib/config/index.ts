/**
 * The one typed source of truth. `loadConfig(context)` = defaults (the reference run) + overrides
 * from CDK context, validated; it throws a ConfigError listing every problem, before anything is built.
 */
import { crossChecks } from './checks';
import { contextToOverrides } from './context';
import { formatValue, problem, ConfigError } from './problems';
import { type BenchConfig, type BenchConfigInput, configSchema } from './schema';

export type { BenchConfig, BenchConfigInput };
export { configSchema, ConfigError };
export { listKeys } from './schema-walk';

interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly input?: unknown;
  readonly keys?: readonly string[];
}

function issueToProblems(issue: ZodIssueLike): string[] {
  const key = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const obj = (issue.input ?? {}) as Record<string, unknown>;
    return (issue.keys ?? []).map((k) => problem(issue.path.length ? `${key}.${k}` : k, obj[k], 'unknown config key'));
  }
  return [`${key}: got ${formatValue(issue.input)}; ${issue.message}`];
}

/** Validates a nested input (what cdk.json or a test gives); throws ConfigError. */
export function parseConfig(input: unknown, earlierProblems: readonly string[] = []): BenchConfig {
  const parsed = configSchema.safeParse(input ?? {}, { reportInput: true });
  const problems = [...earlierProblems];
  if (!parsed.success) {
    problems.push(...parsed.error.issues.flatMap((i) => issueToProblems(i as unknown as ZodIssueLike)));
  } else {
    problems.push(...crossChecks(parsed.data));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data as BenchConfig;
}

/** Defaults overridden by CDK context (flat dotted keys and/or nested section objects). */
export function loadConfig(context: Readonly<Record<string, unknown>> = {}): BenchConfig {
  const { values, problems } = contextToOverrides(context);
  return parseConfig(values, problems);
}

/** The reference run, unmodified. */
export function defaultConfig(): BenchConfig {
  return loadConfig({});
}
export * from './derived';
