/**
 * Non-default configurations change exactly what they should, and still pass cdk-nag (the
 * configuration-driven acknowledgements appear only when asked for). Two synths for the whole file.
 */
import { sharedNames } from '../../k8s/names';
import { eksV2RuleId } from '../../constructs/nag/eks-v2-checks';
import { GUARDDUTY_FEATURES } from '../../lib/stacks/cluster-stack';
import { HF_TOKEN_SECRET_TAG, OPERATORS_GROUP } from '../../lib/names';
import { CRD_UPGRADE_BUSYBOX_TAG, crdUpgradeImage } from '../../constructs/helm/kube-prometheus-stack';
import { EKS_ADDON_NAMES, EKS_VERSION_PINS } from '../../lib/config/tables/eks-versions';
import { type CfnTemplate, resourcesOfType, synthInProcess } from './helpers';

const ADMIN = ['arn:aws:iam::123456789012:role/BenchAdmin', 'arn:aws:iam::123456789012:role/path/Ops'];
const OPERATOR = 'arn:aws:iam::123456789012:role/Benchmarker';

// Variant 1: S3 weights, spot GPUs paused, a public endpoint for one address, two admins and an
// operator, relaxed node and log settings, the older Kubernetes version.
const v1 = synthInProcess({
  'gpuNodes.count': '0',
  'cluster.operatorRoleArns': OPERATOR,
  'modelStore.modelSource': 's3://my-weights/qwen2.5-7b',
  'gpuNodes.capacityType': 'SPOT',
  'cluster.publicAccessCidrs': '203.0.113.7/32,198.51.100.0/24',
  'cluster.adminRoleArns': ADMIN.join(','),
  'cluster.nodeImdsHopLimit': '2',
  'cluster.controlPlaneLogTypes': 'api,audit,authenticator',
  'cluster.kubernetesVersion': '1.35',
  'systemNodes.sameAzAsGpu': 'false',
  'network.natGateways': '2',
  'aws.account': '123456789012',
});
// Variant 2 (Kubernetes 1.36, the default): gated Hugging Face model (token secret), file system and
// audit trail kept on destroy, control-plane logs kept longer than the flow logs, GuardDuty, the CRD
// upgrade job's busybox pinned by digest.
const CRD_UPGRADE_DIGEST = `sha256:${'4b'.repeat(32)}`;
const v2 = synthInProcess({
  'modelStore.hfTokenSecretName': 'llmd/hf-token', 'modelStore.retainOnDestroy': 'true', 'cluster.controlPlaneLogRetentionDays': '30',
  'cluster.retainControlPlaneLogs': 'true', 'cluster.guardDutyEksProtection': 'true', 'monitoring.crdUpgradeImageDigest': CRD_UPGRADE_DIGEST,
});

const t1 = {
  network: v1.templates.network.toJSON() as CfnTemplate,
  cluster: v1.templates.cluster.toJSON() as CfnTemplate,
  gpuNodes: v1.templates.gpuNodes.toJSON() as CfnTemplate,
  modelStore: v1.templates.modelStore.toJSON() as CfnTemplate,
  workloads: v1.templates.workloads.toJSON() as CfnTemplate,
};
const t2 = {
  modelStore: v2.templates.modelStore.toJSON() as CfnTemplate,
  cluster: v2.templates.cluster.toJSON() as CfnTemplate,
  gpuNodes: v2.templates.gpuNodes.toJSON() as CfnTemplate,
  network: v2.templates.network.toJSON() as CfnTemplate,
};
/** Acknowledged rule ids without the plugin namespace they are recorded under (`AwsSolutions::`, `Annotation::`). */
const acknowledgedIds = (app: typeof v1.app) => app.node.findAll().flatMap((n) => n.node.metadata
  .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
  .flatMap((m) => Object.keys(m.data as Record<string, string>).map((id) => id.replace(/^[\w-]+::(?=[\w-]+-)/, ''))));
const addonVersions = (t: CfnTemplate) => Object.fromEntries(resourcesOfType(t, 'AWS::EKS::Addon').map(([, r]) => [r.Properties!.AddonName, r.Properties!.AddonVersion]));
const nodeVersions = (...ts: CfnTemplate[]) => ts.flatMap((t) => resourcesOfType(t, 'AWS::EKS::Nodegroup'))
  .map(([, r]) => [r.Properties!.AmiType, r.Properties!.Version, r.Properties!.ReleaseVersion]).sort();

