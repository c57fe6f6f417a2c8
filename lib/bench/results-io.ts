/**
 * Reading and writing a results directory (see result-format.ts). Writes go to a temporary file in
 * the same directory and are renamed into place, so a crash or Ctrl-C never leaves half a file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import {
  SIDE_FILE_SUFFIXES, TIMESERIES_SUFFIX, TIME_SERIES, TimeSeriesFile, VllmBenchResult, isPathLabel,
} from './result-format';
import { BenchError, EXIT } from './errors';

/** Writes `data` to `file` atomically (temp file + rename in the same directory). */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.partial`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

const num = z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be a finite number' });
const count = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).nonnegative({ error: 'must be >= 0' });

/** The keys of `vllm bench serve --save-result` the report needs; anything else passes through. */
const resultSchema = z.looseObject({
  label: z.string({ error: 'must be a string: pass --label round-robin or --label llm-d to vllm bench serve' }),
  request_rate: z.union([z.literal('inf'), z.number().positive()], { error: 'must be "inf" or a positive number' }),
  duration: num.refine((v) => v > 0, { error: 'must be > 0 seconds' }),
  completed: count,
  failed: count.optional(),
  total_input_tokens: count,
  total_output_tokens: count,
  request_throughput: num,
  output_throughput: num,
  total_token_throughput: num,
  mean_ttft_ms: num,
  median_ttft_ms: num,
  mean_tpot_ms: num,
});

const seriesPoints = z.array(z.tuple([num, num]));
const timeSeriesSchema = z.looseObject({
  label: z.string(),
  request_rate: z.union([z.literal('inf'), z.number().positive()]),
  started_at: z.string(),
  step_s: num,
  source: z.enum(['prometheus', 'simulator']),
  series: z.partialRecord(z.enum(Object.keys(TIME_SERIES) as [keyof typeof TIME_SERIES]), z.record(z.string(), seriesPoints)),
});

/** A result file with where it came from. */
export interface LoadedResult {
  readonly file: string;
  readonly result: VllmBenchResult;
  /** The time series stored beside it, when there is one. */
  readonly timeseries?: TimeSeriesFile;
}

export interface LoadedResults {
  readonly results: LoadedResult[];
  /** Files skipped, with the reason (unknown label, not a result). */
  readonly skipped: { file: string; reason: string }[];
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BenchError(`malformed result JSON in ${file}: ${(err as Error).message}`, {
      exitCode: EXIT.badInput,
      hint: 'The file is not valid JSON (truncated copy?). Collect it again with `llmd-bench run --run-id <id>` or remove it.',
    });
  }
}

/** Parses one `vllm bench serve --save-result` JSON; throws a BenchError naming the file and key. */
export function parseResult(raw: unknown, file: string): VllmBenchResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BenchError(`malformed result JSON in ${file}: expected an object as vllm bench serve --save-result writes`, { exitCode: EXIT.badInput });
  }
  const parsed = resultSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BenchError(`malformed result JSON in ${file}: ${formatIssues(parsed.error)}`, {
      exitCode: EXIT.badInput,
      hint: 'A result must carry the keys vllm bench serve --save-result writes (label, request_rate, duration, completed, request_throughput, mean_ttft_ms, ...).',
    });
  }
  return parsed.data as unknown as VllmBenchResult;
}

export function parseTimeSeries(raw: unknown, file: string): TimeSeriesFile {
  const parsed = timeSeriesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BenchError(`malformed time series JSON in ${file}: ${formatIssues(parsed.error)}`, { exitCode: EXIT.badInput });
  }
  return parsed.data as unknown as TimeSeriesFile;
}

/** Keys every `vllm bench serve --save-result` file has; a JSON with none of them is something else. */
const RESULT_KEYS = ['duration', 'completed', 'request_throughput', 'mean_ttft_ms', 'total_token_throughput'];

function looksLikeResult(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && RESULT_KEYS.some((k) => k in raw);
}

function isSideFile(name: string): boolean {
  return SIDE_FILE_SUFFIXES.some((s) => name.endsWith(s));
}

/**
 * Every result in `dir` (top level only; `warmup/` and report output are subdirectories). A run is
 * identified by its `label` and `request_rate` fields, never by the file name.
 */
export function loadResultsDir(dir: string): LoadedResults {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new BenchError(`results directory ${dir} does not exist`, {
      exitCode: EXIT.badInput,
      hint: 'Pass the directory `llmd-bench run` or `llmd-bench simulate --out` wrote, or any directory of vllm bench serve --save-result files.',
    });
  }
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const results: LoadedResult[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const name of names) {
    if (isSideFile(name)) continue;
    const file = path.join(dir, name);
    const raw = readJson(file);
    if (!looksLikeResult(raw)) {
      skipped.push({ file, reason: 'not a vllm bench serve result (none of its keys)' });
      continue;
    }
    const label = (raw as { label?: unknown }).label;
    if (label === null || label === undefined) {
      skipped.push({ file, reason: 'no label (vllm bench serve was run without --label round-robin or --label llm-d)' });
      continue;
    }
    if (typeof label === 'string' && !isPathLabel(label)) {
      skipped.push({ file, reason: `label ${JSON.stringify(label)} is not a path label (round-robin, llm-d, llm-d-<profile>, or a simulator variant)` });
      continue;
    }
    const result = parseResult(raw, file);
    const tsFile = path.join(dir, `${name.slice(0, -'.json'.length)}${TIMESERIES_SUFFIX}`);
    const timeseries = fs.existsSync(tsFile) ? parseTimeSeries(readJson(tsFile), tsFile) : undefined;
    results.push({ file, result, timeseries });
  }
  if (results.length === 0) {
    const why = skipped.length > 0 ? ` (skipped: ${skipped.map((s) => `${path.basename(s.file)}: ${s.reason}`).join('; ')})` : '';
    throw new BenchError(`no benchmark results in ${dir}${why}`, {
      exitCode: EXIT.badInput,
      hint: 'Results are vllm bench serve --save-result JSON files with "label": "round-robin", "llm-d" or "llm-d-<profile>".',
    });
  }
  return { results, skipped };
}
