/**
 * cleanup-check on recorded SDK payloads: a destroy that left the network stack DELETE_FAILED with a
 * GPU node, its volume, the NAT gateway and EIP, Lambda ENIs, security groups, a load balancer of each
 * kind and log groups behind; the clean account; and what `--delete` removes (only detached ENIs and
 * this deployment's security groups of the project VPC).
 */
import * as cfn from '@aws-sdk/client-cloudformation';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as ec2 from '@aws-sdk/client-ec2';
import * as eks from '@aws-sdk/client-eks';
import * as elb from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as fsx from '@aws-sdk/client-fsx';
import { loadConfig } from '../../../lib/config';
import { cleanupApiOn } from '../../../lib/bench/aws/cleanup-api';
import { counted, deleteSafeLeftovers, findLeftovers, formatCleanupReport, formatDeleteOutcomes } from '../../../lib/bench/aws/cleanup-check';
import { awsServiceError, destroyedEc2, empty, noStack, recorded, type Responder, type SentCommand, stub } from './stub-clients';

const REGION = 'us-west-2';
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const F = (name: string) => recorded(`cleanup-check/${name}.json`);
const VPC = 'vpc-0d4e5f60718293a4b';

/** What a half-finished destroy leaves (network stack DELETE_FAILED). */
function leftoverAccount(): Record<string, Responder> {
  return {
    ec2: (cmd, input) => {
      const filters: Record<string, string[]> = Object.fromEntries((input.Filters ?? input.Filter ?? []).map((f: { Name: string; Values: string[] }) => [f.Name, f.Values]));
      switch (cmd) {
        case 'DescribeVpcsCommand': return F('ec2-describe-vpcs');
        case 'DescribeInstancesCommand': return filters['vpc-id'] ? F('ec2-describe-instances-by-tag') : (filters['tag:eks:cluster-name'] ? F('ec2-describe-instances-by-tag') : empty({ Reservations: [] }));
        case 'DescribeNatGatewaysCommand': return F('ec2-describe-nat-gateways');
        case 'DescribeAddressesCommand': return F('ec2-describe-addresses');
        case 'DescribeVolumesCommand': return F('ec2-describe-volumes');
        case 'DescribeNetworkInterfacesCommand': return F('ec2-describe-network-interfaces');
        case 'DescribeSecurityGroupsCommand': return F('ec2-describe-security-groups');
        case 'DeleteNetworkInterfaceCommand': return empty();
        case 'DeleteSecurityGroupCommand': return empty({ Return: true });
        default: throw new Error(`unexpected ${cmd}`);
      }
    },
    fsx: () => recorded('describe-file-systems.json'),
    elbv2: () => F('elbv2-describe-load-balancers'),
    elb: () => F('elb-describe-load-balancers'),
    logs: (_c, input) => (input.logGroupNamePrefix === '/aws/eks/llmd-bench/' ? F('logs-describe-log-groups-eks') : input.logGroupNamePrefix === 'LlmdBench-' ? F('logs-describe-log-groups-stacks') : empty({ logGroups: [] })),
    cfn: (_c, input) => {
      if (input.StackName === 'LlmdBench-Network') return F('cfn-describe-stacks-network-delete-failed');
      throw awsServiceError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    },
    eks: (_c, input) => { throw awsServiceError('ResourceNotFoundException', `No cluster found for name: ${input.name}.`, 404); },
  };
}

/** An account after a complete destroy: nothing tagged, no VPC. */
function cleanAccount(): Record<string, Responder> {
  const r = leftoverAccount();
  return {
    ...r,
    ec2: destroyedEc2,
    fsx: () => empty({ FileSystems: [] }),
    logs: () => empty({ logGroups: [] }),
    cfn: noStack,
  };
}

function api(responders: Record<string, Responder>, sent: SentCommand[]) {
  const cfg = { region: REGION, credentials: creds };
  return cleanupApiOn({
    ec2: stub('ec2', new ec2.EC2Client(cfg), responders.ec2, sent),
    fsx: stub('fsx', new fsx.FSxClient(cfg), responders.fsx, sent),
    elbv2: stub('elbv2', new elbv2.ElasticLoadBalancingV2Client(cfg), responders.elbv2, sent),
    elb: stub('elb', new elb.ElasticLoadBalancingClient(cfg), responders.elb, sent),
    logs: stub('logs', new logs.CloudWatchLogsClient(cfg), responders.logs, sent),
    cfn: stub('cfn', new cfn.CloudFormationClient(cfg), responders.cfn, sent),
    eks: stub('eks', new eks.EKSClient(cfg), responders.eks, sent),
  }, { ec2, fsx, elbv2, elb, logs, cfn, eks }, REGION);
}

