/**
 * What every `llmd-bench` command shares, so a new command gets it with one line:
 * - `BenchCommand`: bad input of any kind (unknown option or command, a bad option value, a missing
 *   argument) is one line naming what is wrong, a hint, and exit code 2, never the whole help page;
 *   unknown options get a "did you mean" that prefers options containing the typed word.
 * - `action(name, fn)`: errors thrown by a command become one message and their exit code
 *   (1 cluster/AWS failure, 2 bad input, 130 Ctrl-C); see errors.ts.
 * - `addTimeoutOption(cmd)` / `timeoutMs(opts)`: `--timeout <seconds>`, the upper bound of every
 *   Kubernetes, Prometheus and AWS call (pass it to connectKube, createAwsApi or awsClientConfig).
 * - `ConfigOption`: a flag that overrides a config key; its help shows the real default.
 *
 * A new command, e.g. `account-check`:
 *   addTimeoutOption(program.command('account-check')).action(action('account-check', async (opts) => ...));
 */
import { Command, Help, InvalidArgumentError, Option } from 'commander';
import type { BenchConfig } from '../config';
import { DEFAULT_CALL_TIMEOUT_S } from './deadline';
import { EXIT, describeError } from './errors';
import { exponentProblem } from '../config/plain-number';
import { editDistance } from '../config/suggest';

export const PROGRAM_NAME = 'llmd-bench';

/** A flag that overrides a config key (e.g. --request-rate for benchmark.requestRate). */
export class ConfigOption extends Option {
  constructor(flags: string, description: string, readonly configKey: string) {
    super(flags, description);
  }
}

/** Where help looks up the defaults it shows (set by bin/llmd-bench.ts: cdk.json + -c, or the reference run). */
let helpConfig: () => BenchConfig | undefined = () => undefined;
export function setHelpConfig(source: () => BenchConfig | undefined): void {
  helpConfig = source;
}

function valueAt(config: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
}

