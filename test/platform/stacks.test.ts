/**
 * What each platform stack deploys with the default configuration (the reference run), asserted on
 * the synthesized templates. One synth for the whole file, cdk-nag on: `app.synth()` would throw on
 * any unacknowledged finding.
 */
import { FSX_CSI_CONTROLLER_ACTIONS, FSX_CSI_CONTROLLER_SERVICE_ACCOUNT } from '../../constructs/fsx-csi-driver-addon';
import { GRAFANA_SERVICE_ACCOUNT } from '../../constructs/helm/kube-prometheus-stack';
import { GPU_NODE_ROLE, GPU_NODE_TAINT, NODE_ROLE_LABEL, SYSTEM_NODE_ROLE } from '../../k8s/names';
import { loaderJobName } from '../../k8s/model-store/loader-job';
import { CLUSTER_STACK_NAME, controlPlaneLogGroupName } from '../../lib/stacks/cluster-stack';
import { GPU_NODES_STACK_NAME } from '../../lib/stacks/gpu-nodes-stack';
import { MODEL_STORE_STACK_NAME } from '../../lib/stacks/model-store-stack';
import { NETWORK_STACK_NAME } from '../../lib/stacks/network-stack';
import { MONITORING_NAMESPACE, PLATFORM_STACK_NAME } from '../../lib/stacks/platform-stack';
import { WORKLOADS_STACK_NAME } from '../../lib/stacks/workloads-stack';
import { CLUSTER_TAG_KEY, PROJECT_TAG_KEY } from '../../lib/names';
import { EKS_ADDON_NAMES, EKS_VERSION_PINS } from '../../lib/config/tables/eks-versions';
import { GRAFANA_CONFIGMAP_READER_ROLE } from '../../lib/names';
import { DASHBOARD_CONFIGMAP } from '../../k8s/charts/monitoring-chart';
import { monitoringNetworkPolicies } from '../../k8s/charts/network-policy-chart';
import { allObjects, renderCharts } from '../../k8s/render';
import { type CfnTemplate, resourcesOfType, synthInProcess } from './helpers';

const synth = synthInProcess();
const { config: c, stacks, templates } = synth;
const json = {
  network: templates.network.toJSON() as CfnTemplate,
  cluster: templates.cluster.toJSON() as CfnTemplate,
  gpuNodes: templates.gpuNodes.toJSON() as CfnTemplate,
  modelStore: templates.modelStore.toJSON() as CfnTemplate,
  platform: templates.platform.toJSON() as CfnTemplate,
  workloads: templates.workloads.toJSON() as CfnTemplate,
};
const one = (t: CfnTemplate, type: string) => {
  const rs = resourcesOfType(t, type);
  if (rs.length !== 1) throw new Error(`expected one ${type}, found ${rs.length}`);
  return rs[0][1];
};
const nodegroups = [json.cluster, json.gpuNodes].flatMap((t) => resourcesOfType(t, 'AWS::EKS::Nodegroup').map(([id, r]) => ({ id, template: t, ...r })));
const gpuGroup = nodegroups.find((g) => g.Properties!.Labels[NODE_ROLE_LABEL] === GPU_NODE_ROLE)!;
const systemGroup = nodegroups.find((g) => g.Properties!.Labels[NODE_ROLE_LABEL] === SYSTEM_NODE_ROLE)!;
const ltOf = (group: { template: CfnTemplate; Properties?: Record<string, any> }) => group.template.Resources[group.Properties!.LaunchTemplate.Id.Ref];
/** The Network stack output a cross-stack value reads. */
const outputOf = (value: any): string => value['Fn::GetStackOutput']?.OutputName;
const subnetOutputs = (t: CfnTemplate) => resourcesOfType(t, 'AWS::EC2::Subnet').map(([id, r]) => ({ id, az: r.Properties!.AvailabilityZone, type: r.Properties!.Tags.find((x: any) => x.Key === 'aws-cdk:subnet-type').Value }));

