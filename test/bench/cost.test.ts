/** `llmd-bench cost`: itemised hourly cost in the configured region, run estimates and $/M tokens per path. */
import { loadConfig } from '../../lib/config';
import { INSTANCE_TYPES } from '../../lib/config/tables/instances';
import { ec2HourlyPrice, PRICES, servicePrices } from '../../lib/config/tables/prices';
import { FSX_PERSISTENT_2_THROUGHPUTS } from '../../lib/config/checks/platform';
import { REGIONS } from '../../lib/config/tables/regions';
import { costReport, estimateRunMinutes, formatCost, hourlyCost, predictThroughput, restartMinutes, type ThroughputPrediction } from '../../lib/bench/cost';

const reference = loadConfig({});
/** A fixed prediction (the reference's measured req/s and tok/s) for the arithmetic tests; one test runs the simulator. */
const FIXED: ThroughputPrediction = {
  source: 'simulated',
  paths: { 'round-robin': { requestThroughput: 10.71, outputThroughput: 2742 }, 'llm-d': { requestThroughput: 25.09, outputThroughput: 6423 } },
  notes: [],
};
const shape = { targets: 2, ladder: false, warmup: false };

describe('cost', () => {
  test('the reference configuration per hour, itemised', () => {
    const lines = Object.fromEntries(hourlyCost(reference).map((l) => [l.item, Math.round(l.perHour * 10_000) / 10_000]));
    expect(lines).toEqual({
      'GPU nodes': 8.048, // 8 x g5.xlarge at $1.006
      'system nodes': 0.768, // 2 x m6i.2xlarge at $0.384
      'EKS control plane': 0.1,
      'FSx for Lustre': 0.3452, // 1200 GB x $0.21 / 730 h
      'NAT gateways': 0.05, // $0.045 + $0.005 public IPv4
      'EBS root volumes': 0.1973, // (8 x 200 + 2 x 100) GB x $0.08 / 730 h
    });
    const { perHour } = costReport(reference, shape, undefined, FIXED);
    expect(perHour).toBeCloseTo(9.5085, 3);
  });

  test('every instance type and FSx tier the config accepts has a price, each marked how sure it is', () => {
    const unpriced = Object.keys(INSTANCE_TYPES).filter((t) => ec2HourlyPrice(t, 'us-east-1') === undefined);
    expect(unpriced).toEqual([]);
    for (const t of Object.keys(INSTANCE_TYPES)) {
      const q = ec2HourlyPrice(t, 'us-east-1')!;
      // Only the proxied type (no On-Demand list price) is not verified in the verified region.
      expect([t, q.status]).toEqual([t, t in PRICES.ec2PriceProxies ? 'unverified' : 'verified']);
    }
    expect(FSX_PERSISTENT_2_THROUGHPUTS.filter((t) => servicePrices('us-west-2').fsxLustrePerGBMonth.PERSISTENT_2[t] === undefined)).toEqual([]);
    expect(PRICES.reviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('prices follow the region: same list price in the US regions, marked fallback where unknown', () => {
    expect(ec2HourlyPrice('p5.48xlarge', 'us-east-1')).toEqual({ usdPerHour: 55.04, status: 'verified', source: expect.stringMatching(/AWS Pricing API, us-east-1, 2026-07-20/) });
    expect(ec2HourlyPrice('p5.48xlarge', 'us-east-2')).toMatchObject({ usdPerHour: 55.04, status: 'unverified' });
    expect(ec2HourlyPrice('p5.48xlarge', 'eu-central-1')).toMatchObject({ usdPerHour: 55.04, status: 'fallback', note: expect.stringMatching(/no eu-central-1 price known/) });
    expect(ec2HourlyPrice('p5e.48xlarge', 'us-east-1')).toMatchObject({ usdPerHour: 63.296, status: 'unverified', note: expect.stringMatching(/p5en/) });
    expect(ec2HourlyPrice('x9.huge', 'us-east-1')).toBeUndefined();
    for (const region of Object.keys(REGIONS)) expect([region, servicePrices(region).fallback]).toEqual([region, false]);
    const frankfurt = costReport(loadConfig({ 'aws.region': 'eu-central-1' }), shape, undefined, FIXED);
    expect(frankfurt.region).toBe('eu-central-1');
    expect(frankfurt.lines.find((l) => l.item === 'NAT gateways')!.perHour).toBeCloseTo(0.057, 6);
    expect(frankfurt.lines.find((l) => l.item === 'GPU nodes')).toMatchObject({ priceStatus: 'fallback' });
    expect(frankfurt.notes[0]).toMatch(/No eu-central-1 price is known for: GPU nodes, system nodes, FSx for Lustre; .*lower bound/);
  });

  test('the configuration drives the cost', () => {
    const small = loadConfig({ 'gpuNodes.count': 2, 'vllm.replicas': 2, 'modelStore.perUnitStorageThroughput': 125, 'network.natGateways': 2 });
    const lines = Object.fromEntries(hourlyCost(small).map((l) => [l.item, l]));
    expect(lines['GPU nodes'].perHour).toBeCloseTo(2.012, 6);
    expect(lines['GPU nodes'].detail).toBe('2 x g5.xlarge (2 GPUs), on-demand [unverified: us-east-1 list price, assumed equal here]');
    expect(lines['FSx for Lustre'].perHour).toBeCloseTo((1200 * 0.145) / 730, 6);
    expect(lines['NAT gateways'].perHour).toBeCloseTo(0.1, 6);
    const p5 = hourlyCost(loadConfig({ 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': 2, 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': 2 }));
    expect(p5[0]).toMatchObject({ perHour: 110.08, detail: expect.stringMatching(/^2 x p5\.48xlarge \(16 GPUs\)/) });
  });

  test('$ per million output tokens and the run per path come from the predicted throughput', () => {
    const r = costReport(reference, shape, undefined, FIXED);
    const rr = r.paths.find((p) => p.path === 'round-robin')!;
    const llmd = r.paths.find((p) => p.path === 'llm-d')!;
    expect(rr.usdPerMillionOutputTokens).toBeCloseTo((r.perHour / (2742 * 3600)) * 1e6, 9);
    expect(llmd.gpuUsdPerMillionOutputTokens).toBeCloseTo((8.048 / (6423 * 3600)) * 1e6, 9);
    // 9000 prompts at 10.71 and 25.09 req/s: 14.0 and 6.0 min of traffic, a 2-minute Job start and one
    // rolling restart (cacheReset=restart, the default): 8 pods one at a time, each ~10 s preStop +
    // 15.2 GB at 300 MB/s + 90 s engine start, ~20 min.
    expect(restartMinutes(reference)).toBeGreaterThan(18);
    expect(restartMinutes(reference)).toBeLessThan(24);
    expect(rr.runMinutes).toBeCloseTo(9000 / 10.71 / 60 + 2 + restartMinutes(reference), 6);
    const endpoint = costReport(loadConfig({ 'benchmark.cacheReset': 'endpoint' }), shape, undefined, FIXED);
    expect(endpoint.paths[0].runMinutes).toBeCloseTo(9000 / 10.71 / 60 + 2 + 0.1, 6);
    expect(llmd.runCost).toBeCloseTo((llmd.runMinutes / 60) * r.perHour, 9);
    // Twice the throughput halves the traffic part of the run and the $/M tokens.
    const doubled: ThroughputPrediction = { ...FIXED, paths: { 'round-robin': { requestThroughput: 21.42, outputThroughput: 5484 }, 'llm-d': FIXED.paths['llm-d'] } };
    const r2 = costReport(reference, shape, undefined, doubled);
    expect(r2.paths[0].usdPerMillionOutputTokens).toBeCloseTo(rr.usdPerMillionOutputTokens / 2, 9);
    const text = formatCost(r);
    expect(text).toMatch(/Per path, at the throughput the simulator predicts for this deployment \(simulated\):/);
    expect(text).toMatch(/round-robin +10\.71 +2,742/);
  });

  test('a run of the configured size takes longer with the ladder and warm-ups; --hours overrides', () => {
    const total = (ladder: boolean, warmup: boolean) => estimateRunMinutes(reference, { targets: 2, ladder, warmup }, FIXED).reduce((a, p) => a + p.minutes, 0);
    const main = total(false, false);
    expect(main).toBeGreaterThan(20);
    expect(main).toBeLessThan(80); // with two cache resets by rolling restart (the default), ~20 min each
    expect(total(true, false)).toBeGreaterThan(main + 20);
    expect(total(false, true)).toBeGreaterThan(main);
    const r = costReport(reference, shape, 3, FIXED);
    expect(r.run).toMatchObject({ hours: 3, byHours: true });
    expect(r.run.cost).toBeCloseTo(3 * r.perHour, 6);
    expect(formatCost(r)).toContain('For 3.00 h: $28.53');
  });

  test('quota arithmetic per family is part of the report', () => {
    const r = costReport(loadConfig({ 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': 2, 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': 2 }), shape, 1, FIXED);
    expect(r.quotas).toEqual([
      expect.objectContaining({ family: 'P', quotaCode: 'L-417A185B', vcpus: 384, detail: '2 x p5.48xlarge (192 vCPU)' }),
      expect.objectContaining({ family: 'Standard', quotaCode: 'L-1216C47A', vcpus: 16 }),
    ]);
    expect(formatCost(r)).toContain('384 vCPU of "Running On-Demand P instances" (L-417A185B): 2 x p5.48xlarge (192 vCPU)');
    const spot = costReport(loadConfig({ 'gpuNodes.capacityType': 'SPOT' }), shape, 1, FIXED);
    expect(spot.quotas[0]).toMatchObject({ quotaCode: 'L-3819A6DF', vcpus: 32 });
    expect(spot.notes[0]).toMatch(/SPOT/);
  });

  test('every router profile path of run --target is priced at its own predicted pace; load stages take their wall time (no faster than offered)', () => {
    // A prediction with the profile paths too (each profile has its own simulated throughput).
    const profiles: ThroughputPrediction = {
      ...FIXED,
      paths: { ...FIXED.paths, 'llm-d-precise': FIXED.paths['llm-d'], 'llm-d-approximate': { requestThroughput: 18.5, outputThroughput: 4736 } },
    };
    const minutes = (c: typeof reference, labels: string[]) => estimateRunMinutes(c, { targets: labels.length, labels, ladder: false, warmup: false }, profiles)
      .filter((p) => p.what.includes('benchmark traffic')).map((p) => p.minutes);
    const three = minutes(reference, ['round-robin', 'llm-d-precise', 'llm-d-approximate']);
    expect(three).toHaveLength(3);
    expect(three[1]).toBeCloseTo(9000 / 25.09 / 60, 9);
    expect(three[2]).toBeCloseTo(9000 / 18.5 / 60, 9);
    expect(three[0]).toBeGreaterThan(three[2]);
    // The per-path table lists the A/B paths and every path the run measures.
    const r = costReport(reference, { targets: 3, labels: ['round-robin', 'llm-d-precise', 'llm-d-approximate'], ladder: false, warmup: false }, undefined, profiles);
    expect(r.paths.map((p) => p.path)).toEqual(['round-robin', 'llm-d', 'llm-d-precise', 'llm-d-approximate']);
    expect(formatCost(r)).toMatch(/llm-d-approximate +18\.50 +4,736/);
    // A path without a prediction is refused, never priced at another path's pace.
    expect(() => estimateRunMinutes(reference, { targets: 1, labels: ['llm-d-load'], ladder: false, warmup: false }, profiles)).toThrow(/no predicted throughput for the llm-d-load path/);
    // 2:50 and 4:100 with a 1:30 warm-up: 180 s of stages (+1 s lead each), well under capacity.
    const staged = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,4:100', 'benchmark.warmupStage': '1:30' });
    expect(minutes(staged, ['llm-d-precise'])[0]).toBeCloseTo((180 + 3) / 60, 9);
    // Offered beyond the predicted capacity (25.09 req/s): the queue drains after the stage.
    const over = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '100:60' });
    expect(minutes(over, ['llm-d'])[0]).toBeCloseTo((6000 / 25.09 + 1) / 60, 6);
  });

  test('without a given prediction, cost --target simulates each router profile path with its own EndpointPickerConfig', () => {
    const predicted = predictThroughput(reference, ['round-robin', 'llm-d', 'llm-d-load']);
    expect(Object.keys(predicted.paths).sort()).toEqual(['llm-d', 'llm-d-load', 'round-robin']);
    // Load scorers alone have no prefix affinity: slower than precise llm-d on the shared-prefix reference.
    expect(predicted.paths['llm-d-load'].requestThroughput).toBeLessThan(predicted.paths['llm-d'].requestThroughput);
  });

  test('bad --hours is refused', () => {
    expect(() => costReport(reference, shape, -1, FIXED)).toThrow(/--hours -1: must be a positive number/);
  });

  test('without a given prediction, cost simulates the configured deployment (both paths)', () => {
    const predicted = predictThroughput(reference);
    expect(predicted.source).toBe('simulated');
    expect(predicted.notes).toEqual([]); // the reference is the calibration point
    // The calibrated prediction of the reference run (docs/simulator.md): ~10.6 and ~25.3 req/s.
    expect(predicted.paths['round-robin'].requestThroughput).toBeGreaterThan(9.6);
    expect(predicted.paths['round-robin'].requestThroughput).toBeLessThan(11.8);
    expect(predicted.paths['llm-d'].requestThroughput).toBeGreaterThan(22.5);
    expect(predicted.paths['llm-d'].outputThroughput).toBeCloseTo(predicted.paths['llm-d'].requestThroughput * 256, -1);
    const r = costReport(reference, shape, undefined, predicted);
    expect(r.paths.map((p) => p.requestThroughput)).toEqual([predicted.paths['round-robin'].requestThroughput, predicted.paths['llm-d'].requestThroughput]);
  });
});
