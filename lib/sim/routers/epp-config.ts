/**
 * Reads the simulated llm-d router out of an EndpointPickerConfig object, the same one the EPP
 * ConfigMap is rendered from (k8s/router/profiles.ts), so the simulator cannot drift from what is
 * deployed: the scheduling profile's scorers (weights, default 1) and picker, and the producers their
 * match info comes from, with llm-d-router v0.10.0's parameters and defaults.
 *
 * Producers (who answers "how many leading blocks of this prompt does pod j hold"):
 *  - `precise-prefix-cache-producer`: an index of vLLM's KV events (+ speculative entries). Its chain
 *    must be complete (token-producer; the producer wired as an extractor of
 *    endpoint-notification-source); when a link is missing the real EPP scores every pod 0 without
 *    complaint, and so does the simulator, saying why.
 *  - `approx-prefix-cache-producer` (requestcontrol/dataproducer/approximateprefix): an LRU index of the
 *    prompts the EPP itself routed, per pod. A scorer naming no producer reads the default one
 *    (PrefixCacheMatchInfoDataKey's default producer, attribute/prefix/data_types.go), which the EPP
 *    creates with default parameters when the config has none.
 *
 * Scorers: prefix-cache-scorer, kv-cache-utilization-scorer, queue-scorer, no-hit-lru-scorer,
 * active-request-scorer. Pickers: max-score-picker, random-picker, weighted-random-picker. Plugins the
 * simulator does not model make it refuse rather than guess.
 */

import { goDurationMs } from '../../config/duration';
import { PLUGIN_TYPES } from '../../../k8s/router/plugin-types';

/** The parts of an EndpointPickerConfig the simulator reads (structurally, any such object fits). */
export interface EppConfigLike {
  readonly plugins: readonly { readonly type: string; readonly name?: string; readonly parameters?: unknown }[];
  readonly dataLayer?: { readonly sources?: readonly { readonly pluginRef: string; readonly extractors?: readonly { readonly pluginRef: string }[] }[] };
  readonly schedulingProfiles: readonly { readonly name: string; readonly plugins: readonly { readonly pluginRef: string; readonly weight?: number }[] }[];
}

export type PickerKind = 'max-score' | 'random' | 'weighted-random';

export interface PreciseProducerSpec {
  readonly kind: 'precise';
  readonly name: string;
  /** tokenProcessorConfig.blockSizeTokens (or the deprecated blockSize; library default 16). */
  readonly blockSizeTokens: number;
  readonly speculativeIndexing: boolean;
  readonly speculativeTtlMs: number;
  /** False when its chain is broken: it matches nothing (and records nothing). */
  readonly works: boolean;
}

export interface ApproxProducerSpec {
  readonly kind: 'approximate';
  readonly name: string;
  /** autoTune: block size and LRU capacity from each pod's vllm:cache_config_info (block_size, num_gpu_blocks). */
  readonly autoTune: boolean;
  /** Used when autoTune is off; raised to 64 at request time either way (minBlockSizeTokens, #1158). */
  readonly blockSizeTokens: number;
  /** Per-pod LRU entries when autoTune is off (default 31250). */
  readonly lruCapacityPerServer: number;
  /** Cap on hashed blocks: maxPrefixTokensToMatch / block size when > 0, else maxPrefixBlocksToMatch, both 0: unlimited. */
  readonly maxPrefixTokensToMatch: number;
  readonly maxPrefixBlocksToMatch: number;
}

export type ProducerSpec = PreciseProducerSpec | ApproxProducerSpec;

export type ScorerSpec =
  | { readonly type: 'prefix'; readonly name: string; readonly weight: number; readonly producer: string | null; readonly matchLengthWeight: number; readonly matchLengthScaleTokens: number }
  | { readonly type: 'kv-utilization'; readonly name: string; readonly weight: number }
  | { readonly type: 'queue'; readonly name: string; readonly weight: number }
  | { readonly type: 'no-hit-lru'; readonly name: string; readonly weight: number; readonly producer: string | null; readonly lruSize: number }
  | { readonly type: 'active-request'; readonly name: string; readonly weight: number; readonly idleThreshold: number; readonly maxBusyScore: number };

