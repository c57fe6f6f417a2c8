/**
 * account-check and cleanup-check as a user runs them (node bin/llmd-bench.js in a child process),
 * and the GPU-needing commands on a paused configuration. No AWS credentials, no region profile, an
 * empty HOME and instance metadata disabled: the SDK's credential chain gives up before any request,
 * so nothing leaves this machine.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseTimeoutSeconds } from '../../../lib/bench/aws/commands';
import { tempDir } from '../../temp-dir';

const ROOT = join(__dirname, '..', '..', '..');

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'HOME') env[k] = v;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'llmd-bench.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...env, HOME: tempDir('llmd-bench-home-'), AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('account-check / cleanup-check', () => {
  test.each([['account-check'], ['cleanup-check']])('%s without credentials: one message that says so, exit 1', (cmd) => {
    const r = cli([cmd, '--timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^llmd-bench ${cmd}: .*no AWS credentials\\n  what to do: configure credentials`, 'm'));
  });

  test.each([['account-check', 'abc'], ['cleanup-check', '0'], ['account-check', '-5']])('%s --timeout %s is bad input: exit 2', (cmd, value) => {
    const r = cli([cmd, '--timeout', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--timeout "${value}": must be a positive number of seconds`);
  });

  test('a bad -c value is bad input: exit 2, the key named', () => {
    const r = cli(['cleanup-check', '-c', 'cluster.name=not ok!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cluster.name: got "not ok!"');
  });

  test('--delete without --yes refuses before any AWS call: exit 2, one line and a hint', () => {
    const r = cli(['cleanup-check', '--delete', '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('llmd-bench cleanup-check: --delete deletes network interfaces and security groups and needs --yes to confirm\n'
      + '  what to do: run `npx llmd-bench cleanup-check` first to see what is left, then `npx llmd-bench cleanup-check --delete --yes`\n');
    // With --yes it goes on to AWS (and here stops at the missing credentials, exit 1).
    expect(cli(['cleanup-check', '--delete', '--yes', '--timeout', '2']).stderr).toMatch(/no AWS credentials/);
  });

  test('help lists -c, --timeout with its default, and --delete', () => {
    const r = cli(['cleanup-check', '--help']);
    expect(r.stdout).toContain('-c, --context <key=value>');
    expect(r.stdout).toMatch(/--timeout <seconds>\s+upper bound of each AWS call, seconds \(default: 20\)/);
    expect(r.stdout).toContain('--delete');
  });

  test('--timeout parsing', () => {
    expect(parseTimeoutSeconds('1.5')).toBe(1.5);
    expect(() => parseTimeoutSeconds('')).toThrow(/positive number/);
  });
});

describe('a paused configuration (gpuNodes.count=0)', () => {
  test.each([['simulate'], ['run']])('%s refuses it with exit 2 and says how to resume', (cmd) => {
    const r = cli([cmd, '-c', 'gpuNodes.count=0', ...(cmd === 'run' ? ['--skip-aws'] : ['--no-progress'])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gpuNodes\.count: got 0; the configuration is paused \(no GPU nodes, 0 decode replicas\)/);
    expect(r.stderr).toContain('-c gpuNodes.count=8');
  });

  test('cost prices an hour of the paused stack (no GPU nodes, no run estimate)', () => {
    const r = cli(['cost', '-c', 'gpuNodes.count=0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GPU nodes\s+\$0\.00\/h\s+0 x g5\.xlarge/);
    expect(r.stdout).toContain('For 1.00 h:');
    expect(r.stdout).toContain('gpuNodes.count is 0 (paused)');
    expect(r.stdout).not.toContain('∞');
  });
});

/**
 * The cleanup-check command in process, on stub SDK clients (test/bench/aws/stub-clients.ts, the
 * recorded payloads of cleanup-check.test.ts): its exit code is what scripts after `cdk destroy` rely on.
 */
