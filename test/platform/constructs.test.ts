/**
 * The reusable constructs on their own: validation of their props, the kubectl layer table, and the
 * destroy-hygiene aspect. Small stacks, no full synth.
 */
import { App, CfnResource, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DestroyHygiene } from '../../constructs/destroy-hygiene';
import { FsxModelStore } from '../../constructs/fsx-model-store';
import { gpuOperatorValues } from '../../constructs/helm/gpu-operator';
import { kubePrometheusStackValues } from '../../constructs/helm/kube-prometheus-stack';
import { KUBECTL_LAYER_CLASSES, kubectlLayerFor } from '../../constructs/kubectl-layer';
import { NodeLaunchTemplate } from '../../constructs/node-launch-template';
import { PodIdentityRole } from '../../constructs/pod-identity-role';
import { SECRET_FILE_SCRIPT, secretFileInitContainer } from '../../k8s/secret-file-init-container';
import { KUBECTL_LAYER_PACKAGES } from '../../lib/config/tables/kubectl-layers';
import { findKeys } from './helpers';
import { tempDir } from '../temp-dir';

/** A stack of its own app (each test synthesizes its own tree once). */
const stack = () => new Stack(new App({ outdir: tempDir('llmd-bench-constructs-'), context: { 'aws:cdk:disable-asset-staging': true, '@aws-cdk/core:validateAgainstDefaultRules': false } }), 'S');
const vpcIn = (s: Stack) => new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

describe('kubectl layers', () => {
  test('every Kubernetes version the config accepts has a layer class (and nothing else does)', () => {
    expect(Object.values(KUBECTL_LAYER_PACKAGES).sort()).toEqual(Object.keys(KUBECTL_LAYER_CLASSES).sort());
  });

  test.each(Object.keys(KUBECTL_LAYER_PACKAGES))('Kubernetes %s gets a layer whose description names its kubectl', (version) => {
    const s = stack();
    kubectlLayerFor(s, 'Layer', version);
    const [layer] = Object.values(Template.fromStack(s).findResources('AWS::Lambda::LayerVersion'));
    expect(String(layer.Properties.Description)).toContain(version);
  });

  test('a version without a layer is refused', () => {
    expect(() => kubectlLayerFor(stack(), 'L', '1.30')).toThrow(/No kubectl layer for Kubernetes 1\.30; supported: 1\.35, 1\.36/);
  });
});

describe('NodeLaunchTemplate', () => {
  test('IMDSv2 required, default hop limit 1, encrypted gp3 root', () => {
    const s = stack();
    new NodeLaunchTemplate(s, 'Lt', { rootVolumeGiB: 120, imdsHopLimit: undefined });
    Template.fromStack(s).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 120, DeleteOnTermination: true } }],
      },
    });
  });

  test.each([[10, 1], [200, 3], [100.5, 1]])('refuses rootVolumeGiB %p / hop limit %p', (size, hop) => {
    expect(() => new NodeLaunchTemplate(stack(), 'Lt', { rootVolumeGiB: size, imdsHopLimit: hop })).toThrow(/NodeLaunchTemplate Lt: (rootVolumeGiB|imdsHopLimit)/);
  });
});

describe('FsxModelStore', () => {
  test('refuses an S3 import on SCRATCH_2 and a non-s3 URI', () => {
    const s = stack();
    const vpc = vpcIn(s);
    const base = { vpc, subnet: vpc.isolatedSubnets[0], clientSecurityGroup: new ec2.SecurityGroup(s, 'Sg', { vpc }), storageCapacityGiB: 1200, perUnitStorageThroughput: 250 };
    expect(() => new FsxModelStore(s, 'A', { ...base, deploymentType: 'SCRATCH_2', s3Import: { fileSystemPath: '/m', s3Uri: 's3://b/p' } })).toThrow(/needs PERSISTENT_2/);
    expect(() => new FsxModelStore(s, 'B', { ...base, s3Import: { fileSystemPath: '/m', s3Uri: 'https://b/p' } })).toThrow(/s3Uri must be/);
  });

  test('defaults: PERSISTENT_2, LZ4, deleted with the stack, no backups', () => {
    const s = stack();
    const vpc = vpcIn(s);
    new FsxModelStore(s, 'Fs', { vpc, subnet: vpc.isolatedSubnets[0], clientSecurityGroup: new ec2.SecurityGroup(s, 'Sg', { vpc }), storageCapacityGiB: 2400, perUnitStorageThroughput: 125, removalPolicy: undefined });
    Template.fromStack(s).hasResource('AWS::FSx::FileSystem', {
      DeletionPolicy: 'Delete',
      Properties: { StorageCapacity: 2400, LustreConfiguration: { DeploymentType: 'PERSISTENT_2', DataCompressionType: 'LZ4', PerUnitStorageThroughput: 125, AutomaticBackupRetentionDays: 0 } },
    });
  });
});

