/**
 * llm-d-router v0.10.0 plugin type names this project renders or simulates, each registered in
 * cmd/epp/runner/runner.go at that tag (the parameters each accepts: plugin-registry.ts). A leaf
 * module: the charts, the checker and the simulator all import it.
 */
export const PLUGIN_TYPES = {
  tokenProducer: 'token-producer',
  endpointNotificationSource: 'endpoint-notification-source',
  metricsDataSource: 'metrics-data-source',
  coreMetricsExtractor: 'core-metrics-extractor',
  singleProfileHandler: 'single-profile-handler',
  decodeFilter: 'decode-filter',
  precisePrefixCacheProducer: 'precise-prefix-cache-producer',
  approxPrefixCacheProducer: 'approx-prefix-cache-producer',
  prefixCacheScorer: 'prefix-cache-scorer',
  kvCacheUtilizationScorer: 'kv-cache-utilization-scorer',
  queueScorer: 'queue-scorer',
  noHitLruScorer: 'no-hit-lru-scorer',
  activeRequestScorer: 'active-request-scorer',
  maxScorePicker: 'max-score-picker',
  randomPicker: 'random-picker',
  weightedRandomPicker: 'weighted-random-picker',
} as const;

/** Plugin types that end a scheduling profile by choosing the endpoint. */
export const PICKER_TYPES: readonly string[] = [PLUGIN_TYPES.maxScorePicker, PLUGIN_TYPES.randomPicker, PLUGIN_TYPES.weightedRandomPicker];
