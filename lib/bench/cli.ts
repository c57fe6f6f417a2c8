/**
 * The benchmark commands of `llmd-bench`: preflight, run, report, cost. Each action turns errors into
 * a message with what to do and an exit code (1 cluster/AWS failure, 2 bad input, 130 Ctrl-C); see
 * cli-kit.ts for what every command shares (errors, --timeout, help defaults).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import type { BenchConfig } from '../config';
import { isPaused, pausedProblem } from '../config';
import { ConfigOption, action, addTimeoutOption, timeoutMs } from './cli-kit';
import { BenchError, EXIT, badInput } from './errors';
import type { PlannedStep, TargetOption } from './plan';
import type { CheckResult, PreflightCheck, PreflightContext, PreflightReport } from './preflight';
import { RUN_CONFIG_FILE, runConfigRecord } from './result-format';
import type { AwsApi, KubeApi } from './cluster/types';
import { registerAwsCommands } from './aws/commands';
import { addWorkloadOptions, type ConfigProvider, configWithWorkloadFlags, type WorkloadFlags } from '../workload/flags';
import { exponentProblem } from '../config/plain-number';

/*
 * The heavy modules (cdk8s for the Job manifest, vega for the plots, the Kubernetes client, the AWS
 * SDK, listr2) are required when a command runs, not when the CLI starts: loading them all cost every
 * start ~0.75 s, `simulate` and `--help` included. `require` (not `import()`) keeps this working in the
 * CommonJS build, under tsx and under ts-jest alike; the `typeof import(...)` types keep it checked.
 */
const load = {
  listr2: (): typeof import('listr2') => require('listr2'),
  yaml: (): typeof import('yaml') => require('yaml'),
  harnessJob: (): typeof import('../../k8s/bench/harness-job') => require('../../k8s/bench/harness-job'),
  workloadSpec: (): typeof import('../workload/spec') => require('../workload/spec'),
  eppProfile: (): typeof import('./epp-profile') => require('./epp-profile'),
  aws: (): typeof import('./cluster/aws') => require('./cluster/aws'),
  kube: (): typeof import('./cluster/client-node') => require('./cluster/client-node'),
  clock: (): typeof import('./cluster/clock') => require('./cluster/clock'),
  cost: (): typeof import('./cost') => require('./cost'),
  plan: (): typeof import('./plan') => require('./plan'),
  preflight: (): typeof import('./preflight') => require('./preflight'),
  progress: (): typeof import('./progress') => require('./progress'),
  prometheus: (): typeof import('./prometheus') => require('./prometheus'),
  report: (): typeof import('./report') => require('./report'),
  llmdBenchmark: (): typeof import('./report/llmd-benchmark') => require('./report/llmd-benchmark'),
  reportFormat: (): typeof import('./report/format') => require('./report/format'),
  resultsIo: (): typeof import('./results-io') => require('./results-io'),
  runner: (): typeof import('./runner') => require('./runner'),
};

/** Where `run` puts results unless --out says otherwise: ./results/<run id>. */
export const RESULTS_ROOT = 'results';

interface ClusterOptions {
  kubeconfig?: string;
  kubeContext?: string;
  skipAws?: boolean;
  insecureHttp?: boolean;
  timeout?: number;
}

function addClusterOptions(cmd: Command): Command {
  return addTimeoutOption(cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config; none: built from EKS DescribeCluster)')
    .option('--kube-context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--skip-aws', 'do not call AWS (EKS/FSx checks skipped; use when you only have Kubernetes access)')
    .option('--insecure-http', 'allow a plain http:// API server (credentials in clear text; local test clusters only)'));
}

