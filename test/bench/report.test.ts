/**
 * The report on result files in vLLM's real format: the reference's two results must give the
 * reference table with its advantage column; a ladder with time series gives the ladder table and
 * every plot; hand-made directories work; malformed input is a clear error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generateReport, ReportOutput } from '../../lib/bench/report';
import { analyze } from '../../lib/bench/report/analyze';
import { formatChange, formatRatio, roundHalfAway } from '../../lib/bench/report/format';
import { buildPlots, logDomain } from '../../lib/bench/report/plots';
import { loadResultsDir } from '../../lib/bench/results-io';
import { BenchError } from '../../lib/bench/errors';
import { FIXTURES } from './fakes';
import { tempDir } from '../temp-dir';

const dir = (name: string) => path.join(FIXTURES, 'results', name);
const tmp = () => tempDir('llmd-bench-report-');

function tableRows(markdown: string): string[][] {
  return markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| metric') && !l.startsWith('|---'))
    .map((l) => l.slice(2, -2).split(' | '));
}

describe('the reference results', () => {
  let out: ReportOutput;
  let outDir: string;
  beforeAll(async () => {
    outDir = tmp();
    out = await generateReport({ resultsDir: dir('reference'), outDir, mainRate: 'inf' });
  });

  test('reproduce the reference table with its advantage column', () => {
    expect(tableRows(out.mainTableMarkdown)).toEqual([
      ['successful / failed', '9000 / 0', '9000 / 0', 'same'],
      ['duration', '840.2 s', '358.7 s', '2.3x faster'],
      ['request throughput', '10.71 req/s', '25.09 req/s', '+134%'],
      ['output token throughput', '2,742 tok/s', '6,423 tok/s', '+134%'],
      ['total token throughput', '26,362 tok/s', '61,748 tok/s', '+134%'],
      ['mean TTFT', '19,029 ms', '863 ms', '-95%'],
      ['median TTFT', '18,458 ms', '340 ms', '-98%'],
      ['P99 TTFT', '36,739 ms', '12,544 ms', '-66%'],
      ['mean TPOT', '109.2 ms', '75.3 ms', '-31%'],
      ['P99 TPOT', '157.4 ms', '111.0 ms', '-29%'],
    ]);
    expect(out.mainTableMarkdown.split('\n')[0]).toBe('| metric | round-robin | llm-d | advantage |');
  });

  test('the Markdown has the heading of the reference, the table, and explains what is missing', () => {
    expect(out.markdown).toContain('## Results at 512 concurrency (request rate inf, 9000 prompts)');
    expect(out.markdown).toContain(out.mainTableMarkdown);
    expect(out.markdown).toContain('need the Prometheus time series');
    expect(out.markdown).toContain('No results at numeric request rates');
    expect(fs.readFileSync(path.join(outDir, 'report.md'), 'utf8')).toBe(out.markdown);
  });

  test('the summary JSON carries the raw numbers and advantages', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.json'), 'utf8'));
    expect(summary).toEqual(out.summary);
    expect(summary.main).toMatchObject({ request_rate: 'inf', max_concurrency: 512, num_prompts: 9000 });
    const byKey = Object.fromEntries(summary.main.metrics.map((m: { key: string }) => [m.key, m]));
    expect(byKey.duration_s.values).toEqual({ 'round-robin': 840.2, 'llm-d': 358.7 });
    expect(byKey.duration_s.advantage_value).toBeCloseTo(840.2 / 358.7, 10);
    expect(byKey.request_throughput.advantage_value).toBeCloseTo(25.0906 / 10.7117 - 1, 3);
    expect(byKey.mean_ttft_ms).toMatchObject({ advantage: '-95%', advantage_kind: 'change' });
    expect(summary.plots).toEqual(['ttft-percentiles.svg']);
  });

  test('the TTFT plot is an SVG with both paths and their values', () => {
    const svg = fs.readFileSync(path.join(outDir, 'ttft-percentiles.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['round-robin', 'llm-d', '19,029', '863', '36,739', '12,544', 'TTFT (ms)']) expect(svg).toContain(text);
  });

  test('deterministic: a second report is byte-identical', async () => {
    const again = tmp();
    await generateReport({ resultsDir: dir('reference'), outDir: again, mainRate: 'inf' });
    for (const f of fs.readdirSync(outDir)) expect(fs.readFileSync(path.join(again, f), 'utf8')).toBe(fs.readFileSync(path.join(outDir, f), 'utf8'));
  });
});

describe('a run with a rate ladder and time series', () => {
  let out: ReportOutput;
  let outDir: string;
  beforeAll(async () => {
    outDir = tmp();
    out = await generateReport({ resultsDir: dir('ladder'), outDir, mainRate: 'inf' });
  });

  test('the cache rows come from the time series', () => {
    const rows = Object.fromEntries(tableRows(out.mainTableMarkdown).map((r) => [r[0], r.slice(1)]));
    expect(rows['prefix cache hit rate']).toEqual(['11%', '91%', '+80 pts']);
    expect(rows['GPU KV cache usage (middle half of the run\'s samples)']).toEqual(['98-99%', '66-68%', '-33 pts']);
    expect(rows['waiting requests (highest sample, all pods)'][2]).toBe('-100%');
    expect(rows['waiting requests (median while busy, all pods)']).toEqual(['188', '0', '-100%']);
    expect(rows.duration).toEqual(['840.2 s', '358.7 s', '2.3x faster']);
  });

  test('the ladder table has one row per rate, ascending, round-robin / llm-d in each cell', () => {
    const ladder = out.markdown.split('## Rate ladder')[1].split('## Plots')[0];
    const rows = ladder.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.slice(2, -2).split(' | '));
    expect(rows.map((r) => r[0])).toEqual(['5', '10', '15', '20', '25', '30']);
    expect(rows[5][1]).toBe('10.62 / 25.05');
    expect(rows[5][7]).toBe('+136%');
    expect(out.summary.ladder.map((l) => l.request_rate)).toEqual([5, 10, 15, 20, 25, 30]);
  });

  test('a measured report says so: title, summary.json source, validity unchecked without the checks run records', () => {
    expect(out.markdown.split('\n')[0]).toBe('# llm-d vs round-robin: benchmark report');
    expect(out.summary.source).toBe('measurement');
    expect(out.summary.valid).toBeNull();
    expect(out.summary.main.validity['llm-d']).toEqual({ status: 'unchecked', reasons: ['no liveness checks recorded (not collected by `llmd-bench run`)'] });
    expect(out.markdown).toContain('## Validity');
  });

  test('the hit-rate plot says its window; the KV row says which statistic it shows', () => {
    const svg = fs.readFileSync(path.join(outDir, 'hit-rate-over-time.svg'), 'utf8');
    expect(svg).toContain('each point is the hit rate over the preceding');
    expect(svg).toContain('not cumulative');
    expect(out.markdown).toContain('The waiting-requests peak is the highest sample');
  });

  test('every plot is rendered and linked', () => {
    const expected = ['throughput-vs-rate.svg', 'ttft-vs-rate.svg', 'ttft-percentiles.svg', 'kv-usage-over-time.svg', 'hit-rate-over-time.svg', 'waiting-over-time.svg'];
    expect(out.summary.plots).toEqual(expected);
    for (const f of expected) {
      const svg = fs.readFileSync(path.join(outDir, f), 'utf8');
      expect(svg).toMatch(/^<svg[^>]+width="\d+" height="\d+"/);
      expect(svg).toContain('round-robin');
      expect(out.markdown).toContain(`](${f})`);
    }
    expect(fs.readFileSync(path.join(outDir, 'throughput-vs-rate.svg'), 'utf8')).toContain('requested rate (req/s)');
    expect(fs.readFileSync(path.join(outDir, 'kv-usage-over-time.svg'), 'utf8')).toContain('time since the run started (s)');
  });
});

describe('a rate-inf run whose cold start queues on both paths (what the simulator and a fast scrape show)', () => {
  let out: ReportOutput;
  let outDir: string;
  beforeAll(async () => {
    const results = tmp();
    for (const f of fs.readdirSync(dir('reference'))) {
      const r = JSON.parse(fs.readFileSync(path.join(dir('reference'), f), 'utf8'));
      // --metric-percentiles 50,90,99 (what the Job passes) also writes p50, which equals the median.
      r.p50_ttft_ms = r.median_ttft_ms;
      r.p90_ttft_ms = r.p99_ttft_ms * 0.8;
      fs.writeFileSync(path.join(results, f), JSON.stringify(r));
      // Both paths: 504 queued in the engines at t = 0; then round-robin keeps ~200 waiting, llm-d none.
      const steady = r.label === 'round-robin' ? 200 : 0;
      const points = (v0: number, v: number) => [0, 5, 10, 15, 20, 25].map((t) => [t, t === 0 ? v0 : v]);
      const ts = {
        label: r.label, request_rate: 'inf', started_at: '1970-01-01T00:00:00.000Z', step_s: 5, source: 'simulator',
        series: { num_requests_running: { 'replica-0': points(8, 64) }, num_requests_waiting: { 'replica-0': points(504, steady) } },
      };
      fs.writeFileSync(path.join(results, f.replace(/\.json$/, '.timeseries.json')), JSON.stringify(ts));
    }
    outDir = tmp();
    out = await generateReport({ resultsDir: results, outDir, mainRate: 'inf' });
  });

  test('the steady-state queue row tells the paths apart where the equal peaks cannot', () => {
    const rows = Object.fromEntries(tableRows(out.mainTableMarkdown).map((r) => [r[0], r.slice(1)]));
    expect(rows['waiting requests (highest sample, all pods)']).toEqual(['504', '504', '±0%']);
    expect(rows['waiting requests (median while busy, all pods)']).toEqual(['200', '0', '-100%']);
  });

  test('the TTFT plot shows P50 once, as the median', () => {
    const svg = fs.readFileSync(path.join(outDir, 'ttft-percentiles.svg'), 'utf8');
    expect(svg).toContain('median');
    expect(svg).toContain('P90');
    expect(svg).not.toContain('P50');
  });
});

describe('directories a user made by hand', () => {
  test('default vLLM file names, per-request arrays, side files and notes are fine; newest result per path wins', async () => {
    const outDir = tmp();
    const out = await generateReport({ resultsDir: dir('hand-made'), outDir, mainRate: 'inf' });
    const rows = Object.fromEntries(tableRows(out.mainTableMarkdown).map((r) => [r[0], r.slice(1)]));
    expect(rows.duration).toEqual(['58.9 s', '31.4 s', '1.9x faster']);
    expect(out.summary.superseded).toEqual(['round-robin-infqps-concurrency64-Qwen2.5-7B-Instruct-20261101-090000.json']);
    expect(out.summary.skipped.map((s) => s.file).sort()).toEqual([
      'notes.json', 'openai-chat-infqps-concurrency64-Qwen2.5-7B-Instruct-20261101-070000.json', 'openai-chat-infqps-concurrency64-Qwen2.5-7B-Instruct-20261101-080000.json']);
    expect(out.summary.skipped.find((s) => s.file.endsWith('070000.json'))?.reason).toMatch(/^no label/);
    expect(out.summary.skipped.find((s) => s.file === 'notes.json')?.reason).toBe('not a vllm bench serve result (none of its keys)');
    expect(out.markdown).toContain('Superseded by newer results');
  });

  test('a directory with only one path still reports it', async () => {
    const only = tmp();
    for (const f of fs.readdirSync(dir('reference')).filter((n) => n.startsWith('llm-d'))) fs.copyFileSync(path.join(dir('reference'), f), path.join(only, f));
    const out = await generateReport({ resultsDir: only, outDir: path.join(only, 'report'), mainRate: 'inf' });
    expect(tableRows(out.mainTableMarkdown)[1]).toEqual(['duration', '–', '358.7 s', 'n/a']);
    expect(out.markdown).toContain('Only llm-d results were found');
    // The legend lists only the path that has data.
    const plot = buildPlots(analyze(loadResultsDir(only), 'inf'))[0];
    expect((plot.spec.encoding as { color: { scale: { domain: string[] } } }).color.scale.domain).toEqual(['llm-d']);
  });

  test('simulated and measured results in one directory are refused, not blended', () => {
    const mixed = tmp();
    for (const f of fs.readdirSync(dir('reference'))) {
      const r = JSON.parse(fs.readFileSync(path.join(dir('reference'), f), 'utf8'));
      fs.writeFileSync(path.join(mixed, f), JSON.stringify(r.label === 'llm-d' ? { ...r, source: 'simulator' } : r));
    }
    expect(() => analyze(loadResultsDir(mixed), 'inf')).toThrow(/mix simulated \(llm-d-.*\) and measured \(round-robin-.*\) files/);
  });

  test('without time series the KV row says it shows the mean, not pass it off as the range', async () => {
    const meanOnly = tmp();
    for (const f of fs.readdirSync(dir('reference'))) {
      const r = JSON.parse(fs.readFileSync(path.join(dir('reference'), f), 'utf8'));
      fs.writeFileSync(path.join(meanOnly, f), JSON.stringify({ ...r, kv_cache_usage_mean: r.label === 'llm-d' ? 0.64 : 0.92 }));
    }
    const out = await generateReport({ resultsDir: meanOnly, outDir: path.join(meanOnly, 'report'), mainRate: 'inf' });
    const rows = Object.fromEntries(tableRows(out.mainTableMarkdown).map((r) => [r[0], r.slice(1)]));
    expect(rows['GPU KV cache usage (middle half of the run\'s samples)']).toEqual(['92% (mean)', '64% (mean)', '-28 pts']);
  });

  test('a main rate nobody ran falls back to the rate both paths share with the most prompts', () => {
    const a = analyze(loadResultsDir(dir('ladder')), 42);
    expect(a.main.rate).toBe('inf');
  });
});

describe('bad input', () => {
  test('truncated JSON: names the file, exit code 2, nothing written', async () => {
    const outDir = tmp();
    const err = await generateReport({ resultsDir: dir('malformed'), outDir, mainRate: 'inf' }).catch((e: unknown) => e) as BenchError;
    expect(err).toBeInstanceOf(BenchError);
    expect(err.message).toMatch(/^malformed result JSON in .*malformed\/round-robin-infqps-concurrency512-Qwen2.5-7B-Instruct-20260615-101502.json: /);
    expect(err.exitCode).toBe(2);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  test('missing or mistyped keys are listed', () => {
    expect(() => loadResultsDir(dir('missing-key'))).toThrow(/\.json: completed must be a number; request_throughput must be a number$/);
  });

  test('no directory, or no results in it', () => {
    expect(() => loadResultsDir(path.join(FIXTURES, 'nope'))).toThrow(/does not exist/);
    const empty = tmp();
    fs.writeFileSync(path.join(empty, 'notes.json'), '{"a": 1}');
    expect(() => loadResultsDir(empty)).toThrow(/no benchmark results in .*notes.json: not a vllm bench serve result/);
  });
});

describe('formatting', () => {
  test('rounding is half away from zero, as a reader expects', () => {
    expect(roundHalfAway(-0.5)).toBe(-1);
    expect(roundHalfAway(2.345, 2)).toBeCloseTo(2.35, 10);
    expect(formatChange(-0.9546)).toBe('-95%');
    expect(formatChange(1.3425)).toBe('+134%');
    expect(formatChange(0.004)).toBe('+0.4%');
    expect(formatChange(0)).toBe('±0%');
    expect(formatRatio(2.3423)).toBe('2.3x');
    expect(formatRatio(23.4)).toBe('23x');
  });

  test('log axes span the 1-2-5 ticks around the data', () => {
    expect(logDomain([204, 110802])).toEqual([200, 200000]);
    expect(logDomain([340, 36739])).toEqual([200, 50000]);
  });
});
