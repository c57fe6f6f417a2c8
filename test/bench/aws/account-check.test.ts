/**
 * account-check on recorded SDK payloads: the SDK adapter (accountApiOn on real clients whose
 * middleware answers) and the checks, one scenario per failure a first deploy would otherwise hit.
 */
import * as cfn from '@aws-sdk/client-cloudformation';
import * as ec2 from '@aws-sdk/client-ec2';
import * as eks from '@aws-sdk/client-eks';
import * as fsx from '@aws-sdk/client-fsx';
import * as sq from '@aws-sdk/client-service-quotas';
import * as sts from '@aws-sdk/client-sts';
import { loadConfig, type BenchConfig } from '../../../lib/config';
import { accountApiOn } from '../../../lib/bench/aws/account-api';
import { formatAccountCheck, runAccountCheck, stackStatusKind, type AccountCheckResult } from '../../../lib/bench/aws/account-check';
import { EC2_VCPU_QUOTAS, quotaFamilyOf } from '../../../lib/bench/aws/quotas';
import { awsServiceError, empty, recorded, type Responder, type SentCommand, stub } from './stub-clients';

const REGION = 'us-west-2';
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const addonVersions = recorded('account-check/eks-describe-addon-versions-1.36.json');

/** The answers of an account where everything is in place. */
function healthyAccount(): Record<string, Responder> {
  return {
    sts: () => recorded('account-check/sts-get-caller-identity.json'),
    cfn: (_cmd, input) => {
      if (input.StackName === 'CDKToolkit') return recorded('account-check/cfn-describe-stacks-cdktoolkit.json');
      throw awsServiceError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    },
    ec2: (_cmd, input) => recorded(`account-check/ec2-describe-instance-type-offerings-${input.Filters[0].Values[0]}.json`),
    sq: (cmd, input) => {
      if (cmd === 'GetServiceQuotaCommand' && input.ServiceCode === 'ec2') return recorded(`account-check/servicequotas-get-service-quota-ec2-${input.QuotaCode}.json`);
      if (cmd === 'GetServiceQuotaCommand') throw awsServiceError('NoSuchResourceException', 'The request failed because the specified service quota does not exist.');
      return recorded(`account-check/servicequotas-get-aws-default-service-quota-${input.ServiceCode}-${input.QuotaCode}.json`);
    },
    fsx: () => empty({ FileSystems: [] }),
    eks: (cmd, input) => {
      if (cmd === 'DescribeClusterCommand') throw awsServiceError('ResourceNotFoundException', `No cluster found for name: ${input.name}.`, 404);
      return addonVersions[input.addonName];
    },
  };
}

async function check(config: BenchConfig, overrides: Partial<Record<string, Responder>> = {}) {
  const sent: SentCommand[] = [];
  const r = { ...healthyAccount(), ...overrides } as Record<string, Responder>;
  const clients = {
    sts: stub('sts', new sts.STSClient({ region: REGION, credentials: creds }), r.sts, sent),
    cfn: stub('cfn', new cfn.CloudFormationClient({ region: REGION, credentials: creds }), r.cfn, sent),
    ec2: stub('ec2', new ec2.EC2Client({ region: REGION, credentials: creds }), r.ec2, sent),
    sq: stub('sq', new sq.ServiceQuotasClient({ region: REGION, credentials: creds }), r.sq, sent),
    fsx: stub('fsx', new fsx.FSxClient({ region: REGION, credentials: creds }), r.fsx, sent),
    eks: stub('eks', new eks.EKSClient({ region: REGION, credentials: creds }), r.eks, sent),
  };
  const api = accountApiOn(clients, { sts, cfn, ec2, sq, fsx, eks }, REGION);
  const results = await runAccountCheck(config, api, (err) => ({ message: String((err as Error).message) }));
  return { results, sent, byId: (id: string) => results.find((x) => x.id === id) as AccountCheckResult };
}

const config = loadConfig({});