const config = loadConfig({});

describe('cleanup-check after a half-failed destroy', () => {
  const sent: SentCommand[] = [];
  let report: Awaited<ReturnType<typeof findLeftovers>>;
  beforeAll(async () => { report = await findLeftovers(config, api(leftoverAccount(), sent)); });

  test('finds the project VPC by the project tags', () => {
    expect(report.vpcIds).toEqual([VPC]);
    expect(sent.find((s) => s.command === 'DescribeVpcsCommand')!.input.Filters).toEqual([
      { Name: 'tag:llmd-bench:project', Values: ['llmd-eks-bench'] }, { Name: 'tag:llmd-bench:cluster', Values: ['llmd-bench'] },
    ]);
  });

  test('lists everything that still bills or blocks, each kind once, nothing of other VPCs', () => {
    const byKind = (k: string) => report.leftovers.filter((l) => l.kind === k).map((l) => l.id).sort();
    expect(byKind('stack')).toEqual(['LlmdBench-Network']);
    expect(byKind('instance')).toEqual(['i-0f1e2d3c4b5a69788']);
    expect(byKind('nat-gateway')).toEqual(['nat-0a1b2c3d4e5f60718']); // the deleted one is not listed
    expect(byKind('elastic-ip')).toEqual(['eipalloc-0a1b2c3d4e5f60718']);
    expect(byKind('fsx')).toEqual(['fs-0123456789abcdef0']); // in the project VPC (its tags are not ours)
    expect(byKind('ebs-volume')).toEqual(['vol-0a1b2c3d4e5f60718']);
    expect(byKind('network-interface')).toEqual(['eni-0b1c2d3e4f5a6b7c8', 'eni-0c2d3e4f5a6b7c8d9', 'eni-0d3e4f5a6b7c8d9e0']);
    expect(byKind('security-group')).toEqual(['sg-0c3d4e5f607182930', 'sg-0e5f60718293a4b5c', 'sg-0f60718293a4b5c6d']); // not "default"
    expect(byKind('load-balancer')).toEqual(['a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5', 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/k8s-llmdbenc-grafana-0a1b2c3d4e/0a1b2c3d4e5f6071']);
    expect(byKind('log-group')).toEqual(['/aws/eks/llmd-bench/cluster', 'LlmdBench-Network-FlowLogs16C1943A-Ab1Cd2Ef3Gh4']);
    expect(counted(report)).toHaveLength(report.leftovers.length);
  });

  test('asks EC2 with the filters that find this deployment only', () => {
    const filtersOf = (cmd: string) => sent.filter((s) => s.command === cmd).map((s) => s.input.Filters ?? s.input.Filter);
    expect(filtersOf('DescribeNetworkInterfacesCommand')).toEqual([[{ Name: 'vpc-id', Values: [VPC] }]]);
    expect(filtersOf('DescribeNatGatewaysCommand')).toEqual([[{ Name: 'vpc-id', Values: [VPC] }]]);
    expect(filtersOf('DescribeInstancesCommand')).toEqual(expect.arrayContaining([
      expect.arrayContaining([{ Name: 'tag:eks:cluster-name', Values: ['llmd-bench'] }]),
      expect.arrayContaining([{ Name: 'vpc-id', Values: [VPC] }]),
    ]));
    expect(sent.filter((s) => s.command === 'DescribeLogGroupsCommand').map((s) => s.input.logGroupNamePrefix).sort())
      .toEqual(['/aws/eks/llmd-bench/', '/aws/lambda/LlmdBench-', 'LlmdBench-']);
    expect(sent.filter((s) => s.command === 'DescribeStacksCommand').map((s) => s.input.StackName))
      .toEqual(['LlmdBench-Network', 'LlmdBench-Cluster', 'LlmdBench-GpuNodes', 'LlmdBench-ModelStore', 'LlmdBench-Platform', 'LlmdBench-Workloads']);
  });

  test('the report names each leftover and ends with the count', () => {
    const text = formatCleanupReport(report, REGION, 'llmd-bench');
    expect(text).toContain('✖ stack LlmdBench-Network: DELETE_FAILED');
    expect(text).toContain('✖ elastic-ip eipalloc-0a1b2c3d4e5f60718: 198.51.100.23 associated');
    expect(text).toMatch(/\n16 leftovers still bill or block a delete$/);
  });

  test('a control-plane log group kept on purpose (cluster.retainControlPlaneLogs) is listed but not counted', async () => {
    const r = await findLeftovers(loadConfig({ 'cluster.retainControlPlaneLogs': 'true' }), api(leftoverAccount(), []));
    expect(r.leftovers.find((l) => l.id === '/aws/eks/llmd-bench/cluster')!.keptOnPurpose).toMatch(/retainControlPlaneLogs/);
    expect(counted(r)).toHaveLength(r.leftovers.length - 1);
  });
});

describe('cleanup-check --delete', () => {
  test('deletes the detached ENIs of the project VPC, then its own security groups no interface uses; skips the rest and says why', async () => {
    const sent: SentCommand[] = [];
    const r = leftoverAccount();
    let first = true;
    const responders = {
      ...r,
      ec2: (cmd: string, input: Record<string, any>) => {
        // The cluster security group is still referenced on the first try (another group's rule).
        if (cmd === 'DeleteSecurityGroupCommand' && input.GroupId === 'sg-0c3d4e5f607182930' && first) {
          first = false;
          throw awsServiceError('DependencyViolation', 'resource sg-0c3d4e5f607182930 has a dependent object');
        }
        return r.ec2(cmd, input);
      },
    };
    const a = api(responders, sent);
    const report = await findLeftovers(config, a);
    const outcomes = await deleteSafeLeftovers(config, report, a);
    expect(outcomes.map((o) => `${o.result} ${o.id}`)).toEqual([
      'deleted eni-0b1c2d3e4f5a6b7c8',
      'deleted eni-0c2d3e4f5a6b7c8d9',
      'skipped eni-0d3e4f5a6b7c8d9e0',
      'skipped sg-0e5f60718293a4b5c', // used by the attached EKS interface
      'skipped sg-0f60718293a4b5c6d', // another team's group
      'deleted sg-0c3d4e5f607182930', // second round, after its dependency
    ]);
    expect(sent.filter((s) => s.command.startsWith('Delete')).map((s) => `${s.command} ${s.input.NetworkInterfaceId ?? s.input.GroupId}`)).toEqual([
      'DeleteNetworkInterfaceCommand eni-0b1c2d3e4f5a6b7c8',
      'DeleteNetworkInterfaceCommand eni-0c2d3e4f5a6b7c8d9',
      'DeleteSecurityGroupCommand sg-0c3d4e5f607182930',
      'DeleteSecurityGroupCommand sg-0c3d4e5f607182930',
    ]);
    expect(sent.some((s) => s.command === 'DeleteSecurityGroupCommand' && s.input.GroupId === 'sg-0a0a0a0a0a0a0a0a0')).toBe(false); // never the default group
    const text = formatDeleteOutcomes(outcomes);
    expect(text).toContain('skipped network-interface eni-0d3e4f5a6b7c8d9e0: in-use (attached): its owner deletes it; run cdk destroy first');
    expect(text).toContain('skipped security-group sg-0f60718293a4b5c6d: bastion-from-another-team: not this deployment\'s');
  });

  test('an ENI EC2 refuses to delete is reported as failed with the error, and nothing else changes', async () => {
    const r = leftoverAccount();
    const a = api({ ...r, ec2: (cmd, input) => { if (cmd === 'DeleteNetworkInterfaceCommand') throw awsServiceError('InvalidNetworkInterface.InUse', 'in use'); return r.ec2(cmd, input); } }, []);
    const outcomes = await deleteSafeLeftovers(config, await findLeftovers(config, a), a);
    expect(outcomes.filter((o) => o.kind === 'network-interface').map((o) => o.result)).toEqual(['failed', 'failed', 'skipped']);
    // The Lambda ENIs still use the cluster group, so it is not touched.
    expect(outcomes.find((o) => o.id === 'sg-0c3d4e5f607182930')!.result).toBe('skipped');
  });
});

describe('cleanup-check on a clean account', () => {
  test('nothing left: no VPC, no per-VPC calls, zero counted', async () => {
    const sent: SentCommand[] = [];
    const report = await findLeftovers(config, api(cleanAccount(), sent));
    expect(report.vpcIds).toEqual([]);
    expect(counted(report)).toEqual([]);
    expect(formatCleanupReport(report, REGION, 'llmd-bench')).toMatch(/clean: nothing of this deployment is left/);
    expect(sent.map((s) => s.command)).not.toContain('DescribeNetworkInterfacesCommand');
  });
});

