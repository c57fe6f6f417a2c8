/**
 * Reads the simulated llm-d router's parameters out of an EndpointPickerConfig object, the same one
 * the EPP ConfigMap is rendered from (`k8s/router/endpoint-picker-config.ts`), so the simulator cannot
 * drift from what is deployed: scorer weights and picker from the scheduling profile, block size and
 * speculative indexing from the precise-prefix-cache-producer, defaults as llm-d-router v0.10.0 has them.
 *
 * It also checks the wiring the real EPP needs for precise prefix scores (token-producer, the
 * producer as an extractor of endpoint-notification-source, the scorer naming the producer). When a
 * link is missing the real EPP silently scores every pod 0 for prefix; the simulator does the same and
 * reports why, instead of predicting a win the deployment would not get. The no-hit-lru-scorer finds
 * the producer's match info by `prefixMatchInfoProducerName` (llm-d-router v0.10.0
 * `scorer/nohitlru/no_hit_lru.go`); without match info every request is cold to it, as in the EPP.
 */

import { goDurationMs } from '../../config/duration';
import { PLUGIN_TYPES } from '../../../k8s/router/endpoint-picker-config';

/** The parts of an EndpointPickerConfig the simulator reads (structurally, any such object fits). */
export interface EppConfigLike {
  readonly plugins: readonly { readonly type: string; readonly name?: string; readonly parameters?: unknown }[];
  readonly dataLayer?: { readonly sources?: readonly { readonly pluginRef: string; readonly extractors?: readonly { readonly pluginRef: string }[] }[] };
  readonly schedulingProfiles: readonly { readonly name: string; readonly plugins: readonly { readonly pluginRef: string; readonly weight?: number }[] }[];
}

export type PickerKind = 'max-score' | 'random' | 'weighted-random';

export interface EppRouterParams {
  /** Scorer weights; 0 when the profile does not use the scorer. */
  readonly weights: { readonly prefix: number; readonly kvUtilization: number; readonly queue: number; readonly noHitLru: number };
  /** prefix-cache-scorer matchLengthWeight (0 = score by match ratio only) and its scale. */
  readonly matchLengthWeight: number;
  readonly matchLengthScaleTokens: number;
  readonly picker: PickerKind;
  /** precise-prefix-cache-producer tokenProcessorConfig.blockSizeTokens. */
  readonly blockSizeTokens: number;
  readonly speculativeIndexing: boolean;
  readonly speculativeTtlMs: number;
  /** False when the precise prefix chain is broken (prefix score is 0 for every pod, as in the EPP). */
  readonly prefixScoresWork: boolean;
  /**
   * The precise producer gets tokens and KV events (so it matches prompts against its index and, with
   * speculative indexing, records routed prompts), whichever scorer reads it.
   */
  readonly indexWorks: boolean;
  /** The no-hit-lru-scorer reads the working precise index (false: every request is cold to it). */
  readonly noHitLruSeesMatches: boolean;
  /** no-hit-lru-scorer lruSize: pods its LRU remembers (EPP default 1024). */
  readonly lruSize: number;
  /** Why the prefix chain is broken, or other things the simulator could not model. */
  readonly warnings: readonly string[];
}

/** llm-d-router v0.10.0 plugin type names: the ones the rendered config is built from. */
export const EPP_TYPES = PLUGIN_TYPES;

/** EPP defaults: loader DefaultScorerWeight, kvblock defaultBlockSize, defaultSpeculativeTTL. */
const DEFAULT_SCORER_WEIGHT = 1;
const DEFAULT_BLOCK_SIZE = 16;
const DEFAULT_SPECULATIVE_TTL_MS = 2000;
const DEFAULT_MATCH_LENGTH_SCALE_TOKENS = 8192;
/** no-hit-lru-scorer defaultLRUSize. */
const DEFAULT_LRU_SIZE = 1024;

/** Filters that keep every decode pod of a plain decode-only pool. */
const PASS_THROUGH_FILTERS = new Set<string>([EPP_TYPES.decodeFilter]);

