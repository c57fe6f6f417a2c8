/**
 * Structural checks of an EndpointPickerConfig: the wiring without which precise prefix routing
 * silently scores every pod 0 (and, for the optional no-hit-lru-scorer, the wiring without which it
 * silently judges "cold" by another index). The router chart runs them on what it is about to render (so a broken
 * config can never be synthesized), and the tests run them on the rendered ConfigMap.
 */
import { type EndpointPickerConfig, PICKER_TYPES, PLUGIN_TYPES, type PluginSpec } from './endpoint-picker-config';

/** Name a plugin is referenced by (the EPP defaults it to the type). */
export function pluginName(p: PluginSpec): string {
  return p.name ?? p.type;
}

/** Every problem found, one line each; empty when the chain is complete. */
export function eppConfigProblems(epc: EndpointPickerConfig): string[] {
  const out: string[] = [];
  const T = PLUGIN_TYPES;
  const byName = new Map<string, PluginSpec>();
  for (const p of epc.plugins ?? []) {
    if (byName.has(pluginName(p))) out.push(`plugin name "${pluginName(p)}" is defined twice`);
    byName.set(pluginName(p), p);
  }
  const ofType = (type: string) => (epc.plugins ?? []).filter((p) => p.type === type);
  const ref = (where: string, name: string) => {
    if (!byName.has(name)) out.push(`${where}: pluginRef "${name}" names no defined plugin`);
  };

  // Every reference resolves.
  for (const s of epc.dataLayer?.sources ?? []) {
    ref('dataLayer.sources', s.pluginRef);
    for (const e of s.extractors ?? []) ref(`dataLayer.sources[${s.pluginRef}].extractors`, e.pluginRef);
  }
  for (const prof of epc.schedulingProfiles ?? []) for (const p of prof.plugins ?? []) ref(`schedulingProfiles[${prof.name}]`, p.pluginRef);

  // 1. Tokens come from vLLM's render endpoint.
  const producers = ofType(T.tokenProducer);
  if (producers.length !== 1) out.push(`expected exactly one ${T.tokenProducer}, found ${producers.length} (without it the EPP auto-creates the "estimate" byte-packer)`);
  for (const tp of producers) {
    const params = (tp.parameters ?? {}) as { modelName?: string; vllm?: { url?: string }; estimate?: unknown; udsTokenizerConfig?: unknown };
    if (!params.vllm?.url) out.push(`${T.tokenProducer}: parameters.vllm.url is missing (the default backend "estimate" cannot match engine prefixes)`);
    if (!params.modelName) out.push(`${T.tokenProducer}: parameters.modelName is missing`);
    if (params.estimate !== undefined || params.udsTokenizerConfig !== undefined) out.push(`${T.tokenProducer}: only the vllm backend is allowed`);
  }

  // 2. The precise producer indexes KV events and is fed endpoint add/delete notifications.
  const precise = ofType(T.precisePrefixCacheProducer);
  if (precise.length !== 1) out.push(`expected exactly one ${T.precisePrefixCacheProducer}, found ${precise.length}`);
  const producerName = precise[0] ? pluginName(precise[0]) : undefined;
  if (precise[0]) {
    const p = (precise[0].parameters ?? {}) as Record<string, any>;
    if (!(p.tokenProcessorConfig?.blockSizeTokens > 0)) out.push(`${T.precisePrefixCacheProducer}: tokenProcessorConfig.blockSizeTokens must be set (library default 16)`);
    if (p.kvEventsConfig?.discoverPods !== true) out.push(`${T.precisePrefixCacheProducer}: kvEventsConfig.discoverPods must be true (per-pod ZMQ subscribers)`);
    if (!(p.kvEventsConfig?.podDiscoveryConfig?.socketPort > 0)) out.push(`${T.precisePrefixCacheProducer}: kvEventsConfig.podDiscoveryConfig.socketPort must be set (library default 5557)`);
    if (p.kvEventsConfig?.topicFilter !== 'kv@') out.push(`${T.precisePrefixCacheProducer}: kvEventsConfig.topicFilter must be "kv@"`);
  }
  const notification = ofType(T.endpointNotificationSource).map(pluginName);
  const wired = (epc.dataLayer?.sources ?? []).some((s) => notification.includes(s.pluginRef) && (s.extractors ?? []).some((e) => e.pluginRef === producerName));
  if (!wired) out.push(`dataLayer: no ${T.endpointNotificationSource} source has ${T.precisePrefixCacheProducer} as extractor (no pod is ever subscribed to)`);

  // 3. The prefix scorer reads the precise producer's match info, in every profile, with weight > 0.
  const scorers = ofType(T.prefixCacheScorer).filter((s) => (s.parameters as { prefixMatchInfoProducerName?: string } | undefined)?.prefixMatchInfoProducerName === producerName);
  if (scorers.length === 0) out.push(`${T.prefixCacheScorer}: none reads prefixMatchInfoProducerName "${producerName}" (it would fall back to the approximate producer)`);
  const scorerNames = scorers.map(pluginName);

  // 4. Every profile scores by the prefix and ends in a picker.
  if ((epc.schedulingProfiles ?? []).length === 0) out.push('schedulingProfiles is empty');
  for (const prof of epc.schedulingProfiles ?? []) {
    const plugins = prof.plugins ?? [];
    if (!plugins.some((p) => scorerNames.includes(p.pluginRef) && (p.weight ?? 0) > 0)) {
      out.push(`schedulingProfiles[${prof.name}]: no precise ${T.prefixCacheScorer} with weight > 0`);
    }
    const last = plugins[plugins.length - 1];
    const lastType = last ? byName.get(last.pluginRef)?.type : undefined;
    if (!lastType || !PICKER_TYPES.includes(lastType)) out.push(`schedulingProfiles[${prof.name}]: must end in a picker, ends in ${last ? `"${last.pluginRef}"` : 'nothing'}`);
  }

  // 5. A no-hit-lru-scorer (optional) tells cold from warm requests by the precise producer's match info.
  out.push(...noHitLruProblems(epc, byName, producerName));
  return out;
}

