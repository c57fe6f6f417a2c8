/**
 * One EndpointPickerConfig per router profile (lib/config/tables/router-profiles.ts), rendered from
 * the config. `precise` is today's config, object for object (endpoint-picker-config.ts); the others
 * take their shared plugins (token-producer, metrics source and extractor, profile handler, decode
 * filter) from it, so a change to one (e.g. the render URL) reaches every profile.
 *
 * The deployed profiles (router.profile plus router.profiles) share one EPP ConfigMap: the configured
 * profile in endpoint-picker-config.yaml (the file the EPP starts with), each other one in
 * endpoint-picker-config-<profile>.yaml. `llmd-bench run` measures another profile by pointing the
 * EPP's --config-file at its file and restarting the EPP (lib/bench/epp-profile.ts).
 */
import { stringify } from 'yaml';
import type { BenchConfig } from '../../lib/config';
import {
  type BuiltinProfileName, CUSTOM_PROFILE, isProfileFile, type ProfileName, profileLabel, ROUTER_PROFILES, type ScorerKey,
} from '../../lib/config/tables/router-profiles';
import { EPP_CONFIG_FILE, type EndpointPickerConfig, endpointPickerConfig, type PluginSpec, type SchedulingPluginRef } from './endpoint-picker-config';
import { profileProblems } from './epp-config-checks';
import { readEndpointPickerConfigFile } from './epp-config-file';
import { PLUGIN_TYPES as T } from './plugin-types';

const SCORER_TYPES: Readonly<Record<ScorerKey, string>> = {
  prefixCache: T.prefixCacheScorer,
  kvCacheUtilization: T.kvCacheUtilizationScorer,
  queue: T.queueScorer,
  noHitLru: T.noHitLruScorer,
};

/** The profile name of a `router.profile(s)` value: a built-in name, or `custom` for a file. */
export function profileNameOf(value: string): ProfileName {
  return isProfileFile(value) ? CUSTOM_PROFILE : (value as BuiltinProfileName);
}

/** One deployed profile: its name, what it was configured as, its file in the EPP ConfigMap and its path label. */
export interface DeployedProfile {
  readonly name: ProfileName;
  /** The router.profile(s) value (a built-in name or a file path). */
  readonly value: string;
  /** File name in the EPP ConfigMap (mounted at /config). */
  readonly file: string;
  /** Result label of a run through this profile: `llm-d-<name>`. */
  readonly label: string;
  /** True for router.profile: the EPP starts with it, and it is the `llm-d` path. */
  readonly isDefault: boolean;
}

/** Profiles the router chart deploys: router.profile first, then router.profiles (duplicates dropped). */
export function deployedProfiles(c: BenchConfig): DeployedProfile[] {
  const values = [...new Set([c.router.profile, ...c.router.profiles])];
  return values.map((value) => {
    const name = profileNameOf(value);
    const isDefault = value === c.router.profile;
    return { name, value, file: isDefault ? EPP_CONFIG_FILE : `endpoint-picker-config-${name}.yaml`, label: profileLabel(name), isDefault };
  });
}

/** The EndpointPickerConfig of a profile (a built-in name, or a file path read as `router.profile`). */
export function endpointPickerConfigFor(c: BenchConfig, profile: string): EndpointPickerConfig {
  if (isProfileFile(profile)) return readEndpointPickerConfigFile(profile, 'router.profile');
  if (profile === 'precise') return endpointPickerConfig(c);
  const def = ROUTER_PROFILES[profile as BuiltinProfileName];
  if (!def) throw new Error(`router profile "${profile}" is not one of ${Object.keys(ROUTER_PROFILES).join(', ')}`);
  const base = endpointPickerConfig(c);
  const from = (type: string): PluginSpec => {
    const p = base.plugins.find((x) => x.type === type);
    if (!p) throw new Error(`the precise EndpointPickerConfig has no ${type} to share`);
    return p;
  };
  const approximate = def.prefixProducer === 'approximate';
  const weights = c.router.scorers;
  const scorers: SchedulingPluginRef[] = def.scorers
    .map((key) => ({ pluginRef: SCORER_TYPES[key], weight: weights[key] }))
    .filter((s) => s.weight > 0);
  const used = new Set(scorers.map((s) => s.pluginRef));
  const picker = def.picker === 'random' ? T.randomPicker : T.maxScorePicker;
  const plugins: PluginSpec[] = [
    // Engine tokens from vLLM's render endpoint: the approximate producer hashes them in engine-sized blocks.
    ...(approximate ? [from(T.tokenProducer)] : []),
    from(T.metricsDataSource),
    from(T.coreMetricsExtractor),
    from(T.singleProfileHandler),
    from(T.decodeFilter),
    ...(approximate
      ? [{
        type: T.approxPrefixCacheProducer,
        // autoTune reads block_size and num_gpu_blocks from each pod's vllm:cache_config_info (the LRU then
        // holds as many block hashes per pod as the pod has KV blocks); blockSizeTokens is the fallback.
        parameters: { autoTune: true, blockSizeTokens: c.vllm.blockSize },
      }]
      : []),
    // Named, so they read this producer and never an auto-created default one.
    ...(used.has(T.prefixCacheScorer) ? [{ type: T.prefixCacheScorer, parameters: { prefixMatchInfoProducerName: T.approxPrefixCacheProducer } }] : []),
    ...(used.has(T.kvCacheUtilizationScorer) ? [{ type: T.kvCacheUtilizationScorer }] : []),
    ...(used.has(T.queueScorer) ? [{ type: T.queueScorer }] : []),
    ...(used.has(T.noHitLruScorer) ? [{ type: T.noHitLruScorer, parameters: { prefixMatchInfoProducerName: T.approxPrefixCacheProducer } }] : []),
    { type: picker },
  ];
  return {
    apiVersion: 'llm-d.ai/v1alpha1',
    kind: 'EndpointPickerConfig',
    plugins,
    dataLayer: { sources: [{ pluginRef: T.metricsDataSource, extractors: [{ pluginRef: T.coreMetricsExtractor }] }] },
    schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: T.decodeFilter }, ...scorers, { pluginRef: picker }] }],
  };
}

export function endpointPickerConfigYamlFor(c: BenchConfig, profile: string): string {
  return stringify(endpointPickerConfigFor(c, profile), { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * The EPP ConfigMap's files, one per deployed profile, each checked against what its profile must wire
 * up and llm-d-router v0.10.0's plugin registry; a broken one is never rendered.
 */
export function eppProfileFiles(c: BenchConfig): Record<string, string> {
  const files: Record<string, string> = {};
  for (const p of deployedProfiles(c)) {
    const epc = endpointPickerConfigFor(c, p.value);
    const problems = profileProblems(epc, p.name);
    if (problems.length > 0) throw new Error(`EndpointPickerConfig of router profile "${p.value}" is broken:\n  - ${problems.join('\n  - ')}`);
    files[p.file] = stringify(epc, { lineWidth: 0, aliasDuplicateObjects: false });
  }
  return files;
}

/** The built-in profile a `profileLabel` names (`llm-d-approximate` -> approximate), if any. */
export function profileOfLabel(label: string): ProfileName | undefined {
  const m = /^llm-d-(.+)$/.exec(label);
  if (!m) return undefined;
  return (m[1] === CUSTOM_PROFILE || m[1] in ROUTER_PROFILES) ? (m[1] as ProfileName) : undefined;
}