/** Go duration in milliseconds; throws on anything else (the EPP would refuse it too). */
export function parseGoDurationMs(d: string): number {
  const ms = goDurationMs(d);
  if (Number.isNaN(ms)) throw new Error(`speculativeTTL: "${d}" is not a Go duration`);
  return ms;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function parseEndpointPickerConfig(cfg: EppConfigLike): EppRouterParams {
  const warnings: string[] = [];
  const byName = new Map<string, { type: string; parameters: Record<string, unknown> }>();
  for (const p of cfg.plugins) byName.set(p.name ?? p.type, { type: p.type, parameters: record(p.parameters) });

  const profile = cfg.schedulingProfiles.find((p) => p.name === 'default') ?? cfg.schedulingProfiles[0];
  if (!profile) throw new Error('EndpointPickerConfig has no schedulingProfiles');

  const weights = { prefix: 0, kvUtilization: 0, queue: 0, noHitLru: 0 };
  let picker: PickerKind | undefined;
  let prefixScorer: Record<string, unknown> | undefined;
  let noHitLru: { name: string; parameters: Record<string, unknown> } | undefined;
  for (const ref of profile.plugins) {
    const plugin = byName.get(ref.pluginRef);
    if (!plugin) throw new Error(`scheduling profile "${profile.name}" references unknown plugin "${ref.pluginRef}"`);
    const weight = ref.weight ?? DEFAULT_SCORER_WEIGHT;
    switch (plugin.type) {
      case EPP_TYPES.prefixCacheScorer:
        weights.prefix += weight;
        prefixScorer = plugin.parameters;
        break;
      case EPP_TYPES.kvCacheUtilizationScorer:
        weights.kvUtilization += weight;
        break;
      case EPP_TYPES.queueScorer:
        weights.queue += weight;
        break;
      case EPP_TYPES.noHitLruScorer:
        // Each instance keeps its own LRU; one is what configs use and what the router models.
        if (noHitLru) throw new Error(`scheduling profile "${profile.name}" has two ${EPP_TYPES.noHitLruScorer}s; the simulator models one`);
        weights.noHitLru += weight;
        noHitLru = { name: ref.pluginRef, parameters: plugin.parameters };
        break;
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
          throw new Error(`the simulator does not model EPP plugin type "${plugin.type}" (profile "${profile.name}"); ` +
            `it models ${[...PASS_THROUGH_FILTERS, EPP_TYPES.prefixCacheScorer, EPP_TYPES.kvCacheUtilizationScorer, EPP_TYPES.queueScorer, EPP_TYPES.noHitLruScorer, EPP_TYPES.maxScorePicker, EPP_TYPES.randomPicker, EPP_TYPES.weightedRandomPicker].join(', ')}`);
        }
    }
  }
  if (!picker) {
    picker = 'max-score';
    warnings.push('scheduling profile has no picker; the EPP defaults to max-score-picker');
  }

  // The precise producer and its wiring: the one the prefix scorer names, else the one no-hit-lru names.
  const producerName = typeof prefixScorer?.prefixMatchInfoProducerName === 'string' && prefixScorer.prefixMatchInfoProducerName !== ''
    ? prefixScorer.prefixMatchInfoProducerName : undefined;
  const lruTarget = noHitLru && weights.noHitLru > 0 ? noHitLruTarget(noHitLru, byName) : undefined;
  if (lruTarget !== undefined && producerName !== undefined && lruTarget !== producerName) {
    throw new Error(`${EPP_TYPES.noHitLruScorer} "${noHitLru!.name}" reads "${lruTarget}", the prefix-cache-scorer "${producerName}": the simulator models one KV-block index`);
  }
  const indexName = producerName ?? lruTarget;
  const producerEntry = [...byName.entries()].find(([name, p]) => p.type === EPP_TYPES.precisePrefixCacheProducer && (indexName === undefined || name === indexName));
  const producer = producerEntry?.[1].parameters ?? {};
  const tokenProcessor = record(producer.tokenProcessorConfig);
  const blockSizeTokens = Number(tokenProcessor.blockSizeTokens ?? tokenProcessor.blockSize ?? DEFAULT_BLOCK_SIZE);
  const speculativeIndexing = producer.speculativeIndexing === true;
  const ttl = typeof producer.speculativeTTL === 'string' && producer.speculativeTTL !== '' ? parseGoDurationMs(producer.speculativeTTL) : DEFAULT_SPECULATIVE_TTL_MS;

  // Links of the producer itself (needed by every consumer of its match info).
  const indexBroken: string[] = [];
  if (!producerEntry) indexBroken.push(`no ${EPP_TYPES.precisePrefixCacheProducer} plugin${indexName ? ` named "${indexName}"` : ''}: every prefix score is 0`);
  if (![...byName.values()].some((p) => p.type === EPP_TYPES.tokenProducer)) {
    indexBroken.push(`no ${EPP_TYPES.tokenProducer} plugin: the producer gets no tokens and every prefix score is 0`);
  }
  const subscribed = (cfg.dataLayer?.sources ?? []).some((s) =>
    byName.get(s.pluginRef)?.type === EPP_TYPES.endpointNotificationSource &&
    (s.extractors ?? []).some((e) => producerEntry !== undefined && e.pluginRef === producerEntry[0]));
  if (producerEntry && !subscribed) {
    indexBroken.push(`${EPP_TYPES.precisePrefixCacheProducer} is not an extractor of ${EPP_TYPES.endpointNotificationSource}: no pod's KV events are subscribed, every prefix score is 0`);
  }
  const indexWorks = indexBroken.length === 0;
  const broken: string[] = [];
  if (weights.prefix > 0) {
    if (!producerName) broken.push('prefix-cache-scorer has no prefixMatchInfoProducerName: the EPP falls back to the approximate producer, not precise KV events');
    broken.push(...indexBroken);
  } else if (weights.noHitLru > 0 && !indexWorks) {
    broken.push(...indexBroken);
  }
  warnings.push(...broken);
  const prefixScoresWork = weights.prefix > 0 && broken.length === 0;
  const noHitLruSeesMatches = weights.noHitLru > 0 && indexWorks;
  if (weights.noHitLru > 0 && !indexWorks) warnings.push(`${EPP_TYPES.noHitLruScorer} sees no prefix matches: every request is cold to it`);
  const lruSizeParam = Number(noHitLru?.parameters.lruSize ?? 0);
  const lruSize = Number.isInteger(lruSizeParam) && lruSizeParam > 0 ? lruSizeParam : DEFAULT_LRU_SIZE;
  const mlw = Number(prefixScorer?.matchLengthWeight ?? 0);
  return {
    weights,
    matchLengthWeight: Number.isFinite(mlw) ? mlw : 0,
    matchLengthScaleTokens: Number(prefixScorer?.matchLengthScaleTokens ?? DEFAULT_MATCH_LENGTH_SCALE_TOKENS),
    picker,
    blockSizeTokens,
    speculativeIndexing,
    speculativeTtlMs: ttl,
    prefixScoresWork,
    indexWorks,
    noHitLruSeesMatches,
    lruSize,
    warnings,
  };
}

