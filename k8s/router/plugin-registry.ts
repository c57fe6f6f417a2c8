/**
 * The plugin types and parameter names llm-d-router v0.10.0 accepts, for the plugins this project
 * renders or simulates. v0.10.0 hands every factory a strict JSON decoder (DisallowUnknownFields,
 * pkg/epp/framework/interface/plugin/registry.go StrictDecoder): an unknown parameter name stops the
 * EPP at start-up, and a factory that ignores its decoder (`_ *json.Decoder`) ignores any parameter
 * silently. Both are refused here, before anything is deployed.
 *
 * Each entry was read from the plugin's parameter struct at v0.10.0 (json tags):
 *   token-producer            requestcontrol/dataproducer/tokenizer/tokenizer.go tokenizerPluginConfig, vllm_http.go vllmConfig
 *   endpoint-notification-source  datalayer/source/notifications/factory.go EndpointSourceFactory (ignores parameters)
 *   metrics-data-source       datalayer/source/metrics/datasource.go
 *   core-metrics-extractor    datalayer/extractor/metrics/factories.go modelServerExtractorParams
 *   single-profile-handler    scheduling/profilehandler/single (ignores parameters)
 *   decode-filter             scheduling/filter/bylabel/roles.go DecodeRoleFactory (ignores parameters)
 *   precise-prefix-cache-producer  requestcontrol/dataproducer/preciseprefixcache/producer.go PluginConfig;
 *                             pkg/kvcache/kvblock token_processor.go, index.go; pkg/kvcache/indexer.go; pkg/kvevents/pool.go
 *   approx-prefix-cache-producer   requestcontrol/dataproducer/approximateprefix/types.go config
 *   prefix-cache-scorer       scheduling/scorer/prefix/plugin.go Config
 *   kv-cache-utilization-scorer, queue-scorer   (ignore parameters)
 *   no-hit-lru-scorer         scheduling/scorer/nohitlru Parameters
 *   active-request-scorer     scheduling/scorer/activerequest Parameters
 *   max-score-picker, random-picker, weighted-random-picker   scheduling/picker/common.go PickerParameters
 * (paths under pkg/epp/framework/plugins/ unless they start with pkg/). All are registered in
 * cmd/epp/runner/runner.go at v0.10.0.
 */
import { PLUGIN_TYPES as T } from './plugin-types';

/** A parameter: a leaf value, an object of known keys, or a list of such objects. */
export type ParamShape = 'value' | { readonly [key: string]: ParamShape } | { readonly items: ParamShape };

/** Parameters of one plugin type; `null`: the factory ignores its parameters. */
export type PluginParams = { readonly [key: string]: ParamShape } | null;

const V = 'value' as const;

const tokenProcessorConfig = { blockSize: V, blockSizeTokens: V, hashSeed: V };
const kvBlockIndexConfig = { inMemoryConfig: V, redisConfig: V, costAwareMemoryConfig: V, enableMetrics: V, metricsLoggingInterval: V };
const kvEventsConfig = {
  zmqEndpoint: V, topicFilter: V, concurrency: V, engineType: V, discoverPods: V,
  podDiscoveryConfig: { podLabelSelector: V, podNamespace: V, socketPort: V, replaySocketPort: V },
};
const pickerParams = { maxNumOfEndpoints: V };