export interface EppRouterParams {
  /** Scorers of the scheduling profile, in order (weight 0 ones left out). */
  readonly scorers: readonly ScorerSpec[];
  readonly picker: PickerKind;
  /** Producers some scorer reads, by plugin name. */
  readonly producers: readonly ProducerSpec[];
  /** What the real EPP would do silently that the user should know, or what the simulator approximates. */
  readonly warnings: readonly string[];
  /**
   * The config has a token-producer: every request is rendered/tokenised by the render server before
   * scheduling (a round trip on the llm-d path; the load and random profiles skip it).
   */
  readonly rendersPrompt: boolean;
}

export const EPP_TYPES = PLUGIN_TYPES;

/** EPP defaults (llm-d-router v0.10.0). */
const DEFAULT_SCORER_WEIGHT = 1; // config loader
const PRECISE_DEFAULT_BLOCK_SIZE = 16; // llm-d-kv-cache kvblock default block size
const DEFAULT_SPECULATIVE_TTL_MS = 2000; // preciseprefixcache/prerequest.go defaultSpeculativeTTL
const DEFAULT_MATCH_LENGTH_SCALE_TOKENS = 8192; // scorer/prefix/plugin.go
const DEFAULT_LRU_SIZE = 1024; // scorer/nohitlru defaultLRUSize
/** approximateprefix/types.go defaultConfig. */
export const APPROX_DEFAULTS = { autoTune: true, blockSizeTokens: 16, maxPrefixBlocksToMatch: 2048, maxPrefixTokensToMatch: 131072, lruCapacityPerServer: 31250 } as const;
/** approximateprefix/plugin.go minBlockSizeTokens. */
export const APPROX_MIN_BLOCK_SIZE = 64;

/** Filters that keep every decode pod of a plain decode-only pool. */
const PASS_THROUGH_FILTERS = new Set<string>([EPP_TYPES.decodeFilter]);
const MODELLED = [EPP_TYPES.decodeFilter, EPP_TYPES.prefixCacheScorer, EPP_TYPES.kvCacheUtilizationScorer, EPP_TYPES.queueScorer,
  EPP_TYPES.noHitLruScorer, EPP_TYPES.activeRequestScorer, EPP_TYPES.maxScorePicker, EPP_TYPES.randomPicker, EPP_TYPES.weightedRandomPicker];

