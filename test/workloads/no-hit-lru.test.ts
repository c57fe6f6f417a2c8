/**
 * The no-hit-lru-scorer spreads first-seen prefixes over the pods (a request no pod holds a block of
 * goes to the pod that took such a request least recently). It decides "cold" from the precise
 * producer's match info, found by name (llm-d-router v0.10.0, scorer/nohitlru/no_hit_lru.go):
 * without the name it silently reads an auto-created approximate index; with a wrong name the EPP
 * does not start. These tests pin the wiring on the rendered ConfigMap and the checker's verdicts.
 */
import { App } from 'cdk8s';
import { defaultConfig, loadConfig } from '../../lib/config';
import { RouterChart } from '../../k8s/charts/router-chart';
import { sharedNames } from '../../k8s/names';
import { allObjects, renderCharts } from '../../k8s/render';
import { type EndpointPickerConfig, endpointPickerConfig, PICKER_TYPES, PLUGIN_TYPES } from '../../k8s/router/endpoint-picker-config';
import { eppConfigProblems } from '../../k8s/router/epp-config-checks';
import { clone, find, pluginOfType, renderedEppConfig } from './helpers';

const T = PLUGIN_TYPES;
const config = defaultConfig();
const n = sharedNames(config);
const objects = allObjects(renderCharts(config));
const epc = renderedEppConfig(objects, n.eppConfigMap);
const profile = epc.schedulingProfiles[0].plugins;
/** llm-d-router v0.10.0 defaultLRUSize: endpoints the scorer's LRU tracks when lruSize is not set. */
const EPP_DEFAULT_LRU_SIZE = 1024;

type Mutable = { plugins: any[]; dataLayer: { sources: any[] }; schedulingProfiles: any[] };
const broken = (mutate: (c: Mutable) => void): EndpointPickerConfig => {
  const copy = clone(epc) as unknown as Mutable;
  mutate(copy);
  return copy as unknown as EndpointPickerConfig;
};
const lruParams = (c: Mutable) => c.plugins.find((p) => p.type === T.noHitLruScorer).parameters;

describe('no-hit-lru-scorer in the rendered EPP config', () => {
  test('is in the default profile with the configured weight (2), before the picker', () => {
    expect(config.router.scorers.noHitLru).toBe(2);
    const at = profile.findIndex((p) => p.pluginRef === T.noHitLruScorer);
    expect(at).toBeGreaterThan(0);
    expect(profile[at].weight).toBe(config.router.scorers.noHitLru);
    expect(at).toBeLessThan(profile.length - 1);
    expect(PICKER_TYPES).toContain(profile[profile.length - 1].pluginRef);
  });

  test('reads the same producer the prefix-cache-scorer reads, which is the one fed by the endpoint notifications', () => {
    const lruTarget = pluginOfType(epc, T.noHitLruScorer).parameters.prefixMatchInfoProducerName;
    const scorerTarget = pluginOfType(epc, T.prefixCacheScorer).parameters.prefixMatchInfoProducerName;
    const precise = pluginOfType(epc, T.precisePrefixCacheProducer);
    expect(lruTarget).toBe(precise.name ?? precise.type);
    expect(lruTarget).toBe(scorerTarget);
    const notified = epc.dataLayer.sources.filter((s) => s.pluginRef === T.endpointNotificationSource).flatMap((s) => s.extractors.map((e) => e.pluginRef));
    expect(notified).toContain(lruTarget);
  });

  test('uses no parameter v0.10.0 ignores, and its LRU can track every decode pod', () => {
    const params = pluginOfType(epc, T.noHitLruScorer).parameters;
    expect(Object.keys(params).sort()).toEqual(['prefixMatchInfoProducerName']);
    expect(params.lruSize ?? EPP_DEFAULT_LRU_SIZE).toBeGreaterThanOrEqual(config.vllm.replicas);
  });

  test('weight 0 leaves it out (plugin and reference), and the rest of the chain stays whole', () => {
    const e = endpointPickerConfig(loadConfig({ 'router.scorers.noHitLru': 0 }));
    expect(e.plugins.map((p) => p.type)).not.toContain(T.noHitLruScorer);
    expect(e.schedulingProfiles[0].plugins.map((p) => p.pluginRef)).not.toContain(T.noHitLruScorer);
    expect(eppConfigProblems(e)).toEqual([]);
  });

  test('another weight flows through unchanged', () => {
    const e = endpointPickerConfig(loadConfig({ 'router.scorers.noHitLru': 3.5 }));
    expect(e.schedulingProfiles[0].plugins.find((p) => p.pluginRef === T.noHitLruScorer)?.weight).toBe(3.5);
  });

  test('a negative weight is refused by the config schema', () => {
    expect(() => loadConfig({ 'router.scorers.noHitLru': -1 })).toThrow(/router\.scorers\.noHitLru/);
  });

  test('switching it off changes only the EPP ConfigMap and the EPP pod template hash (a small cdk diff)', () => {
    const off = allObjects(renderCharts(loadConfig({ 'router.scorers.noHitLru': 0 })));
    const key = (o: { kind: string; metadata?: { name?: string; namespace?: string } }) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    const before = new Map(objects.map((o) => [key(o), JSON.stringify(o)]));
    const changed = off.filter((o) => before.get(key(o)) !== JSON.stringify(o)).map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(off.length).toBe(objects.length);
    expect(changed).toEqual([`ConfigMap/${n.eppConfigMap}`, `Deployment/${n.eppDeployment}`].sort());
    const dep = (objs: typeof objects) => clone(find(objs, 'Deployment', n.eppDeployment)) as any;
    const [a, b] = [dep(objects), dep(off)];
    delete a.spec.template.metadata.annotations['llmd-bench/config-hash'];
    delete b.spec.template.metadata.annotations['llmd-bench/config-hash'];
    expect(b).toEqual(a);
  });
});