describe('stacks and environment', () => {
  test('stable stack names, one region, pinned AZs', () => {
    expect([stacks.network, stacks.cluster, stacks.gpuNodes, stacks.modelStore, stacks.platform, stacks.workloads].map((s) => s.stackName))
      .toEqual([NETWORK_STACK_NAME, CLUSTER_STACK_NAME, GPU_NODES_STACK_NAME, MODEL_STORE_STACK_NAME, PLATFORM_STACK_NAME, WORKLOADS_STACK_NAME]);
    for (const s of [stacks.network, stacks.cluster, stacks.gpuNodes, stacks.modelStore, stacks.platform]) {
      expect(s.region).toBe('us-west-2');
      expect(s.availabilityZones).toEqual(c.aws.availabilityZones);
    }
  });

  test('deploy order: network -> cluster -> GPU nodes / model store / platform -> workloads', () => {
    const deps = (s: { dependencies: { stackName: string }[] }) => s.dependencies.map((d) => d.stackName).sort();
    expect(deps(stacks.cluster)).toEqual([NETWORK_STACK_NAME]);
    expect(deps(stacks.gpuNodes)).toEqual([CLUSTER_STACK_NAME, NETWORK_STACK_NAME].sort());
    expect(deps(stacks.modelStore)).toEqual([CLUSTER_STACK_NAME, NETWORK_STACK_NAME].sort());
    expect(deps(stacks.platform)).toEqual([CLUSTER_STACK_NAME]);
    expect(deps(stacks.workloads)).toEqual([CLUSTER_STACK_NAME, GPU_NODES_STACK_NAME, MODEL_STORE_STACK_NAME, PLATFORM_STACK_NAME].sort());
  });

  test('a GPU capacity failure is isolated: the GPU node group is the only resource of its stack that is not a launch template', () => {
    expect(resourcesOfType(json.cluster, 'AWS::EKS::Nodegroup').map(([, r]) => r.Properties!.AmiType)).toEqual(['AL2023_x86_64_STANDARD']);
    const types = Object.values(json.gpuNodes.Resources).map((r) => r.Type).filter((t) => t !== 'AWS::CDK::Metadata').sort();
    expect(types).toEqual(['AWS::EC2::LaunchTemplate', 'AWS::EKS::Nodegroup']);
  });
});