describe('account-check on a ready account', () => {
  let out: Awaited<ReturnType<typeof check>>;
  beforeAll(async () => { out = await check(config); });

  test('every check passes, in the documented order', () => {
    expect(out.results.map((r) => [r.id, r.status])).toEqual([
      ['identity', 'ok'], ['bootstrap', 'ok'], ['gpu-offering', 'ok'], ['system-offering', 'ok'], ['gpu-quota', 'ok'],
      ['system-quota', 'ok'], ['fsx', 'ok'], ['stacks', 'ok'], ['cluster-name', 'ok'], ['addon-versions', 'ok'],
    ]);
    expect(formatAccountCheck(out.results, REGION)).toMatch(/account-check passed/);
  });

  test('offerings are asked per AZ (location type availability-zone) for exactly the configured instance types', () => {
    const offerings = out.sent.filter((s) => s.command === 'DescribeInstanceTypeOfferingsCommand');
    expect(offerings.map((s) => [s.input.LocationType, s.input.Filters])).toEqual(expect.arrayContaining([
      ['availability-zone', [{ Name: 'instance-type', Values: ['g5.xlarge'] }]],
      ['availability-zone', [{ Name: 'instance-type', Values: ['m6i.2xlarge'] }]],
    ]));
  });

  test('the GPU quota is the G and VT on-demand vCPU quota, compared with 8 x 4 vCPU', () => {
    expect(out.sent.filter((s) => s.command === 'GetServiceQuotaCommand').map((s) => s.input.QuotaCode)).toEqual(expect.arrayContaining(['L-DB2E81BA', 'L-1216C47A']));
    expect(out.byId('gpu-quota').summary).toBe('"Running On-Demand G and VT instances" 64 vCPU (applied); 8 x g5.xlarge need 32');
  });

  test('FSx: no applied quota -> the AWS default is read; the add-ons are asked for Kubernetes 1.36', () => {
    expect(out.sent.filter((s) => s.command === 'GetAWSDefaultServiceQuotaCommand').map((s) => s.input)).toEqual([{ ServiceCode: 'fsx', QuotaCode: 'L-FD6F2F22' }]);
    expect(out.byId('fsx').summary).toMatch(/"Lustre Persistent_2 file systems" 100; 0 exist, this deployment adds 1/);
    const addons = out.sent.filter((s) => s.command === 'DescribeAddonVersionsCommand');
    expect(addons).toHaveLength(6);
    for (const a of addons) expect(a.input.kubernetesVersion).toBe('1.36');
  });
});

