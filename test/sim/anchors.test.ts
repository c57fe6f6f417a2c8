/**
 * Public anchors (issue 12 §2): every fixture in test/fixtures/anchors/ parses against the schema in
 * lib/sim/anchors.ts, the set covers what the issue asks (>= 4 anchors beyond the reference, >= 3 GPU
 * types, >= 2 models), the README lists exactly the anchors that exist, and the reference anchor says
 * the same as the calibration target the simulator is tested against.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ANCHOR_DIR, type Anchor, fitObservations, loadAnchors, METRIC_UNITS, parseAnchor } from '../../lib/sim/anchors';
import { REFERENCE } from '../../lib/sim/calibration';

const anchors = loadAnchors();
const byId = new Map(anchors.map((a) => [a.id, a]));

/** A copy of a real anchor to break in the negative tests. */
function sample(): Anchor {
  return JSON.parse(JSON.stringify(byId.get('vllm-issue-42058-a100-80gb-qwen3-8b-fp8kv'))) as Anchor;
}
const FILE = '/x/vllm-issue-42058-a100-80gb-qwen3-8b-fp8kv.json';

describe('anchor fixtures', () => {
  test('every fixture parses (the loader throws on the first bad one)', () => {
    const files = fs.readdirSync(ANCHOR_DIR).filter((f) => f.endsWith('.json'));
    expect(anchors.map((a) => `${a.id}.json`)).toEqual(files.sort());
  });

  test('coverage the issue asks for: >= 4 beyond the reference, >= 3 GPU types, >= 2 models, a TP > 1 and a shared-prefix anchor', () => {
    const published = anchors.filter((a) => a.source.kind !== 'project-reference');
    expect(published.length).toBeGreaterThanOrEqual(4);
    expect(new Set(anchors.map((a) => a.setup.gpuKey)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(anchors.map((a) => a.setup.model)).size).toBeGreaterThanOrEqual(2);
    expect(published.some((a) => a.setup.tensorParallel > 1)).toBe(true);
    expect(published.some((a) => a.workload.sharedPrefix !== null)).toBe(true);
  });

  test('every observation is addressable as <anchor>/<observation> and metrics carry known units', () => {
    const names = anchors.flatMap((a) => a.observations.map((o) => `${a.id}/${o.id}`));
    expect(new Set(names).size).toBe(names.length);
    for (const a of anchors) {
      for (const o of a.observations) {
        for (const k of Object.keys(o.metrics)) expect(Object.keys(METRIC_UNITS)).toContain(k);
      }
    }
  });

  test('the README lists exactly the anchors that exist', () => {
    const readme = fs.readFileSync(path.join(ANCHOR_DIR, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Anchors'));
    const listed = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(anchors.map((a) => a.id).sort());
  });

  test('the reference anchor says what the calibration target says (no drifting second copy)', () => {
    const ref = byId.get('reference-a10g-qwen25-7b')!;
    const pairs = [['round-robin', REFERENCE.roundRobin], ['llm-d', REFERENCE.llmd]] as const;
    for (const [id, want] of pairs) {
      const got = ref.observations.find((o) => o.id === id)!.metrics;
      for (const key of ['duration', 'request_throughput', 'output_throughput', 'total_token_throughput', 'mean_ttft_ms',
        'median_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'p99_tpot_ms', 'prefix_cache_hit_rate'] as const) {
        expect({ id, key, value: got[key] }).toEqual({ id, key, value: want[key] });
      }
    }
  });
});

describe('fitObservations', () => {
  test('turns every positive metric into a keyed, weighted observation of its anchor', () => {
    const a = byId.get('llmd-calibration-h100-qwen3-32b')!;
    const obs = fitObservations(a);
    expect(obs.map((o) => o.key)).toEqual([
      'llmd-calibration-h100-qwen3-32b/calibrate-sh/prefill_throughput',
      'llmd-calibration-h100-qwen3-32b/calibrate-sh/median_ttft_ms',
      'llmd-calibration-h100-qwen3-32b/blog-single-request-fit/prefill_throughput',
      'llmd-calibration-h100-qwen3-32b/blog-single-request-fit/median_ttft_ms',
    ]);
    expect(obs.every((o) => o.group === a.id)).toBe(true);
    // high confidence (5 %) weighs 400, medium (15 %) ~44
    expect(obs[0].weight).toBeCloseTo(400, 6);
    expect(obs[2].weight).toBeCloseTo(1 / 0.15 ** 2, 6);
    expect(fitObservations(a, (m) => m === 'median_ttft_ms')).toHaveLength(2);
  });

  test('skips zero values, which have no log error', () => {
    const a = byId.get('llmd-precise-prefix-h100-qwen3-32b')!;
    const zero = a.observations.flatMap((o) => Object.values(o.metrics)).filter((v) => v === 0).length;
    expect(zero).toBeGreaterThan(0); // the precise scheduler's p90 waiting queue is 0
    const all = a.observations.reduce((n, o) => n + Object.keys(o.metrics).length, 0);
    expect(fitObservations(a)).toHaveLength(all - zero);
  });
});

describe('parseAnchor rejects what a fitter must not silently read', () => {
  test('a valid anchor passes', () => {
    expect(parseAnchor(sample(), FILE).id).toBe('vllm-issue-42058-a100-80gb-qwen3-8b-fp8kv');
  });

  test('the id must equal the file name', () => {
    expect(() => parseAnchor(sample(), '/x/other-name.json')).toThrow(/must equal the file name "other-name"/);
  });

  test('a ratio metric without relativeTo, or relativeTo an unknown observation', () => {
    const a = sample();
    const fp8 = a.observations.find((o) => o.id === 'prefill1k-fp8')!;
    fp8.relativeTo = null;
    expect(() => parseAnchor(a, FILE)).toThrow(/observations\.\d+\.relativeTo: a ratio metric needs relativeTo/);
    fp8.relativeTo = 'nope';
    expect(() => parseAnchor(a, FILE)).toThrow(/no observation "nope" in this anchor/);
  });

  test('a duplicate observation id', () => {
    const a = sample();
    a.observations[1].id = a.observations[0].id;
    expect(() => parseAnchor(a, FILE)).toThrow(/duplicate observation id "capacity-auto"/);
  });

  test('an unknown metric key, a metric-less observation, a negative value', () => {
    const a = sample();
    (a.observations[0].metrics as Record<string, number>).tokens_per_dollar = 3;
    expect(() => parseAnchor(a, FILE)).toThrow(/observations\.0\.metrics/);
    const b = sample();
    b.observations[0].metrics = {};
    expect(() => parseAnchor(b, FILE)).toThrow(/at least one metric/);
    const c = sample();
    c.observations[0].metrics = { kv_cache_capacity_tokens: -1 };
    expect(() => parseAnchor(c, FILE)).toThrow(/observations\.0\.metrics\.kv_cache_capacity_tokens/);
  });

  test('a published anchor without a URL, a bad date, a missing reading', () => {
    const a = sample();
    a.source.url = null;
    expect(() => parseAnchor(a, FILE)).toThrow(/source\.url: every published anchor needs its URL/);
    const b = sample();
    b.source.published = 'August 2026';
    expect(() => parseAnchor(b, FILE)).toThrow(/source\.published: must be YYYY/);
    const c = sample();
    c.readings = [];
    expect(() => parseAnchor(c, FILE)).toThrow(/readings/);
  });

  test('an observation whose router the anchor does not describe', () => {
    const a = sample();
    a.observations[0].router = 'random';
    expect(() => parseAnchor(a, FILE)).toThrow(/observations\.0\.router: router "random" is not described in routers/);
  });

  test('a shared-prefix dataset without its prefix structure', () => {
    const a = JSON.parse(JSON.stringify(byId.get('reference-a10g-qwen25-7b'))) as Anchor;
    a.workload.sharedPrefix = null;
    expect(() => parseAnchor(a, '/x/reference-a10g-qwen25-7b.json')).toThrow(/workload\.sharedPrefix: dataset prefix_repetition needs sharedPrefix/);
  });
});