describe('network', () => {
  test('VPC with the configured CIDR across the pinned AZs: private and public subnets', () => {
    templates.network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: c.network.vpcCidr, EnableDnsHostnames: true, EnableDnsSupport: true });
    const subnets = subnetOutputs(json.network);
    expect(subnets.filter((s) => s.type === 'Private').map((s) => s.az).sort()).toEqual([...c.aws.availabilityZones].sort());
    expect(subnets.filter((s) => s.type === 'Public').map((s) => s.az).sort()).toEqual([...c.aws.availabilityZones].sort());
    templates.network.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.42.32.0/19', MapPublicIpOnLaunch: false });
  });

  test('public subnets never give instances public addresses', () => {
    for (const [, s] of resourcesOfType(json.network, 'AWS::EC2::Subnet')) expect(s.Properties!.MapPublicIpOnLaunch).toBe(false);
  });

  test('one NAT gateway (config natGateways), in the GPU AZ', () => {
    const nats = resourcesOfType(json.network, 'AWS::EC2::NatGateway');
    expect(nats).toHaveLength(c.network.natGateways);
    const subnetId = nats[0][1].Properties!.SubnetId.Ref;
    expect(json.network.Resources[subnetId].Properties!.AvailabilityZone).toBe(c.aws.gpuAvailabilityZone);
  });

  test('S3 gateway endpoint on the private route tables', () => {
    const ep = one(json.network, 'AWS::EC2::VPCEndpoint');
    expect(ep.Properties!.VpcEndpointType).toBe('Gateway');
    expect(JSON.stringify(ep.Properties!.ServiceName)).toContain('.s3');
    expect(ep.Properties!.RouteTableIds.length).toBeGreaterThanOrEqual(c.aws.availabilityZones.length);
  });

  test('flow logs of rejected traffic (network.flowLogTrafficType) into a log group with the configured retention', () => {
    templates.network.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' });
    templates.network.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: c.network.flowLogRetentionDays }, DeletionPolicy: 'Delete' });
  });

  test('the flow-log role can be assumed only by the flow-logs service of this account (confused-deputy guard)', () => {
    const [[, flowLog]] = resourcesOfType(json.network, 'AWS::EC2::FlowLog');
    const role = json.network.Resources[flowLog.Properties!.DeliverLogsPermissionArn['Fn::GetAtt'][0]].Properties!;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:aws:ec2:us-west-2:', { Ref: 'AWS::AccountId' }, ':vpc-flow-log/*']] } },
      },
    }]);
  });
});

describe('cluster', () => {
  const cluster = one(json.cluster, 'AWS::EKS::Cluster').Properties!;

  test(`EKS ${c.cluster.kubernetesVersion}, API authentication, named from config`, () => {
    expect(cluster.Version).toBe('1.36');
    expect(cluster.Name).toBe(c.cluster.name);
    expect(cluster.AccessConfig).toEqual({ AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false });
    expect(cluster.BootstrapSelfManagedAddons).toBe(false);
    expect(cluster.ComputeConfig).toEqual({ Enabled: false });
  });

  test('the kubectl layer matches the Kubernetes version (kubectl 1.36)', () => {
    const layers = resourcesOfType(json.cluster, 'AWS::Lambda::LayerVersion').map(([, r]) => r.Properties!.Description as string);
    expect(layers.some((d) => /kubectl.*v?1\.36|1\.36.*kubectl/i.test(d ?? ''))).toBe(true);
    expect(stacks.cluster.cluster.kubectlProvider).toBeDefined();
  });

  test('private endpoint only by default (publicAccessCidrs is empty)', () => {
    expect(cluster.ResourcesVpcConfig).toMatchObject({ EndpointPrivateAccess: true, EndpointPublicAccess: false });
    expect(cluster.ResourcesVpcConfig.PublicAccessCidrs).toBeUndefined();
  });

  test('control plane ENIs in the private subnets only', () => {
    const privateIds = subnetOutputs(json.network).filter((s) => s.type === 'Private').map((s) => s.id);
    const used = (cluster.ResourcesVpcConfig.SubnetIds as any[]).map(outputOf);
    expect(used).toHaveLength(privateIds.length);
    for (const o of used) expect(privateIds.some((id) => o.includes(id))).toBe(true);
  });

  test('all control-plane log types, into a log group the stack owns (retention, deleted on destroy)', () => {
    expect(cluster.Logging.ClusterLogging.EnabledTypes.map((t: { Type: string }) => t.Type))
      .toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    const [[logId, log]] = resourcesOfType(json.cluster, 'AWS::Logs::LogGroup').filter(([, r]) => r.Properties!.LogGroupName === controlPlaneLogGroupName(c.cluster.name));
    expect(log.Properties!.RetentionInDays).toBe(c.cluster.controlPlaneLogRetentionDays);
    expect(log.DeletionPolicy).toBe('Delete');
    const [[, clusterRes]] = resourcesOfType(json.cluster, 'AWS::EKS::Cluster');
    expect(clusterRes.DependsOn).toContain(logId);
  });

  test('Secrets envelope-encrypted with a rotating KMS key', () => {
    const [[keyId, key]] = resourcesOfType(json.cluster, 'AWS::KMS::Key');
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    expect(key.Properties!.PendingWindowInDays).toBe(7);
    expect(cluster.EncryptionConfig).toEqual([{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }]);
  });

  test('no cluster admin besides the kubectl provider when adminRoleArns is empty', () => {
    const entries = resourcesOfType(json.cluster, 'AWS::EKS::AccessEntry');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0][1].Properties!.PrincipalArn)).toContain('KubectlProvider');
  });

  test('without any access entry for people there is no update-kubeconfig output, only one that says so', () => {
    expect(json.cluster.Outputs!.UpdateKubeconfigCommand).toBeUndefined();
    expect(JSON.stringify(json.cluster.Outputs!.KubectlAccess)).toMatch(/none: no IAM role has an access entry \(set cluster\.operatorRoleArns or cluster\.adminRoleArns/);
  });

  test('GuardDuty is off by default (cheap and destroyable)', () => {
    expect(resourcesOfType(json.cluster, 'AWS::GuardDuty::Detector')).toEqual([]);
  });
});

describe('node groups', () => {
  test('exactly two managed node groups, fixed size (min = max = desired), Kubernetes version and AMI release pinned', () => {
    expect(nodegroups).toHaveLength(2);
    const pins = EKS_VERSION_PINS[c.cluster.kubernetesVersion];
    for (const g of [gpuGroup, systemGroup]) {
      expect(g.Properties).toMatchObject({ Version: c.cluster.kubernetesVersion, ReleaseVersion: pins.nodeReleaseVersion.version });
    }
    expect(gpuGroup.Properties!.ScalingConfig).toEqual({ MinSize: 8, MaxSize: 8, DesiredSize: 8 });
    expect(systemGroup.Properties!.ScalingConfig).toEqual({ MinSize: 2, MaxSize: 2, DesiredSize: 2 });
  });

  test('GPU nodes: g5.xlarge, AL2023_x86_64_NVIDIA set explicitly, on-demand', () => {
    expect(gpuGroup.Properties).toMatchObject({ InstanceTypes: ['g5.xlarge'], AmiType: 'AL2023_x86_64_NVIDIA', CapacityType: 'ON_DEMAND' });
  });

  test('GPU nodes: label llmd-bench/role=gpu, taint nvidia.com/gpu NoSchedule', () => {
    expect(gpuGroup.Properties!.Labels).toEqual({ [NODE_ROLE_LABEL]: GPU_NODE_ROLE });
    expect(gpuGroup.Properties!.Taints).toEqual([{ Key: GPU_NODE_TAINT.key, Value: 'true', Effect: 'NO_SCHEDULE' }]);
  });

  test('system nodes: general purpose, AL2023 standard, label llmd-bench/role=system, no taint', () => {
    expect(systemGroup.Properties).toMatchObject({ InstanceTypes: [c.systemNodes.instanceType], AmiType: 'AL2023_x86_64_STANDARD', CapacityType: 'ON_DEMAND' });
    expect(systemGroup.Properties!.Labels).toEqual({ [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE });
    expect(systemGroup.Properties!.Taints).toBeUndefined();
  });

  test('GPU nodes live in exactly the subnet (and AZ) of the FSx file system', () => {
    const fsx = one(json.modelStore, 'AWS::FSx::FileSystem').Properties!;
    expect(fsx.SubnetIds).toHaveLength(1);
    expect(gpuGroup.Properties!.Subnets).toHaveLength(1);
    expect(outputOf(gpuGroup.Properties!.Subnets[0])).toBe(outputOf(fsx.SubnetIds[0]));
    const gpuSubnet = subnetOutputs(json.network).find((s) => outputOf(fsx.SubnetIds[0]).includes(s.id))!;
    expect(gpuSubnet).toMatchObject({ az: c.aws.gpuAvailabilityZone, type: 'Private' });
  });

  test('system nodes share the GPU AZ by default (systemNodes.sameAzAsGpu)', () => {
    expect(systemGroup.Properties!.Subnets.map(outputOf)).toEqual(gpuGroup.Properties!.Subnets.map(outputOf));
  });

  test('launch templates: IMDSv2 only, hop limit 1, encrypted gp3 root volume of the configured size, project tags on instances and volumes', () => {
    for (const [group, size] of [[gpuGroup, c.gpuNodes.diskSizeGiB], [systemGroup, c.systemNodes.diskSizeGiB]] as const) {
      const data = ltOf(group).Properties!.LaunchTemplateData;
      for (const spec of data.TagSpecifications) {
        expect(spec.Tags).toEqual(expect.arrayContaining([{ Key: PROJECT_TAG_KEY, Value: 'llmd-eks-bench' }, { Key: CLUSTER_TAG_KEY, Value: c.cluster.name }]));
      }
      expect(data.TagSpecifications.map((t: { ResourceType: string }) => t.ResourceType).sort()).toEqual(['instance', 'volume']);
      expect(data.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1, HttpTokens: 'required' });
      expect(data.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: size, VolumeType: 'gp3' } }]);
      // EKS picks the AMI from AmiType and merges its bootstrap: the template must name neither.
      expect(data.ImageId).toBeUndefined();
      expect(data.UserData).toBeUndefined();
      expect(data.InstanceType).toBeUndefined();
      expect(group.Properties!.DiskSize).toBeUndefined();
    }
    expect(c.gpuNodes.diskSizeGiB).toBeGreaterThanOrEqual(100);
  });

  test('one node role for both groups: join the cluster and pull images, no VPC CNI or ECR listing permissions', () => {
    const roleId = systemGroup.Properties!.NodeRole['Fn::GetAtt'][0];
    expect(outputOf(gpuGroup.Properties!.NodeRole)).toContain(roleId);
    const policies = json.cluster.Resources[roleId].Properties!.ManagedPolicyArns.map((p: any) => JSON.stringify(p).match(/policy\/([\w-]+)/)![1]);
    expect(policies.sort()).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy']);
  });
});

describe('EKS add-ons', () => {
  const [[clusterId]] = resourcesOfType(json.cluster, 'AWS::EKS::Cluster');
  const addons = resourcesOfType(json.cluster, 'AWS::EKS::Addon').map(([id, r]) => ({ id, name: r.Properties!.AddonName as string, deps: r.DependsOn ?? [], props: r.Properties! }));
  const byName = (name: string) => addons.find((a) => a.name === name)!;

  test('vpc-cni, kube-proxy, coredns, eks-pod-identity-agent, aws-fsx-csi-driver and metrics-server', () => {
    expect(addons.map((a) => a.name).sort()).toEqual(['aws-fsx-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'vpc-cni']);
  });

  test('networking add-ons come before the nodes (the GPU stack comes after the cluster stack); Deployments after the system nodes', () => {
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) expect(systemGroup.DependsOn).toContain(byName(name).id);
    expect(stacks.gpuNodes.dependencies.map((d) => d.stackName)).toContain(CLUSTER_STACK_NAME);
    for (const name of ['coredns', 'metrics-server', 'aws-fsx-csi-driver']) expect(byName(name).deps).toContain(systemGroup.id);
    expect(byName('vpc-cni').deps).toContain(byName('eks-pod-identity-agent').id);
  });

  test('every add-on version is pinned from the table row of the configured Kubernetes version', () => {
    const pins = EKS_VERSION_PINS[c.cluster.kubernetesVersion];
    expect(Object.fromEntries(addons.map((a) => [a.name, a.props.AddonVersion]))).toEqual(
      Object.fromEntries(EKS_ADDON_NAMES.map((n) => [n, pins.addons[n].version])));
  });

  test('vpc-cni enforces NetworkPolicies and runs aws-node with its own Pod Identity role (AmazonEKS_CNI_Policy)', () => {
    const cni = byName('vpc-cni');
    expect(JSON.parse(cni.props.ConfigurationValues)).toEqual({ enableNetworkPolicy: 'true' });
    expect(cni.props.PodIdentityAssociations).toHaveLength(1);
    expect(cni.props.PodIdentityAssociations[0].ServiceAccount).toBe('aws-node');
    const role = json.cluster.Resources[cni.props.PodIdentityAssociations[0].RoleArn['Fn::GetAtt'][0]].Properties!;
    expect(role.ManagedPolicyArns.map((p: any) => JSON.stringify(p).match(/policy\/([\w-]+)/)![1])).toEqual(['AmazonEKS_CNI_Policy']);
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toMatchObject({
      'aws:RequestTag/kubernetes-namespace': 'kube-system', 'aws:RequestTag/kubernetes-service-account': 'aws-node',
    });
  });

  test('FSx CSI controller: Pod Identity role whose only permission is fsx:DescribeFileSystems', () => {
    const fsxAddon = byName('aws-fsx-csi-driver');
    expect(fsxAddon.props.PodIdentityAssociations).toHaveLength(1);
    const assoc = fsxAddon.props.PodIdentityAssociations[0];
    expect(assoc.ServiceAccount).toBe(FSX_CSI_CONTROLLER_SERVICE_ACCOUNT);
    const role = json.cluster.Resources[assoc.RoleArn['Fn::GetAtt'][0]].Properties!;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: ['sts:AssumeRole', 'sts:TagSession'], Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' },
      Condition: { StringEquals: {
        'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [clusterId, 'Arn'] },
        'aws:RequestTag/kubernetes-namespace': 'kube-system',
        'aws:RequestTag/kubernetes-service-account': FSX_CSI_CONTROLLER_SERVICE_ACCOUNT,
      } },
    }]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toEqual([{ Action: FSX_CSI_CONTROLLER_ACTIONS[0], Effect: 'Allow', Resource: '*' }]);
    expect(statements[0].Action).toBe('fsx:DescribeFileSystems');
  });
});

describe('model store', () => {
  const fsx = one(json.modelStore, 'AWS::FSx::FileSystem');

  test('FSx for Lustre PERSISTENT_2, LZ4, capacity and throughput from config, deleted on destroy', () => {
    expect(fsx.Properties).toMatchObject({
      FileSystemType: 'LUSTRE',
      StorageCapacity: c.modelStore.storageCapacityGiB,
      LustreConfiguration: { DeploymentType: 'PERSISTENT_2', DataCompressionType: 'LZ4', PerUnitStorageThroughput: c.modelStore.perUnitStorageThroughput, AutomaticBackupRetentionDays: 0 },
    });
    expect(fsx.DeletionPolicy).toBe('Delete');
    expect(fsx.UpdateReplacePolicy).toBe('Delete');
  });

  test('its security group opens only the Lustre ports, only to the cluster security group and itself', () => {
    const sgId = fsx.Properties!.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const sg = json.modelStore.Resources[sgId].Properties!;
    expect(sg.SecurityGroupIngress ?? []).toEqual([]);
    expect(sg.SecurityGroupEgress ?? []).toEqual([]); // allowAllOutbound false, rules are separate resources
    const ingress = resourcesOfType(json.modelStore, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties!).filter((r) => r.GroupId['Fn::GetAtt']?.[0] === sgId);
    expect(ingress.length).toBeGreaterThan(0);
    for (const rule of ingress) {
      expect(rule.CidrIp).toBeUndefined();
      expect([[988, 988], [1018, 1023], [988, 1023]]).toContainEqual([rule.FromPort, rule.ToPort]);
      const source = rule.SourceSecurityGroupId;
      const fromSelf = source['Fn::GetAtt']?.[0] === sgId;
      const fromCluster = outputOf(source)?.includes('ClusterSecurityGroupId');
      expect(fromSelf || fromCluster).toBe(true);
    }
    const fromCluster = ingress.filter((r) => outputOf(r.SourceSecurityGroupId)?.includes('ClusterSecurityGroupId')).map((r) => [r.FromPort, r.ToPort]);
    expect(fromCluster).toEqual([[988, 988], [1018, 1023]]);
  });

  test('no data repository association for the huggingface source; no loader role without an HF token', () => {
    templates.modelStore.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 0);
    templates.modelStore.resourceCountIs('AWS::IAM::Role', 0);
  });

  test('the workloads stack applies the static PV/PVC pairs and the loader with the file system\'s tokens', () => {
    const ids = [...stacks.workloads.manifests.keys()];
    expect(ids.indexOf('namespace')).toBeLessThan(ids.indexOf('model-store'));
    expect(ids.indexOf('model-store')).toBeLessThan(ids.indexOf('model-loader'));
    expect(ids.indexOf('model-loader')).toBeLessThan(ids.indexOf('vllm-decode'));
    const manifest = JSON.stringify(stacks.workloads.resolve((stacks.workloads.manifests.get('model-store')!.node.defaultChild as any)._cfnProperties.Manifest));
    expect(manifest).toContain('fsx.csi.aws.com');
    expect(manifest).toContain('Fn::GetStackOutput');
    expect(manifest).toContain(MODEL_STORE_STACK_NAME);
    const loader = JSON.stringify(stacks.workloads.resolve((stacks.workloads.manifests.get('model-loader')!.node.defaultChild as any)._cfnProperties.Manifest));
    expect(loader).toContain(loaderJobName(c));
  });
});

describe('platform add-ons (Helm)', () => {
  const charts = resourcesOfType(json.platform, 'Custom::AWSCDK-EKS-HelmChart').map(([id, r]) => ({ id, deps: r.DependsOn ?? [], p: r.Properties! }));
  const chart = (name: string) => charts.find((x) => x.p.Chart === name)!;
  /** Chart values as synthesized: a JSON string, or an Fn::Join around references (shown as <ref>). */
  const valuesOf = (name: string) => {
    const v = chart(name).p.Values;
    const text = typeof v === 'string' ? v : (v['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
    return JSON.parse(text);
  };

  test('kube-prometheus-stack and gpu-operator, pinned to the configured versions and repositories', () => {
    expect(chart('kube-prometheus-stack').p).toMatchObject({
      Repository: 'https://prometheus-community.github.io/helm-charts', Version: c.monitoring.kubePrometheusStackVersion, Namespace: MONITORING_NAMESPACE, Wait: true,
    });
    expect(chart('gpu-operator').p).toMatchObject({
      Repository: 'https://helm.ngc.nvidia.com/nvidia', Version: c.monitoring.gpuOperatorVersion, Namespace: 'gpu-operator',
    });
  });

  test('their namespaces exist before them, with explicit Pod Security labels and the reason (not Helm --create-namespace)', () => {
    for (const x of charts) expect([x.p.Chart, x.p.CreateNamespace ?? false]).toEqual([x.p.Chart, false]);
    const nsManifests = resourcesOfType(json.platform, 'Custom::AWSCDK-EKS-KubernetesResource');
    expect(nsManifests).toHaveLength(1);
    const [[nsId, ns]] = nsManifests;
    expect(ns.Properties!.Overwrite).toBe(true);
    const objects = JSON.parse(ns.Properties!.Manifest) as { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } }[];
    for (const name of [MONITORING_NAMESPACE, 'gpu-operator']) {
      const n = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name)!;
      expect(n.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'baseline', 'pod-security.kubernetes.io/warn': 'baseline' });
      expect(n.metadata.annotations!['llmd-bench/pod-security-reason']).toMatch(/host/);
    }
    for (const x of charts) expect(x.deps).toContain(nsId);
  });

  test('Helm gives up before the 15-minute kubectl Lambda does (a Helm error, not a Lambda timeout)', () => {
    for (const x of charts) expect(Number(String(x.p.Timeout).replace(/s$/, ''))).toBeLessThan(15 * 60);
  });

  test('kube-prometheus-stack is installed before the GPU operator', () => {
    expect(chart('gpu-operator').deps).toContain(chart('kube-prometheus-stack').id);
  });

  test('Grafana gets its admin password from the generated secret, through its Pod Identity role', () => {
    const secretId = resourcesOfType(json.platform, 'AWS::SecretsManager::Secret')[0][0];
    const assoc = one(json.platform, 'AWS::EKS::PodIdentityAssociation').Properties!;
    expect(assoc).toMatchObject({ Namespace: MONITORING_NAMESPACE, ServiceAccount: GRAFANA_SERVICE_ACCOUNT });
    const role = json.platform.Resources[assoc.RoleArn['Fn::GetAtt'][0]].Properties!;
    expect(role.Policies.flatMap((p: any) => p.PolicyDocument.Statement)).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } }]);
    expect(JSON.stringify(chart('kube-prometheus-stack').p.Values)).toContain(`{"Ref":"${secretId}"}`);
    expect(chart('kube-prometheus-stack').deps).toEqual(expect.arrayContaining([expect.stringMatching(/^GrafanaIdentity/)]));
    const v = valuesOf('kube-prometheus-stack');
    expect(v.grafana.env).toEqual({ GF_SECURITY_ADMIN_USER: 'admin', GF_SECURITY_ADMIN_PASSWORD__FILE: '/etc/grafana-admin/password' });
    expect(v.grafana.serviceAccount.name).toBe(GRAFANA_SERVICE_ACCOUNT);
    expect(v.grafana.adminPassword).toBeUndefined();
  });

  test('Prometheus selects every monitor in every namespace; storage is ephemeral', () => {
    const spec = valuesOf('kube-prometheus-stack').prometheus.prometheusSpec;
    expect(spec).toMatchObject({ serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, serviceMonitorNamespaceSelector: {}, podMonitorNamespaceSelector: {}, retention: c.monitoring.prometheusRetention });
    expect(spec.storageSpec).toEqual({ emptyDir: { sizeLimit: `${c.monitoring.prometheusStorageGiB}Gi` } });
  });

  test('GPU operator for the NVIDIA AMI: no driver, no toolkit; device plugin, GFD, DCGM with ServiceMonitor', () => {
    const v = valuesOf('gpu-operator');
    expect(v).toMatchObject({ driver: { enabled: false }, toolkit: { enabled: false }, devicePlugin: { enabled: true }, gfd: { enabled: true }, dcgmExporter: { enabled: true, serviceMonitor: { enabled: true } } });
    expect(v.daemonsets.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(v.operator.nodeSelector).toEqual({ [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE });
  });
});