/** AWS and Kubernetes access for preflight and run. The real adapters load lazily here. */
async function connect(config: BenchConfig, opts: ClusterOptions): Promise<PreflightContext> {
  let aws: AwsApi | undefined;
  let fallbackCluster: { name: string; region: string; endpoint: string; certificateAuthorityData: string } | undefined;
  let fallbackError: string | undefined;
  const { prometheusServiceRef, prometheusViaKube } = load.prometheus();
  const ms = timeoutMs(opts);
  if (!opts.skipAws) {
    aws = load.aws().createAwsApi(config.aws.region, { timeoutMs: ms });
    const noKubeconfig = !opts.kubeconfig && !process.env.KUBECONFIG && !fs.existsSync(path.join(process.env.HOME ?? '', '.kube', 'config'));
    if (noKubeconfig) {
      try {
        const c = await aws.describeCluster(config.cluster.name);
        if (c) fallbackCluster = { name: c.name, region: config.aws.region, endpoint: c.endpoint, certificateAuthorityData: c.certificateAuthorityData };
        else fallbackError = `cluster ${config.cluster.name} not found in ${config.aws.region}`;
      } catch (err) {
        fallbackError = (err as Error).message;
      }
    }
  }
  let kube: KubeApi | undefined;
  let kubeError: BenchError | undefined;
  try {
    kube = load.kube().connectKube({
      kubeconfig: opts.kubeconfig, context: opts.kubeContext, fallbackCluster, fallbackError, timeoutMs: ms, allowInsecureHttp: !!opts.insecureHttp,
    }, config.cluster.name, config.aws.region);
  } catch (err) {
    kubeError = err instanceof BenchError ? err : new BenchError((err as Error).message);
    // What the user passed is wrong (unreadable --kubeconfig, unknown --kube-context, http:): stop with exit 2.
    if (kubeError.exitCode === EXIT.badInput) throw kubeError;
  }
  const prometheus = kube ? prometheusViaKube(kube, prometheusServiceRef(config)) : undefined;
  return { config, aws, kube, kubeError, prometheus };
}

/** Runs the preflight checks with a live list; prints the failures and warnings; returns the report. */
async function preflightWithProgress(ctx: PreflightContext, quiet = false): Promise<PreflightReport> {
  const { CHECKS, formatPreflight, runCheck } = load.preflight();
  const { Listr } = load.listr2();
  const memo = {};
  const results: { check: PreflightCheck; result: CheckResult }[] = [];
  const tasks = new Listr(CHECKS.map((check) => ({
    title: check.title,
    task: async (_: unknown, task: { title: string; skip: (m?: string) => void }) => {
      const result = await runCheck(check, ctx, memo);
      results.push({ check, result });
      if (result.status === 'fail') throw new BenchError(result.summary);
      if (result.status === 'skip') task.skip(result.summary);
      else task.title = `${check.title}: ${result.summary}`;
    },
  })), { concurrent: false, exitOnError: false, registerSignalListeners: false, renderer: quiet ? 'silent' : 'default', fallbackRenderer: 'simple' });
  await tasks.run().catch(() => undefined);
  const report = { ok: results.every((r) => r.result.status !== 'fail'), results };
  const problems = report.results.filter((r) => r.result.status === 'fail' || r.result.status === 'warn');
  if (problems.length > 0) {
    process.stderr.write(`${formatPreflight({ ok: report.ok, results: problems }).join('\n')}\n`);
  }
  return report;
}

/** The error a failed preflight ends with: the paused cluster gets its resume command, not "fix the checks". */
function preflightError(report: PreflightReport, running: boolean): BenchError {
  const paused = report.results.find((r) => r.check.id === 'paused' && r.result.status === 'fail');
  if (paused) return new BenchError(`the cluster is paused (gpuNodes.count=0)${running ? '; nothing was started' : ''}`, { hint: paused.result.fix });
  return running
    ? new BenchError('preflight failed; nothing was started', { hint: 'fix the checks marked ✖ above, or pass --skip-preflight if you know better' })
    : new BenchError('preflight failed', { hint: 'fix the checks marked ✖ above and run `npx llmd-bench preflight` again' });
}

function registerPreflight(program: Command, config: () => BenchConfig): void {
  addClusterOptions(program.command('preflight'))
    .description('Check that the cluster is ready for a fair benchmark (EKS, FSx, nodes, pods, EPP render and KV-event subscriptions, InferencePool, weights, Prometheus); says what to do about each failure.')
    .action(action('preflight', async (opts: ClusterOptions) => {
      const c = config();
      const report = await preflightWithProgress(await connect(c, opts));
      if (!report.ok) throw preflightError(report, false);
      process.stdout.write('preflight passed: the cluster is ready for `npx llmd-bench run`\n');
    }));
}

interface RunOptions extends ClusterOptions, WorkloadFlags {
  target: TargetOption;
  ladder?: boolean;
  ladderOnly?: boolean;
  warmup?: boolean;
  runId?: string;
  out?: string;
  skipPreflight?: boolean;
  dryRun?: boolean;
  report?: boolean;
}

function dryRun(config: BenchConfig, steps: PlannedStep[], outDir: string): void {
  const YAML = load.yaml();
  const { renderHarnessJob } = load.harnessJob();
  const { describeWorkload, resolveHarness, workloadSpec } = load.workloadSpec();
  const lines = [`run plan (${steps.length} Jobs, ${resolveHarness(config)}, ${describeWorkload(workloadSpec(config))}, results in ${outDir}):`];
  for (const s of steps) lines.push(`  ${s.resetCaches ? `reset caches (${config.benchmark.cacheReset}) -> ` : ''}${s.jobName} -> ${s.resultPath}`);
  process.stdout.write(`${lines.join('\n')}\n---\n`);
  process.stdout.write(steps.map((s) => YAML.stringify(renderHarnessJob(config, s.run))).join('---\n'));
}