describe('the checker catches a mis-wired no-hit-lru-scorer', () => {
  const cases: [string, (c: Mutable) => void, RegExp][] = [
    ['no prefixMatchInfoProducerName (reads an auto-created approximate producer)', (c) => { delete lruParams(c).prefixMatchInfoProducerName; }, /prefixMatchInfoProducerName is missing .*approx-prefix-cache-producer/],
    ['empty prefixMatchInfoProducerName', (c) => { lruParams(c).prefixMatchInfoProducerName = ''; }, /prefixMatchInfoProducerName is missing/],
    ['a producer that does not exist (the EPP would not start)', (c) => { lruParams(c).prefixMatchInfoProducerName = 'precise-producer'; }, /"precise-producer" names no defined plugin/],
    ['a plugin that is not the precise producer', (c) => { lruParams(c).prefixMatchInfoProducerName = T.queueScorer; }, /"queue-scorer" is not the precise-prefix-cache-producer/],
    ['the README\'s prefixPluginName/Type instead of the producer name', (c) => {
      c.plugins.find((p) => p.type === T.noHitLruScorer).parameters = { prefixPluginType: T.prefixCacheScorer, prefixPluginName: T.prefixCacheScorer };
    }, /prefixMatchInfoProducerName is missing[\s\S]*prefixPluginName is never read[\s\S]*prefixPluginType is never read/],
    ['a deprecated parameter next to the right one', (c) => { lruParams(c).prefixPluginName = T.prefixCacheScorer; }, /prefixPluginName is never read/],
    ['lruSize that is not a positive integer', (c) => { lruParams(c).lruSize = 0; }, /lruSize must be a positive integer/],
    ['defined but in no scheduling profile', (c) => {
      c.schedulingProfiles[0].plugins = c.schedulingProfiles[0].plugins.filter((p: any) => p.pluginRef !== T.noHitLruScorer);
    }, /defined but in no scheduling profile/],
    ['referenced but not defined', (c) => { c.plugins = c.plugins.filter((p) => p.type !== T.noHitLruScorer); }, /pluginRef "no-hit-lru-scorer" names no defined plugin/],
  ];

  test.each(cases)('%s', (_name, mutate, message) => {
    expect(eppConfigProblems(broken(mutate)).join('\n')).toMatch(message);
  });

  test('a renamed scorer pointing at a renamed producer is fine when every name agrees', () => {
    const ok = broken((c) => {
      const precise = c.plugins.find((p) => p.type === T.precisePrefixCacheProducer);
      precise.name = 'kv-index';
      c.dataLayer.sources.find((s) => s.pluginRef === T.endpointNotificationSource).extractors = [{ pluginRef: 'kv-index' }];
      c.plugins.find((p) => p.type === T.prefixCacheScorer).parameters.prefixMatchInfoProducerName = 'kv-index';
      const lru = c.plugins.find((p) => p.type === T.noHitLruScorer);
      lru.name = 'cold-spreader';
      lru.parameters.prefixMatchInfoProducerName = 'kv-index';
      c.schedulingProfiles[0].plugins.find((p: any) => p.pluginRef === T.noHitLruScorer).pluginRef = 'cold-spreader';
    });
    expect(eppConfigProblems(ok)).toEqual([]);
  });

  test('the router chart refuses to synthesize a mis-wired no-hit-lru-scorer', () => {
    const spy = jest.spyOn(require('../../k8s/router/endpoint-picker-config'), 'endpointPickerConfig')
      .mockReturnValue(broken((c) => { lruParams(c).prefixMatchInfoProducerName = 'no-such-producer'; }));
    try {
      expect(() => new RouterChart(new App(), 'router', { config })).toThrow(/EndpointPickerConfig is broken[\s\S]*no-hit-lru-scorer[\s\S]*no-such-producer/);
    } finally {
      spy.mockRestore();
    }
  });
});
