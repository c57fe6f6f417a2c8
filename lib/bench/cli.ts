/**
 * The benchmark commands of `llmd-bench`: preflight, run, report, cost. Each action turns errors into
 * a message with what to do and an exit code (1 cluster/AWS failure, 2 bad input, 130 Ctrl-C).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import type { BenchConfig } from '../config';
import { ConfigError } from '../config';
import { BenchError, EXIT, describeError } from './errors';
import type { PlannedStep, TargetOption } from './plan';
import type { CheckResult, PreflightCheck, PreflightContext } from './preflight';
import { RUN_CONFIG_FILE } from './result-format';
import type { AwsApi, KubeApi } from './cluster/types';
import { addWorkloadOptions, type ConfigProvider, configWithWorkloadFlags, type WorkloadFlags } from '../workload/flags';

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
}

function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config; none: built from EKS DescribeCluster)')
    .option('--kube-context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--skip-aws', 'do not call AWS (EKS/FSx checks skipped; use when you only have Kubernetes access)');
}

/** Runs an action; prints errors with their hint and sets the exit code instead of throwing. */
function action<A extends unknown[]>(name: string, fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`llmd-bench ${name}: ${err.message}\n`);
        process.exitCode = EXIT.badInput;
        return;
      }
      const { text, exitCode } = describeError(err);
      process.stderr.write(`llmd-bench ${name}: ${text}\n`);
      process.exitCode = exitCode;
    }
  };
}

/** AWS and Kubernetes access for preflight and run. The real adapters load lazily here. */
async function connect(config: BenchConfig, opts: ClusterOptions): Promise<PreflightContext> {
  let aws: AwsApi | undefined;
  let fallbackCluster: { name: string; region: string; endpoint: string; certificateAuthorityData: string } | undefined;
  const { prometheusServiceRef, prometheusViaKube } = load.prometheus();
  if (!opts.skipAws) {
    aws = load.aws().createAwsApi(config.aws.region);
    const noKubeconfig = !opts.kubeconfig && !process.env.KUBECONFIG && !fs.existsSync(path.join(process.env.HOME ?? '', '.kube', 'config'));
    if (noKubeconfig) {
      const c = await aws.describeCluster(config.cluster.name).catch(() => undefined);
      if (c) fallbackCluster = { name: c.name, region: config.aws.region, endpoint: c.endpoint, certificateAuthorityData: c.certificateAuthorityData };
    }
  }
  let kube: KubeApi | undefined;
  let kubeError: BenchError | undefined;
  try {
    kube = load.kube().connectKube({ kubeconfig: opts.kubeconfig, context: opts.kubeContext, fallbackCluster }, config.cluster.name, config.aws.region);
  } catch (err) {
    kubeError = err instanceof BenchError ? err : new BenchError((err as Error).message);
  }
  const prometheus = kube ? prometheusViaKube(kube, prometheusServiceRef(config)) : undefined;
  return { config, aws, kube, kubeError, prometheus };
}

async function preflightWithProgress(ctx: PreflightContext, quiet = false): Promise<boolean> {
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
  return report.ok;
}

