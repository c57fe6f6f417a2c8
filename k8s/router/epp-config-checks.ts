/**
 * Structural checks of an EndpointPickerConfig: the wiring without which precise prefix routing
 * silently scores every pod 0 (and, for the optional no-hit-lru-scorer, the wiring without which it
 * silently judges "cold" by another index). The router chart runs them on what it is about to render (so a broken
 * config can never be synthesized), and the tests run them on the rendered ConfigMap.
 */
import { type EndpointPickerConfig, PICKER_TYPES, PLUGIN_TYPES, type PluginSpec } from './endpoint-picker-config';
import { pluginRegistryProblems } from './plugin-registry';

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

// ---- router profiles (k8s/router/profiles.ts) ---------------------------------------------------

/** What a profile's config must wire up (a custom file gets the generic and v0.10.0 checks only). */
export type ProfileKind = 'precise' | 'approximate' | 'load' | 'random' | 'custom';

/**
 * Checks every config can fail, whatever its profile: unique names, resolvable references, a picker
 * at the end of each profile, and every plugin type and parameter name as llm-d-router v0.10.0
 * accepts them (plugin-registry.ts: strict decoding, parameters a factory would ignore).
 */
export function genericProblems(epc: EndpointPickerConfig): string[] {
  const out: string[] = [];
  const byName = new Map<string, PluginSpec>();
  for (const p of epc.plugins ?? []) {
    if (byName.has(pluginName(p))) out.push(`plugin name "${pluginName(p)}" is defined twice`);
    byName.set(pluginName(p), p);
    out.push(...pluginRegistryProblems(p));
  }
  for (const s of epc.dataLayer?.sources ?? []) {
    if (!byName.has(s.pluginRef)) out.push(`dataLayer.sources: pluginRef "${s.pluginRef}" names no defined plugin`);
    for (const e of s.extractors ?? []) if (!byName.has(e.pluginRef)) out.push(`dataLayer.sources[${s.pluginRef}].extractors: pluginRef "${e.pluginRef}" names no defined plugin`);
  }
  if ((epc.schedulingProfiles ?? []).length === 0) out.push('schedulingProfiles is empty');
  for (const prof of epc.schedulingProfiles ?? []) {
    const plugins = prof.plugins ?? [];
    for (const p of plugins) if (!byName.has(p.pluginRef)) out.push(`schedulingProfiles[${prof.name}]: pluginRef "${p.pluginRef}" names no defined plugin`);
    const last = plugins[plugins.length - 1];
    const lastType = last ? byName.get(last.pluginRef)?.type : undefined;
    if (!lastType || !PICKER_TYPES.includes(lastType)) out.push(`schedulingProfiles[${prof.name}]: must end in a picker, ends in ${last ? `"${last.pluginRef}"` : 'nothing'}`);
  }
  return out;
}

function weighted(epc: EndpointPickerConfig, type: string): { name: string; weight: number; parameters: Record<string, unknown> }[] {
  const byName = new Map((epc.plugins ?? []).map((p) => [pluginName(p), p] as const));
  return (epc.schedulingProfiles ?? []).flatMap((prof) => (prof.plugins ?? [])
    .map((ref) => ({ ref, plugin: byName.get(ref.pluginRef) }))
    .filter((x) => x.plugin?.type === type)
    .map((x) => ({ name: x.ref.pluginRef, weight: x.ref.weight ?? 1, parameters: (x.plugin!.parameters ?? {}) as Record<string, unknown> })));
}