describe('monitoring: least privilege, bounded storage, upgradable CRDs', () => {
  const v = stacks.platform.monitoring.values;
  const objects = allObjects(renderCharts(c, undefined, ['stack']));
  const nsObjects = JSON.parse(resourcesOfType(json.platform, 'Custom::AWSCDK-EKS-KubernetesResource')[0][1].Properties!.Manifest) as any[];

  test('the platform stack applies the monitoring NetworkPolicies with the namespace, after it (security review finding 2)', () => {
    const policies = nsObjects.filter((o) => o.kind === 'NetworkPolicy');
    // (aws-eks-v2 adds its prune label; everything else is as rendered)
    expect(policies.map((p) => [p.metadata.name, p.spec])).toEqual(monitoringNetworkPolicies(c).map((p) => [p.metadata.name, p.spec]));
    expect(policies.map((p) => p.metadata.namespace)).toEqual([MONITORING_NAMESPACE, MONITORING_NAMESPACE]);
    expect(nsObjects.findIndex((o) => o.kind === 'Namespace' && o.metadata.name === MONITORING_NAMESPACE)).toBeLessThan(nsObjects.indexOf(policies[0]));
  });

  test('no Alertmanager datasource while Alertmanager is off', () => {
    expect(v.alertmanager.enabled).toBe(false);
    expect(v.grafana.sidecar.datasources.alertmanager.enabled).toBe(false);
  });

  test('Prometheus retentionSize stays below the emptyDir sizeLimit (old blocks go before the kubelet evicts the pod)', () => {
    const limitBytes = c.monitoring.prometheusStorageGiB * 2 ** 30;
    const m = /^(\d+)MiB$/.exec(v.prometheus.prometheusSpec.retentionSize)!;
    expect(Number(m[1]) * 2 ** 20).toBeLessThan(limitBytes);
    expect(Number(m[1]) * 2 ** 20).toBeGreaterThanOrEqual(0.75 * limitBytes);
    expect(v.prometheus.prometheusSpec.storageSpec.emptyDir.sizeLimit).toBe(`${c.monitoring.prometheusStorageGiB}Gi`);
  });

  test('CRDs are upgraded with the chart (its upgrade job, pinned busybox, on the system nodes)', () => {
    expect(v.crds).toEqual({ enabled: true, upgradeJob: { enabled: true, image: { busybox: { tag: expect.stringMatching(/^\d+\.\d+\.\d+$/) } }, nodeSelector: { [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE } } });
  });

  test('kube-state-metrics does not collect (and may not list) Secrets', () => {
    expect(v['kube-state-metrics'].collectorsExclude).toEqual(['secrets']);
  });

  test('the Prometheus operator watches only the namespaces that hold monitors', () => {
    expect(v.prometheusOperator.namespaces).toEqual({ releaseNamespace: true, additional: [c.project.namespace, 'gpu-operator', 'kube-system'] });
    const monitorNamespaces = new Set(objects.filter((o) => /Monitor$/.test(o.kind)).map((o) => o.metadata!.namespace as string));
    for (const ns of monitorNamespaces) expect([MONITORING_NAMESPACE, ...v.prometheusOperator.namespaces.additional]).toContain(ns);
  });

  test('Grafana reads ConfigMaps only, in monitoring and the project namespace, and still finds the dashboard', () => {
    const g = v.grafana;
    expect(g.rbac).toEqual({ namespaced: true, useExistingRole: GRAFANA_CONFIGMAP_READER_ROLE });
    expect(g.serviceAccount).toEqual({ create: true, name: GRAFANA_SERVICE_ACCOUNT, automountServiceAccountToken: true });
    expect(g.sidecar.dashboards.resource).toBe('configmap');
    expect(g.sidecar.datasources.resource).toBe('configmap');
    // The dashboard ConfigMap as rendered: its label is the one the sidecar watches, its namespace is searched ...
    const dashboard = objects.find((o) => o.kind === 'ConfigMap' && o.metadata!.name === DASHBOARD_CONFIGMAP)!;
    expect(dashboard.metadata!.labels![g.sidecar.dashboards.label]).toBe(g.sidecar.dashboards.labelValue);
    expect(g.sidecar.dashboards.searchNamespace).toEqual([MONITORING_NAMESPACE, dashboard.metadata!.namespace]);
    // ... and in each searched namespace a Role of the name the chart binds grants exactly read on ConfigMaps to Grafana.
    const roles = [...nsObjects, ...objects].filter((o) => o.kind === 'Role' && o.metadata.name === GRAFANA_CONFIGMAP_READER_ROLE);
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual([MONITORING_NAMESPACE, dashboard.metadata!.namespace].sort());
    for (const r of roles) expect(r.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata!.namespace === dashboard.metadata!.namespace && (o as any).roleRef.name === GRAFANA_CONFIGMAP_READER_ROLE) as any;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: GRAFANA_SERVICE_ACCOUNT, namespace: MONITORING_NAMESPACE }]);
    // Nothing anywhere grants Secrets to Grafana.
    expect(JSON.stringify([...roles, binding])).not.toMatch(/secrets/);
  });
});