/**
 * The producer a no-hit-lru-scorer reads: its `prefixMatchInfoProducerName`. Configs the real EPP
 * would run differently from anything modelled here are refused: without the name the EPP auto-creates
 * an approx-prefix-cache-producer (an index of its own routing decisions) for it; a name of no plugin
 * stops the EPP at start-up; another producer type is not modelled.
 */
function noHitLruTarget(lru: { name: string; parameters: Record<string, unknown> }, byName: Map<string, { type: string }>): string {
  const target = lru.parameters.prefixMatchInfoProducerName;
  const what = `${EPP_TYPES.noHitLruScorer} "${lru.name}"`;
  if (typeof target !== 'string' || target === '') {
    throw new Error(`${what} has no prefixMatchInfoProducerName: the EPP then auto-creates an approx-prefix-cache-producer for it, which the simulator does not model ` +
      `(set it to the ${EPP_TYPES.precisePrefixCacheProducer}'s name; prefixPluginName/prefixPluginType are never read)`);
  }
  const plugin = byName.get(target);
  if (!plugin) throw new Error(`${what}: prefixMatchInfoProducerName "${target}" names no plugin; the EPP would not start (no producer for PrefixCacheMatchInfoDataKey/${target})`);
  if (plugin.type !== EPP_TYPES.precisePrefixCacheProducer) {
    throw new Error(`${what}: prefixMatchInfoProducerName "${target}" is a ${plugin.type}; the simulator models only the ${EPP_TYPES.precisePrefixCacheProducer}`);
  }
  return target;
}
