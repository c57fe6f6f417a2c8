/**
 * The llm-d router profiles, as data: which prefix producer, which scorers (weights from
 * `router.scorers`) and which picker each one runs. k8s/router/profiles.ts turns a profile into the
 * EndpointPickerConfig the EPP ConfigMap holds; the simulator parses that rendered object, never this
 * table, so prediction and deployment cannot diverge. Plugin types and parameters are llm-d-router
 * v0.10.0's (cmd/epp/runner/runner.go registry; k8s/router/plugin-registry.ts lists their parameters).
 *
 * Sources: `precise` is the llm-d precise-prefix-cache-routing guide's scheduler (today's config);
 * `approximate` is llm-d-router's optimized-baseline config (test/perf/config/router-configs/
 * optimized-baseline.yaml at v0.10.0: approx-prefix-cache-producer + prefix-cache-scorer + queue +
 * kv-cache-utilization + no-hit-lru); `load` keeps only the load scorers; `random` is the EPP's
 * random-picker (test/perf/config/router-configs/random-only-default-parsers.yaml).
 */

/** Built-in profile names (`router.profile`, `router.profiles`, `run --target`). */
export const ROUTER_PROFILE_NAMES = ['precise', 'approximate', 'load', 'random'] as const;
export type BuiltinProfileName = (typeof ROUTER_PROFILE_NAMES)[number];
/** Name of a profile read from a user file (`router.profile=path/to/epp.yaml`). */
export const CUSTOM_PROFILE = 'custom';
export type ProfileName = BuiltinProfileName | typeof CUSTOM_PROFILE;

/** Scorer weight keys of `router.scorers`. */
export type ScorerKey = 'prefixCache' | 'kvCacheUtilization' | 'queue' | 'noHitLru';

export interface RouterProfileDef {
  readonly description: string;
  /** Where prefix match info comes from: vLLM KV events (precise), the EPP's own routing history (approximate), or nowhere. */
  readonly prefixProducer: 'precise' | 'approximate' | 'none';
  /** Scorers in profile order; a weight of 0 in router.scorers leaves one out. */
  readonly scorers: readonly ScorerKey[];
  readonly picker: 'max-score' | 'random';
}

export const ROUTER_PROFILES: Readonly<Record<BuiltinProfileName, RouterProfileDef>> = {
  precise: {
    description: 'prefix-cache-scorer on the precise producer (vLLM KV events over ZMQ, speculative indexing) + KV-utilization + queue + no-hit-LRU, max-score picker',
    prefixProducer: 'precise',
    scorers: ['prefixCache', 'kvCacheUtilization', 'queue', 'noHitLru'],
    picker: 'max-score',
  },
  approximate: {
    description: 'prefix-cache-scorer on the approximate producer (no KV events: an LRU index of the prompts it routed, per pod) + KV-utilization + queue + no-hit-LRU, max-score picker',
    prefixProducer: 'approximate',
    scorers: ['prefixCache', 'kvCacheUtilization', 'queue', 'noHitLru'],
    picker: 'max-score',
  },
  load: {
    description: 'load only: kv-cache-utilization-scorer + queue-scorer, max-score picker',
    prefixProducer: 'none',
    scorers: ['kvCacheUtilization', 'queue'],
    picker: 'max-score',
  },
  random: {
    description: 'random-picker through the EPP (no scorer): the EPP\'s own overhead with no routing intelligence',
    prefixProducer: 'none',
    scorers: [],
    picker: 'random',
  },
};

/** The path label (result `--label`, simulator router) of a profile: `llm-d-<profile>`. */
export function profileLabel(profile: ProfileName): string {
  return `llm-d-${profile}`;
}

/** True for a `router.profile` value that names a file rather than a built-in profile. */
export function isProfileFile(value: string): boolean {
  return /\.(ya?ml|json)$/i.test(value);
}