describe('cleanup-check through the command: the exit code follows the leftovers', () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const cfn = require('@aws-sdk/client-cloudformation');
  const logs = require('@aws-sdk/client-cloudwatch-logs');
  const ec2 = require('@aws-sdk/client-ec2');
  const eks = require('@aws-sdk/client-eks');
  const elb = require('@aws-sdk/client-elastic-load-balancing');
  const elbv2 = require('@aws-sdk/client-elastic-load-balancing-v2');
  const fsx = require('@aws-sdk/client-fsx');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { Command } = require('commander') as typeof import('commander');
  const cleanupApi = require('../../../lib/bench/aws/cleanup-api') as typeof import('../../../lib/bench/aws/cleanup-api');
  const { registerAwsCommands } = require('../../../lib/bench/aws/commands') as typeof import('../../../lib/bench/aws/commands');
  const { loadConfig } = require('../../../lib/config') as typeof import('../../../lib/config');
  const { awsServiceError, destroyedEc2, empty, noStack, recorded, stub } = require('./stub-clients') as typeof import('./stub-clients');
  type Responder = import('./stub-clients').Responder;

  const REGION = 'us-west-2';
  /** An account after a complete destroy: no VPC, nothing tagged, no stack, no cluster. */
  const clean: Record<string, Responder> = {
    ec2: destroyedEc2,
    fsx: () => empty({ FileSystems: [] }),
    elbv2: () => empty({ LoadBalancers: [] }),
    elb: () => empty({ LoadBalancerDescriptions: [] }),
    logs: () => empty({ logGroups: [] }),
    cfn: noStack,
    eks: (_c, input) => { throw awsServiceError('ResourceNotFoundException', `No cluster found for name: ${input.name}.`, 404); },
  };
  /** The same account with the network stack stuck in DELETE_FAILED and the control-plane log group left. */
  const leftovers: Record<string, Responder> = {
    ...clean,
    cfn: (c, input) => (input.StackName === 'LlmdBench-Network' ? recorded('cleanup-check/cfn-describe-stacks-network-delete-failed.json') : noStack(c, input)),
    logs: (_c, input) => (input.logGroupNamePrefix === '/aws/eks/llmd-bench/' ? recorded('cleanup-check/logs-describe-log-groups-eks.json') : empty({ logGroups: [] })),
  };

  async function run(account: Record<string, Responder>, args: string[] = []) {
    const cfg = { region: REGION, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } };
    const api = cleanupApi.cleanupApiOn({
      ec2: stub('ec2', new ec2.EC2Client(cfg), account.ec2, []),
      fsx: stub('fsx', new fsx.FSxClient(cfg), account.fsx, []),
      elbv2: stub('elbv2', new elbv2.ElasticLoadBalancingV2Client(cfg), account.elbv2, []),
      elb: stub('elb', new elb.ElasticLoadBalancingClient(cfg), account.elb, []),
      logs: stub('logs', new logs.CloudWatchLogsClient(cfg), account.logs, []),
      cfn: stub('cfn', new cfn.CloudFormationClient(cfg), account.cfn, []),
      eks: stub('eks', new eks.EKSClient(cfg), account.eks, []),
    }, { ec2, fsx, elbv2, elb, logs, cfn, eks }, REGION);
    const created = jest.spyOn(cleanupApi, 'createCleanupApi').mockReturnValue(api);
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
    const before = process.exitCode;
    try {
      const program = new Command().exitOverride();
      registerAwsCommands(program, () => loadConfig({}));
      await program.parseAsync(['node', 'llmd-bench', 'cleanup-check', ...args]);
      return { code: process.exitCode, stdout: out.join(''), createdFor: created.mock.calls[0]?.[0] };
    } finally {
      process.exitCode = before;
      created.mockRestore();
      write.mockRestore();
    }
  }

  test('leftovers: exit 1, each one named', async () => {
    const r = await run(leftovers, ['--json']);
    expect(r.createdFor).toBe(REGION);
    expect(r.code).toBe(1);
    const kinds = JSON.parse(r.stdout).leftovers.map((l: { kind: string }) => l.kind);
    expect(kinds.length).toBeGreaterThanOrEqual(2);
  });

  test('a clean account: exit 0', async () => {
    const r = await run(clean);
    expect(r.code).toBe(0);
  });
});