function registerRun(program: Command, config: ConfigProvider): void {
  const cmd = addClusterOptions(program.command('run'))
    .description('Run the benchmark in the cluster: per path (round-robin, llm-d, or any deployed router profile) reset the prefix caches, run the harness (vllm bench serve or inference-perf) as a Job, collect the result and Prometheus time series; then write the report. Takes the workload and load flags `simulate` takes.')
    .option('--target <paths>', 'path(s) to measure, comma-separated: rr, llm-d, both, or router profiles precise, approximate, load, random, custom (deployed ones)', 'both');
  addWorkloadOptions(cmd)
    .option('--ladder', 'also run the rate ladder after the main run (its rates: config benchmark.ladderRates)')
    .option('--ladder-only', 'run only the rate ladder')
    .option('--warmup', 'run a discarded warm-up (own seed) before each path')
    .option('--run-id <id>', 'id of this run; reuse an earlier id to resume it (finished steps are skipped)')
    .option('--out <dir>', `results directory (default: ${RESULTS_ROOT}/<run id>)`)
    .option('--skip-preflight', 'do not run the preflight checks first')
    .option('--no-report', 'do not write the report at the end')
    .option('--dry-run', 'print the plan and the Job manifests; touch nothing')
    .action(action('run', async (opts: RunOptions) => {
      const c = configWithWorkloadFlags(config, opts);
      if (isPaused(c)) throw badInput(pausedProblem('measure'));
      const { newRunId, planRun, targetLabels } = load.plan();
      const runId = opts.runId ?? newRunId(Date.now());
      const outDir = opts.out ?? path.join(RESULTS_ROOT, runId);
      targetLabels(opts.target, c);
      const steps = planRun(c, { targets: opts.target, ladder: !!opts.ladder, ladderOnly: !!opts.ladderOnly, warmup: !!opts.warmup, runId, outDir });
      if (opts.dryRun) {
        dryRun(c, steps, outDir);
        return;
      }
      load.resultsIo().checkOutputDir(outDir, opts.out ? '--out' : 'results directory');
      const ctx = { ...(await connect(c, opts)), runId };
      if (!opts.skipPreflight) {
        const report = await preflightWithProgress(ctx);
        if (!report.ok) throw preflightError(report, true);
      }
      if (!ctx.kube) throw ctx.kubeError ?? new BenchError('no Kubernetes access');
      await executeRun(c, ctx, steps, runId, outDir, opts);
    }));
}

