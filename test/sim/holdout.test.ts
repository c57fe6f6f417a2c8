/**
 * The held-out runs (test/fixtures/holdout/, scripts/holdout.ts): never read by the fit, every
 * published row predicted with the committed all-fit, and the table's errors are predicted/published.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HOLDOUT_DIR, HOLDOUT_METRICS, holdoutRows, holdoutTable } from '../../scripts/holdout';
import { ANCHOR_DIR } from '../../lib/sim/anchors';
import { anchorCases } from '../../lib/sim/anchor-predict';

describe('held-out check', () => {
  const rows = holdoutRows();

  test('the fit never reads a holdout fixture', () => {
    expect(path.resolve(HOLDOUT_DIR)).not.toBe(path.resolve(ANCHOR_DIR));
    const ids = fs.readdirSync(HOLDOUT_DIR).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(HOLDOUT_DIR, f), 'utf8')).id as string);
    expect(ids.length).toBeGreaterThan(0);
    const anchors = new Set(anchorCases().map((c) => c.anchor));
    for (const id of ids) expect(anchors.has(id)).toBe(false);
  });

  test('every published row is predicted (positive, finite), for both models', () => {
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.model)).size).toBe(2);
    for (const r of rows) {
      for (const k of HOLDOUT_METRICS) {
        expect(r.published[k]).toBeGreaterThan(0);
        expect(Number.isFinite(r.predicted[k]) && r.predicted[k] > 0).toBe(true);
      }
      // 200 Poisson arrivals at the QPS: the achieved rate cannot exceed the offered one by much.
      expect(r.predicted.request_throughput).toBeLessThan(r.qps * 1.3);
    }
  });

  test('the table prints published / predicted and the signed error of each metric', () => {
    const table = holdoutTable([{
      fixture: 'x', gpu: 'G', model: 'org/M', qps: 2,
      published: { request_throughput: 2, mean_ttft_ms: 100, mean_tpot_ms: 20 },
      predicted: { request_throughput: 1.5, mean_ttft_ms: 150, mean_tpot_ms: 20 },
    }]);
    expect(table.split('\n')[2]).toBe('| G | M | 2 | 2.00 / 1.50 (-25%) | 100.0 / 150.0 (+50%) | 20.00 / 20.00 (+0%) |');
  });
});
