import { ConfigError, defaultConfig, loadConfig } from '../../lib/config';

describe('sim config', () => {
  test('defaults load and mark the fitted factors', () => {
    const c = defaultConfig();
    expect(c.sim).toMatchObject({ computeEfficiency: 0.85, stepOverheadMs: 15, perSequenceOverheadMs: 0.9, requestOverheadMs: 220 });
  });

  test('efficiency factors must be fractions', () => {
    expect(() => loadConfig({ 'sim.computeEfficiency': 1.5 })).toThrow(/sim.computeEfficiency.*\(0, 1\]/);
    expect(() => loadConfig({ 'sim.kvBandwidthEfficiency': 0 })).toThrow(ConfigError);
  });

  test('cross-field checks: EPP refresh floor, event lag shorter than the speculative TTL', () => {
    expect(() => loadConfig({ 'sim.metricsRefreshMs': 10 })).toThrow(/sim.metricsRefreshMs: got 10; must be >= 50/);
    expect(() => loadConfig({ 'sim.kvEventLagMs': 2500 })).toThrow(/sim.kvEventLagMs: got 2500; must be shorter than router.speculativeTtl/);
    expect(() => loadConfig({ 'sim.kvEventLagMs': 2500, 'router.speculativeIndexing': false })).not.toThrow();
  });

  test('context strings are coerced (-c sim.stepOverheadMs=12)', () => {
    expect(loadConfig({ 'sim.stepOverheadMs': '12', 'sim.vllmAsyncScheduling': 'false' }).sim).toMatchObject({ stepOverheadMs: 12, vllmAsyncScheduling: false });
  });
});