describe('PodIdentityRole', () => {
  test('trusts only the Pod Identity service and refuses an empty policy', () => {
    const s = stack();
    const cluster = eks.Cluster.fromClusterAttributes(s, 'C', { clusterName: 'c' });
    expect(() => new PodIdentityRole(s, 'Empty', { cluster, namespace: 'n', serviceAccount: 'sa', description: 'd', statements: [] })).toThrow(/at least one/);
    new PodIdentityRole(s, 'R', { cluster, namespace: 'n', serviceAccount: 'sa', description: 'd', statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })] });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { Service: 'pods.eks.amazonaws.com' } }] } });
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { ClusterName: 'c', Namespace: 'n', ServiceAccount: 'sa' });
  });

  test('the trust is bound to this cluster, namespace and service account by the session tags EKS Pod Identity sends', () => {
    const s = stack();
    const cluster = eks.Cluster.fromClusterAttributes(s, 'C', { clusterName: 'bench' });
    new PodIdentityRole(s, 'R', { cluster, namespace: 'llmd-bench-loader', serviceAccount: 'model-loader', description: 'd', statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })] });
    const [role] = Object.values(Template.fromStack(s).findResources('AWS::IAM::Role'));
    const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(statement.Effect).toBe('Allow');
    // Exactly the three tags, all with StringEquals (a StringLike or a missing key would widen it).
    expect(Object.keys(statement.Condition)).toEqual(['StringEquals']);
    const cond = statement.Condition.StringEquals;
    expect(Object.keys(cond).sort()).toEqual(['aws:RequestTag/eks-cluster-arn', 'aws:RequestTag/kubernetes-namespace', 'aws:RequestTag/kubernetes-service-account']);
    expect(cond['aws:RequestTag/kubernetes-namespace']).toBe('llmd-bench-loader');
    expect(cond['aws:RequestTag/kubernetes-service-account']).toBe('model-loader');
    // The cluster ARN is this cluster's (account and region of the stack, cluster/bench), not a wildcard.
    expect(JSON.stringify(cond['aws:RequestTag/eks-cluster-arn'])).toMatch(/:eks:.*:cluster\/bench"/);
    expect(JSON.stringify(cond)).not.toContain('*');
  });
});

describe('DestroyHygiene', () => {
  test('log groups created by any construct are deleted on destroy with bounded retention', () => {
    const s = stack();
    new logs.LogGroup(s, 'Kept', { removalPolicy: RemovalPolicy.RETAIN, retention: logs.RetentionDays.TWO_YEARS });
    new logs.LogGroup(s, 'Forever', { retention: logs.RetentionDays.INFINITE, removalPolicy: RemovalPolicy.RETAIN });
    DestroyHygiene.applyTo(s, { maxLogRetentionDays: 7 });
    const groups = Object.values(Template.fromStack(s).findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.DeletionPolicy).toBe('Delete');
      expect(g.Properties.RetentionInDays).toBe(7);
    }
  });

  test('a Lambda function without a log group in the template gets one (Lambda would create /aws/lambda/<name> that nothing deletes)', () => {
    const s = stack();
    // A raw function, as core's CustomResourceProvider makes (the VPC's restrict-default-SG handler).
    const bare = new CfnResource(s, 'Bare', { type: 'AWS::Lambda::Function', properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } });
    // A function whose log group the template already holds (what aws-lambda makes).
    const fn = new lambda.Function(s, 'Managed', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), logGroup: new logs.LogGroup(s, 'ManagedLogs', { logGroupName: Fn.join('', ['/aws/lambda/', 'managed']) }) });
    new logs.CfnLogGroup(s, 'ByName', { logGroupName: Fn.join('', ['/aws/lambda/', (fn.node.defaultChild as CfnResource).ref]) });
    DestroyHygiene.applyTo(s, { maxLogRetentionDays: 7 });
    const t = Template.fromStack(s).toJSON();
    const bareId = s.resolve(bare.logicalId);
    const groupId = t.Resources[bareId].Properties.LoggingConfig.LogGroup.Ref;
    expect(t.Resources[groupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete', Properties: { RetentionInDays: 7 } });
    // The function covered by a `/aws/lambda/<Ref fn>` group is left alone.
    const managedId = s.resolve((fn.node.defaultChild as CfnResource).logicalId);
    expect(t.Resources[managedId].Properties.LoggingConfig?.LogGroup?.Ref).not.toMatch(/DestroyHygiene/);
    expect(Object.keys(t.Resources).filter((k) => k.includes('DestroyHygiene'))).toEqual([groupId]);
  });
});

