/**
 * `llmd-bench account-check` and `llmd-bench cleanup-check`: the CLI side. Both read the same config
 * as `cdk synth` (cdk.json context + `-c key=value`), build every AWS client with awsClientConfig()
 * (`--timeout` seconds per AWS call) and exit 0 (ok / clean), 1 (a check failed / something is left,
 * or an AWS call failed) or 2 (bad input: config, options). The SDK loads only when a command runs.
 */
import { type Command, Option } from 'commander';
import type { BenchConfig } from '../../config';
import { BenchError, EXIT, describeError } from '../errors';
import { DEFAULT_AWS_TIMEOUT_MS } from './client-config';
import { exponentProblem } from '../../config/plain-number';

interface AwsCommandOptions {
  timeout: string;
  json?: boolean;
  delete?: boolean;
  yes?: boolean;
}

/** `--timeout <seconds>`: a positive number, or a BenchError with exit code 2. */
export function parseTimeoutSeconds(value: string): number {
  const exp = exponentProblem(value);
  if (exp) throw new BenchError(`--timeout ${JSON.stringify(value)}: ${exp}`, { exitCode: EXIT.badInput, hint: 'e.g. --timeout 30' });
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || value.trim() === '') {
    throw new BenchError(`--timeout ${JSON.stringify(value)}: must be a positive number of seconds`, { exitCode: EXIT.badInput, hint: 'e.g. --timeout 30' });
  }
  return n;
}

function withAwsOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--timeout <seconds>', 'upper bound of each AWS call, seconds').default(String(DEFAULT_AWS_TIMEOUT_MS / 1000), String(DEFAULT_AWS_TIMEOUT_MS / 1000)))
    .option('--json', 'print the result as JSON');
}

/** Runs an AWS command: messages and exit codes as the other commands have them. */
function awsAction(name: string, _program: Command, config: () => BenchConfig, fn: (c: BenchConfig, timeoutMs: number, opts: AwsCommandOptions) => Promise<number>) {
  return async (opts: AwsCommandOptions) => {
    try {
      const timeoutMs = parseTimeoutSeconds(opts.timeout) * 1000;
      // The program's own -c (before or after the command name), checked like every command's.
      const c = config();
      process.exitCode = await fn(c, timeoutMs, opts);
    } catch (err) {
      const { text, exitCode } = describeError(err);
      process.stderr.write(`llmd-bench ${name}: ${text}\n`);
      process.exitCode = exitCode;
    }
  };
}

/** IAM actions each command needs (also in README). */
export const ACCOUNT_CHECK_PERMISSIONS = [
  'sts:GetCallerIdentity', 'cloudformation:DescribeStacks', 'ec2:DescribeInstanceTypeOfferings', 'servicequotas:GetServiceQuota',
  'servicequotas:GetAWSDefaultServiceQuota', 'fsx:DescribeFileSystems', 'eks:DescribeAddonVersions', 'eks:DescribeCluster',
] as const;
export const CLEANUP_CHECK_PERMISSIONS = [
  'cloudformation:DescribeStacks', 'eks:DescribeCluster', 'ec2:DescribeVpcs', 'ec2:DescribeInstances', 'ec2:DescribeNatGateways',
  'ec2:DescribeAddresses', 'ec2:DescribeVolumes', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'fsx:DescribeFileSystems',
  'elasticloadbalancing:DescribeLoadBalancers', 'logs:DescribeLogGroups', '(--delete) ec2:DeleteNetworkInterface, ec2:DeleteSecurityGroup',
] as const;

/** An SDK error as one message with what to do (no credentials, access denied, no answer in time). */
export function awsFailure(err: unknown, what: string, permissions: readonly string[], timeoutMs: number): BenchError {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const msg = e?.message ?? String(err);
  if (name === 'CredentialsProviderError' || /Could not load credentials|credentials/i.test(name) || /Could not load credentials/i.test(msg)) {
    return new BenchError(`${what}: no AWS credentials`, { hint: 'configure credentials (aws configure / AWS_PROFILE / aws sso login; check with `aws sts get-caller-identity`)', cause: err });
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name) || e?.$metadata?.httpStatusCode === 403) {
    return new BenchError(`${what}: access denied (${msg})`, { hint: `the IAM identity needs ${permissions.join(', ')}`, cause: err });
  }
  if (/Timeout|ETIMEDOUT|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket hang up/i.test(`${name} ${e?.code ?? ''} ${msg}`)) {
    return new BenchError(`${what}: no answer from AWS within ${timeoutMs / 1000} s (${name}: ${msg})`, { hint: 'check the network / proxy, or raise --timeout', cause: err });
  }
  return new BenchError(`${what}: ${name}: ${msg}`, { cause: err });
}