describe('account-check says what to do about each failure', () => {
  test('no bootstrap stack: run cdk bootstrap for this account and region', async () => {
    const r = (await check(config, { cfn: (_c, i) => { throw awsServiceError('ValidationError', `Stack with id ${i.StackName} does not exist`); } })).byId('bootstrap');
    expect(r).toMatchObject({ status: 'fail', summary: 'no CDKToolkit stack in us-west-2' });
    expect(r.hint).toContain('npx cdk bootstrap aws://123456789012/us-west-2');
  });

  test('a bootstrap stack older than the templates need', async () => {
    const old = recorded('account-check/cfn-describe-stacks-cdktoolkit.json');
    old.Stacks[0].Outputs.find((o: { OutputKey: string }) => o.OutputKey === 'BootstrapVersion').OutputValue = '5';
    const r = (await check(config, { cfn: (_c, i) => { if (i.StackName === 'CDKToolkit') return old; throw awsServiceError('ValidationError', 'Stack with id x does not exist'); } })).byId('bootstrap');
    expect(r).toMatchObject({ status: 'fail', summary: 'bootstrap version 5; the templates need >= 6' });
  });

  test('the GPU type is not offered in the GPU AZ: name the AZs that offer it', async () => {
    const c = loadConfig({ 'aws.availabilityZones': 'us-west-2a,us-west-2d', 'aws.gpuAvailabilityZone': 'us-west-2a' });
    const onlyB = recorded('account-check/ec2-describe-instance-type-offerings-g5.xlarge.json');
    onlyB.InstanceTypeOfferings = onlyB.InstanceTypeOfferings.filter((o: { Location: string }) => o.Location !== 'us-west-2a');
    const r = (await check(c, { ec2: (_c, i) => (i.Filters[0].Values[0] === 'g5.xlarge' ? onlyB : recorded('account-check/ec2-describe-instance-type-offerings-m6i.2xlarge.json')) })).byId('gpu-offering');
    expect(r).toMatchObject({ status: 'fail', summary: 'not offered in us-west-2a' });
    expect(r.hint).toBe('AZs of us-west-2 that offer it: us-west-2b, us-west-2c; set -c aws.gpuAvailabilityZone=<one of them> (and keep it in aws.availabilityZones)');
  });

  test('a G and VT quota below what 8 GPU nodes need: the exact increase request', async () => {
    const low = recorded('account-check/servicequotas-get-service-quota-ec2-L-DB2E81BA.json');
    low.Quota.Value = 16;
    const base = healthyAccount().sq;
    const r = (await check(config, { sq: (cmd, i) => (i.QuotaCode === 'L-DB2E81BA' ? low : base(cmd, i)) })).byId('gpu-quota');
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('16 vCPU (applied); 8 x g5.xlarge need 32');
    expect(r.hint).toContain('aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-DB2E81BA --desired-value 32 --region us-west-2');
  });

  test('spot GPU nodes are checked against the spot quota of the family', async () => {
    const out = await check(loadConfig({ 'gpuNodes.capacityType': 'SPOT' }), {
      sq: (cmd, i) => (i.QuotaCode === 'L-3819A6DF' ? { Quota: { QuotaName: 'All G and VT Spot Instance Requests', Value: 64 } } : healthyAccount().sq(cmd, i)),
    });
    expect(out.sent.some((s) => s.input.QuotaCode === EC2_VCPU_QUOTAS['G and VT'].spot.quotaCode)).toBe(true);
    expect(out.byId('gpu-quota').status).toBe('ok');
  });

  test('paused: nothing needed now, the check says so', async () => {
    const r = (await check(loadConfig({ 'gpuNodes.count': '0' }))).byId('gpu-quota');
    expect(r).toMatchObject({ status: 'ok' });
    expect(r.summary).toContain('0 x g5.xlarge need 0 (paused: gpuNodes.count=0)');
  });

  test('FSx PERSISTENT_2 not offered in the region (no such quota there)', async () => {
    const r = (await check(config, { sq: (cmd, i) => { if (i.ServiceCode === 'fsx') throw awsServiceError('NoSuchResourceException', 'no quota'); return healthyAccount().sq(cmd, i); } })).byId('fsx');
    expect(r).toMatchObject({ status: 'fail', summary: 'not offered in us-west-2 (Service Quotas has no "Lustre Persistent_2 file systems" quota there)' });
  });

  test('a stack left in ROLLBACK_COMPLETE blocks the deploy: delete it first', async () => {
    const r = (await check(config, {
      cfn: (_c, i) => {
        if (i.StackName === 'CDKToolkit') return recorded('account-check/cfn-describe-stacks-cdktoolkit.json');
        if (i.StackName === 'LlmdBench-Cluster') return recorded('account-check/cfn-describe-stacks-cluster-rollback-complete.json');
        throw awsServiceError('ValidationError', `Stack with id ${i.StackName} does not exist`);
      },
    })).byId('stacks');
    expect(r).toMatchObject({ status: 'fail', summary: 'LlmdBench-Cluster ROLLBACK_COMPLETE' });
    expect(r.hint).toContain('delete it (npx cdk destroy LlmdBench-Cluster)');
  });

  test('an EKS cluster of the same name that this app did not create', async () => {
    const r = (await check(config, { eks: (cmd, i) => (cmd === 'DescribeClusterCommand' ? recorded('describe-cluster.json') : addonVersions[i.addonName]) })).byId('cluster-name');
    expect(r.status).toBe('fail');
    expect(r.hint).toBe('choose another name: -c cluster.name=<name>');
  });

  test('a pinned add-on version EKS does not offer: name it and the versions EKS does offer', async () => {
    const withoutPin = JSON.parse(JSON.stringify(addonVersions['kube-proxy']));
    withoutPin.addons[0].addonVersions = withoutPin.addons[0].addonVersions.filter((v: { addonVersion: string }) => v.addonVersion !== 'v1.36.0-eksbuild.21');
    const r = (await check(config, { eks: (cmd, i) => { if (cmd === 'DescribeClusterCommand') throw awsServiceError('ResourceNotFoundException', 'none'); return i.addonName === 'kube-proxy' ? withoutPin : addonVersions[i.addonName]; } })).byId('addon-versions');
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('not offered: kube-proxy v1.36.0-eksbuild.21 (EKS offers v1.36.0-eksbuild.25, v1.36.0-eksbuild.13)');
  });

  test('credentials of another account than aws.account', async () => {
    const r = (await check(loadConfig({ 'aws.account': '210987654321' }))).byId('identity');
    expect(r).toMatchObject({ status: 'fail' });
    expect(r.summary).toContain('credentials are for account 123456789012');
  });

  test('an AWS error in one check fails that check with the message; the others still run', async () => {
    const out = await check(config, { fsx: () => { throw awsServiceError('AccessDeniedException', 'not authorized to perform fsx:DescribeFileSystems', 403); } });
    expect(out.byId('fsx')).toMatchObject({ status: 'fail', summary: 'not authorized to perform fsx:DescribeFileSystems' });
    expect(out.results.filter((r) => r.status === 'ok')).toHaveLength(9);
  });

  test('without credentials the identity call throws once (the CLI turns it into one message, exit 1)', async () => {
    await expect(check(config, { sts: () => { throw awsServiceError('CredentialsProviderError', 'Could not load credentials from any providers'); } })).rejects.toThrow(/Could not load credentials/);
  });
});

describe('quota families and stack states', () => {
  test.each([['g5.xlarge', 'G and VT'], ['g6e.2xlarge', 'G and VT'], ['g6.12xlarge', 'G and VT'], ['p4d.24xlarge', 'P'], ['p5.48xlarge', 'P'], ['m6i.xlarge', 'Standard'], ['m7i.2xlarge', 'Standard'], ['c7i.2xlarge', undefined], ['inf2.xlarge', undefined]])('%s -> %s', (type, family) => {
    expect(quotaFamilyOf(type)).toBe(family);
  });

  test.each([['CREATE_COMPLETE', 'ready'], ['UPDATE_ROLLBACK_COMPLETE', 'ready'], ['ROLLBACK_COMPLETE', 'stuck'], ['DELETE_FAILED', 'stuck'], ['UPDATE_ROLLBACK_FAILED', 'stuck'], ['UPDATE_IN_PROGRESS', 'busy'], ['DELETE_COMPLETE', 'gone']])('%s is %s', (status, kind) => {
    expect(stackStatusKind(status)).toBe(kind);
  });
});