describe('secret file init container', () => {
  const c = secretFileInitContainer({ name: 'x', image: 'img:1', secretId: 'arn:s', region: 'us-west-2', volumeName: 'v', mountPath: '/etc/s/', fileName: 'f', runAsUser: 472 });

  test('writes the secret to <mountPath>/<file> as the reader\'s UID, private, never echoed', () => {
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'TARGET_FILE', value: '/etc/s/f' }, { name: 'SECRET_ID', value: 'arn:s' }]));
    expect(c.securityContext).toMatchObject({ runAsUser: 472, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(SECRET_FILE_SCRIPT).toContain('umask 077');
    expect(SECRET_FILE_SCRIPT).not.toMatch(/echo[^\n]*\$value/);
    expect(SECRET_FILE_SCRIPT).not.toMatch(/set -[a-z]*x/);
  });
});

describe('typed Helm values', () => {
  const kps = kubePrometheusStackValues({
    cluster: undefined as never, version: '1.0.0', nodeSelector: { role: 'system' }, retention: '1d', storageGiB: 5,
    grafanaAdminSecret: { secretArn: 'arn:secret', region: 'us-west-2', awsCliImage: 'img:1' },
  });
  const gpu = gpuOperatorValues({ cluster: undefined as never, version: 'v1.0.0', nodeSelector: { role: 'system' } });

  test('no Service is a LoadBalancer or NodePort; the ones we set are ClusterIP', () => {
    for (const values of [kps, gpu]) {
      expect(findKeys(values, 'type').map(([, v]) => v).filter((v) => v === 'LoadBalancer' || v === 'NodePort')).toEqual([]);
    }
    expect([kps.grafana.service.type, kps.prometheus.service.type]).toEqual(['ClusterIP', 'ClusterIP']);
    expect(kps.prometheus.thanosServiceExternal.enabled).toBe(false);
  });

  test('Grafana: no chart-default password, no persistence; the password file is what Grafana reads', () => {
    const g = kps.grafana;
    expect(JSON.stringify(g)).not.toMatch(/prom-operator|adminPassword/);
    expect(g.persistence.enabled).toBe(false);
    const file = g.env.GF_SECURITY_ADMIN_PASSWORD__FILE;
    const init = g.extraInitContainers[0];
    expect(init.env).toContainEqual({ name: 'TARGET_FILE', value: file });
    const mount = g.extraVolumeMounts[0];
    expect(file.startsWith(`${mount.mountPath}/`)).toBe(true);
    expect(g.extraVolumes.map((v) => v.name)).toEqual([mount.name]);
    expect(g.extraVolumes[0].emptyDir.medium).toBe('Memory');
  });

  test('everything but DaemonSets on the system nodes', () => {
    expect(kps.prometheus.prometheusSpec.nodeSelector).toEqual({ role: 'system' });
    expect(kps.grafana.nodeSelector).toEqual({ role: 'system' });
    expect(kps.prometheusOperator.nodeSelector).toEqual({ role: 'system' });
    expect(kps['kube-state-metrics'].nodeSelector).toEqual({ role: 'system' });
    expect(gpu['node-feature-discovery'].master.nodeSelector).toEqual({ role: 'system' });
  });
});
