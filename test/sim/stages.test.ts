/**
 * The simulator CLI contract of issue 11 (`--router` names, `--workload` and its flags, `--stages`,
 * `--warmup-stage`, `results.<router>.stages` with its keys, the whole-run keys unchanged,
 * `--epp-config` for any profile and, from a rendered manifest, the router.profile file the EPP starts
 * with, asserted by picker, producers and scorers) and the stage client's semantics
 * (stages drain one after another, a warm-up is left out, multi-turn turns wait for their previous
 * answer and think time).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../../lib/config';
import { simulate } from '../../lib/sim';
import { registerSimulateCommand } from '../../lib/sim/cli';
import { renderCharts, allObjects } from '../../k8s/render';
import { endpointPickerConfigFor } from '../../k8s/router/profiles';
import { parseEndpointPickerConfig } from '../../lib/sim/routers/epp-config';
import { tempDir } from '../temp-dir';
import { INTERVAL_KEYS } from '../../lib/sim/intervals';

/** issue 11: the keys of each `results.<router>.stages[]` entry. */
const STAGE_KEYS = ['rate', 'duration_s', 'completed', 'request_throughput', 'output_throughput', 'mean_ttft_ms', 'median_ttft_ms', 'p90_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'prefix_cache_hit_rate'];
/**
 * The documented extras beyond the contract (docs/simulator.md "Stages"; lib/bench/result-format.ts
 * StageResult): the TPOT tail, the queue peak, the stage's wall time and the simulated source.
 */
const STAGE_EXTRA_KEYS = ['p99_tpot_ms', 'max_waiting', 'elapsed_s', 'source'];
/** Issue 12: each interval metric gains `<key>_p10` and `<key>_p90` next to its point value, per stage too. */
const STAGE_INTERVAL_KEYS = INTERVAL_KEYS.flatMap((k) => [`${k}_p10`, `${k}_p90`]);
/** issue 6's whole-run keys, unchanged. */
const WHOLE_RUN_KEYS = ['duration', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens', 'request_throughput', 'output_throughput', 'total_token_throughput', 'mean_ttft_ms', 'median_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'median_tpot_ms', 'p99_tpot_ms', 'mean_itl_ms', 'p99_itl_ms', 'request_rate', 'max_concurrency', 'prefix_cache_hit_rate', 'prefix_cache_hit_rate_first_lookup', 'kv_cache_usage_mean', 'kv_cache_usage_p95', 'max_waiting'];
const SMALL = ['--replicas', '3', '--no-progress'];
const SHARED_SMALL = ['--workload', 'shared-prefix', '--groups', '6', '--prompts-per-group', '4', '--system-prompt-len', '512', '--question-len', '64', '--output-len', '32'];

async function run(args: string[]): Promise<{ stdout: string; stderr: string; error?: Error & { exitCode?: number; code?: string } }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  const program = new Command('llmd-bench').exitOverride().configureOutput({ writeErr: (s) => { stderr += s; }, writeOut: (s) => { stdout += s; } });
  registerSimulateCommand(program, (extra) => loadConfig(extra ?? {}));
  for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: (s) => { stderr += s; } });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'llmd-bench', 'simulate', ...args]);
    // A command's action reports its errors itself (lib/bench/cli-kit.ts action()): one message line
    // (then "  what to do:" hints) on stderr and the exit code; seen here as the error of the run.
    if (process.exitCode) {
      const message = stderr.split('\n').filter((l) => l && !l.startsWith('  what to do:')).map((l) => l.replace(/^llmd-bench simulate: /, '')).join('\n');
      return { stdout, stderr, error: Object.assign(new Error(message), { exitCode: Number(process.exitCode) }) };
    }
    return { stdout, stderr };
  } catch (error) {
    return { stdout, stderr, error: error as Error & { exitCode?: number; code?: string } };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('simulate --stages --json: the contract', () => {
  const dir = tempDir('llmd-sim-stages-');
  const json = path.join(dir, 'sim.json');
  let res: Awaited<ReturnType<typeof run>>;
  let doc: { config: Record<string, any>; results: Record<string, any> };
  const ROUTERS = ['round-robin', 'random', 'llm-d', 'llm-d-no-speculative', 'llm-d-precise', 'llm-d-approximate', 'llm-d-load', 'llm-d-random'];

  beforeAll(async () => {
    res = await run([...SMALL, ...SHARED_SMALL, '--router', ROUTERS.join(','), '--stages', '2:10,6:10', '--warmup-stage', '1:5', '--json', json]);
    doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every router name of the issue is accepted and gets a result', () => {
    expect(res.error).toBeUndefined();
    expect(Object.keys(doc.results).sort()).toEqual([...ROUTERS].sort());
  });

  test('results.<router>.stages: one object per measured stage, in order, with the issue\'s keys; the warm-up left out', () => {
    for (const r of Object.values(doc.results)) {
      expect(r.stages.map((s: { rate: number; duration_s: number }) => [s.rate, s.duration_s])).toEqual([[2, 10], [6, 10]]);
      for (const s of r.stages) {
        // Exactly the contract's keys plus the documented extras: nothing missing, nothing undocumented.
        expect(Object.keys(s).sort()).toEqual([...STAGE_KEYS, ...STAGE_EXTRA_KEYS, ...STAGE_INTERVAL_KEYS].sort());
        expect(Number.isFinite(s.mean_ttft_ms) && s.p90_ttft_ms >= s.median_ttft_ms && s.p99_ttft_ms >= s.p90_ttft_ms).toBe(true);
        expect(s.prefix_cache_hit_rate).toBeGreaterThanOrEqual(0);
        expect(s.prefix_cache_hit_rate).toBeLessThanOrEqual(1);
        // A stage read on its own still says it is a prediction, as its result does.
        expect([s.source, r.source]).toEqual(['simulator', 'simulator']);
      }
      expect(r.stages.map((s: { completed: number }) => s.completed)).toEqual([20, 60]);
    }
  });

  test('the whole-run keys stay, over the measured stages only', () => {
    for (const r of Object.values(doc.results)) {
      for (const k of WHOLE_RUN_KEYS) expect(r).toHaveProperty(k);
      expect(r.completed).toBe(80); // the warm-up's 5 requests are not counted
      expect(r.request_rate).toBe(4); // filed under the mean offered rate of the stages
    }
    expect(doc.config).toMatchObject({ harness: 'inference-perf', num_prompts: 80, stages: [{ kind: 'poisson', rate: 2 }, { kind: 'poisson', rate: 6 }] });
  });

  test('the per-stage table is printed too, under the SIMULATED line', () => {
    expect(res.stdout).toMatch(/^SIMULATED: a prediction of the simulator/);
    expect(res.stdout).toMatch(/stage \(req\/s x s\)/);
    expect(res.stdout).toMatch(/^2 x 10 /m);
  });
});

describe('simulate flags are checked: one line, the flag named', () => {
  test.each([
    [['--workload', 'chat'], /must be one of prefix-repetition, shared-prefix, multi-turn, random/],
    [['--question-len', '64-'], /argument '64-' is invalid/],
    [['--stages', '2:1.5'], /whole number of seconds/],
    [['--warmup-stage', 'fast'], /is not a stage/],
    [['--router', 'llm-d-fancy'], /"llm-d-fancy" is not a router/],
    [['--think-time-s', 'n:x:1'], /the mean "x" is not a number/],
    // the flag, the value and the allowed range (a negative sigma is no "not a number")
    [['--workload', 'random', '--input-len', 'ln:512:-1'], /option '--input-len <len>' argument 'ln:512:-1' is invalid\. "ln:512:-1": the sigma -1 must be > 0 \(0 means a fixed 512\)$/],
    // Empty entries are refused, not skipped.
    [['--stages', '5:10,,6:10,'], /"5:10,,6:10,": stage 2 is empty/],
    [['--stages', '5:10,'], /"5:10,": stage 2 is empty/],
    // Lengths are plain numbers: exponent notation is refused, saying so.
    [['--workload', 'random', '--input-len', '1e3'], /"1e3": numbers are plain decimals, not exponent notation \(write 1000\)/],
    [['--workload', 'random', '--input-len', 'n:1e3:64'], /"n:1e3:64": numbers are plain decimals, not exponent notation \(write 1000\)/],
  ])('%j', async (args, message) => {
    const r = await run([...SMALL, ...args]);
    expect(r.error?.message ?? '').toMatch(message);
    // commander's InvalidArgumentError (the CLI's error handling turns it into exit 2)
    expect((r.error as { code?: string } | undefined)?.code).toBe('commander.invalidArgument');
  });

  test.each([
    [['--groups', '4'], /--groups applies to --workload shared-prefix, not prefix-repetition/],
    [['--num-prompts', '9001'], /--num-prompts \(benchmark.numPrompts: got 9001; must be a multiple of benchmark.numPrefixes \(150\)/],
    [['--stages', '2:10', '--request-rate', '5'], /--stages and --request-rate exclude each other/],
    [['--workload', 'multi-turn', '--stages', '1:10,2:10'], /--stages \(benchmark.stages: .*multi-turn takes one stage/],
    [['--workload', 'random', '--harness', 'vllm', '--input-len', '64-512'], /benchmark.harness: got "vllm"; cannot run workload.name=random as configured: .*fixed lengths/],
    [['--stages', '2:10'], /--stages \(benchmark.stages: .*inference-perf, which cannot run workload.name=prefix-repetition/],
    [['--workload', 'shared-prefix', '--request-rate', '7', '--num-prompts', '100'], /--num-prompts \(benchmark.numPrompts: got 100; inference-perf runs a finite rate as one stage of whole seconds; 100 prompts at 7 req\/s is 14.29 s/],
    [['--workload', 'multi-turn', '--turns', '40', '--max-concurrency', '8'], /--turns \(workload.multiTurn.turns: got 40; the last turn can reach/],
  ])('%j is refused before anything runs', async (args, message) => {
    const r = await run([...SMALL, ...args]);
    expect(r.error?.message ?? '').toMatch(message);
    expect(r.error?.message.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.error?.exitCode).toBe(2);
  });
});

describe('--epp-config works for any profile, from any file a user has', () => {
  const dir = tempDir('llmd-sim-epp-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ 'router.profiles': 'precise,approximate,load,random' });

  test.each(['approximate', 'load', 'random'])('a bare %s EndpointPickerConfig', async (profile) => {
    const file = path.join(dir, `${profile}.yaml`);
    fs.writeFileSync(file, stringify(endpointPickerConfigFor(config, profile)));
    const r = await run([...SMALL, ...SHARED_SMALL, '--num-prompts', '48', '--router', 'llm-d', '--epp-config', file, '--json', path.join(dir, `${profile}.json`)]);
    expect(r.error).toBeUndefined();
    const doc = JSON.parse(fs.readFileSync(path.join(dir, `${profile}.json`), 'utf8'));
    expect(doc.config.epp.picker).toBe(profile === 'random' ? 'random' : 'max-score');
    expect(doc.results['llm-d'].completed).toBe(48);
  });

  test.each([
    ['precise', 'max-score', ['precise'], ['prefix', 'kv-utilization', 'queue', 'no-hit-lru']],
    ['approximate', 'max-score', ['approximate'], ['prefix', 'kv-utilization', 'queue', 'no-hit-lru']],
    ['load', 'max-score', [], ['kv-utilization', 'queue']],
    ['random', 'random', [], []],
  ])('the rendered multi-document router manifest with router.profile=%s: its file (the ConfigMap\'s default) is the one simulated', async (profile, picker, producers, scorers) => {
    const c = loadConfig({ 'router.profiles': 'precise,approximate,load,random', 'router.profile': profile });
    const objects = allObjects(renderCharts(c).filter((x) => x.entry.id === 'router'));
    const file = path.join(dir, `router-${profile}.yaml`);
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    // Every deployed profile is in the ConfigMap: picking the right key is what is tested.
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'vllm-decode-epp-config');
    expect(Object.keys(cm!.data).length).toBe(4);
    const json = path.join(dir, `router-${profile}.json`);
    const r = await run([...SMALL, '--num-prompts', '240', '--num-prefixes', '12', '--prefix-len', '512', '--suffix-len', '64', '--output-len', '32', '--router', 'llm-d', '--epp-config', file, '--json', json]);
    expect(r.error).toBeUndefined();
    const epp = JSON.parse(fs.readFileSync(json, 'utf8')).config.epp;
    expect(epp.picker).toBe(picker);
    expect(epp.producers.map((p: { kind: string }) => p.kind)).toEqual(producers);
    expect(epp.scorers.map((x: { type: string }) => x.type).sort()).toEqual([...scorers].sort());
    // Exactly the profile's own EndpointPickerConfig, as the simulator reads it.
    expect(epp).toEqual(JSON.parse(JSON.stringify(parseEndpointPickerConfig(endpointPickerConfigFor(c, profile)))));
  });

  test('errors name the option', async () => {
    const missing = await run([...SMALL, '--epp-config', path.join(dir, 'nope.yaml')]);
    expect(missing.error?.message).toMatch(/--epp-config .*nope.yaml: cannot read it/);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'kind: ConfigMap\ndata:\n  a: "x: 1"\n');
    expect((await run([...SMALL, '--epp-config', bad])).error?.message).toMatch(/--epp-config .*bad.yaml: no EndpointPickerConfig in it/);
  });
});

describe('the inference-perf client', () => {
  test('stages run back to back: the next starts only after the previous one drained', () => {
    const c = loadConfig({ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.groups': 4, 'benchmark.stages': '3:10,5:10' });
    const sim = simulate(c, { routers: ['round-robin'], overrides: { replicas: 2 } });
    const raw = sim.runs[0].raw;
    const [a, b] = raw.stages;
    let lastOfFirst = 0;
    for (let r = a.first; r < a.end; r++) lastOfFirst = Math.max(lastOfFirst, raw.clientEnd[r]);
    let firstOfSecond = Infinity;
    for (let r = b.first; r < b.end; r++) firstOfSecond = Math.min(firstOfSecond, raw.reqs.sendTime[r]);
    expect(b.startT).toBeCloseTo(lastOfFirst, 9);
    expect(firstOfSecond).toBeGreaterThanOrEqual(lastOfFirst + 1); // inference-perf's 1 s lead
  });

  test('each stage carries its own P10-P90 interval keys (issue 12)', () => {
    const c = loadConfig({ 'workload.name': 'shared-prefix', 'workload.sharedPrefix.groups': 4, 'benchmark.stages': '3:10,5:10' });
    const sim = simulate(c, { routers: ['round-robin'], overrides: { replicas: 2 } });
    const stages = sim.runs[0].result.stages as unknown as Record<string, number>[];
    expect(stages).toHaveLength(2);
    for (const st of stages) {
      for (const k of ['request_throughput', 'output_throughput', 'mean_ttft_ms', 'p90_ttft_ms', 'mean_tpot_ms']) {
        expect([k, st[`${k}_p10`] <= st[k] && st[k] <= st[`${k}_p90`]]).toEqual([k, true]);
      }
    }
  });

  test('multi-turn: a turn is sent only after its previous turn\'s answer and think time; the slot is held meanwhile', () => {
    const c = loadConfig({ 'workload.name': 'multi-turn', 'workload.multiTurn.conversations': 4, 'workload.multiTurn.turns': 3, 'workload.multiTurn.thinkTimeS': 2, 'benchmark.stages': '4:6' });
    const sim = simulate(c, { routers: ['round-robin'], overrides: { replicas: 2 } });
    const { raw } = sim.runs[0];
    const w = raw.workload;
    for (let r = 0; r < w.count; r++) {
      const prev = w.after[r];
      if (prev < 0) continue;
      expect(raw.reqs.sendTime[r]).toBeGreaterThanOrEqual(raw.reqs.finishTime[prev] + 2 - 1e-9);
      expect(raw.clientEnd[prev]).toBeCloseTo(raw.reqs.finishTime[prev] + 2, 9);
    }
    // TTFT excludes the wait; e2el (inference-perf's request latency) includes the think time held after the answer
    const result = sim.runs[0].result;
    expect(result.mean_e2el_ms as number).toBeGreaterThan(2000);
  });
});
