/**
 * `llmd-bench plan`: where the configured model fits and what it holds, per instance type and TP,
 * instantly and offline (lib/bench/capacity/capacity.ts).
 */
import { Command, Option } from 'commander';
import { type BenchConfig, configSchema } from '../../config';
import { readCdkJsonContext, parseContextPairs } from '../../config/cli-context';
import { contextToOverrides } from '../../config/context';
import { withDerivedDefaults } from '../../config/derived-defaults';
import { ModelConfigError, resolveModelFacts } from '../../config/model-config';
import { ConfigError } from '../../config/problems';
import { action } from '../cli-kit';
import { badInput } from '../errors';
import { checkOutputFile, writeJsonAtomic } from '../results-io';
import { parsePositiveInt } from '../../workload/flags';
import { capacityPlan, formatCapacityPlan } from './capacity';
import { parseInstanceTypes, parseTensorParallelSizes } from './selectors';

interface PlanFlags {
  contextTokens?: number;
  instanceTypes?: string[];
  tp?: number[];
  fitsOnly?: boolean;
  json?: string | boolean;
}

/**
 * The config to plan with. Planning asks where the model fits, so a configured deployment where it
 * does not (e.g. a 70B model on the default g5.xlarge) must not stop it: when the full validation
 * fails, each key is still validated on its own (the schema) and the cross-field problems of the
 * configured deployment are returned as notes. Unknown keys, bad values or an unmodellable model stay
 * bad input.
 */
export function planningConfig(config: () => BenchConfig, pairs: readonly string[]): { config: BenchConfig; notes: readonly string[] } {
  try {
    return { config: config(), notes: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const { values, problems } = contextToOverrides({ ...readCdkJsonContext(), ...parseContextPairs(pairs) });
    if (problems.length > 0) throw err;
    const parsed = configSchema.safeParse(withDerivedDefaults(values));
    if (!parsed.success) throw err;
    try {
      if (!resolveModelFacts(parsed.data.model)) throw err;
    } catch (e) {
      if (e instanceof ModelConfigError) throw err;
      throw e;
    }
    return { config: parsed.data, notes: err.problems };
  }
}

export function registerPlanCommand(program: Command, config: () => BenchConfig, contextPairs: () => readonly string[]): void {
  program.command('plan')
    .description('Capacity planner (instant, offline): for the configured model (registry row or -c model.configFile=...) and every GPU instance type x tensor-parallel size, the per-GPU memory (weights, non-KV, KV left), KV tokens per replica, sequences that fit at a context, replicas per node, whether it fits (and why not) and $/h in the configured region. The same arithmetic as the config\'s fit check.')
    .option('--context-tokens <n>', 'prompt + output tokens per sequence for the "seqs" column (default: the configured workload\'s longest request)', parsePositiveInt)
    .addOption(new Option('--instance-types <list>', 'instance types to list: names, families such as g6e.*, or all (default: all)').argParser(parseInstanceTypes))
    .addOption(new Option('--tp <list>', 'tensor-parallel sizes to list, e.g. 1,2 (default: 1,2,4,8 where they divide the node\'s GPUs)').argParser(parseTensorParallelSizes))
    .option('--fits-only', 'list only the rows where the model fits')
    .option('--json [file]', 'write the plan as JSON to the file, or to stdout without one')
    .action(action('plan', (flags: PlanFlags) => {
      if (typeof flags.json === 'string') checkOutputFile(flags.json, '--json');
      const { config: c, notes } = planningConfig(config, contextPairs());
      const plan = capacityPlan(c, { contextTokens: flags.contextTokens, instanceTypes: flags.instanceTypes, tensorParallelSizes: flags.tp });
      const shown = flags.fitsOnly ? { ...plan, rows: plan.rows.filter((r) => r.fits) } : plan;
      if (shown.rows.length === 0 && !flags.fitsOnly) throw badInput('no instance type x TP row to show', 'a TP given with --tp must divide the GPUs of an instance type given with --instance-types');
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      for (const n of notes) process.stderr.write(`note: the configured deployment itself is invalid (planning goes on): ${n}\n`);
      process.stdout.write(`${formatCapacityPlan(shown)}\n`);
      if (shown.rows.length === 0) process.stdout.write('\nThe model fits none of the rows listed.\n');
      if (typeof flags.json === 'string') {
        writeJsonAtomic(flags.json, shown);
        process.stdout.write(`\nwrote ${flags.json}\n`);
      }
    }));
}
