/**
 * The app synthesizes exactly as `cdk synth` runs it (bin/app.ts in a child process, cdk.json context,
 * CloudFormation validation and cdk-nag on), on a machine with no AWS_* variables and an empty HOME.
 * The resulting cloud assembly is then checked for destroy hygiene and snapshotted per stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_STACK_NAME } from '../../lib/stacks/cluster-stack';
import { GPU_NODES_STACK_NAME } from '../../lib/stacks/gpu-nodes-stack';
import { MODEL_STORE_STACK_NAME } from '../../lib/stacks/model-store-stack';
import { NETWORK_STACK_NAME } from '../../lib/stacks/network-stack';
import { PLATFORM_STACK_NAME } from '../../lib/stacks/platform-stack';
import { WORKLOADS_STACK_NAME } from '../../lib/stacks/workloads-stack';
import { type CfnTemplate, findKeys, normalizeTemplate, readTemplates, resourcesOfType, synthInChildProcess } from './helpers';

const { outdir, output } = synthInChildProcess();
const templates = readTemplates(outdir);
const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
  artifacts: Record<string, { type: string; environment?: string }>;
  missing?: unknown[];
};
const PLATFORM_STACKS = [NETWORK_STACK_NAME, CLUSTER_STACK_NAME, GPU_NODES_STACK_NAME, MODEL_STORE_STACK_NAME, PLATFORM_STACK_NAME];

describe('offline synth (no credentials, empty HOME)', () => {
  test('produces the six stacks under their stable names, all in us-west-2', () => {
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([name]) => name).sort()).toEqual([...PLATFORM_STACKS, WORKLOADS_STACK_NAME].sort());
    for (const [, a] of stacks) expect(a.environment).toBe('aws://unknown-account/us-west-2');
  });

  test('needed no context lookup (no missing context, nothing asked of AWS)', () => {
    expect(manifest.missing ?? []).toEqual([]);
    expect(output).not.toMatch(/Need to perform AWS calls|context lookup|credentials/i);
  });

  type Report = { pluginReports: { pluginName: string; violations?: { ruleName: string; severity: string }[]; suppressedViolations?: { ruleName: string; reason: string; acknowledgedAt: string; violatingConstructs: { constructPath: string }[] }[] }[] };
  const reportFile = join(outdir, 'validation-report.json');
  const report = (existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : { pluginReports: [] }) as Report;

  test('cdk-nag and CloudFormation validation left nothing but the deliberate no-admin-role warning', () => {
    const violations = report.pluginReports.flatMap((p) => (p.violations ?? []).map((v) => `${p.pluginName}: ${v.severity} ${v.ruleName}`));
    expect(violations).toEqual(['Construct Annotations: warning Annotation::llmd-bench:no-admin-role']);
  });

  test('the report CI uploads lists every acknowledged finding: rule, resource and reason', () => {
    const acked = report.pluginReports.flatMap((p) => (p.suppressedViolations ?? []).map((v) => ({ plugin: p.pluginName, ...v })));
    const rules = acked.map((a) => a.ruleName.replace(/\[.*$/, ''));
    for (const rule of ['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SMG4', 'W9009']) expect(rules).toContain(rule);
    for (const a of acked) {
      expect([a.ruleName, a.reason.length >= 40]).toEqual([a.ruleName, true]);
      expect(a.violatingConstructs.length).toBeGreaterThan(0);
      for (const c of a.violatingConstructs) expect(c.constructPath.startsWith(a.acknowledgedAt)).toBe(true);
    }
    // The managed policies of the node role and the VPC CNI's own role are there by name.
    const iam4 = acked.filter((a) => a.ruleName.startsWith('AwsSolutions-IAM4')).map((a) => `${a.violatingConstructs[0].constructPath} ${a.ruleName}`);
    expect(iam4).toEqual(expect.arrayContaining([
      expect.stringMatching(/NodeRole\/Resource .*AmazonEC2ContainerRegistryPullOnly/),
      expect.stringMatching(/VpcCni\/Identity\/Role\/Resource .*AmazonEKS_CNI_Policy/),
    ]));
    expect(iam4.filter((x) => /NodeRole\/Resource .*(AmazonEKS_CNI_Policy|ReadOnly)/.test(x))).toEqual([]);
  });
});

describe('destroy hygiene (every stack)', () => {
  const all = Object.entries(templates);

  test('no resource is retained or snapshotted on delete or replacement', () => {
    const kept = all.flatMap(([stack, t]) => Object.entries(t.Resources)
      .filter(([, r]) => [r.DeletionPolicy, r.UpdateReplacePolicy].some((p) => p !== undefined && p !== 'Delete'))
      .map(([id, r]) => `${stack}/${id} (${r.Type}): ${r.DeletionPolicy}/${r.UpdateReplacePolicy}`));
    expect(kept).toEqual([]);
  });

  test('the file system, the KMS key, every log group and the secret are deleted with their stacks', () => {
    const byType = (type: string) => all.flatMap(([, t]) => resourcesOfType(t, type));
    const mustDelete = ['AWS::FSx::FileSystem', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret'];
    for (const type of mustDelete) {
      const rs = byType(type);
      expect([type, rs.length > 0]).toEqual([type, true]);
      for (const [id, r] of rs) expect([id, r.DeletionPolicy]).toEqual([id, 'Delete']);
    }
    for (const [id, r] of byType('AWS::Logs::LogGroup')) expect([id, typeof r.Properties?.RetentionInDays]).toEqual([id, 'number']);
  });

  test('every Lambda function writes to a log group of its own stack (none that Lambda creates and nothing deletes)', () => {
    for (const [stack, t] of all) {
      const groupNames = resourcesOfType(t, 'AWS::Logs::LogGroup').map(([id, r]) => [id, JSON.stringify(r.Properties?.LogGroupName ?? null)] as const);
      for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
        const explicit = fn.Properties?.LoggingConfig?.LogGroup?.Ref as string | undefined;
        const byName = groupNames.some(([, name]) => name === JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: id }]] }));
        expect([stack, id, byName || (explicit !== undefined && t.Resources[explicit]?.Type === 'AWS::Logs::LogGroup')]).toEqual([stack, id, true]);
      }
    }
  });

  test('the file system keeps no automatic backups that could outlive it', () => {
    const [[, fs]] = resourcesOfType(templates[MODEL_STORE_STACK_NAME], 'AWS::FSx::FileSystem');
    expect(fs.Properties!.LustreConfiguration.AutomaticBackupRetentionDays).toBe(0);
  });

  test('no LoadBalancer Service in any Kubernetes manifest or Helm values', () => {
    const text = JSON.stringify(templates);
    // No `type: LoadBalancer` anywhere (the admission policy that refuses them names the word, not as a type).
    expect(text).not.toMatch(/type\W+LoadBalancer/);
    expect(text).toMatch(/ValidatingAdmissionPolicy/);
    // And every Service the workloads stack applies is ClusterIP (or headless).
    const manifests = resourcesOfType(templates[WORKLOADS_STACK_NAME], 'Custom::AWSCDK-EKS-KubernetesResource');
    const services = manifests.flatMap(([, r]) => JSON.parse(JSON.stringify(r.Properties!.Manifest)) as unknown)
      .flatMap((m) => (typeof m === 'string' ? JSON.parse(m) : m) as { kind: string; spec?: { type?: string } }[])
      .filter((o) => o.kind === 'Service');
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) expect(['ClusterIP', undefined]).toContain(s.spec?.type);
  });

  test('every Kubernetes manifest is applied with overwrite (kubectl apply on create: a retry after a half-failed deploy does not stop at AlreadyExists)', () => {
    const manifests = Object.values(templates).flatMap((t) => resourcesOfType(t, 'Custom::AWSCDK-EKS-KubernetesResource'));
    expect(manifests.length).toBeGreaterThan(8);
    for (const [id, r] of manifests) expect([id, r.Properties!.Overwrite]).toEqual([id, true]);
  });

  test('no Helm values name a Service type other than ClusterIP', () => {
    const charts = Object.values(templates).flatMap((t) => resourcesOfType(t, 'Custom::AWSCDK-EKS-HelmChart'));
    expect(charts).toHaveLength(2);
    for (const [, chart] of charts) {
      const values = JSON.stringify(chart.Properties!.Values);
      const types = [...values.matchAll(/\\"type\\":\\"([A-Za-z]+)\\"/g)].map((m) => m[1]);
      expect(types.filter((t) => ['NodePort', 'LoadBalancer'].includes(t))).toEqual([]);
    }
  });
});

describe('template snapshots (asset hashes replaced)', () => {
  test.each(PLATFORM_STACKS)('%s', (stack) => {
    const t: CfnTemplate = normalizeTemplate(templates[stack]);
    expect(findKeys(t, 'S3Key').every(([, v]) => typeof v !== 'string' || v.startsWith('<asset-hash>'))).toBe(true);
    expect(t).toMatchSnapshot();
  });
});
