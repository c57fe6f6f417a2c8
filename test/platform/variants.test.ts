/**
 * Non-default configurations change exactly what they should, and still pass cdk-nag (the
 * configuration-driven acknowledgements appear only when asked for). Two synths for the whole file.
 */
import { sharedNames } from '../../k8s/names';
import { eksV2RuleId } from '../../constructs/nag/eks-v2-checks';
import { type CfnTemplate, resourcesOfType, synthInProcess } from './helpers';

const ADMIN = ['arn:aws:iam::123456789012:role/BenchAdmin', 'arn:aws:iam::123456789012:role/path/Ops'];

// Variant 1: S3 weights, spot GPUs, a public endpoint for one address, two admins, relaxed node and log settings.
const v1 = synthInProcess({
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
// Variant 2: gated Hugging Face model (token secret), file system kept on destroy, control-plane logs
// kept longer than the flow logs.
const v2 = synthInProcess({ 'modelStore.hfTokenSecretName': 'llmd/hf-token', 'modelStore.retainOnDestroy': 'true', 'cluster.controlPlaneLogRetentionDays': '30' });

const t1 = {
  network: v1.templates.network.toJSON() as CfnTemplate,
  cluster: v1.templates.cluster.toJSON() as CfnTemplate,
  modelStore: v1.templates.modelStore.toJSON() as CfnTemplate,
};
const t2 = {
  modelStore: v2.templates.modelStore.toJSON() as CfnTemplate,
  cluster: v2.templates.cluster.toJSON() as CfnTemplate,
  network: v2.templates.network.toJSON() as CfnTemplate,
};
const acknowledgedIds = (app: typeof v1.app) => app.node.findAll().flatMap((n) => n.node.metadata
  .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
  .flatMap((m) => Object.keys(m.data as Record<string, string>).map((id) => id.replace(/^annotation::/i, ''))));

describe('variant: S3 weights, spot, public CIDRs, admins, hop limit 2, fewer logs, Kubernetes 1.35', () => {
  const cluster = resourcesOfType(t1.cluster, 'AWS::EKS::Cluster')[0][1].Properties!;

  test('account from config; every stack in it', () => {
    expect(v1.stacks.cluster.account).toBe('123456789012');
  });

  test('public endpoint restricted to exactly the configured CIDRs, private endpoint kept', () => {
    expect(cluster.ResourcesVpcConfig).toMatchObject({ EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['203.0.113.7/32', '198.51.100.0/24'] });
  });

  test('one cluster-admin access entry per configured role (plus the kubectl provider)', () => {
    const principals = resourcesOfType(t1.cluster, 'AWS::EKS::AccessEntry').map(([, r]) => r.Properties!.PrincipalArn);
    expect(principals.filter((p) => typeof p === 'string').sort()).toEqual([...ADMIN].sort());
    for (const [, r] of resourcesOfType(t1.cluster, 'AWS::EKS::AccessEntry')) {
      expect(JSON.stringify(r.Properties!.AccessPolicies)).toContain('AmazonEKSClusterAdminPolicy');
    }
  });

  test('Kubernetes 1.35 with the v35 kubectl layer', () => {
    expect(cluster.Version).toBe('1.35');
    const layers = resourcesOfType(t1.cluster, 'AWS::Lambda::LayerVersion').map(([, r]) => String(r.Properties!.Description));
    expect(layers.some((d) => d.includes('1.35'))).toBe(true);
  });

  test('spot GPU nodes', () => {
    const gpu = resourcesOfType(t1.cluster, 'AWS::EKS::Nodegroup').find(([, r]) => r.Properties!.AmiType === 'AL2023_x86_64_NVIDIA')![1];
    expect(gpu.Properties!.CapacityType).toBe('SPOT');
  });

  test('system nodes spread over all AZs; two NAT gateways', () => {
    const sys = resourcesOfType(t1.cluster, 'AWS::EKS::Nodegroup').find(([, r]) => r.Properties!.AmiType === 'AL2023_x86_64_STANDARD')![1];
    expect(sys.Properties!.Subnets).toHaveLength(2);
    expect(resourcesOfType(t1.network, 'AWS::EC2::NatGateway')).toHaveLength(2);
  });

  test('hop limit 2 and the reduced log types are acknowledged, naming the config key', () => {
    for (const [, lt] of resourcesOfType(t1.cluster, 'AWS::EC2::LaunchTemplate')) {
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
      S3: { AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] } },
    });
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
  });

  test('retainOnDestroy keeps the file system (and only it)', () => {
    const [[, fs]] = resourcesOfType(t2.modelStore, 'AWS::FSx::FileSystem');
    expect(fs.DeletionPolicy).toBe('Retain');
    const others = Object.values(t2.modelStore.Resources).filter((r) => r.Type !== 'AWS::FSx::FileSystem' && r.DeletionPolicy === 'Retain');
    expect(others).toEqual([]);
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