/**
 * llm-d-router v0.10.0 (`scorer/nohitlru/no_hit_lru.go`) finds the match info by the data key
 * `PrefixCacheMatchInfoDataKey/<prefixMatchInfoProducerName>`. Left empty, the key names
 * `approx-prefix-cache-producer`, which the EPP then auto-creates: a second, approximate index of its own
 * routing decisions, not the KV events, decides what "cold" means, without an error. Naming a producer
 * that does not exist stops the EPP at start-up ("no default producer found for missing data key").
 * `prefixPluginType` / `prefixPluginName` (still in the plugin's README) are never read.
 */
function noHitLruProblems(epc: EndpointPickerConfig, byName: Map<string, PluginSpec>, producerName: string | undefined): string[] {
  const out: string[] = [];
  const T = PLUGIN_TYPES;
  const referenced = new Set((epc.schedulingProfiles ?? []).flatMap((prof) => (prof.plugins ?? []).map((p) => p.pluginRef)));
  for (const lru of (epc.plugins ?? []).filter((p) => p.type === T.noHitLruScorer)) {
    const where = `${T.noHitLruScorer} "${pluginName(lru)}"`;
    const params = (lru.parameters ?? {}) as { prefixMatchInfoProducerName?: unknown; prefixPluginName?: unknown; prefixPluginType?: unknown; lruSize?: unknown };
    const target = params.prefixMatchInfoProducerName;
    if (target === undefined || target === '') {
      out.push(`${where}: parameters.prefixMatchInfoProducerName is missing (it would read an auto-created approx-prefix-cache-producer, not the KV-event index of "${producerName ?? T.precisePrefixCacheProducer}")`);
    } else if (typeof target !== 'string' || !byName.has(target)) {
      out.push(`${where}: prefixMatchInfoProducerName "${String(target)}" names no defined plugin (the EPP stops at start-up: no producer for PrefixCacheMatchInfoDataKey/${String(target)})`);
    } else if (byName.get(target)!.type !== T.precisePrefixCacheProducer || target !== producerName) {
      out.push(`${where}: prefixMatchInfoProducerName "${target}" is not the ${T.precisePrefixCacheProducer} the prefix-cache-scorer reads${producerName ? ` ("${producerName}")` : ''}`);
    }
    for (const deprecated of ['prefixPluginName', 'prefixPluginType'] as const) {
      if (params[deprecated] !== undefined) out.push(`${where}: parameters.${deprecated} is never read by llm-d-router v0.10.0 (use prefixMatchInfoProducerName)`);
    }
    if (params.lruSize !== undefined && !(Number.isInteger(params.lruSize) && (params.lruSize as number) > 0)) {
      out.push(`${where}: parameters.lruSize must be a positive integer (got ${JSON.stringify(params.lruSize)})`);
    }
    if (!referenced.has(pluginName(lru))) out.push(`${where}: defined but in no scheduling profile (it spreads nothing)`);
  }
  return out;
}