describe('cdk-nag', () => {
  test('the packs run on the real app: without its acknowledgements synth fails on exactly those findings', () => {
    // The synth above passed with both packs registered; this one proves they ran (and what the acknowledgements hide).
    let message = '';
    try {
      synthInProcess({}, { acknowledge: false });
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/AwsSolutions-SMG4/);
    expect(message).toMatch(/AwsSolutions-L1/);
    expect(message).toMatch(/AwsSolutions-IAM4/);
    expect(message).not.toMatch(/LlmdBenchEks-/);
  });

  test('every acknowledgement carries a specific reason', () => {
    const acks = synth.app.node.findAll().flatMap((n) => n.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: n.node.path, id, reason }))));
    expect(acks.length).toBeGreaterThan(5);
    for (const a of acks) {
      expect([a.id, a.reason.length >= 40]).toEqual([a.id, true]);
      expect(a.reason).not.toMatch(/^(ok|fine|n\/a|suppress|test)\b/i);
    }
    const ids = acks.map((a) => a.id.replace(/^[\w-]+::(?=[\w-]+-)/, ''));
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-SMG4', 'AwsSolutions-L1', 'AwsSolutions-IAM5[Resource::*]']));
  });
});

describe('docs/platform.md', () => {
  test('"Resources per stack" counts what the default config synthesizes (and how many of the Workloads ones are manifests)', () => {
    const fs = require('fs') as typeof import('fs');
    const path = require('path') as typeof import('path');
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'platform.md'), 'utf8').replace(/\s+/g, ' ');
    const line = /Resources per stack \(default config, without the CDK metadata resource\): (.*?)\(\d+ Kubernetes manifests/.exec(doc);
    expect(line).not.toBeNull();
    const count = (t: CfnTemplate) => Object.values(t.Resources).filter((r) => (r as { Type: string }).Type !== 'AWS::CDK::Metadata').length;
    const stated = Object.fromEntries([...line![1].matchAll(/(Network|Cluster|GpuNodes|ModelStore|Platform|Workloads) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
    expect(stated).toEqual({
      Network: count(json.network), Cluster: count(json.cluster), GpuNodes: count(json.gpuNodes),
      ModelStore: count(json.modelStore), Platform: count(json.platform), Workloads: count(json.workloads),
    });
    const manifests = resourcesOfType(json.workloads, 'Custom::AWSCDK-EKS-KubernetesResource').length;
    const kinds = Object.values(json.workloads.Resources).map((r) => (r as { Type: string }).Type);
    expect(doc).toContain(`Workloads ${count(json.workloads)} (${manifests} Kubernetes manifests plus the CRD barrier)`);
    expect(kinds.filter((k) => k === 'Custom::AWSCDK-EKS-KubernetesObjectValue')).toHaveLength(1); // the CRD barrier
  });
});
