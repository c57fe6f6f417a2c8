/**
 * Router profiles from one definition: every profile renders an EndpointPickerConfig that passes the
 * llm-d-router v0.10.0 plugin and parameter checks and its own wiring checks; the deployed ones land in
 * the EPP ConfigMap (the default profile's file unchanged); the checker catches what v0.10.0's strict
 * decoding would refuse or silently ignore; the simulator reads each rendered profile.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { defaultConfig, loadConfig } from '../../lib/config';
import { ROUTER_PROFILE_NAMES } from '../../lib/config/tables/router-profiles';
import { parseEndpointPickerConfig } from '../../lib/sim/routers/epp-config';
import { renderCharts, allObjects } from '../../k8s/render';
import { EPP_CONFIG_FILE, endpointPickerConfigYaml, type EndpointPickerConfig } from '../../k8s/router/endpoint-picker-config';
import { genericProblems, profileProblems } from '../../k8s/router/epp-config-checks';
import { pluginRegistryProblems, V0_10_0_PLUGINS } from '../../k8s/router/plugin-registry';
import { deployedProfiles, endpointPickerConfigFor, eppProfileFiles } from '../../k8s/router/profiles';
import { clone, find } from './helpers';
import { tempDir } from '../temp-dir';

const all = loadConfig({ 'router.profiles': 'precise,approximate,load,random' });

describe('each built-in profile', () => {
  test.each(ROUTER_PROFILE_NAMES)('%s passes the v0.10.0 plugin/parameter checks and its wiring checks', (name) => {
    const epc = endpointPickerConfigFor(all, name);
    expect(profileProblems(epc, name)).toEqual([]);
    for (const p of epc.plugins) expect(Object.keys(V0_10_0_PLUGINS)).toContain(p.type);
  });

  test.each([
    ['precise', 'precise', ['kv-utilization', 'no-hit-lru', 'prefix', 'queue'], 'max-score'],
    ['approximate', 'approximate', ['kv-utilization', 'no-hit-lru', 'prefix', 'queue'], 'max-score'],
    ['load', undefined, ['kv-utilization', 'queue'], 'max-score'],
    ['random', undefined, [], 'random'],
  ])('%s: the simulator reads its rendered config (producer %s, scorers %j, picker %s)', (name, producer, scorers, picker) => {
    const p = parseEndpointPickerConfig(endpointPickerConfigFor(all, name));
    expect(p.producers.map((x) => x.kind)).toEqual(producer ? [producer] : []);
    expect(p.scorers.map((s) => s.type).sort()).toEqual(scorers);
    expect(p.picker).toBe(picker);
    expect(p.warnings).toEqual([]);
  });

  test('approximate: the approx producer on engine tokens, autoTune from vLLM\'s cache_config_info, every prefix reader naming it', () => {
    const epc = endpointPickerConfigFor(all, 'approximate');
    expect(epc.plugins.find((p) => p.type === 'approx-prefix-cache-producer')?.parameters).toEqual({ autoTune: true, blockSizeTokens: 64 });
    expect(epc.plugins.find((p) => p.type === 'token-producer')).toEqual(endpointPickerConfigFor(all, 'precise').plugins.find((p) => p.type === 'token-producer'));
    for (const t of ['prefix-cache-scorer', 'no-hit-lru-scorer']) {
      expect(epc.plugins.find((p) => p.type === t)?.parameters).toEqual({ prefixMatchInfoProducerName: 'approx-prefix-cache-producer' });
    }
  });

  test('scorer weights come from router.scorers for every profile; 0 leaves a scorer out', () => {
    const c = loadConfig({ 'router.scorers.queue': 0, 'router.scorers.kvCacheUtilization': 3 });
    const load = endpointPickerConfigFor(c, 'load');
    expect(load.schedulingProfiles[0].plugins).toEqual([{ pluginRef: 'decode-filter' }, { pluginRef: 'kv-cache-utilization-scorer', weight: 3 }, { pluginRef: 'max-score-picker' }]);
    expect(profileProblems(load, 'load')).toEqual([]);
  });
});

describe('deployment: one ConfigMap, one file per deployed profile', () => {
  test('default: only precise, in the file the EPP starts with (unchanged)', () => {
    const c = defaultConfig();
    expect(deployedProfiles(c)).toEqual([{ name: 'precise', value: 'precise', file: EPP_CONFIG_FILE, label: 'llm-d-precise', isDefault: true }]);
    expect(eppProfileFiles(c)).toEqual({ [EPP_CONFIG_FILE]: endpointPickerConfigYaml(c) });
  });

  test('router.profiles adds files; router.profile picks the one the EPP starts with; the config hash rolls the pod', () => {
    const objects = allObjects(renderCharts(all).filter((x) => x.entry.id === 'router'));
    const cm = find(objects, 'ConfigMap', 'vllm-decode-epp-config');
    expect(Object.keys(cm.data).sort()).toEqual(['endpoint-picker-config-approximate.yaml', 'endpoint-picker-config-load.yaml', 'endpoint-picker-config-random.yaml', EPP_CONFIG_FILE]);
    for (const [file, text] of Object.entries(cm.data as Record<string, string>)) {
      const kind = file === EPP_CONFIG_FILE ? 'precise' : file.replace(/^endpoint-picker-config-|\.yaml$/g, '');
      expect([file, profileProblems(parse(text) as EndpointPickerConfig, kind as never)]).toEqual([file, []]);
    }
    const hash = (o: typeof objects) => find(o, 'Deployment', 'vllm-decode-epp').spec.template.metadata.annotations['llmd-bench/config-hash'];
    expect(hash(objects)).not.toBe(hash(allObjects(renderCharts(defaultConfig()).filter((x) => x.entry.id === 'router'))));
    const approxFirst = eppProfileFiles(loadConfig({ 'router.profile': 'approximate' }));
    expect(Object.keys(approxFirst)).toEqual([EPP_CONFIG_FILE, 'endpoint-picker-config-precise.yaml']);
    expect(parse(approxFirst[EPP_CONFIG_FILE]).plugins.map((p: { type: string }) => p.type)).toContain('approx-prefix-cache-producer');
  });

  test('a user file is the "custom" profile, checked like the others; a broken one is never rendered', () => {
    const dir = tempDir('llmd-profile-');
    try {
      const good = path.join(dir, 'mine.yaml');
      fs.writeFileSync(good, stringify(endpointPickerConfigFor(all, 'load')));
      const c = loadConfig({ 'router.profiles': `precise,${good}` });
      expect(deployedProfiles(c).map((p) => [p.name, p.label, p.file])).toEqual([['precise', 'llm-d-precise', EPP_CONFIG_FILE], ['custom', 'llm-d-custom', 'endpoint-picker-config-custom.yaml']]);
      expect(Object.keys(eppProfileFiles(c))).toContain('endpoint-picker-config-custom.yaml');
      const bad = path.join(dir, 'bad.yaml');
      const broken = clone(endpointPickerConfigFor(all, 'load')) as unknown as { plugins: { type: string; parameters?: unknown }[] };
      broken.plugins.find((p) => p.type === 'queue-scorer')!.parameters = { threshold: 3 };
      fs.writeFileSync(bad, stringify(broken));
      expect(() => eppProfileFiles(loadConfig({ 'router.profiles': `precise,${bad}` }))).toThrow(/router profile ".*bad.yaml" is broken[\s\S]*queue-scorer takes no parameters/);
      expect(() => loadConfig({ 'router.profiles': `${good},${bad}` })).toThrow(/router.profiles: .*at most one EndpointPickerConfig file/);
      expect(() => loadConfig({ 'router.profile': 'fastest' })).toThrow(/router.profile: got "fastest"; must be one of precise, approximate, load, random, or a path/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the v0.10.0 plugin/parameter checks', () => {
  const base = () => clone(endpointPickerConfigFor(all, 'approximate')) as unknown as { plugins: { type: string; name?: string; parameters?: Record<string, unknown> }[]; schedulingProfiles: { plugins: { pluginRef: string }[] }[] };
  const problems = (mutate: (c: ReturnType<typeof base>) => void, kind: 'approximate' | 'random' = 'approximate') => {
    const c = base();
    mutate(c);
    return profileProblems(c as unknown as EndpointPickerConfig, kind).join('\n');
  };

  test.each([
    ['an unknown parameter (strict decoding stops the EPP)', (c: ReturnType<typeof base>) => { c.plugins.find((p) => p.type === 'approx-prefix-cache-producer')!.parameters!.lruCapacity = 10; }, /unknown parameter "lruCapacity" for approx-prefix-cache-producer/],
    ['a nested unknown parameter', (c: ReturnType<typeof base>) => { (c.plugins.find((p) => p.type === 'token-producer')!.parameters!.vllm as Record<string, unknown>).uri = 'x'; }, /unknown parameter "vllm.uri" for token-producer/],
    ['parameters on a plugin that ignores them', (c: ReturnType<typeof base>) => { c.plugins.find((p) => p.type === 'kv-cache-utilization-scorer')!.parameters = { weight: 2 }; }, /kv-cache-utilization-scorer takes no parameters in v0.10.0/],
    ['a type v0.10.0 does not have here', (c: ReturnType<typeof base>) => { c.plugins.push({ type: 'prefix-scorer' }); }, /type "prefix-scorer" is not one this project renders/],
    ['the prefix scorer reading another producer', (c: ReturnType<typeof base>) => { c.plugins.find((p) => p.type === 'prefix-cache-scorer')!.parameters = {}; }, /prefixMatchInfoProducerName must name the approx-prefix-cache-producer/],
    ['no vLLM token producer', (c: ReturnType<typeof base>) => { c.plugins = c.plugins.filter((p) => p.type !== 'token-producer'); }, /token-producer with parameters.vllm.url is required/],
    ['a dangling reference', (c: ReturnType<typeof base>) => { c.schedulingProfiles[0].plugins.splice(1, 0, { pluginRef: 'ghost' }); }, /pluginRef "ghost" names no defined plugin/],
  ])('catches %s', (_what, mutate, message) => {
    expect(problems(mutate)).toMatch(message);
  });

  test('the random profile must only pick at random', () => {
    const c = clone(endpointPickerConfigFor(all, 'random'));
    (c.schedulingProfiles[0].plugins as { pluginRef: string }[]).splice(1, 0, { pluginRef: 'queue-scorer' });
    (c.plugins as { type: string }[]).push({ type: 'queue-scorer' });
    expect(profileProblems(c, 'random').join('\n')).toMatch(/the random profile scores nothing, found queue-scorer/);
  });

  test('Go field names match case-insensitively, as encoding/json does; everything else is unknown', () => {
    expect(pluginRegistryProblems({ type: 'max-score-picker', parameters: { MaxNumOfEndpoints: 1 } })).toEqual([]);
    expect(pluginRegistryProblems({ type: 'max-score-picker', parameters: { maxEndpoints: 1 } })).toEqual([expect.stringMatching(/unknown parameter "maxEndpoints"/)]);
    expect(genericProblems(endpointPickerConfigFor(all, 'precise'))).toEqual([]);
  });
});
