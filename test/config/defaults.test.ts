import { configSchema, defaultConfig, listKeys, loadConfig } from '../../lib/config';

describe('defaults are the reference run', () => {
  const c = defaultConfig();

  test('cluster and GPUs', () => {
    expect(c.aws.region).toBe('us-west-2');
    expect(c.gpuNodes).toMatchObject({ instanceType: 'g5.xlarge', count: 8 });
    expect(c.vllm.replicas).toBe(8);
    expect(c.model.id).toBe('Qwen/Qwen2.5-7B-Instruct');
  });

  test('workload 150/2048/128/256/inf/512/9000', () => {
    const b = c.benchmark;
    expect([b.numPrefixes, b.prefixLen, b.suffixLen, b.outputLen, b.requestRate, b.maxConcurrency, b.numPrompts])
      .toEqual([150, 2048, 128, 256, 'inf', 512, 9000]);
  });

  test('every key has a description', () => {
    const undocumented = listKeys(configSchema).filter((k) => k.description.trim() === '').map((k) => k.key);
    expect(undocumented).toEqual([]);
  });
});

describe('platform defaults (issue 3)', () => {
  const c = defaultConfig();

  test('us-west-2, two pinned AZs, GPUs and FSx in us-west-2a', () => {
    expect(c.aws).toEqual({ region: 'us-west-2', availabilityZones: ['us-west-2a', 'us-west-2b'], gpuAvailabilityZone: 'us-west-2a' });
  });

  test('EKS 1.36, private endpoint, no admin hard-coded, every control-plane log, IMDS hop limit 1', () => {
    expect(c.cluster).toMatchObject({ kubernetesVersion: '1.36', publicAccessCidrs: [], adminRoleArns: [], nodeImdsHopLimit: 1 });
    expect(c.cluster.controlPlaneLogTypes).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
  });

  test('8 x g5.xlarge on demand with 200 GiB disks; 2 x m6i.2xlarge system nodes in the GPU AZ', () => {
    expect(c.gpuNodes).toEqual({ instanceType: 'g5.xlarge', count: 8, capacityType: 'ON_DEMAND', diskSizeGiB: 200 });
    expect(c.systemNodes).toEqual({ instanceType: 'm6i.2xlarge', count: 2, diskSizeGiB: 100, sameAzAsGpu: true });
  });

  test('one NAT gateway, FSx PERSISTENT_2 1.2 TiB at 250 MB/s/TiB, weights from the Hub, deleted on destroy', () => {
    expect(c.network).toEqual({ vpcCidr: '10.42.0.0/16', natGateways: 1, flowLogTrafficType: 'REJECT', flowLogRetentionDays: 7 });
    expect(c.modelStore).toEqual({ deploymentType: 'PERSISTENT_2', storageCapacityGiB: 1200, perUnitStorageThroughput: 250, modelSource: 'huggingface', mountPath: '/models', retainOnDestroy: false });
  });

  test('the model revision is pinned to a commit (reproducible weights)', () => {
    expect(c.model.revision).toMatch(/^[0-9a-f]{40}$/);
  });

  test('Helm chart versions and images are pinned', () => {
    expect(c.monitoring.kubePrometheusStackVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(c.monitoring.gpuOperatorVersion).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(c.project.awsCliImage).toMatch(/:\d+\.\d+\.\d+$/);
  });
});

describe('context coercion (-c key=value arrives as strings)', () => {


  test('numbers, booleans and comma lists', () => {
    const c = loadConfig({ 'gpuNodes.count': '4', 'vllm.replicas': '4', 'systemNodes.sameAzAsGpu': 'false', 'cluster.publicAccessCidrs': '203.0.113.7/32, 198.51.100.0/24' });
    expect(c.gpuNodes.count).toBe(4);
    expect(c.systemNodes.sameAzAsGpu).toBe(false);
    expect(c.cluster.publicAccessCidrs).toEqual(['203.0.113.7/32', '198.51.100.0/24']);
  });

  test('JSON lists and nested objects (cdk.json style)', () => {
    const c = loadConfig({ 'cluster.adminRoleArns': '["arn:aws:iam::123456789012:role/A"]', modelStore: { storageCapacityGiB: 2400 } });
    expect(c.cluster.adminRoleArns).toEqual(['arn:aws:iam::123456789012:role/A']);
    expect(c.modelStore.storageCapacityGiB).toBe(2400);
  });

  test('an empty string is an empty list', () => {
    expect(loadConfig({ 'cluster.publicAccessCidrs': '' }).cluster.publicAccessCidrs).toEqual([]);
  });

  test('CDK\'s own context keys (feature flags) are ignored', () => {
    expect(() => loadConfig({ '@aws-cdk/aws-eks:nodegroupNameAttribute': true, 'aws:cdk:enable-path-metadata': true })).not.toThrow();
  });
});

describe('derived defaults', () => {
  test('vllm.replicas follows the GPUs when not given', () => {
    expect(loadConfig({ 'gpuNodes.count': '4' }).vllm.replicas).toBe(4);
    expect(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '2' }).vllm.replicas).toBe(8);
  });

  test('an explicit vllm.replicas is kept and checked', () => {
    expect(loadConfig({ 'gpuNodes.count': '4', 'vllm.replicas': '4' }).vllm.replicas).toBe(4);
    expect(() => loadConfig({ 'gpuNodes.count': '4', 'vllm.replicas': '8' })).toThrow(/vllm\.replicas: got 8/);
  });
});