async function executeRun(c: BenchConfig, ctx: PreflightContext, steps: PlannedStep[], runId: string, outDir: string, opts: RunOptions): Promise<void> {
  const { writeJsonAtomic } = load.resultsIo();
  const { BenchmarkRunner } = load.runner();
  const { systemClock } = load.clock();
  const { formatDuration, formatProgress } = load.progress();
  const { Listr } = load.listr2();
  fs.mkdirSync(outDir, { recursive: true });
  writeJsonAtomic(path.join(outDir, RUN_CONFIG_FILE), runConfigRecord(c, {
    runId, target: opts.target, ladder: !!opts.ladder || !!opts.ladderOnly, warmup: !!opts.warmup, context: ctx.kube?.context.contextName,
  }));
  const runner = new BenchmarkRunner({ config: c, kube: ctx.kube!, prometheus: ctx.prometheus, clock: systemClock });
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nllmd-bench run: interrupted; deleting the running benchmark Job (Ctrl-C again to quit at once)\n');
    abort.abort();
    process.once('SIGINT', () => process.exit(EXIT.cancelled));
  };
  process.once('SIGINT', onSigint);
  const warnings: string[] = [];
  const outcomes: { title: string; validity?: string; reasons?: readonly string[] }[] = [];
  try {
    const tasks = new Listr(steps.map((step) => ({
      title: step.title,
      task: async (_: unknown, task: { title: string; output: string }) => {
        const outcome = await runner.runStep(step, {
          update: (p) => { task.output = formatProgress(p); },
          warn: (m) => warnings.push(m),
        }, abort.signal);
        outcomes.push({ title: step.title, validity: outcome.validity, reasons: outcome.invalidReasons });
        const invalid = outcome.validity === 'invalid' ? ' — INVALID (see the warnings)' : '';
        task.title = outcome.status === 'skipped'
          ? `${step.title}: already collected`
          : `${step.title}: ${outcome.completed} completed, ${outcome.failed ?? 0} failed in ${formatDuration(outcome.durationS ?? 0)}${invalid}`;
      },
    })), { concurrent: false, exitOnError: true, registerSignalListeners: false, fallbackRenderer: 'simple' });
    await tasks.run();
  } finally {
    process.removeListener('SIGINT', onSigint);
    // A run through another router profile leaves the EPP on the configured one, as deployed.
    if (steps.some((st) => st.run.label.startsWith('llm-d-'))) {
      try {
        if (await load.eppProfile().pointEppAt(c, ctx.kube!, 'llm-d')) process.stderr.write('the endpoint picker is back on router.profile (it restarts by itself)\n');
      } catch (err) {
        warnings.push(`could not point the endpoint picker back at router.profile: ${(err as Error).message}`);
      }
    }
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  }
  process.stdout.write(`results: ${outDir}\n`);
  if (opts.report !== false && steps.some((s) => s.run.phase !== 'warmup')) {
    const out = await load.report().generateReport({ resultsDir: outDir, outDir: path.join(outDir, 'report'), mainRate: c.benchmark.requestRate });
    process.stdout.write(`\n${out.mainTableMarkdown}\n\nreport: ${path.join(outDir, 'report', 'report.md')}\n`);
  }
  const invalid = outcomes.filter((o) => o.validity === 'invalid');
  if (invalid.length > 0) {
    throw new BenchError(`${invalid.length} result(s) are INVALID: the path was not live as measured (kept, and marked invalid in the report and summary.json)`, {
      details: invalid.flatMap((o) => (o.reasons ?? []).map((r) => `${o.title}: ${r}`)),
      hint: 'fix the cause (see `npx llmd-bench preflight`) and measure again with a new --run-id',
    });
  }
}

/**
 * The results directory `report` uses without an argument: the newest *measured* run under
 * ./results (by the time in its run id, else its files' modification time), never a simulation.
 */
export function chooseResultsDir(root = RESULTS_ROOT): { dir: string; note: string } {
  const { chosen, skippedSimulated } = load.resultsIo().newestMeasuredRun(root);
  const sims = skippedSimulated.length > 0 ? `; skipped simulated ${skippedSimulated.join(', ')}` : '';
  if (!chosen) {
    throw badInput(`no results directory given and no measured run under ${RESULTS_ROOT}/${sims}`,
      skippedSimulated.length > 0 ? `to render a simulation pass its directory: npx llmd-bench report ${skippedSimulated[0]}` : 'pass one: npx llmd-bench report <results-dir>');
  }
  return { dir: chosen.dir, note: `report: using ${chosen.dir}, the newest measured run (by ${chosen.timeFrom})${sims}` };
}

function parseRate(value: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  const exp = exponentProblem(value);
  if (exp) throw badInput(`--main-rate ${JSON.stringify(value)}: ${exp}`, 'e.g. --main-rate inf or --main-rate 10');
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw badInput(`--main-rate ${JSON.stringify(value)}: must be "inf" or a positive number`, 'e.g. --main-rate inf or --main-rate 10');
  return n;
}

