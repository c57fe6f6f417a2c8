/**
 * Validates a rendered inference-perf config against the vendored schema
 * (schemas/inference-perf-v0.6.1.config.schema.json, derived from the pydantic models at v0.6.1 and
 * stricter than them: unknown keys are refused, where upstream would ignore them silently).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import schema from './schemas/inference-perf-v0.6.1.config.schema.json';

let validator: ValidateFunction | undefined;

/** One line per problem, empty when the config is valid. */
export function inferencePerfConfigProblems(config: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (validator(config)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : ''}`);
}

export function validateInferencePerfConfig(config: unknown): void {
  const problems = inferencePerfConfigProblems(config);
  if (problems.length > 0) throw new Error(`inference-perf config does not match its v0.6.1 schema:\n  - ${problems.join('\n  - ')}`);
}
