/**
 * The one typed source of truth. `loadConfig(context)` = defaults (the reference run) + overrides
 * from CDK context, validated; it throws a ConfigError listing every problem, before anything is built.
 */
import { crossChecks, crossWarnings } from './checks';
import { contextToOverrides } from './context';
import { withDerivedDefaults } from './derived-defaults';
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

/** Object-key part of an issue path (up to the first array index): the setting that was wrong. */
function settingPath(path: readonly PropertyKey[]): string[] {
  const out: string[] = [];
  for (const p of path) {
    if (typeof p !== 'string') break;
    out.push(p);
  }
  return out;
}

/** A copy of `input` without the given dotted settings (so their defaults apply). */
function without(input: unknown, settings: readonly string[][]): unknown {
  const copy = JSON.parse(JSON.stringify(input ?? {})) as Record<string, unknown>;
  for (const path of settings) {
    let node: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined;
    if (node && typeof node === 'object' && path.length > 0) delete node[path[path.length - 1]];
  }
  return copy;
}

/**
 * Validates a nested input (what cdk.json or a test gives); throws ConfigError listing every problem.
 * When single values are invalid, the cross-field checks still run, on the input with those values
 * back at their defaults, and report what concerns the other keys: one run shows all problems.
 */
export function parseConfig(rawInput: unknown, earlierProblems: readonly string[] = []): BenchConfig {
  const input = withDerivedDefaults(rawInput);
  const parsed = configSchema.safeParse(input ?? {}, { reportInput: true });
  const problems = [...earlierProblems];
  if (!parsed.success) {
    const issues = parsed.error.issues as unknown as ZodIssueLike[];
    problems.push(...issues.flatMap(issueToProblems));
    const bad = issues.flatMap((i) => (i.code === 'unrecognized_keys'
      ? (i.keys ?? []).map((k) => [...settingPath(i.path), k])
      : [settingPath(i.path)]));
    const repaired = configSchema.safeParse(without(input, bad));
    if (repaired.success) {
      const badKeys = bad.map((p) => p.join('.')).filter((k) => k !== '');
      problems.push(...crossChecks(repaired.data).filter((p) => !badKeys.some((k) => p.startsWith(`${k}:`) || p.startsWith(`${k}.`))));
    }
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

/**
 * What the offline tables doubt but cannot refuse (an AZ that may not offer the GPU family, a region
 * without a pinned table): one line each, naming the key. `llmd-bench account-check` settles them.
 */
export function configWarnings(config: BenchConfig): string[] {
  return crossWarnings(config);
}

/** The reference run, unmodified. */
export function defaultConfig(): BenchConfig {
  return loadConfig({});
}
export * from './derived';
export * from './images';
export { isPaused, pausedProblem } from './pause';