function registerReport(program: Command, config: () => BenchConfig): void {
  program.command('report')
    .description('Write the report of a results directory: Markdown in the reference table\'s layout (metric | round-robin | llm-d | advantage), the rate-ladder table, SVG plots and summary.json. Works on `run` output, `simulate --out` output and hand-made vllm bench serve --save-result files.')
    .argument('[results-dir]', `directory of result JSON files (default: the newest measured run under ${RESULTS_ROOT}/, never a simulation)`)
    .option('--out <dir>', 'where to write report.md, summary.json and the SVGs (default: <results-dir>/report)')
    .addOption(new ConfigOption('--main-rate <rate>', 'request rate of the main comparison; an error if the directory has no result at it', 'benchmark.requestRate'))
    .option('--json', 'print summary.json to stdout instead of the table (--format llmd-bench only)')
    .addOption(new Option('--format <format>', 'llmd-bench: report.md, plots and summary.json; llmd-benchmark: llm-d-benchmark benchmark reports (v0.2 YAML, one per result and stage, schema-validated; --json and --main-rate do not apply)').choices(['llmd-bench', 'llmd-benchmark']).default('llmd-bench'))
    .action(action('report', async (dirArg: string | undefined, opts: { out?: string; mainRate?: string; json?: boolean; format?: string }) => {
      if (opts.format === 'llmd-benchmark') {
        // Neither has a meaning for the export: refused rather than ignored.
        if (opts.json) throw badInput('--json applies to --format llmd-bench (summary.json); --format llmd-benchmark writes its YAML reports to --out', 'drop --json, or read the YAML files it writes');
        if (opts.mainRate !== undefined) throw badInput('--main-rate applies to --format llmd-bench; --format llmd-benchmark writes one report per result and stage, every rate', 'drop --main-rate');
      }
      let dir = dirArg;
      if (dir === undefined) {
        const chosen = chooseResultsDir();
        dir = chosen.dir;
        process.stderr.write(`${chosen.note}\n`);
      }
      if (opts.format === 'llmd-benchmark') {
        const outDir = opts.out ?? path.join(dir, 'benchmark-report');
        if (opts.out !== undefined) load.resultsIo().checkOutputDir(outDir, '--out');
        const { written, deploymentFrom } = load.llmdBenchmark().exportLlmdBenchmark(dir, outDir, { fallbackConfig: () => config() });
        if (deploymentFrom === 'configuration') {
          process.stderr.write(`note: ${dir} has no ${RUN_CONFIG_FILE}: scenario.stack describes the current configuration (cdk.json and -c); pass the -c the run was made with\n`);
        }
        process.stdout.write(`wrote ${written.length} llm-d-benchmark report(s) to ${outDir}: ${written.join(', ')}\n`);
        return;
      }
      const mainRate = opts.mainRate !== undefined ? parseRate(opts.mainRate) : config().benchmark.requestRate;
      const outDir = opts.out ?? path.join(dir, 'report');
      if (opts.out !== undefined) load.resultsIo().checkOutputDir(outDir, '--out');
      const out = await load.report().generateReport({ resultsDir: dir, outDir, mainRate, strictMainRate: opts.mainRate !== undefined });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(out.summary, null, 2)}\n`);
        return;
      }
      if (out.summary.source === 'simulation') process.stdout.write('SIMULATED results (llmd-bench simulate): a prediction, not a measurement\n\n');
      for (const why of out.summary.invalid_reasons) process.stderr.write(`INVALID: ${why}\n`);
      for (const w of out.summary.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`${out.mainTableMarkdown}\n\n`);
      const { formatRate } = load.reportFormat();
      if (out.summary.ladder.length > 0) process.stdout.write(`rate ladder: ${out.summary.ladder.map((l) => formatRate(l.request_rate)).join(', ')} req/s\n`);
      process.stdout.write(`wrote ${out.files.map((f) => path.join(outDir, f)).join(', ')}\n`);
    }));
}

function registerCost(program: Command, config: () => BenchConfig): void {
  program.command('cost')
    .description('On-demand cost per hour of the configured stack, itemised (GPU nodes, system nodes, EKS, FSx, NAT, EBS), and of a run of the configured size.')
    .option('--hours <h>', 'price this many hours instead of the estimated run duration')
    .option('--target <paths>', 'paths the run measures, as for run --target (comma-separated)', 'both')
    .option('--ladder', 'include the rate ladder in the run estimate')
    .option('--warmup', 'include warm-up runs in the estimate')
    .option('--json', 'print the cost report as JSON')
    .action(action('cost', async (opts: { hours?: string; target: TargetOption; ladder?: boolean; warmup?: boolean; json?: boolean }) => {
      const hoursExp = opts.hours === undefined ? undefined : exponentProblem(opts.hours);
      if (hoursExp) throw badInput(`--hours ${JSON.stringify(opts.hours)}: ${hoursExp}`, 'e.g. --hours 3');
      const hours = opts.hours === undefined ? undefined : Number(opts.hours);
      if (opts.hours !== undefined && !(Number(opts.hours) > 0)) {
        throw badInput(`--hours ${JSON.stringify(opts.hours)}: must be a positive number of hours`, 'e.g. --hours 3');
      }
      const { costReport, formatCost } = load.cost();
      const c = config();
      const labels = load.plan().targetLabels(opts.target, c);
      const report = costReport(c, { targets: labels.length, labels, ladder: !!opts.ladder, warmup: !!opts.warmup }, hours);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCost(report)}\n`);
    }));
}

/** Registers preflight, run, report, cost, account-check and cleanup-check. */
export function registerBenchCommands(program: Command, config: ConfigProvider): void {
  registerPreflight(program, config);
  registerRun(program, config);
  registerReport(program, config);
  registerCost(program, config);
  registerAwsCommands(program, config);
}
