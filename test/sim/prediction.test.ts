/**
 * Issue 12: the mechanisms of the timing model (host CPU, API server queue, router path, GPU
 * architecture), the committed fit, the intervals and the calibration distance.
 */
import { loadConfig } from '../../lib/config';
import { GPUS } from '../../lib/config/tables/gpus';
import { HOST_CPUS } from '../../lib/config/tables/host-cpus';
import { anchorCases, predictCase } from '../../lib/sim/anchor-predict';
import { loadAnchors } from '../../lib/sim/anchors';
import { fittedCalibration } from '../../lib/sim/calibration';
import { SegmentTableBuilder } from '../../lib/sim/block-keys';
import { FifoServer, ServerPool } from '../../lib/sim/cpu-server';
import { EppTokenizer, KV_CACHE_MANAGER_V03_TOKENIZER } from '../../lib/sim/epp-tokenizer';
import { calibrationDistance } from '../../lib/sim/envelope';
import { contentionFactor, cpuCapacity, cpuTimeScale, decodeHost } from '../../lib/sim/host';
import { INTERVAL_KEYS, interval, withIntervals } from '../../lib/sim/intervals';
import { simulate } from '../../lib/sim';
import { defaultTimingValues, type SimOverrides, simParams } from '../../lib/sim/params';
import { SMALL } from './helpers';
import type { SimResult } from '../../lib/sim/results';
import { completeTimingValues, priorTimingValues, SETUP_LATENCY_LADDER_2025, TIMING_PARAMS } from '../../lib/sim/timing-params';
import { inputsHash } from '../../lib/sim/validation';

