/**
 * The EndpointPickerConfig of the llm-d EPP (llm-d-router v0.10.0, `apiVersion: llm-d.ai/v1alpha1`),
 * built from the config. This is the object that goes, as YAML, into the EPP ConfigMap; the simulator
 * reads scorer weights and speculative indexing from exactly this object.
 *
 * Precise prefix routing needs an unbroken chain, and a missing link does not fail loudly: every
 * prefix score is silently 0. The chain is built here unconditionally:
 *   token-producer (vLLM's render server, `vllm launch render`: /v1/chat/completions/render for the
 *   openai-chat backend, /v1/completions/render for openai; never the `estimate` byte-packer)
 *   -> endpoint-notification-source --extractor--> precise-prefix-cache-producer (subscribes to each
 *      pod's ZMQ socket when the pod joins the pool; indexes KV events; block size = vLLM's)
 *   -> prefix-cache-scorer (prefixMatchInfoProducerName = that producer)
 *   -> scheduling profile `default` -> max-score-picker.
 * The no-hit-lru-scorer reads the same producer's match info (by its name) to tell cold requests from
 * warm ones; without the name it would read an auto-created approximate producer instead.
 */
import { stringify } from 'yaml';
import { type BenchConfig, servedModelName } from '../../lib/config';
import { sharedNames } from '../names';
import { PICKER_TYPES, PLUGIN_TYPES } from './plugin-types';

export interface PluginSpec {
  readonly type: string;
  /** Defaults to `type` in the EPP; referenced by `pluginRef`. */
  readonly name?: string;
  readonly parameters?: Record<string, unknown>;
}

export interface SchedulingPluginRef {
  readonly pluginRef: string;
  readonly weight?: number;
}

export interface EndpointPickerConfig {
  readonly apiVersion: 'llm-d.ai/v1alpha1';
  readonly kind: 'EndpointPickerConfig';
  readonly plugins: readonly PluginSpec[];
  readonly dataLayer: {
    readonly sources: readonly { readonly pluginRef: string; readonly extractors: readonly { readonly pluginRef: string }[] }[];
  };
  readonly schedulingProfiles: readonly { readonly name: string; readonly plugins: readonly SchedulingPluginRef[] }[];
}

// Plugin type names live in a leaf module (the simulator and the checker import them too).
export { PICKER_TYPES, PLUGIN_TYPES };

/** File name of the config inside the EPP ConfigMap (mounted at /config). */
export const EPP_CONFIG_FILE = 'endpoint-picker-config.yaml';
/** Directory the EPP ConfigMap is mounted at. */
export const EPP_CONFIG_DIR = '/config';

/** Base URL of vLLM's render endpoints as the EPP reaches them: the render server's Service (charts/render-chart.ts). */
export function renderServiceUrl(c: BenchConfig): string {
  const n = sharedNames(c);
  return `http://${n.renderService}.${n.namespace}.svc:${c.vllm.port}`;
}

/** The EndpointPickerConfig object (pure; same config in, same object out). */
export function endpointPickerConfig(c: BenchConfig): EndpointPickerConfig {
  const r = c.router;
  const T = PLUGIN_TYPES;
  const scorers: SchedulingPluginRef[] = [
    { pluginRef: T.prefixCacheScorer, weight: r.scorers.prefixCache },
    { pluginRef: T.kvCacheUtilizationScorer, weight: r.scorers.kvCacheUtilization },
    { pluginRef: T.queueScorer, weight: r.scorers.queue },
    { pluginRef: T.noHitLruScorer, weight: r.scorers.noHitLru },
  ].filter((s) => (s.weight ?? 0) > 0); // a zero weight contributes nothing; leave the scorer out
  const used = new Set(scorers.map((s) => s.pluginRef));
  return {
    apiVersion: 'llm-d.ai/v1alpha1',
    kind: 'EndpointPickerConfig',
    plugins: [
      {
        type: T.tokenProducer,
        parameters: {
          // Must equal vLLM's --served-model-name: the render call names the model, and KV-event block
          // keys are hashed per model name from the topic.
          modelName: servedModelName(c),
          // Real engine tokens from vLLM itself (the default `estimate` backend packs ~4 bytes per token
          // and can never match an engine prefix).
          vllm: { url: renderServiceUrl(c) },
        },
      },
      // Emits endpoint add/delete events from the InferencePool; drives the per-pod ZMQ subscribers.
      { type: T.endpointNotificationSource },
      // Scrapes vLLM /metrics (queue length, KV usage) for the load scorers.
      { type: T.metricsDataSource },
      { type: T.coreMetricsExtractor },
      { type: T.singleProfileHandler },
      { type: T.decodeFilter },
      {
        type: T.precisePrefixCacheProducer,
        parameters: {
          // Same block size as vLLM's --block-size (library default is 16). `blockSize` is deprecated.
          tokenProcessorConfig: { blockSizeTokens: c.vllm.blockSize },
          speculativeIndexing: r.speculativeIndexing,
          speculativeTTL: r.speculativeTtl,
          indexerConfig: { kvBlockIndexConfig: { enableMetrics: true } },
          kvEventsConfig: {
            // vLLM topics are kv@<podIP>:<port>@<model>.
            topicFilter: 'kv@',
            concurrency: r.kvEventsConcurrency,
            discoverPods: true,
            // Dial podIP:<vLLM's ZMQ port> for every pool endpoint (library default 5557 would miss it),
            // and ask vLLM's replay socket for events a (re)connect missed (pkg/kvevents/pool.go
            // ReplaySocketPort, "Disabled when not set"; hardened in v0.10.0 by #2410).
            podDiscoveryConfig: { socketPort: c.vllm.kvEventsPort, replaySocketPort: c.vllm.kvEventsReplayPort },
          },
        },
      },
      // Reads PrefixCacheMatchInfo from the precise producer (without this name it would fall back to
      // an auto-spawned approximate producer).
      { type: T.prefixCacheScorer, parameters: { prefixMatchInfoProducerName: T.precisePrefixCacheProducer } },
      ...(used.has(T.kvCacheUtilizationScorer) ? [{ type: T.kvCacheUtilizationScorer }] : []),
      ...(used.has(T.queueScorer) ? [{ type: T.queueScorer }] : []),
      // Cold-start spreading: a request no pod holds a block of goes to the pod that took such a request
      // least recently, so first-seen prefixes are dealt out evenly instead of piling up on pods that
      // win ties while every load metric still reads 0. It tells cold from warm by the precise
      // producer's match info, found by the producer's name (v0.10.0 ignores the old prefixPluginName).
      ...(used.has(T.noHitLruScorer)
        ? [{ type: T.noHitLruScorer, parameters: { prefixMatchInfoProducerName: T.precisePrefixCacheProducer } }]
        : []),
      { type: T.maxScorePicker },
    ],
    dataLayer: {
      sources: [
        { pluginRef: T.metricsDataSource, extractors: [{ pluginRef: T.coreMetricsExtractor }] },
        { pluginRef: T.endpointNotificationSource, extractors: [{ pluginRef: T.precisePrefixCacheProducer }] },
      ],
    },
    schedulingProfiles: [
      {
        name: 'default',
        plugins: [{ pluginRef: T.decodeFilter }, ...scorers, { pluginRef: T.maxScorePicker }],
      },
    ],
  };
}

/** The config as the YAML document stored in the ConfigMap. */
export function endpointPickerConfigYaml(c: BenchConfig): string {
  return stringify(endpointPickerConfig(c), { lineWidth: 0, aliasDuplicateObjects: false });
}