function registerPreflight(program: Command, config: () => BenchConfig): void {
  addClusterOptions(program.command('preflight'))
    .description('Check that the cluster is ready for a fair benchmark (EKS, FSx, nodes, pods, EPP, InferencePool, weights, Prometheus); says what to do about each failure.')
    .action(action('preflight', async (opts: ClusterOptions) => {
      const c = config();
      const ok = await preflightWithProgress(await connect(c, opts));
      if (!ok) throw new BenchError('preflight failed', { hint: 'fix the checks marked ✖ above and run `npx llmd-bench preflight` again' });
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
    .option('--ladder', 'also run the rate ladder (benchmark.ladderRates) after the main run')
    .option('--ladder-only', 'run only the rate ladder')
    .option('--warmup', 'run a discarded warm-up (own seed) before each path')
    .option('--run-id <id>', 'id of this run; reuse an earlier id to resume it (finished steps are skipped)')
    .option('--out <dir>', `results directory (default: ${RESULTS_ROOT}/<run id>)`)
    .option('--skip-preflight', 'do not run the preflight checks first')
    .option('--no-report', 'do not write the report at the end')
    .option('--dry-run', 'print the plan and the Job manifests; touch nothing')
    .action(action('run', async (opts: RunOptions) => {
      const c = configWithWorkloadFlags(cmd, config, opts);
      const { newRunId, planRun, targetLabels } = load.plan();
      const runId = opts.runId ?? newRunId(Date.now());
      const outDir = opts.out ?? path.join(RESULTS_ROOT, runId);
      targetLabels(opts.target, c);
      const steps = planRun(c, { targets: opts.target, ladder: !!opts.ladder, ladderOnly: !!opts.ladderOnly, warmup: !!opts.warmup, runId, outDir });
      if (opts.dryRun) {
        dryRun(c, steps, outDir);
        return;
      }
      const ctx = { ...(await connect(c, opts)), runId };
      if (!opts.skipPreflight && !(await preflightWithProgress(ctx))) {
        throw new BenchError('preflight failed; nothing was started', { hint: 'fix the checks marked ✖ above, or pass --skip-preflight if you know better' });
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
  writeJsonAtomic(path.join(outDir, RUN_CONFIG_FILE), {
    run_id: runId, target: opts.target, ladder: !!opts.ladder || !!opts.ladderOnly, warmup: !!opts.warmup,
    context: ctx.kube?.context.contextName, benchmark: c.benchmark, workload: c.workload, vllm: c.vllm, model: c.model, gpuNodes: c.gpuNodes, router: c.router,
  });
  const runner = new BenchmarkRunner({ config: c, kube: ctx.kube!, prometheus: ctx.prometheus, clock: systemClock });
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nllmd-bench run: interrupted; deleting the running benchmark Job (Ctrl-C again to quit at once)\n');
    abort.abort();
    process.once('SIGINT', () => process.exit(EXIT.cancelled));
  };
  process.once('SIGINT', onSigint);
  const warnings: string[] = [];
  try {
    const tasks = new Listr(steps.map((step) => ({
      title: step.title,
      task: async (_: unknown, task: { title: string; output: string }) => {
        const outcome = await runner.runStep(step, {
          update: (p) => { task.output = formatProgress(p); },
          warn: (m) => warnings.push(m),
        }, abort.signal);
        task.title = outcome.status === 'skipped'
          ? `${step.title}: already collected`
          : `${step.title}: ${outcome.completed} completed, ${outcome.failed ?? 0} failed in ${formatDuration(outcome.durationS ?? 0)}`;
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
}

/** The newest directory under ./results that holds JSON files (run ids sort by time). */
export function latestResultsDir(root = RESULTS_ROOT): string | undefined {
  if (!fs.existsSync(root)) return undefined;
  return fs.readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.readdirSync(path.join(root, d.name)).some((f) => f.endsWith('.json')))
    .map((d) => path.join(root, d.name))
    .sort()
    .pop();
}

function parseRate(value: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new BenchError(`--main-rate ${JSON.stringify(value)}: must be "inf" or a positive number`, { exitCode: EXIT.badInput });
  return n;
}

function registerReport(program: Command, config: () => BenchConfig): void {
  program.command('report')
    .description('Write the report of a results directory: Markdown in the reference table\'s layout (metric | round-robin | llm-d | advantage), the rate-ladder table, SVG plots and summary.json. Works on `run` output, `simulate --out` output and hand-made vllm bench serve --save-result files.')
    .argument('[results-dir]', `directory of result JSON files (default: the newest under ${RESULTS_ROOT}/)`)
    .option('--out <dir>', 'where to write report.md, summary.json and the SVGs (default: <results-dir>/report)')
    .option('--main-rate <rate>', 'request rate of the main comparison (default: benchmark.requestRate)')
    .option('--json', 'print summary.json to stdout instead of the table')
    .addOption(new Option('--format <format>', 'llmd-bench: report.md, plots and summary.json; llmd-benchmark: llm-d-benchmark benchmark reports (v0.2 YAML, one per result and stage, schema-validated)').choices(['llmd-bench', 'llmd-benchmark']).default('llmd-bench'))
    .action(action('report', async (dirArg: string | undefined, opts: { out?: string; mainRate?: string; json?: boolean; format?: string }) => {
      const dir = dirArg ?? latestResultsDir();
      if (!dir) throw new BenchError(`no results directory given and none under ${RESULTS_ROOT}/`, { exitCode: EXIT.badInput, hint: 'pass one: npx llmd-bench report <results-dir>' });
      if (opts.format === 'llmd-benchmark') {
        const outDir = opts.out ?? path.join(dir, 'benchmark-report');
        const written = load.llmdBenchmark().writeLlmdBenchmarkReports(dir, outDir);
        process.stdout.write(`wrote ${written.length} llm-d-benchmark report(s) to ${outDir}: ${written.join(', ')}\n`);
        return;
      }
      const mainRate = opts.mainRate !== undefined ? parseRate(opts.mainRate) : config().benchmark.requestRate;
      const outDir = opts.out ?? path.join(dir, 'report');
      const out = await load.report().generateReport({ resultsDir: dir, outDir, mainRate });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(out.summary, null, 2)}\n`);
        return;
      }
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
      const hours = opts.hours === undefined ? undefined : Number(opts.hours);
      if (opts.hours !== undefined && !(Number(opts.hours) > 0)) {
        throw new BenchError(`--hours ${JSON.stringify(opts.hours)}: must be a positive number of hours`, { exitCode: EXIT.badInput });
      }
      const { costReport, formatCost } = load.cost();
      const c = config();
      const labels = load.plan().targetLabels(opts.target, c);
      const report = costReport(c, { targets: labels.length, labels, ladder: !!opts.ladder, warmup: !!opts.warmup }, hours);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCost(report)}\n`);
    }));
}

/** Registers preflight, run, report and cost. */
export function registerBenchCommands(program: Command, config: ConfigProvider): void {
  registerPreflight(program, config);
  registerRun(program, config);
  registerReport(program, config);
  registerCost(program, config);
}