export const V0_10_0_PLUGINS: Readonly<Record<string, PluginParams>> = {
  [T.tokenProducer]: { udsTokenizerConfig: V, vllm: { url: V, timeout: V, mmTimeout: V }, estimate: V, modelName: V },
  [T.endpointNotificationSource]: null,
  [T.metricsDataSource]: { scheme: V, path: V, port: V, insecureSkipVerify: V, caCertPath: V, clientCertPath: V, clientKeyPath: V, interval: V },
  [T.coreMetricsExtractor]: {
    engineLabelKey: V, defaultEngine: V,
    engineConfigs: {
      items: {
        name: V, queuedRequestsSpec: V, runningRequestsSpec: V, kvUsageSpec: V, loraSpec: V, cacheInfoSpec: V,
        cacheBlockSizeLabelName: V, cacheNumBlocksLabelName: V, cacheBlockSizeSpec: V, cacheNumBlocksSpec: V, customMetrics: V,
      },
    },
  },
  [T.singleProfileHandler]: null,
  [T.decodeFilter]: null,
  [T.precisePrefixCacheProducer]: {
    tokenProcessorConfig,
    indexerConfig: { kvBlockIndexConfig, KVBlockScorerConfig: V, kvCacheBackendConfigs: V, tokenizersPoolConfig: V },
    kvEventsConfig,
    speculativeIndexing: V,
    speculativeTTL: V,
  },
  [T.approxPrefixCacheProducer]: { autoTune: V, blockSizeTokens: V, blockSize: V, maxPrefixBlocksToMatch: V, maxPrefixTokensToMatch: V, lruCapacityPerServer: V },
  [T.prefixCacheScorer]: { prefixMatchInfoProducerName: V, matchLengthWeight: V, matchLengthScaleTokens: V },
  [T.kvCacheUtilizationScorer]: null,
  [T.queueScorer]: null,
  [T.noHitLruScorer]: { prefixPluginType: V, prefixPluginName: V, lruSize: V, prefixMatchInfoProducerName: V },
  [T.activeRequestScorer]: { requestTimeout: V, idleThreshold: V, maxBusyScore: V, inFlightLoadProducerName: V },
  [T.maxScorePicker]: pickerParams,
  [T.randomPicker]: pickerParams,
  [T.weightedRandomPicker]: pickerParams,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Unknown keys of `value` against `shape`, as dotted paths. */
function unknownKeys(value: unknown, shape: ParamShape, path: string): string[] {
  if (shape === 'value') return [];
  if ('items' in shape && Object.keys(shape).length === 1) {
    const items = (shape as { items: ParamShape }).items;
    return Array.isArray(value) ? value.flatMap((v, i) => unknownKeys(v, items, `${path}[${i}]`)) : [];
  }
  if (!isObject(value)) return [];
  const known = shape as Record<string, ParamShape>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    // Go's encoding/json matches field names case-insensitively; DisallowUnknownFields still rejects others.
    const match = Object.keys(known).find((n) => n.toLowerCase() === k.toLowerCase());
    const here = path ? `${path}.${k}` : k;
    if (match === undefined) out.push(here);
    else out.push(...unknownKeys(v, known[match], here));
  }
  return out;
}

/** Problems of one plugin against v0.10.0: unknown type, unknown parameters, parameters it ignores. */
export function pluginRegistryProblems(plugin: { type: string; name?: string; parameters?: unknown }): string[] {
  const where = `plugin "${plugin.name ?? plugin.type}"`;
  if (!Object.prototype.hasOwnProperty.call(V0_10_0_PLUGINS, plugin.type)) {
    return [`${where}: type "${plugin.type}" is not one this project renders or simulates from llm-d-router v0.10.0 (known: ${Object.keys(V0_10_0_PLUGINS).join(', ')})`];
  }
  const params = V0_10_0_PLUGINS[plugin.type];
  if (plugin.parameters === undefined || plugin.parameters === null) return [];
  if (!isObject(plugin.parameters)) return [`${where}: parameters must be an object`];
  if (params === null) {
    return Object.keys(plugin.parameters).length > 0
      ? [`${where}: ${plugin.type} takes no parameters in v0.10.0 (its factory ignores them); remove ${Object.keys(plugin.parameters).join(', ')}`]
      : [];
  }
  return unknownKeys(plugin.parameters, params, '').map((k) => `${where}: unknown parameter "${k}" for ${plugin.type} (v0.10.0 decodes parameters strictly; the EPP would not start)`);
}