describe('a Kubernetes version bump (1.35 -> 1.36) changes every pinned add-on and node version that differs between the rows', () => {
  const rows = { old: EKS_VERSION_PINS['1.35'], new: EKS_VERSION_PINS['1.36'] };

  test('each synth pins exactly its row', () => {
    const row = (r: typeof rows.old) => Object.fromEntries(EKS_ADDON_NAMES.map((n) => [n, r.addons[n].version]));
    expect(addonVersions(t1.cluster)).toEqual(row(rows.old));
    expect(addonVersions(t2.cluster)).toEqual(row(rows.new));
    expect(nodeVersions(t1.cluster, t1.gpuNodes)).toEqual([
      ['AL2023_x86_64_NVIDIA', '1.35', rows.old.nodeReleaseVersion.version], ['AL2023_x86_64_STANDARD', '1.35', rows.old.nodeReleaseVersion.version]]);
    expect(nodeVersions(t2.cluster, t2.gpuNodes)).toEqual([
      ['AL2023_x86_64_NVIDIA', '1.36', rows.new.nodeReleaseVersion.version], ['AL2023_x86_64_STANDARD', '1.36', rows.new.nodeReleaseVersion.version]]);
  });

  test('kube-proxy, coredns, vpc-cni, metrics-server and both node groups change; nothing is left at the old value unless the rows agree', () => {
    const before = addonVersions(t1.cluster);
    const after = addonVersions(t2.cluster);
    const changed = EKS_ADDON_NAMES.filter((n) => before[n] !== after[n]);
    expect(changed).toEqual(expect.arrayContaining(['vpc-cni', 'kube-proxy', 'coredns', 'metrics-server']));
    for (const n of EKS_ADDON_NAMES.filter((x) => !changed.includes(x))) {
      // Same build recorded for both versions (see lib/config/tables/eks-versions.ts).
      expect(rows.old.addons[n].version).toBe(rows.new.addons[n].version);
    }
    const [b, a] = [nodeVersions(t1.cluster, t1.gpuNodes), nodeVersions(t2.cluster, t2.gpuNodes)];
    for (let i = 0; i < b.length; i++) {
      expect(a[i][1]).not.toBe(b[i][1]);
      expect(a[i][2]).not.toBe(b[i][2]);
    }
  });
});