/** The approximate profile: the approx producer fed with engine tokens, and every prefix reader naming it. */
function approximateProblems(epc: EndpointPickerConfig): string[] {
  const out: string[] = [];
  const approx = (epc.plugins ?? []).filter((p) => p.type === PLUGIN_TYPES.approxPrefixCacheProducer);
  if (approx.length !== 1) out.push(`expected exactly one ${PLUGIN_TYPES.approxPrefixCacheProducer}, found ${approx.length}`);
  const tp = (epc.plugins ?? []).filter((p) => p.type === PLUGIN_TYPES.tokenProducer);
  if (tp.length !== 1 || !(tp[0].parameters as { vllm?: { url?: string } } | undefined)?.vllm?.url) {
    out.push(`${PLUGIN_TYPES.tokenProducer} with parameters.vllm.url is required: without it the EPP auto-creates the "estimate" byte-packer and the approximate index hashes estimated tokens, not the engine's`);
  }
  const producer = approx[0] ? pluginName(approx[0]) : undefined;
  const scorers = weighted(epc, PLUGIN_TYPES.prefixCacheScorer).filter((s) => s.weight > 0);
  if (scorers.length === 0) out.push(`no ${PLUGIN_TYPES.prefixCacheScorer} with weight > 0`);
  for (const reader of [...scorers, ...weighted(epc, PLUGIN_TYPES.noHitLruScorer)]) {
    if (reader.parameters.prefixMatchInfoProducerName !== producer) {
      out.push(`"${reader.name}": prefixMatchInfoProducerName must name the ${PLUGIN_TYPES.approxPrefixCacheProducer} ("${producer ?? '?'}"), got ${JSON.stringify(reader.parameters.prefixMatchInfoProducerName)}`);
    }
  }
  if ((epc.plugins ?? []).some((p) => p.type === PLUGIN_TYPES.precisePrefixCacheProducer)) out.push(`the approximate profile takes no ${PLUGIN_TYPES.precisePrefixCacheProducer}`);
  return out;
}

/** The load profile: KV-utilization and queue scorers fed by the metrics source, nothing prefix-aware. */
function loadProblems(epc: EndpointPickerConfig): string[] {
  const out: string[] = [];
  const scored = [PLUGIN_TYPES.kvCacheUtilizationScorer, PLUGIN_TYPES.queueScorer].filter((t) => weighted(epc, t).some((s) => s.weight > 0));
  if (scored.length === 0) out.push(`no ${PLUGIN_TYPES.kvCacheUtilizationScorer} or ${PLUGIN_TYPES.queueScorer} with weight > 0`);
  const types = new Map((epc.plugins ?? []).map((p) => [pluginName(p), p.type] as const));
  const fed = (epc.dataLayer?.sources ?? []).some((s) => types.get(s.pluginRef) === PLUGIN_TYPES.metricsDataSource
    && (s.extractors ?? []).some((e) => types.get(e.pluginRef) === PLUGIN_TYPES.coreMetricsExtractor));
  if (!fed) out.push(`dataLayer: no ${PLUGIN_TYPES.metricsDataSource} source with ${PLUGIN_TYPES.coreMetricsExtractor}: the load scorers would read no metrics`);
  for (const t of [PLUGIN_TYPES.prefixCacheScorer, PLUGIN_TYPES.noHitLruScorer]) if (weighted(epc, t).length > 0) out.push(`the load profile takes no ${t}`);
  return out;
}

/** The random profile: nothing but a random-picker after the decode filter. */
function randomProblems(epc: EndpointPickerConfig): string[] {
  const out: string[] = [];
  const types = new Map((epc.plugins ?? []).map((p) => [pluginName(p), p.type] as const));
  for (const prof of epc.schedulingProfiles ?? []) {
    const refs = (prof.plugins ?? []).map((p) => types.get(p.pluginRef));
    if (refs[refs.length - 1] !== PLUGIN_TYPES.randomPicker) out.push(`schedulingProfiles[${prof.name}]: the random profile must end in ${PLUGIN_TYPES.randomPicker}`);
    const scorers = refs.filter((t) => t !== PLUGIN_TYPES.decodeFilter && t !== PLUGIN_TYPES.randomPicker);
    if (scorers.length > 0) out.push(`schedulingProfiles[${prof.name}]: the random profile scores nothing, found ${scorers.join(', ')}`);
  }
  return out;
}

/** Every problem of a profile's config; empty when the EPP would start and route as the profile means. */
export function profileProblems(epc: EndpointPickerConfig, kind: ProfileKind): string[] {
  const specific = kind === 'precise' ? eppConfigProblems(epc)
    : kind === 'approximate' ? approximateProblems(epc)
      : kind === 'load' ? loadProblems(epc)
        : kind === 'random' ? randomProblems(epc) : [];
  return [...new Set([...genericProblems(epc), ...specific])];
}
