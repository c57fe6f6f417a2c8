import { ConfigError, defaultConfig, loadConfig } from '../../lib/config';
import { simParams } from '../../lib/sim/params';

describe('sim config', () => {
  test('the timing model is not a config key: its constants are fitted once to the public anchors (issue 12)', () => {
    const c = defaultConfig();
    expect(Object.keys(c.sim)).not.toContain('stepOverheadMs');
    // A stale override of a retired fitted factor fails loudly instead of being ignored.
    expect(() => loadConfig({ 'sim.perSequenceOverheadMs': 0.9 })).toThrow(/sim.perSequenceOverheadMs: got 0.9; unknown config key/);
    expect(() => loadConfig({ 'sim.computeEfficiency': 0.85 })).toThrow(ConfigError);
  });

  test('cross-field checks: EPP refresh floor, event lag shorter than the speculative TTL', () => {
    expect(() => loadConfig({ 'sim.metricsRefreshMs': 10 })).toThrow(/sim.metricsRefreshMs: got 10; must be >= 50/);
    expect(() => loadConfig({ 'sim.kvEventLagMs': 2500, 'router.speculativeTtl': '2s' })).toThrow(/sim.kvEventLagMs: got 2500; must be shorter than router.speculativeTtl/);
    expect(() => loadConfig({ 'sim.kvEventLagMs': 2500, 'router.speculativeTtl': '2s', 'router.speculativeIndexing': false })).not.toThrow();
  });

  test('context strings are coerced (-c sim.kvEventLagMs=12)', () => {
    expect(loadConfig({ 'sim.kvEventLagMs': '12', 'sim.vllmAsyncScheduling': 'false' }).sim).toMatchObject({ kvEventLagMs: 12, vllmAsyncScheduling: false });
  });
});

describe('simParams: flag overrides get the checks the config gets', () => {
  test('a workload longer than vllm.maxModelLen is refused (vLLM would reject every request)', () => {
    expect(() => simParams(defaultConfig(), { prefixLen: 5000 })).toThrow(/vllm.maxModelLen: got 4096; must be >= prefixLen \+ suffixLen \+ chat template \(5157\) \+ outputLen \(256\) = 5413/);
    expect(() => simParams(loadConfig({ 'vllm.maxModelLen': 8192 }), { prefixLen: 5000 })).not.toThrow();
  });

  test('the client limit is a positive whole number or null, never a value that silently stalls the client', () => {
    expect(simParams(defaultConfig(), { maxConcurrency: null }).maxConcurrency).toBeNull();
    expect(() => simParams(defaultConfig(), { maxConcurrency: '' as unknown as number })).toThrow(/benchmark.maxConcurrency: got ""; must be a positive whole number or "none"/);
    expect(() => simParams(defaultConfig(), { maxConcurrency: 0 })).toThrow(/benchmark.maxConcurrency: got 0/);
  });
});