describe('variant: paused GPU nodes, S3 weights, spot, public CIDRs, admins and an operator, hop limit 2, fewer logs, Kubernetes 1.35', () => {
  test('paused: the GPU node group scales to zero (max 1, the least EKS accepts) and the decode Deployment to 0 replicas', () => {
    const [[, gpu]] = resourcesOfType(t1.gpuNodes, 'AWS::EKS::Nodegroup');
    expect(gpu.Properties!.ScalingConfig).toEqual({ MinSize: 0, DesiredSize: 0, MaxSize: 1 });
    expect(v1.config.vllm.replicas).toBe(0);
    const manifest = v1.stacks.workloads.manifests.get('vllm-decode')!;
    const objects = v1.stacks.workloads.resolve((manifest.node.defaultChild as any)._cfnProperties.Manifest);
    const deployment = (JSON.parse(typeof objects === 'string' ? objects : JSON.stringify(objects)) as any[])
      .find((o) => o.kind === 'Deployment' && o.metadata.name === sharedNames(v1.config).decodeDeployment);
    expect(deployment.spec.replicas).toBe(0);
  });

  test('the operator role gets an access entry in the operators group and no access policy', () => {
    const entry = resourcesOfType(t1.cluster, 'AWS::EKS::AccessEntry').find(([, r]) => r.Properties!.PrincipalArn === OPERATOR)![1];
    expect(entry.Properties).toMatchObject({ Type: 'STANDARD', KubernetesGroups: [OPERATORS_GROUP] });
    expect(entry.Properties!.AccessPolicies).toBeUndefined();
  });

  test('update-kubeconfig output names who and from where (public endpoint for the configured CIDRs)', () => {
    const out = t1.cluster.Outputs!.UpdateKubeconfigCommand as { Value: string; Description: string };
    expect(out.Value).toBe('aws eks update-kubeconfig --region us-west-2 --name llmd-bench');
    expect(out.Description).toContain('203.0.113.7/32, 198.51.100.0/24');
  });

  const cluster = resourcesOfType(t1.cluster, 'AWS::EKS::Cluster')[0][1].Properties!;

  test('account from config; every stack in it', () => {
    expect(v1.stacks.cluster.account).toBe('123456789012');
  });

  test('public endpoint restricted to exactly the configured CIDRs, private endpoint kept', () => {
    expect(cluster.ResourcesVpcConfig).toMatchObject({ EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['203.0.113.7/32', '198.51.100.0/24'] });
  });

  test('one cluster-admin access entry per configured admin role (plus the kubectl provider)', () => {
    const entries = resourcesOfType(t1.cluster, 'AWS::EKS::AccessEntry').filter(([, r]) => r.Properties!.PrincipalArn !== OPERATOR);
    expect(entries.map(([, r]) => r.Properties!.PrincipalArn).filter((p) => typeof p === 'string').sort()).toEqual([...ADMIN].sort());
    for (const [, r] of entries) expect(JSON.stringify(r.Properties!.AccessPolicies)).toContain('AmazonEKSClusterAdminPolicy');
  });

  test('Kubernetes 1.35 with the v35 kubectl layer', () => {
    expect(cluster.Version).toBe('1.35');
    const layers = resourcesOfType(t1.cluster, 'AWS::Lambda::LayerVersion').map(([, r]) => String(r.Properties!.Description));
    expect(layers.some((d) => d.includes('1.35'))).toBe(true);
  });

  test('spot GPU nodes', () => {
    const gpu = resourcesOfType(t1.gpuNodes, 'AWS::EKS::Nodegroup').find(([, r]) => r.Properties!.AmiType === 'AL2023_x86_64_NVIDIA')![1];
    expect(gpu.Properties!.CapacityType).toBe('SPOT');
  });

  test('system nodes spread over all AZs; two NAT gateways', () => {
    const sys = resourcesOfType(t1.cluster, 'AWS::EKS::Nodegroup').find(([, r]) => r.Properties!.AmiType === 'AL2023_x86_64_STANDARD')![1];
    expect(sys.Properties!.Subnets).toHaveLength(2);
    expect(resourcesOfType(t1.network, 'AWS::EC2::NatGateway')).toHaveLength(2);
  });

  test('hop limit 2 and the reduced log types are acknowledged, naming the config key', () => {
    for (const [, lt] of [...resourcesOfType(t1.cluster, 'AWS::EC2::LaunchTemplate'), ...resourcesOfType(t1.gpuNodes, 'AWS::EC2::LaunchTemplate')]) {
      expect(lt.Properties!.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit).toBe(2);
    }
    expect(cluster.Logging.ClusterLogging.EnabledTypes).toEqual([{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }]);
    const ids = acknowledgedIds(v1.app);
    expect(ids).toEqual(expect.arrayContaining([
      eksV2RuleId('NodeImdsv2'),
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::controllerManager]`,
      `${eksV2RuleId('ControlPlaneLogs')}[LogExport::scheduler]`,
    ]));
  });

  test('an FSx data repository association imports the S3 prefix into /<model id>', () => {
    const [[, dra]] = resourcesOfType(t1.modelStore, 'AWS::FSx::DataRepositoryAssociation');
    expect(dra.Properties).toMatchObject({
      DataRepositoryPath: 's3://my-weights/qwen2.5-7b',
      FileSystemPath: `/${v1.config.model.id}`,
      BatchImportMetaDataOnCreate: true,
    });
    // Only new objects follow: a changed or deleted object never swaps or removes verified weights.
    expect(dra.Properties!.S3).toEqual({ AutoImportPolicy: { Events: ['NEW'] } });
    // The PVs mount the file system root at modelStore.mountPath, so the weights appear at modelDir.
    expect(sharedNames(v1.config).modelDir).toBe(`${v1.config.modelStore.mountPath}/${v1.config.model.id}`);
  });
});

describe('variant: gated model with an HF token secret, file system retained on request', () => {
  test('the loader service account gets a Pod Identity role that may read exactly that secret', () => {
    const [[, assoc]] = resourcesOfType(t2.modelStore, 'AWS::EKS::PodIdentityAssociation');
    const names = sharedNames(v2.config);
    expect(assoc.Properties).toMatchObject({ Namespace: names.loaderNamespace, ServiceAccount: names.loaderServiceAccount });
    const role = t2.modelStore.Resources[assoc.Properties!.RoleArn['Fn::GetAtt'][0]].Properties!;
    const [statement] = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statement.Resource)).toContain(':secret:llmd/hf-token-??????');
    // ... and only while it carries the purpose tag (security review finding 7; README "Gated models").
    expect(statement.Condition).toEqual({ StringEquals: { [`secretsmanager:ResourceTag/${HF_TOKEN_SECRET_TAG.key}`]: HF_TOKEN_SECRET_TAG.value } });
    expect(HF_TOKEN_SECRET_TAG).toEqual({ key: 'llmd-bench:purpose', value: 'hf-token' });
  });

  test('monitoring.crdUpgradeImageDigest pins the CRD upgrade job\'s busybox by digest, as the chart template reads it', () => {
    const image = v2.stacks.platform.monitoring.values.crds.upgradeJob.image;
    // kube-prometheus-stack 88.5.3 charts/crds/templates/upgrade/job.yaml, the busybox init container:
    // `if .Values.upgradeJob.image.sha` -> "<registry>/<repository>:<tag>@sha256:<busybox.sha>", else by tag.
    const rendered = (img: typeof image) => `docker.io/busybox:${img.busybox.tag}${img.sha ? `@sha256:${img.busybox.sha}` : ''}`;
    expect(rendered(image)).toBe(`docker.io/busybox:${CRD_UPGRADE_BUSYBOX_TAG}@${CRD_UPGRADE_DIGEST}`);
    // Without the key: the pinned tag only (the default run).
    expect(rendered(crdUpgradeImage(undefined))).toBe(`docker.io/busybox:${CRD_UPGRADE_BUSYBOX_TAG}`);
  });

  test('retainOnDestroy keeps the file system (and only it)', () => {
    const [[, fs]] = resourcesOfType(t2.modelStore, 'AWS::FSx::FileSystem');
    expect(fs.DeletionPolicy).toBe('Retain');
    const others = Object.values(t2.modelStore.Resources).filter((r) => r.Type !== 'AWS::FSx::FileSystem' && r.DeletionPolicy === 'Retain');
    expect(others).toEqual([]);
    expect(Object.values(t2.network.Resources).filter((r) => r.DeletionPolicy === 'Retain')).toEqual([]);
  });

  test('retainControlPlaneLogs keeps the audit trail (and only it, besides the file system) on destroy', () => {
    const retained = resourcesOfType(t2.cluster, 'AWS::Logs::LogGroup').filter(([, r]) => r.DeletionPolicy === 'Retain');
    expect(retained.map(([, r]) => r.Properties!.LogGroupName)).toEqual(['/aws/eks/llmd-bench/cluster']);
  });

  test('guardDutyEksProtection: a detector with EKS audit-log monitoring only (every other optional feature off)', () => {
    const [[, detector]] = resourcesOfType(t2.cluster, 'AWS::GuardDuty::Detector');
    expect(detector.Properties).toEqual({ Enable: true, Features: GUARDDUTY_FEATURES.map((f) => ({ Name: f.name, Status: f.status })) });
    expect(detector.Properties!.Features.filter((f: { Status: string }) => f.Status === 'ENABLED')).toEqual([{ Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' }]);
    expect(detector.DeletionPolicy ?? 'Delete').toBe('Delete'); // CloudFormation's default
  });

  test('update-kubeconfig is not offered while nobody has an access entry', () => {
    expect(t2.cluster.Outputs!.UpdateKubeconfigCommand).toBeUndefined();
    expect(t2.cluster.Outputs!.KubectlAccess).toBeDefined();
  });

  test('control-plane logs keep their 30 days even though the flow logs keep 7 (the destroy-hygiene bound is the longest configured)', () => {
    const retention = (t: CfnTemplate) => resourcesOfType(t, 'AWS::Logs::LogGroup').map(([, r]) => [JSON.stringify(r.Properties!.LogGroupName ?? null), r.Properties!.RetentionInDays] as const);
    expect(retention(t2.cluster)).toContainEqual([JSON.stringify('/aws/eks/llmd-bench/cluster'), 30]);
    expect(resourcesOfType(t2.network, 'AWS::EC2::FlowLog')).toHaveLength(1);
    const flow = resourcesOfType(t2.network, 'AWS::EC2::FlowLog')[0][1].Properties!.LogGroupName;
    expect(t2.network.Resources[flow.Ref].Properties!.RetentionInDays).toBe(7);
    for (const [, days] of [...retention(t2.cluster), ...retention(t2.network)]) expect(days).toBeLessThanOrEqual(30);
  });

  test('default-only acknowledgements are absent (no config deviation to accept)', () => {
    const ids = acknowledgedIds(v2.app);
    expect(ids).toContain('AwsSolutions-SMG4'); // the list is read correctly
    expect(ids.filter((id) => id.startsWith('LlmdBenchEks'))).toEqual([]);
  });
});

