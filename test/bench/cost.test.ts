/** `llmd-bench cost`: the itemised hourly cost of the reference configuration and run estimates. */
import { loadConfig } from '../../lib/config';
import { PRICES } from '../../lib/config/tables/prices';
import { INSTANCE_TYPES } from '../../lib/config/tables/instances';
import { FSX_PERSISTENT_2_THROUGHPUTS } from '../../lib/config/checks/platform';
import { costReport, estimateRunMinutes, formatCost, hourlyCost } from '../../lib/bench/cost';

const reference = loadConfig({});

describe('cost', () => {
  test('the reference configuration per hour, itemised', () => {
    const lines = Object.fromEntries(hourlyCost(reference).map((l) => [l.item, Math.round(l.perHour * 10_000) / 10_000]));
    expect(lines).toEqual({
      'GPU nodes': 8.048, // 8 x g5.xlarge at $1.006
      'system nodes': 0.384, // 2 x m6i.xlarge at $0.192
      'EKS control plane': 0.1,
      'FSx for Lustre': 0.3452, // 1200 GB x $0.21 / 730 h
      'NAT gateways': 0.05, // $0.045 + $0.005 public IPv4
      'EBS root volumes': 0.1973, // (8 x 200 + 2 x 100) GB x $0.08 / 730 h
    });
    const { perHour } = costReport(reference, { targets: 2, ladder: false, warmup: false });
    expect(perHour).toBeCloseTo(9.1245, 3);
  });

  test('every instance type and FSx tier the config accepts has a price', () => {
    expect(Object.keys(INSTANCE_TYPES).filter((t) => PRICES.ec2PerHour[t] === undefined)).toEqual([]);
    expect(FSX_PERSISTENT_2_THROUGHPUTS.filter((t) => PRICES.fsxLustrePerGBMonth.PERSISTENT_2[t] === undefined)).toEqual([]);
    expect(PRICES.reviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('the configuration drives the cost', () => {
    const small = loadConfig({ 'gpuNodes.count': 2, 'vllm.replicas': 2, 'modelStore.perUnitStorageThroughput': 125, 'network.natGateways': 2 });
    const lines = Object.fromEntries(hourlyCost(small).map((l) => [l.item, l]));
    expect(lines['GPU nodes'].perHour).toBeCloseTo(2.012, 6);
    expect(lines['GPU nodes'].detail).toBe('2 x g5.xlarge (2 GPUs), on-demand');
    expect(lines['FSx for Lustre'].perHour).toBeCloseTo((1200 * 0.145) / 730, 6);
    expect(lines['NAT gateways'].perHour).toBeCloseTo(0.1, 6);
  });

  test('a run of the configured size takes longer with the ladder and warm-ups; --hours overrides', () => {
    const total = (ladder: boolean, warmup: boolean) => estimateRunMinutes(reference, { targets: 2, ladder, warmup }).reduce((a, p) => a + p.minutes, 0);
    const main = total(false, false);
    // 9000 prompts at the reference's 10.71 and 25.09 req/s: 14.0 + 6.0 min of traffic, plus overheads.
    expect(main).toBeGreaterThan(20);
    expect(main).toBeLessThan(40);
    expect(total(true, false)).toBeGreaterThan(main + 20);
    expect(total(false, true)).toBeGreaterThan(main);
    const r = costReport(reference, { targets: 2, ladder: false, warmup: false }, 3);
    expect(r.run).toMatchObject({ hours: 3, byHours: true });
    expect(r.run.cost).toBeCloseTo(3 * r.perHour, 6);
    expect(formatCost(r)).toContain('For 3.00 h: $27.37');
  });

  test('every router profile path of run --target is priced; load stages take their wall time (no faster than offered)', () => {
    const minutes = (c: typeof reference, labels: string[]) => estimateRunMinutes(c, { targets: labels.length, labels, ladder: false, warmup: false })
      .filter((p) => p.what.includes('benchmark traffic')).map((p) => p.minutes);
    // Three paths: round-robin at its pace, each profile at llm-d's.
    const three = minutes(reference, ['round-robin', 'llm-d-precise', 'llm-d-approximate']);
    expect(three).toHaveLength(3);
    expect(three[1]).toBeCloseTo(three[2], 9);
    expect(three[0]).toBeGreaterThan(three[1]);
    // 2:50 and 4:100 with a 1:30 warm-up: 180 s of stages (+1 s lead each), well under capacity.
    const staged = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '2:50,4:100', 'benchmark.warmupStage': '1:30' });
    expect(minutes(staged, ['llm-d-precise'])[0]).toBeCloseTo((180 + 3) / 60, 9);
    // Offered beyond the reference capacity (25.09 req/s on 8 replicas): the queue drains after the stage.
    const over = loadConfig({ 'workload.name': 'shared-prefix', 'benchmark.stages': '100:60' });
    expect(minutes(over, ['llm-d'])[0]).toBeCloseTo((6000 / 25.09 + 1) / 60, 6);
  });

  test('bad --hours and other regions are called out', () => {
    expect(() => costReport(reference, { targets: 2, ladder: false, warmup: false }, -1)).toThrow(/--hours -1: must be a positive number/);
    // Only us-west-2 validates today; a region row added later must not be priced silently with Oregon prices.
    const elsewhere = costReport({ ...reference, aws: { ...reference.aws, region: 'eu-west-1' } }, { targets: 2, ladder: false, warmup: false });
    expect(elsewhere.notes[0]).toMatch(/aws.region is eu-west-1 but the price table is for us-west-2/);
    const spot = costReport(loadConfig({ 'gpuNodes.capacityType': 'SPOT' }), { targets: 2, ladder: false, warmup: false });
    expect(spot.notes[0]).toMatch(/SPOT/);
  });
});
