/**
 * The project's aws-eks-v2 rule pack: every rule fires on a deliberately bad stack, none fires on a
 * stack built like ours, and acknowledgements silence exactly the finding they name. (cdk-nag's own
 * AwsSolutions-EKS1/EKS2 never fire for aws-eks-v2; shown here too.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledge } from '../../constructs/nag/acknowledge';
import { EKS_V2_PACK, EKS_V2_RULES, EksV2Checks, eksV2RuleId } from '../../constructs/nag/eks-v2-checks';
import { GpuNodeGroup } from '../../constructs/node-groups';
import { tempDir } from '../temp-dir';

const app = new App({ outdir: tempDir('llmd-bench-nag-') });

function baseCluster(stack: Stack, props: Partial<eks.ClusterProps>): eks.Cluster {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return new eks.Cluster(stack, 'Cluster', {
    vpc,
    version: eks.KubernetesVersion.V1_36,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    defaultCapacity: 0,
    ...props,
  });
}

// Bad: public endpoint open to all, no logs, no Secrets encryption, node groups without (good) launch templates.
const bad = new Stack(app, 'Bad');
const badCluster = baseCluster(bad, { endpointAccess: eks.EndpointAccess.PUBLIC });
badCluster.addNodegroupCapacity('NoLaunchTemplate', { instanceTypes: [new ec2.InstanceType('m6i.large')], minSize: 1 });
const weakLt = new ec2.LaunchTemplate(bad, 'WeakLaunchTemplate', {
  httpTokens: ec2.LaunchTemplateHttpTokens.OPTIONAL,
  httpPutResponseHopLimit: 2,
  blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(50, { encrypted: false }) }],
});
badCluster.addNodegroupCapacity('WeakLaunchTemplate', {
  instanceTypes: [new ec2.InstanceType('m6i.large')], minSize: 1,
  launchTemplateSpec: { id: weakLt.launchTemplateId!, version: weakLt.latestVersionNumber },
});

// Also bad: "restricted" to the whole internet.
const world = new Stack(app, 'World');
baseCluster(world, {
  endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('0.0.0.0/0'),
  clusterLogging: Object.values(eks.ClusterLoggingTypes),
  secretsEncryptionKey: new kms.Key(world, 'Key'),
});

// Good: built like ours.
const good = new Stack(app, 'Good');
const goodCluster = baseCluster(good, {
  endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('203.0.113.7/32'),
  clusterLogging: Object.values(eks.ClusterLoggingTypes),
  secretsEncryptionKey: new kms.Key(good, 'Key'),
});
new GpuNodeGroup(good, 'Gpu', {
  cluster: goodCluster, instanceType: 'g5.xlarge', count: 1, diskSizeGiB: 100,
  subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, kubernetesVersion: '1.36', releaseVersion: '1.36.2-20260714',
});

const findings = (stack: Stack) => new EksV2Checks().validateScope(stack).violations
  .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${(r.constructPath ?? '').replace(`${stack.stackName}/`, '')}`))
  .sort();

describe('LlmdBenchEks rule pack', () => {
  test('every rule fires on the bad stack, each on the resource it concerns', () => {
    expect(findings(bad)).toEqual([
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::api] @ Cluster/Resource`,
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::audit] @ Cluster/Resource`,
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::authenticator] @ Cluster/Resource`,
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::controllerManager] @ Cluster/Resource`,
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::scheduler] @ Cluster/Resource`,
      `${eksV2RuleId('NodeImdsv2')} @ Cluster/NodegroupNoLaunchTemplate/Resource`,
      `${eksV2RuleId('NodeImdsv2')} @ Cluster/NodegroupWeakLaunchTemplate/Resource`,
      `${eksV2RuleId('NodeRootVolumeEncrypted')} @ Cluster/NodegroupNoLaunchTemplate/Resource`,
      `${eksV2RuleId('NodeRootVolumeEncrypted')} @ Cluster/NodegroupWeakLaunchTemplate/Resource`,
      `${eksV2RuleId('PublicEndpoint')} @ Cluster/Resource`,
      `${eksV2RuleId('SecretsEncryption')} @ Cluster/Resource`,
    ]);
    const fired = new Set(findings(bad).map((f) => f.split(/[[ ]/)[0]));
    expect([...fired].sort()).toEqual(EKS_V2_RULES.map((r) => eksV2RuleId(r.suffix)).sort());
  });

  test('a public endpoint "restricted" to 0.0.0.0/0 is still open to the world, and the finding names the CIDR', () => {
    expect(findings(world)).toEqual([`${eksV2RuleId('PublicEndpoint')}[Cidr::0.0.0.0/0] @ Cluster/Resource`]);
  });

  test('so is the internet in two halves, and any range wider than /16 (each named); /16 itself passes', () => {
    const s = new Stack(new App({ outdir: tempDir('llmd-bench-nag-') }), 'Wide');
    baseCluster(s, {
      endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/15', '192.168.0.0/16', '203.0.113.7/32'),
      clusterLogging: Object.values(eks.ClusterLoggingTypes),
      secretsEncryptionKey: new kms.Key(s, 'Key'),
    });
    expect(findings(s)).toEqual(['0.0.0.0/1', '10.0.0.0/15', '128.0.0.0/1'].map((c) => `${eksV2RuleId('PublicEndpoint')}[Cidr::${c}] @ Cluster/Resource`));
  });

  test('nothing fires on a cluster built like ours', () => {
    expect(findings(good)).toEqual([]);
  });

  test('an acknowledgement silences exactly the finding it names, and the validation report keeps it with its reason', () => {
    const build = (ack: boolean) => {
      const a = new App({ outdir: tempDir('nag-ack-'), context: { '@aws-cdk/core:validateAgainstDefaultRules': false, 'aws:cdk:disable-asset-staging': true } });
      const s = new Stack(a, 'Acked');
      const cl = baseCluster(s, { endpointAccess: eks.EndpointAccess.PRIVATE, clusterLogging: [eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR, eks.ClusterLoggingTypes.SCHEDULER], secretsEncryptionKey: new kms.Key(s, 'Key') });
      if (ack) acknowledge(cl.node.defaultChild!, `${eksV2RuleId('ControlPlaneLogs')}[LogExport::controllerManager]`, 'Test: controller manager logs turned off on purpose for this case.');
      Validations.of(a).addPlugins(new EksV2Checks(a));
      return a;
    };
    expect(() => build(false).synth()).toThrow(/LlmdBenchEks-ControlPlaneLogs\[LogExport::controllerManager\]/);
    const app = build(true);
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    const plugin = report.pluginReports.find((p: { pluginName: string }) => p.pluginName === EKS_V2_PACK);
    expect(plugin.violations ?? []).toEqual([]);
    expect(plugin.suppressedViolations.map((v: any) => [v.ruleName, v.reason, v.violatingConstructs.map((c: any) => c.constructPath)])).toEqual([[
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::controllerManager]`,
      'Test: controller manager logs turned off on purpose for this case.',
      ['Acked/Cluster/Resource'],
    ]]);
  });

  test('acknowledgements need a real reason', () => {
    expect(() => acknowledge(bad, 'X', 'ok')).toThrow(/specific reason/);
  });

  test('cdk-nag\'s own EKS rules do not see aws-eks-v2 clusters (why this pack exists)', () => {
    const report = new AwsSolutionsChecks().validateScope(bad);
    expect(report.violations.map((v) => v.ruleName).filter((r) => /EKS[12]/.test(r))).toEqual([]);
  });

  test('the pack registers like any cdk-nag pack and fails synth on a finding', () => {
    const a = new App({ outdir: tempDir('llmd-bench-nag-'), context: { '@aws-cdk/core:validateAgainstDefaultRules': false, 'aws:cdk:disable-asset-staging': true } });
    const s = new Stack(a, 'Synth');
    baseCluster(s, { endpointAccess: eks.EndpointAccess.PUBLIC });
    Validations.of(a).addPlugins(new EksV2Checks(a));
    expect(() => a.synth()).toThrow(/LlmdBenchEks-PublicEndpoint/);
  });
});