/** Go duration in milliseconds; throws on anything else (the EPP would refuse it too). */
export function parseGoDurationMs(d: string): number {
  const ms = goDurationMs(d);
  if (Number.isNaN(ms)) throw new Error(`speculativeTTL: "${d}" is not a Go duration`);
  return ms;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

interface Plugin { readonly type: string; readonly parameters: Record<string, unknown> }

export function parseEndpointPickerConfig(cfg: EppConfigLike): EppRouterParams {
  const warnings: string[] = [];
  const byName = new Map<string, Plugin>();
  for (const p of cfg.plugins) byName.set(p.name ?? p.type, { type: p.type, parameters: record(p.parameters) });

  const profile = cfg.schedulingProfiles.find((p) => p.name === 'default') ?? cfg.schedulingProfiles[0];
  if (!profile) throw new Error('EndpointPickerConfig has no schedulingProfiles');

  const scorers: ScorerSpec[] = [];
  let picker: PickerKind | undefined;
  const wanted = new Map<string, string>(); // producer name -> who reads it
  for (const ref of profile.plugins) {
    const plugin = byName.get(ref.pluginRef);
    if (!plugin) throw new Error(`scheduling profile "${profile.name}" references unknown plugin "${ref.pluginRef}"`);
    const weight = ref.weight ?? DEFAULT_SCORER_WEIGHT;
    const name = ref.pluginRef;
    const params = plugin.parameters;
    const producerOf = (): string => {
      const p = typeof params.prefixMatchInfoProducerName === 'string' && params.prefixMatchInfoProducerName !== '' ? params.prefixMatchInfoProducerName : EPP_TYPES.approxPrefixCacheProducer;
      if (weight > 0) wanted.set(p, `${plugin.type} "${name}"`);
      return p;
    };
    switch (plugin.type) {
      case EPP_TYPES.prefixCacheScorer:
        if (weight > 0) {
          scorers.push({
            type: 'prefix', name, weight, producer: producerOf(),
            matchLengthWeight: num(params.matchLengthWeight, 0),
            matchLengthScaleTokens: num(params.matchLengthScaleTokens, DEFAULT_MATCH_LENGTH_SCALE_TOKENS),
          });
        }
        break;
      case EPP_TYPES.kvCacheUtilizationScorer:
        if (weight > 0) scorers.push({ type: 'kv-utilization', name, weight });
        break;
      case EPP_TYPES.queueScorer:
        if (weight > 0) scorers.push({ type: 'queue', name, weight });
        break;
      case EPP_TYPES.noHitLruScorer: {
        const size = num(params.lruSize, 0);
        if (weight > 0) scorers.push({ type: 'no-hit-lru', name, weight, producer: producerOf(), lruSize: Number.isInteger(size) && size > 0 ? size : DEFAULT_LRU_SIZE });
        break;
      }
      case EPP_TYPES.activeRequestScorer: {
        const maxBusy = typeof params.maxBusyScore === 'number' && params.maxBusyScore >= 0 && params.maxBusyScore <= 1 ? params.maxBusyScore : 1;
        const idle = num(params.idleThreshold, 0);
        if (weight > 0) scorers.push({ type: 'active-request', name, weight, idleThreshold: idle >= 0 ? idle : 0, maxBusyScore: maxBusy });
        break;
      }
      case EPP_TYPES.maxScorePicker:
        picker = 'max-score';
        break;
      case EPP_TYPES.randomPicker:
        picker = 'random';
        break;
      case EPP_TYPES.weightedRandomPicker:
        picker = 'weighted-random';
        break;
      default:
        if (!PASS_THROUGH_FILTERS.has(plugin.type)) {
          throw new Error(`the simulator does not model EPP plugin type "${plugin.type}" (profile "${profile.name}"); it models ${MODELLED.join(', ')}`);
        }
    }
  }
  if (!picker) {
    picker = 'max-score';
    warnings.push('scheduling profile has no picker; the EPP defaults to max-score-picker');
  }

  const hasTokenProducer = [...byName.values()].some((p) => p.type === EPP_TYPES.tokenProducer);
  const producers: ProducerSpec[] = [];
  for (const [name, reader] of wanted) {
    const plugin = byName.get(name);
    if (!plugin) {
      if (name !== EPP_TYPES.approxPrefixCacheProducer) {
        throw new Error(`${reader}: prefixMatchInfoProducerName "${name}" names no plugin; the EPP would not start (no producer for PrefixCacheMatchInfoDataKey/${name})`);
      }
      warnings.push(`${reader} names no producer: the EPP creates a default ${EPP_TYPES.approxPrefixCacheProducer} for it (an index of its own routing decisions, not KV events)`);
      producers.push(approxSpec(name, {}));
      continue;
    }
    if (plugin.type === EPP_TYPES.approxPrefixCacheProducer) {
      producers.push(approxSpec(name, plugin.parameters));
      if (!hasTokenProducer) warnings.push(`${EPP_TYPES.approxPrefixCacheProducer} "${name}" gets its tokens from an auto-created estimate token-producer (~4 bytes per token); the simulator matches on engine tokens`);
    } else if (plugin.type === EPP_TYPES.precisePrefixCacheProducer) {
      producers.push(preciseSpec(cfg, byName, name, plugin.parameters, hasTokenProducer, warnings));
    } else {
      throw new Error(`${reader}: prefixMatchInfoProducerName "${name}" is a ${plugin.type}, not a prefix match producer (${EPP_TYPES.precisePrefixCacheProducer} or ${EPP_TYPES.approxPrefixCacheProducer})`);
    }
  }
  for (const s of scorers) {
    if (s.type === 'no-hit-lru' || s.type === 'prefix') {
      const producer = producers.find((p) => p.name === s.producer);
      if (producer?.kind === 'precise' && !producer.works) {
        warnings.push(s.type === 'prefix' ? `${EPP_TYPES.prefixCacheScorer} "${s.name}" scores every pod 0 (its precise producer is not wired)` : `${EPP_TYPES.noHitLruScorer} sees no prefix matches: every request is cold to it`);
      }
    }
  }
  return { scorers, picker, producers, warnings, rendersPrompt: hasTokenProducer };
}

function approxSpec(name: string, p: Record<string, unknown>): ApproxProducerSpec {
  const d = APPROX_DEFAULTS;
  let blockSizeTokens = num(p.blockSizeTokens, d.blockSizeTokens);
  // The deprecated character-based `blockSize` maps into blockSizeTokens when that is left at its default.
  if (num(p.blockSize, 0) > 0 && blockSizeTokens === d.blockSizeTokens) blockSizeTokens = num(p.blockSize, 0);
  return {
    kind: 'approximate',
    name,
    autoTune: typeof p.autoTune === 'boolean' ? p.autoTune : d.autoTune,
    blockSizeTokens,
    lruCapacityPerServer: num(p.lruCapacityPerServer, d.lruCapacityPerServer),
    maxPrefixTokensToMatch: num(p.maxPrefixTokensToMatch, d.maxPrefixTokensToMatch),
    maxPrefixBlocksToMatch: num(p.maxPrefixBlocksToMatch, d.maxPrefixBlocksToMatch),
  };
}

function preciseSpec(cfg: EppConfigLike, byName: Map<string, Plugin>, name: string, p: Record<string, unknown>, hasTokenProducer: boolean, warnings: string[]): PreciseProducerSpec {
  const tokenProcessor = record(p.tokenProcessorConfig);
  const blockSizeTokens = Number(tokenProcessor.blockSizeTokens ?? tokenProcessor.blockSize ?? PRECISE_DEFAULT_BLOCK_SIZE);
  const speculativeIndexing = p.speculativeIndexing === true;
  const ttl = typeof p.speculativeTTL === 'string' && p.speculativeTTL !== '' ? parseGoDurationMs(p.speculativeTTL) : DEFAULT_SPECULATIVE_TTL_MS;
  const broken: string[] = [];
  if (!hasTokenProducer) broken.push(`no ${EPP_TYPES.tokenProducer} plugin: the producer gets no tokens and every prefix score is 0`);
  const subscribed = (cfg.dataLayer?.sources ?? []).some((s) =>
    byName.get(s.pluginRef)?.type === EPP_TYPES.endpointNotificationSource && (s.extractors ?? []).some((e) => e.pluginRef === name));
  if (!subscribed) broken.push(`${EPP_TYPES.precisePrefixCacheProducer} is not an extractor of ${EPP_TYPES.endpointNotificationSource}: no pod's KV events are subscribed, every prefix score is 0`);
  warnings.push(...broken);
  return { kind: 'precise', name, blockSizeTokens, speculativeIndexing, speculativeTtlMs: ttl, works: broken.length === 0 };
}

/** The same config with speculative indexing off in every precise producer (`llm-d-no-speculative`). */
export function withoutSpeculation(p: EppRouterParams): EppRouterParams {
  return { ...p, producers: p.producers.map((x) => (x.kind === 'precise' ? { ...x, speculativeIndexing: false } : x)) };
}

/** Weight of the scorers of one type (0 when absent): for summaries and tests. */
export function weightOf(p: EppRouterParams, type: ScorerSpec['type']): number {
  return p.scorers.filter((s) => s.type === type).reduce((a, s) => a + s.weight, 0);
}
