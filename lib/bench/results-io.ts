/**
 * Reading and writing a results directory (see result-format.ts). Writes go to a temporary file in
 * a private temporary directory (mkdtemp) beside the target and are renamed into place, so a crash or
 * Ctrl-C never leaves half a file and nobody can plant a file or symlink under the temporary name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import {
  CHECKS_SUFFIX, RunChecksFile, SIDE_FILE_SUFFIXES, TIMESERIES_SUFFIX, TIME_SERIES, TimeSeriesFile, VllmBenchResult, isPathLabel, isSimulated, runIdTime,
} from './result-format';
import { BenchError, EXIT, badInput } from './errors';

/** Writes `data` to `file` atomically (temp file in a mkdtemp directory on the same file system + rename). */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(dir, `.${path.basename(file)}.`));
  try {
    const tmp = path.join(tmpDir, 'partial');
    // 'wx': fail rather than write through anything that already exists under that name.
    fs.writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Checks before any work that `dir` can be a results directory: an existing, writable directory, or
 * a path that does not exist yet under a writable directory. `flag` names the option in the message.
 */
export function checkOutputDir(dir: string, flag: string): void {
  const where = `${flag} ${dir}`;
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw badInput(`${where}: is a file, not a directory`, `pass a directory (it is created if missing), e.g. ${flag} ${dir}.d`);
    if (!writable(dir)) throw badInput(`${where}: directory is not writable`, 'pass a directory you can write to');
    return;
  }
  let parent = path.dirname(path.resolve(dir));
  while (!fs.existsSync(parent)) parent = path.dirname(parent);
  if (!fs.statSync(parent).isDirectory()) throw badInput(`${where}: ${parent} is a file, so the directory cannot be created`, 'pass a path under a directory');
  if (!writable(parent)) throw badInput(`${where}: cannot create it, ${parent} is not writable`, 'pass a directory you can write to');
}

/**
 * Checks before any work that `file` can be written: not a directory, in an existing writable
 * directory. A missing directory is refused (a mistyped path must not grow a tree); results
 * directories (checkOutputDir) are created instead.
 */
export function checkOutputFile(file: string, flag: string): void {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw badInput(`${flag} ${file}: is a directory, not a file`, `pass a file name, e.g. ${flag} ${path.join(file, 'out.json')}`);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw badInput(`${flag} ${file}: directory ${dir} does not exist`, `create it first (mkdir -p ${dir}) or write the file elsewhere; ${flag} does not create directories`);
  checkOutputDir(dir, flag);
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
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
  rate_window_s: num.optional(),
  series: z.partialRecord(z.enum(Object.keys(TIME_SERIES) as [keyof typeof TIME_SERIES]), z.record(z.string(), seriesPoints)),
});

const throttlingSchema = z.looseObject({
  container: z.string(),
  measure: z.enum(['throttling', 'pressure']).optional(),
  cpu_limit_cores: num.nullable().optional(),
  throttled_fraction: num.nullable(),
  cpu_pressure_fraction: num.nullable().optional(),
  worst_pod: z.string().nullable(),
  cpu_cores_max: num.nullable(),
  warn: z.boolean(),
});
const checksSchema = z.looseObject({
  label: z.string(),
  status: z.enum(['valid', 'invalid', 'unchecked']),
  reasons: z.array(z.string()),
  checks: z.array(z.looseObject({ name: z.string(), status: z.enum(['pass', 'fail', 'unknown']), detail: z.string() })),
  decode_pods: z.array(z.string()).optional(),
  cpu_throttling: z.array(throttlingSchema),
});

/** A result file with where it came from. */
export interface LoadedResult {
  readonly file: string;
  readonly result: VllmBenchResult;
  /** The time series stored beside it, when there is one. */
  readonly timeseries?: TimeSeriesFile;
  /** The liveness checks `run` recorded beside it (measured runs only). */
  readonly checks?: RunChecksFile;
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

export function parseChecks(raw: unknown, file: string): RunChecksFile {
  const parsed = checksSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BenchError(`malformed checks JSON in ${file}: ${formatIssues(parsed.error)}`, { exitCode: EXIT.badInput });
  }
  return parsed.data as unknown as RunChecksFile;
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
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new BenchError(`results directory ${dir} is a file, not a directory`, {
      exitCode: EXIT.badInput,
      hint: `pass the directory that holds it: npx llmd-bench report ${path.dirname(dir)}`,
    });
  }
  if (!fs.existsSync(dir)) {
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
    const checksFile = path.join(dir, `${name.slice(0, -'.json'.length)}${CHECKS_SUFFIX}`);
    const checks = fs.existsSync(checksFile) ? parseChecks(readJson(checksFile), checksFile) : undefined;
    results.push({ file, result, timeseries, checks });
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

/** A results directory under the results root, as `report` without an argument sees it. */
export interface RunDirInfo {
  readonly dir: string;
  /** Start of the run: from the run id in the name, else the newest result file's modification time. */
  readonly time: number;
  readonly timeFrom: 'run id' | 'modification time';
  readonly simulated: boolean;
}

/** Every directory directly under `root` that holds result JSON files, newest first. */
export function listRunDirs(root: string): RunDirInfo[] {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return [];
  const out: RunDirInfo[] = [];
  for (const d of fs.readdirSync(root, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const dir = path.join(root, d.name);
    const files = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.') && !isSideFile(n)).map((n) => path.join(dir, n));
    if (files.length === 0) continue;
    const simulated = files.some((f) => {
      try {
        return isSimulated(JSON.parse(fs.readFileSync(f, 'utf8')));
      } catch {
        return false; // a malformed file is report's business, not a reason to skip the run here
      }
    });
    const fromId = runIdTime(d.name);
    const time = fromId ?? Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
    out.push({ dir, time, timeFrom: fromId !== undefined ? 'run id' : 'modification time', simulated });
  }
  return out.sort((a, b) => b.time - a.time || (a.dir < b.dir ? 1 : -1));
}

/** The newest measured run under `root` (simulations are skipped: `report` must never pass one off as a run). */
export function newestMeasuredRun(root: string): { chosen?: RunDirInfo; skippedSimulated: string[] } {
  const runs = listRunDirs(root);
  return { chosen: runs.find((r) => !r.simulated), skippedSimulated: runs.filter((r) => r.simulated).map((r) => r.dir) };
}