describe('host CPU', () => {
  test('a g5.xlarge pod is CPU-contended, a g5.2xlarge one is not; faster cores scale CPU time down', () => {
    const small = decodeHost(loadConfig({}));
    const big = decodeHost(loadConfig({ 'gpuNodes.instanceType': 'g5.2xlarge' }));
    expect(small.vcpusPerReplica).toBeLessThan(4);
    expect(contentionFactor(small)).toBeGreaterThan(1);
    expect(contentionFactor(big)).toBe(1);
    expect(cpuTimeScale(small)).toBeGreaterThan(cpuTimeScale(big));
    // Zen 3 (g6e) runs single-threaded Python faster than Zen 2 (g5).
    expect(HOST_CPUS.g6e.speedClass).toBeGreaterThan(HOST_CPUS.g5.speedClass);
    expect(cpuTimeScale({ ...big, cpu: HOST_CPUS.g6e })).toBeLessThan(cpuTimeScale(big));
  });

  test('hyperthreads: the second thread of a core adds 0.3 of a core, beyond the vCPUs threads time-share', () => {
    expect(cpuCapacity(4, 2, 2)).toBe(2);
    expect(cpuCapacity(4, 3, 2)).toBeCloseTo(2.3);
    expect(cpuCapacity(2, 4, 2)).toBeCloseTo(1.3);
  });

  test('TP > 1 adds busy worker processes, so the same host is more contended', () => {
    const tp1 = simParams(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': 1 }));
    const tp2 = simParams(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': 1, 'vllm.tensorParallelSize': 2 }));
    expect(tp2.host.busyProcesses).toBe(4);
    expect(tp1.host.busyProcesses).toBe(2);
  });
});

describe('API server and render servers are finite-capacity FIFO queues', () => {
  test('a busy server delays the next job: latency grows with load', () => {
    const s = new FifoServer();
    expect(s.serve(0, 0.01)).toBeCloseTo(0.01);
    expect(s.serve(0.005, 0.01)).toBeCloseTo(0.02); // waited 5 ms
    expect(s.serve(1, 0.01)).toBeCloseTo(1.01); // idle again: no wait
    expect(s.busySeconds).toBeCloseTo(0.03);
  });

  test('a pool serves on the server that frees first', () => {
    const p = new ServerPool(2);
    expect(p.serve(0, 1)).toBe(1);
    expect(p.serve(0, 1)).toBe(1);
    expect(p.serve(0, 1)).toBe(2);
    expect(p.size).toBe(2);
  });

  test('EPP tokenising: a render server call per request; llm-d 0.3 reuses a stored prefix covering >= 80% of the prompt', () => {
    // Prompts (then 50 output tokens): [system 100, group A 750, question 150] x2, [system 100, group B 200, question 700].
    const b = new SegmentTableBuilder();
    b.add(1, 100).add(2, 750).add(10, 150).add(90, 50).endRequest();
    b.add(1, 100).add(2, 750).add(11, 150).add(91, 50).endRequest();
    b.add(1, 100).add(3, 200).add(12, 700).add(92, 50).endRequest();
    const segments = b.build();
    const scored = new Int32Array(3);
    const render = new EppTokenizer(1, 0.002, 1e-5, segments, scored);
    expect(render.serve(0, 0, 1000)).toBeCloseTo(0.012);
    expect(render.serve(0, 1, 1000)).toBeCloseTo(0.024); // every request, FIFO on the one render pod
    // `scored` is cleared before each serve whose record is checked, so each check sees that serve's.
    const clear = () => scored.fill(-1);
    const v03 = new EppTokenizer(1, 0.002, 1e-5, segments, scored, KV_CACHE_MANAGER_V03_TOKENIZER);
    clear();
    expect(v03.serve(0, 0, 1000)).toBeCloseTo(0.01); // first sight: tokenised, no HTTP cost
    expect(scored[0]).toBe(1000);
    clear();
    expect(v03.serve(0.5, 1, 1000)).toBe(0.5); // system + group A stored: 850 of 1,000 >= 0.8, reused
    expect(scored[1]).toBe(850); // only the reused prefix reaches the scorer, never the question
    clear();
    expect(v03.serve(0.6, 0, 1000)).toBe(0.6); // request 0 again: its whole text is stored
    expect(scored[0]).toBe(1000);
    clear();
    expect(v03.serve(1, 2, 1000)).toBeCloseTo(1.01); // only the 100-token system prompt is stored: 0.1
    expect(scored[2]).toBe(1000);
    expect(v03.busySeconds).toBeCloseTo(0.02);
    // The store learns a prompt only when its Encode returns (pool.go AddTokenization after Encode):
    // a group-mate arriving while the first is being tokenised is tokenised whole too.
    const early = new EppTokenizer(1, 0.002, 1e-5, segments, scored, KV_CACHE_MANAGER_V03_TOKENIZER);
    expect(early.serve(0, 0, 1000)).toBeCloseTo(0.01);
    clear();
    expect(early.serve(0.005, 1, 1000)).toBeCloseTo(0.015); // not yet stored at 0.005: tokenised on a second worker
    expect(scored[1]).toBe(1000);
  });

  test('the 2025-09 precise scorer had no speculative indexing (added to llm-d on 2026-03-19)', () => {
    const ladder = anchorCases().find((c) => c.anchor === 'llmd-precise-prefix-h100-qwen3-32b')!;
    const precise = ladder.runs.find((r) => r.id === 'precise')!;
    const preciseProducers = (ctx: Record<string, unknown>) => simParams(loadConfig(ctx)).epp.producers.filter((x) => x.kind === 'precise');
    expect(preciseProducers(precise.context).map((x) => (x as { speculativeIndexing: boolean }).speculativeIndexing)).toEqual([false]);
    expect(preciseProducers({}).map((x) => (x as { speculativeIndexing: boolean }).speculativeIndexing)).toEqual([true]); // today's default untouched
  });

  test('the 2025-09 estimated scorer hashes only the first 16,384 bytes: a 4,096-token cap inside the shared prefix', () => {
    const ladder = anchorCases().find((c) => c.anchor === 'llmd-precise-prefix-h100-qwen3-32b')!;
    const run = ladder.runs.find((r) => r.id === 'estimated')!;
    const producer = (run.eppConfig!(run.context) as unknown as { plugins: { type: string; parameters?: Record<string, number> }[] }).plugins
      .find((p) => p.parameters?.maxPrefixTokensToMatch !== undefined)!;
    const capTokens = producer.parameters!.maxPrefixTokensToMatch;
    expect(capTokens).toBe(4096); // 256 blocks x 64 bytes at GIE's 4 bytes a token
    const fixture = loadAnchors().find((a) => a.id === ladder.anchor)!;
    expect(capTokens).toBeLessThan(fixture.workload.sharedPrefix!.prefixTokens);
    expect(capTokens % producer.parameters!.blockSizeTokens).toBe(0); // no partial block hashed
  });

  test('a nuisance setup latency applies only to the anchor that names it, never to a user simulation', () => {
    expect(simParams(loadConfig({})).path.setupLatencySeconds).toBe(0);
    const timing = { ...defaultTimingValues(), [SETUP_LATENCY_LADDER_2025]: 120 };
    const anchorLike = simParams(loadConfig({}), {}, undefined, { timing, setupLatencyParam: SETUP_LATENCY_LADDER_2025 });
    expect(anchorLike.path.setupLatencySeconds).toBeCloseTo(0.12, 9);
    expect(simParams(loadConfig({}), {}, undefined, { timing }).path.setupLatencySeconds).toBe(0);
    const ladder = anchorCases().find((c) => c.anchor === 'llmd-precise-prefix-h100-qwen3-32b')!;
    expect(ladder.runs.every((r) => r.model.setupLatencyParam === SETUP_LATENCY_LADDER_2025)).toBe(true);
    expect(anchorCases().filter((c) => c.runs.some((r) => r.model.setupLatencyParam)).map((c) => c.anchor)).toEqual([ladder.anchor]);
    // It delays every request by itself on both paths: TTFT at low load grows by that much.
    const light: SimOverrides = { ...SMALL, requestRate: 2, numPrompts: 48 };
    for (const router of ['round-robin', 'llm-d'] as const) {
      const ttft = (ms: number) => simulate(loadConfig({}), { routers: [router], overrides: light, intervals: false, model: { timing: { ...timing, [SETUP_LATENCY_LADDER_2025]: ms }, setupLatencyParam: SETUP_LATENCY_LADDER_2025 } }).runs[0].result.mean_ttft_ms;
      expect([router, ttft(201) - ttft(1)]).toEqual([router, expect.closeTo(200, 0)]);
    }
  });

  test('the router path costs only the llm-d path; offline has no API server', () => {
    const p = simParams(loadConfig({}));
    expect(p.path.envoyHopSeconds).toBeGreaterThan(0);
    expect(p.path.eppScheduleSeconds).toBeGreaterThan(0);
    expect(p.path.apiSecondsPerPromptToken).toBeGreaterThan(0);
    expect(p.path.lingerOneStep).toBe(true);
    const offline = simParams(loadConfig({}), {}, undefined, { frontend: 'offline' });
    expect(offline.path.apiRequestSeconds).toBe(0);
    expect(offline.path.apiOutputSecondsPerToken).toBe(0);
  });
});

describe('GPU efficiencies are per architecture; fp8 KV costs dequantisation without fp8 tensor cores', () => {
  test('each architecture reads its own efficiencies', () => {
    const t = { ...defaultTimingValues(), 'weightBandwidth.ada': 0.5, 'weightBandwidth.ampere': 0.9 };
    const a10g = simParams(loadConfig({}), {}, undefined, { timing: t });
    const l40s = simParams(loadConfig({ 'gpuNodes.instanceType': 'g6e.xlarge' }), {}, undefined, { timing: t });
    expect(a10g.stepTime.weightBandwidth).toBe(0.9);
    expect(l40s.stepTime.weightBandwidth).toBe(0.5);
  });

  test('fp8 KV: the noFp8 read factor applies on Ampere, the fp8 one on Ada', () => {
    const t = defaultTimingValues();
    const a10g = simParams(loadConfig({ 'vllm.kvCacheDtype': 'fp8' }));
    const l40s = simParams(loadConfig({ 'gpuNodes.instanceType': 'g6e.xlarge', 'vllm.kvCacheDtype': 'fp8' }));
    expect(a10g.stepTime.kvReadFactor).toBeCloseTo(2 * t['fp8KvRead.noFp8']);
    expect(a10g.stepTime.prefillAttentionFactor).toBeCloseTo(t['fp8KvPrefill.noFp8']);
    expect(l40s.stepTime.kvReadFactor).toBeCloseTo(2 * t['fp8KvRead.fp8']);
    expect(l40s.stepTime.prefillAttentionFactor).toBe(1);
    expect(simParams(loadConfig({})).stepTime.kvReadFactor).toBe(1);
  });

  test('timing values outside their bounds or with unknown names are refused', () => {
    expect(() => completeTimingValues({ engineStepMs: 1e6 })).toThrow(/engineStepMs = 1000000 is outside/);
    expect(() => completeTimingValues({ nope: 1 })).toThrow(/no timing parameter "nope"/);
  });

  test('every timing parameter has a source, a mechanism and a prior inside its bounds', () => {
    for (const p of TIMING_PARAMS) {
      expect([p.name, p.source.length > 10, p.mechanism.length > 10]).toEqual([p.name, true, true]);
      expect([p.name, p.lower < p.prior && p.prior < p.upper]).toEqual([p.name, true]);
    }
  });
});

describe('the committed fit (lib/sim/calibration/fitted.json)', () => {
  const fitted = fittedCalibration();

  test('exists and was fitted to the current anchors, parameter table and predictor', () => {
    expect(fitted).not.toBeNull();
    expect(fitted!.inputsHash).toBe(inputsHash());
  });

  test('fitted and held parameters partition the table; values, refits and ensemble stay in bounds', () => {
    const f = fitted!;
    expect([...f.fitted, ...f.heldAtPrior].sort()).toEqual(TIMING_PARAMS.map((p) => p.name).sort());
    const bounds = new Map(TIMING_PARAMS.map((p) => [p.name, p]));
    for (const set of [f.params, ...Object.values(f.refits), ...f.ensemble]) {
      for (const [k, v] of Object.entries(set)) expect([k, v >= bounds.get(k)!.lower * 0.999 && v <= bounds.get(k)!.upper * 1.001]).toEqual([k, true]);
    }
    // The defaults simulate uses are the fit for pinned parameters and the priors for the others.
    const d = defaultTimingValues();
    const priors = priorTimingValues();
    for (const k of f.fitted) expect(d[k]).toBe(f.params[k]);
    for (const k of f.heldAtPrior) expect(d[k]).toBe(priors[k]);
    // The identifiability table covers every parameter; held ones are pinned by nothing.
    expect(f.identifiability.map((r) => r.param).sort()).toEqual(TIMING_PARAMS.map((p) => p.name).sort());
    for (const r of f.identifiability) if (f.heldAtPrior.includes(r.param)) expect(r.pinnedBy).toEqual([]);
  });

  test('the committed validation rows are what the current code predicts with the committed parameters (cheap anchors)', () => {
    const f = fitted!;
    const cheap = anchorCases().filter((c) => c.simulatedRequests <= 500);
    expect(cheap.length).toBeGreaterThanOrEqual(3);
    for (const c of cheap) {
      const got = predictCase(c, { ...priorTimingValues(), ...f.params });
      for (const row of f.validation.filter((r) => r.anchor === c.anchor && typeof r.predictedAll === 'number')) {
        const key = `${c.anchor}/${row.observation}/${row.metric}`;
        const v = got[key];
        expect([key, typeof v === 'number' && Math.abs(v / (row.predictedAll as number) - 1) < 1e-3]).toEqual([key, true]);
      }
    }
  });
});

describe('intervals', () => {
  test('P10 <= point <= P90; the spread grows with the model discrepancy and the distance', () => {
    const near = interval(100, [95, 100, 105], 0.1, 0);
    const far = interval(100, [95, 100, 105], 0.1, 2);
    expect(near.p10).toBeLessThanOrEqual(100);
    expect(near.p90).toBeGreaterThanOrEqual(100);
    expect(far.p90 - far.p10).toBeGreaterThan(near.p90 - near.p10);
    expect(interval(100, [100, 100], 0, 0)).toEqual({ p10: 100, p90: 100 });
  });

  test('every interval key gains _p10/_p90 right after it', () => {
    const point = Object.fromEntries(INTERVAL_KEYS.map((k) => [k, 10])) as unknown as SimResult;
    const out = withIntervals({ ...point, completed: 1 } as SimResult, [point, point], { throughput: 0.1, ttft: 0.2, tpot: 0.1 }, 0) as unknown as Record<string, number>;
    const keys = Object.keys(out);
    for (const k of INTERVAL_KEYS) {
      expect(keys.indexOf(`${k}_p10`)).toBe(keys.indexOf(k) + 1);
      expect(out[`${k}_p10`]).toBeLessThan(10);
      expect(out[`${k}_p90`]).toBeGreaterThan(10);
    }
  });
});

describe('calibration distance', () => {
  const shape = { meanInputTokens: 2205, meanOutputTokens: 256, inFlightPerReplica: 64 };

  test('the reference is inside; an unanchored architecture, model size and TP are outside, with a plain warning', () => {
    const ref = calibrationDistance(loadConfig({}), shape);
    expect(ref.region).toBe('inside');
    expect(ref.warning).toBeNull();
    const b200 = calibrationDistance(loadConfig({ 'gpuNodes.instanceType': 'p6-b200.48xlarge', 'gpuNodes.count': 1, 'model.id': 'meta-llama/Llama-3.1-70B-Instruct', 'vllm.tensorParallelSize': 8 }), shape);
    expect(b200.region).toBe('outside');
    expect(b200.parts.find((p) => p.dimension === 'GPU')!.value).toBe(1);
    expect(b200.warning).toMatch(/outside what the public anchors cover/);
  });

  test('a GPU of an anchored architecture is nearer than one of an unanchored one', () => {
    const l40s = calibrationDistance(loadConfig({ 'gpuNodes.instanceType': 'g6e.xlarge' }), shape);
    const a100 = calibrationDistance(loadConfig({ 'gpuNodes.instanceType': 'p4de.24xlarge', 'gpuNodes.count': 1 }), shape);
    expect(a100.distance).toBeLessThan(l40s.distance);
    const h200 = calibrationDistance(loadConfig({ 'gpuNodes.instanceType': 'p5e.48xlarge', 'gpuNodes.count': 1 }), shape);
    expect(h200.parts.find((p) => p.dimension === 'GPU')).toMatchObject({ value: 0.5, detail: 'H200 (no anchor on it; hopper efficiencies fitted on H100)' });
    expect(GPUS.L40S.architecture).toBe('ada');
  });

  test('an architecture no anchor ran on is outside even when everything else is anchored (d = 1)', () => {
    const l40s = calibrationDistance(loadConfig({ 'gpuNodes.instanceType': 'g6e.xlarge' }), shape);
    expect(l40s.parts.filter((p) => p.value > 0).map((p) => p.dimension)).toEqual(['GPU']);
    expect(l40s.distance).toBe(1);
    expect(l40s.region).toBe('outside');
    expect(l40s.warning).toMatch(/outside what the public anchors cover/);
  });
});