export function registerAwsCommands(program: Command, config: () => BenchConfig): void {
  withAwsOptions(program.command('account-check'))
    .description('Before the first deploy, read-only: CDK bootstrap, GPU/system instance types offered in the configured AZs, EC2 vCPU quotas of the right family, FSx deployment type, existing stacks, pinned EKS add-on versions. Says what to do about each failure.')
    .action(awsAction('account-check', program, config, async (c, timeoutMs, opts) => {
      const { createAccountApi } = require('./account-api') as typeof import('./account-api');
      const { formatAccountCheck, runAccountCheck } = require('./account-check') as typeof import('./account-check');
      const api = createAccountApi(c.aws.region, timeoutMs);
      const describe = (err: unknown, what: string) => {
        const e = awsFailure(err, what, ACCOUNT_CHECK_PERMISSIONS, timeoutMs);
        return { message: e.message, hint: e.hint };
      };
      let results;
      try {
        results = await runAccountCheck(c, api, describe);
      } catch (err) {
        // Only the identity call throws: without it nothing else can work.
        throw awsFailure(err, `sts:GetCallerIdentity in ${c.aws.region}`, ACCOUNT_CHECK_PERMISSIONS, timeoutMs);
      }
      process.stdout.write(opts.json ? `${JSON.stringify({ region: c.aws.region, results }, null, 2)}\n` : `${formatAccountCheck(results, c.aws.region)}\n`);
      return results.some((r) => r.status === 'fail') ? EXIT.failure : 0;
    }));

  withAwsOptions(program.command('cleanup-check'))
    .option('--delete', 'delete leftover network interfaces (detached) and security groups of the project VPC, then check again (needs --yes)')
    .option('--yes', 'confirm --delete (without it, --delete refuses before any AWS call)')
    .description('After `cdk destroy`: list everything of this deployment still billing or blocking a delete (by project tags and VPC): stacks, EKS cluster, instances, NAT gateways, Elastic IPs, FSx, EBS volumes, network interfaces, security groups, load balancers, log groups. Exit 1 if anything is left.')
    .action(awsAction('cleanup-check', program, config, async (c, timeoutMs, opts) => {
      if (opts.delete && !opts.yes) {
        throw new BenchError('--delete deletes network interfaces and security groups and needs --yes to confirm', {
          exitCode: EXIT.badInput, hint: 'run `npx llmd-bench cleanup-check` first to see what is left, then `npx llmd-bench cleanup-check --delete --yes`',
        });
      }
      const { createCleanupApi } = require('./cleanup-api') as typeof import('./cleanup-api');
      const check = require('./cleanup-check') as typeof import('./cleanup-check');
      const api = createCleanupApi(c.aws.region, timeoutMs);
      const find = () => check.findLeftovers(c, api).catch((err: unknown) => {
        throw awsFailure(err, `listing the resources of cluster ${c.cluster.name} in ${c.aws.region}`, CLEANUP_CHECK_PERMISSIONS, timeoutMs);
      });
      let report = await find();
      let outcomes: import('./cleanup-check').DeleteOutcome[] | undefined;
      if (opts.delete) {
        outcomes = await check.deleteSafeLeftovers(c, report, api);
        if (outcomes.some((o) => o.result === 'deleted')) report = await find();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ region: c.aws.region, vpcIds: report.vpcIds, leftovers: report.leftovers, deleted: outcomes }, null, 2)}\n`);
      } else {
        if (outcomes) process.stdout.write(`${check.formatDeleteOutcomes(outcomes)}\n`);
        process.stdout.write(`${check.formatCleanupReport(report, c.aws.region, c.cluster.name)}\n`);
      }
      return check.counted(report).length > 0 ? EXIT.failure : 0;
    }));
}
