/**
 * "A router that silently scores every pod 0" must be impossible: the builder always emits the full
 * chain, the chart refuses to synthesize a broken one, and the checker catches every broken link.
 */
import { defaultConfig, loadConfig } from '../../lib/config';
import { RouterChart } from '../../k8s/charts/router-chart';
import { type EndpointPickerConfig, endpointPickerConfig, endpointPickerConfigYaml, PLUGIN_TYPES } from '../../k8s/router/endpoint-picker-config';
import { eppConfigProblems } from '../../k8s/router/epp-config-checks';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { clone } from './helpers';

const config = defaultConfig();
const epc = endpointPickerConfig(config);
const T = PLUGIN_TYPES;

type Mutable = { plugins: any[]; dataLayer: { sources: any[] }; schedulingProfiles: any[] };
const broken = (mutate: (c: Mutable) => void): EndpointPickerConfig => {
  const copy = clone(epc) as unknown as Mutable;
  mutate(copy);
  return copy as unknown as EndpointPickerConfig;
};
const param = (c: Mutable, type: string) => c.plugins.find((p) => p.type === type).parameters;

describe('the precise-prefix chain', () => {
  test('the builder emits it for the default config', () => {
    expect(eppConfigProblems(epc)).toEqual([]);
  });

  test('the builder emits it for any valid config (weights, block size, speculative off, one scorer)', () => {
    for (const ctx of [
      { 'vllm.blockSize': 16 },
      { 'router.speculativeIndexing': false },
      { 'router.scorers.kvCacheUtilization': 0, 'router.scorers.queue': 0 },
      { 'router.scorers.noHitLru': 0 },
      { 'router.scorers.prefixCache': 5, 'router.eppReplicas': 3 },
    ]) {
      expect([ctx, eppConfigProblems(endpointPickerConfig(loadConfig(ctx)))]).toEqual([ctx, []]);
    }
  });

  test('the YAML in the ConfigMap parses back to the same object', () => {
    expect(parse(endpointPickerConfigYaml(config))).toEqual(JSON.parse(JSON.stringify(epc)));
  });

  const links: [string, (c: Mutable) => void, RegExp][] = [
    ['no token producer', (c) => { c.plugins = c.plugins.filter((p) => p.type !== T.tokenProducer); }, /exactly one token-producer/],
    ['token producer without the vLLM render URL', (c) => { delete param(c, T.tokenProducer).vllm; }, /vllm.url is missing/],
    ['token producer on the estimate backend', (c) => { param(c, T.tokenProducer).estimate = {}; }, /only the vllm backend/],
    ['no endpoint-notification data source', (c) => { c.dataLayer.sources = c.dataLayer.sources.filter((s) => s.pluginRef !== T.endpointNotificationSource); }, /no endpoint-notification-source source has precise-prefix-cache-producer/],
    ['producer not an extractor of the notification source', (c) => { c.dataLayer.sources.find((s) => s.pluginRef === T.endpointNotificationSource).extractors = []; }, /no endpoint-notification-source source/],
    ['no block size (library default 16)', (c) => { delete param(c, T.precisePrefixCacheProducer).tokenProcessorConfig; }, /blockSizeTokens must be set/],
    ['pod discovery off', (c) => { param(c, T.precisePrefixCacheProducer).kvEventsConfig.discoverPods = false; }, /discoverPods must be true/],
    ['no ZMQ socket port (library default 5557)', (c) => { delete param(c, T.precisePrefixCacheProducer).kvEventsConfig.podDiscoveryConfig; }, /socketPort must be set/],
    ['scorer not reading the precise producer', (c) => { delete param(c, T.prefixCacheScorer).prefixMatchInfoProducerName; }, /falls? back to the approximate producer/],
    ['scorer missing from the profile', (c) => { c.schedulingProfiles[0].plugins = c.schedulingProfiles[0].plugins.filter((p: any) => p.pluginRef !== T.prefixCacheScorer); }, /no precise prefix-cache-scorer with weight > 0/],
    ['scorer weight 0', (c) => { c.schedulingProfiles[0].plugins.find((p: any) => p.pluginRef === T.prefixCacheScorer).weight = 0; }, /no precise prefix-cache-scorer with weight > 0/],
    ['profile without a picker', (c) => { c.schedulingProfiles[0].plugins.pop(); }, /must end in a picker/],
    ['dangling pluginRef', (c) => { c.schedulingProfiles[0].plugins.splice(1, 0, { pluginRef: 'no-such-plugin' }); }, /pluginRef "no-such-plugin" names no defined plugin/],
  ];

  test.each(links)('the checker catches: %s', (_name, mutate, message) => {
    const problems = eppConfigProblems(broken(mutate));
    expect(problems.join('\n')).toMatch(message);
  });

  test('the router chart refuses to synthesize a broken config', () => {
    const spy = jest.spyOn(require('../../k8s/router/endpoint-picker-config'), 'endpointPickerConfig')
      .mockReturnValue(broken((c) => { c.plugins = c.plugins.filter((p) => p.type !== T.tokenProducer); }));
    try {
      expect(() => new RouterChart(new App(), 'router', { config })).toThrow(/EndpointPickerConfig is broken[\s\S]*token-producer/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('scorers', () => {
  test('weights come from the config', () => {
    const c = loadConfig({ 'router.scorers.prefixCache': 3, 'router.scorers.kvCacheUtilization': 2, 'router.scorers.queue': 0.5, 'router.scorers.noHitLru': 1.5 });
    expect(endpointPickerConfig(c).schedulingProfiles[0].plugins).toEqual([
      { pluginRef: T.decodeFilter },
      { pluginRef: T.prefixCacheScorer, weight: 3 },
      { pluginRef: T.kvCacheUtilizationScorer, weight: 2 },
      { pluginRef: T.queueScorer, weight: 0.5 },
      { pluginRef: T.noHitLruScorer, weight: 1.5 },
      { pluginRef: T.maxScorePicker },
    ]);
  });

  test('a scorer with weight 0 is left out, plugin and reference', () => {
    const e = endpointPickerConfig(loadConfig({ 'router.scorers.queue': 0 }));
    expect(e.plugins.map((p) => p.type)).not.toContain(T.queueScorer);
    expect(e.schedulingProfiles[0].plugins.map((p) => p.pluginRef)).not.toContain(T.queueScorer);
  });

  test('a prefix weight of 0 is refused by the config checks', () => {
    expect(() => loadConfig({ 'router.scorers.prefixCache': 0 })).toThrow(/router.scorers.prefixCache: got 0; must be > 0/);
  });

  test('speculative indexing can be switched off and its TTL set', () => {
    const p = endpointPickerConfig(loadConfig({ 'router.speculativeIndexing': false, 'router.speculativeTtl': '500ms' }))
      .plugins.find((x) => x.type === T.precisePrefixCacheProducer)!.parameters!;
    expect(p).toMatchObject({ speculativeIndexing: false, speculativeTTL: '500ms' });
  });
});