function showValue(v: unknown): string {
  // Unset-as-empty (benchmark.warmupStage '', benchmark.stages []) reads "none", not "(default: , ...".
  if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return 'none';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** A description ending in a config key in parentheses, e.g. "requests per second (benchmark.requestRate)". */
const TRAILING_KEY = /\s*\(([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)\)\s*$/;

function safeHelpConfig(): BenchConfig | undefined {
  try {
    return helpConfig();
  } catch {
    return undefined; // an invalid -c must not break --help
  }
}

/**
 * Help that shows the effective default of config-backed flags, not the key name alone: a
 * ConfigOption, or any option whose description ends in "(<config key>)".
 */
class BenchHelp extends Help {
  optionDescription(option: Option): string {
    const trailing = option instanceof ConfigOption ? undefined : TRAILING_KEY.exec(option.description);
    const key = option instanceof ConfigOption ? option.configKey : trailing?.[1];
    if (!key) return super.optionDescription(option);
    const config = safeHelpConfig();
    const value = config === undefined ? undefined : valueAt(config, key);
    if (trailing && value === undefined) return super.optionDescription(option);
    const text = trailing ? option.description.slice(0, trailing.index) : option.description;
    const where = value === undefined ? `(config ${key})` : `(default: ${showValue(value)}, from config ${key})`;
    return `${text} ${where}`;
  }
}

/** `llmd-bench simulate`, `llmd-bench` ... for messages. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Words of a flag: `--request-rate` -> ["request", "rate"]. */
function words(flag: string): string[] {
  return flag.replace(/^-+/, '').toLowerCase().split('-').filter(Boolean);
}

/**
 * Options the user probably meant by `typed`, best first (at most 3). First the options that contain
 * every typed word (`--rate` -> `--request-rate`, `--prefix` -> `--prefix-len`, `--num-prefixes`),
 * then near misses by edit distance (`--num-promts` -> `--num-prompts`). Commander's own
 * suggestion is edit distance alone and offered `--router` for `--rate`.
 */
export function suggestOptions(typed: string, candidates: readonly string[]): string[] {
  const flag = typed.split('=')[0];
  const want = words(flag);
  const plain = want.join('');
  if (plain.length === 0) return [];
  const unique = [...new Set(candidates.filter((c) => c.startsWith('--') && c !== flag))];
  const containing = unique
    .filter((c) => want.every((w) => words(c).some((cw) => cw === w || (w.length >= 3 && cw.startsWith(w)))))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  if (containing.length > 0) return containing.slice(0, 3);
  const limit = Math.max(1, Math.floor(plain.length * 0.34));
  return unique
    .map((c) => ({ c, d: editDistance(plain, words(c).join(''), true) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, 3)
    .map((x) => x.c);
}

/** Commander's error text as one plain line (no "error:" prefix, the flag and value up front). */
export function tidyCommanderMessage(message: string): string {
  let text = message.trim().replace(/^error:\s*/, '');
  const invalid = /^option '([^']+)' argument '([^']*)' is invalid\.\s*(.*)$/s.exec(text);
  if (invalid) {
    const flag = invalid[1].split(/[\s,|]+/)[0];
    text = `${flag} ${JSON.stringify(invalid[2])}: ${invalid[3] || 'invalid value'}`;
  }
  const missing = /^option '([^']+)' argument missing$/.exec(text);
  if (missing) text = `${missing[1].split(/[\s,|]+/)[0]} needs a value`;
  return text.replace(/\s*\(Did you mean/, ' (did you mean');
}

/**
 * The Command every llmd-bench command is made of (program.command() creates more of them): parse
 * errors print one line and a hint and exit with 2.
 */
export class BenchCommand extends Command {
  createCommand(name?: string): BenchCommand {
    return new BenchCommand(name);
  }

  createHelp(): Help {
    return Object.assign(new BenchHelp(), this.configureHelp());
  }

  error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    const code = errorOptions?.code ?? 'commander.error';
    const text = tidyCommanderMessage(message);
    const where = commandPath(this);
    const hint = this.commands.length > 0 && this.parent === null
      ? `see \`npx ${where} --help\` for the commands`
      : `see \`npx ${where} --help\``;
    this.configureOutput().writeErr!(`${where}: ${text}\n  what to do: ${hint}\n`);
    (this as unknown as { _exit(exitCode: number, code: string, message: string): never })._exit(EXIT.badInput, code, text);
    throw new Error('unreachable');
  }

  /**
   * `llmd-bench help <command>`: Commander prints the whole help page for an unknown name; here it is
   * one line with a suggestion and exit 2, like `llmd-bench <unknown command>`.
   */
  _dispatchHelpCommand(subcommandName?: string): unknown {
    if (subcommandName && !this.commands.some((c) => c.name() === subcommandName || c.aliases().includes(subcommandName))) {
      const names = this.commands.map((c) => c.name()).filter((n) => n !== 'help');
      const near = names.filter((n) => editDistance(subcommandName, n, true) <= Math.max(1, Math.floor(n.length * 0.4)));
      const hint = near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : '';
      this.error(`error: unknown command '${subcommandName}'${hint}`, { code: 'commander.unknownCommand' });
    }
    return (Command.prototype as unknown as { _dispatchHelpCommand(n?: string): unknown })._dispatchHelpCommand.call(this, subcommandName);
  }

  /** Commander calls this for an unknown flag; same message shape, better suggestions. */
  unknownOption(flag: string): void {
    if ((this as unknown as { _allowUnknownOption: boolean })._allowUnknownOption) return;
    const candidates: string[] = ['--help'];
    for (let c: Command | null = this; c; c = c.parent) candidates.push(...c.options.map((o) => o.long).filter((l): l is string => !!l));
    const suggestions = flag.startsWith('--') ? suggestOptions(flag, candidates) : [];
    const hint = suggestions.length > 0 ? ` (did you mean ${suggestions.join(' or ')}?)` : '';
    this.error(`error: unknown option '${flag}'${hint}`, { code: 'commander.unknownOption' });
  }

  /** Commander shows the root help (exit 0) for `<unknown command> --help`: an unknown command is bad input first. */
  _outputHelpIfRequested(args: string[]): void {
    if (this.parent === null && this.commands.length > 0 && this.args.length > 0 && !this.args[0].startsWith('-')) {
      (this as unknown as { unknownCommand(): never }).unknownCommand();
    }
    (Command.prototype as unknown as { _outputHelpIfRequested(a: string[]): void })._outputHelpIfRequested.call(this, args);
  }
}

/**
 * Settings every command needs, applied to the program and all its commands (after registration,
 * so commands added by any module get them): errors become exceptions main() turns into exit codes,
 * and help lists the global `-c key=value` option under every command.
 */
export function applyCliSettings(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureHelp({ showGlobalOptions: true });
  for (const sub of cmd.commands) applyCliSettings(sub);
}

/** Prints an error of `name` (e.g. "llmd-bench run") with its hint and sets the exit code. */
export function reportError(name: string, err: unknown): void {
  const { text, exitCode } = describeError(err);
  process.stderr.write(`${name}: ${text}\n`);
  process.exitCode = exitCode;
}

/** Wraps a command's action: errors become one message and the right exit code, never a stack trace. */
export function action<A extends unknown[]>(name: string, fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      reportError(`${PROGRAM_NAME} ${name}`, err);
    }
  };
}

/** A positive number of seconds (commander argParser). */
export function parseSeconds(value: string): number {
  const exp = exponentProblem(value);
  if (exp) throw new InvalidArgumentError(exp);
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

/** Adds `--timeout <seconds>` (default 20): the upper bound of each Kubernetes, Prometheus and AWS call. */
export function addTimeoutOption(cmd: Command): Command {
  return cmd.addOption(new Option('--timeout <seconds>', 'upper bound of each Kubernetes, Prometheus and AWS call; the first unreachable API stops the command')
    .argParser(parseSeconds).default(DEFAULT_CALL_TIMEOUT_S));
}

/** The --timeout of a command's options, in ms. */
export function timeoutMs(opts: { timeout?: number }): number {
  return (opts.timeout ?? DEFAULT_CALL_TIMEOUT_S) * 1000;
}
