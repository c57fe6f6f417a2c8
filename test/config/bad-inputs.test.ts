/**
 * Bad configuration is refused before any construct exists, with one message per problem naming the
 * key, the value given and what is allowed. Inputs are given as CDK context, mostly as the strings
 * `-c key=value` produces.
 */
import { ConfigError, loadConfig } from '../../lib/config';

interface Case {
  readonly name: string;
  readonly context: Record<string, unknown>;
  /** Expected `<key>: got <value>` prefix of one problem line. */
  readonly got: string;
  /** Text of what is allowed, in the same line. */
  readonly allowed: string | RegExp;
}

const CASES: Case[] = [
  // Typos and unknown keys
  { name: 'unknown key (typo) suggests the right one', context: { 'gpuNodes.cnt': '4' }, got: 'gpuNodes.cnt: got "4"', allowed: 'did you mean "gpuNodes.count"?' },
  { name: 'unknown section lists the sections', context: { 'gpu.count': '4' }, got: 'gpu.count: got "4"', allowed: /unknown config key; .*config sections are: .*gpuNodes/ },
  { name: 'unknown key in a nested object', context: { modelStore: { capacity: 1200 } }, got: 'modelStore.capacity: got 1200', allowed: 'unknown config key' },
  // Counts
  { name: 'negative GPU node count', context: { 'gpuNodes.count': '-1' }, got: 'gpuNodes.count: got -1', allowed: 'must be an integer >= 0' },
  { name: 'zero system node count (only the GPU group can pause)', context: { 'systemNodes.count': '0' }, got: 'systemNodes.count: got 0', allowed: 'must be a positive integer (> 0)' },
  { name: 'replicas while paused', context: { 'gpuNodes.count': '0', 'vllm.replicas': '8' }, got: 'vllm.replicas: got 8', allowed: 'gpuNodes.count (0) x 1 GPU per g5.xlarge = 0' },
  { name: 'fractional system node count', context: { 'systemNodes.count': '1.5' }, got: 'systemNodes.count: got 1.5', allowed: 'must be a positive integer (> 0)' },
  { name: 'count that is not a number', context: { 'gpuNodes.count': 'eight' }, got: 'gpuNodes.count: got "eight"', allowed: 'must be an integer >= 0' },
  { name: 'replicas not equal to the GPUs available', context: { 'gpuNodes.count': '4', 'vllm.replicas': '8' }, got: 'vllm.replicas: got 8', allowed: 'must equal the GPUs available, gpuNodes.count (4) x 1 GPU per g5.xlarge = 4' },
  { name: 'replicas vs a 4-GPU instance type', context: { 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '1', 'vllm.replicas': '1' }, got: 'vllm.replicas: got 1', allowed: '= 4 (one decode replica per GPU)' },
  // Instance types
  { name: 'GPU node type without NVIDIA GPUs', context: { 'gpuNodes.instanceType': 'm6i.xlarge' }, got: 'gpuNodes.instanceType: got "m6i.xlarge"', allowed: /not an instance type with NVIDIA GPUs; allowed: g5\.xlarge, / },
  { name: 'unknown GPU node type', context: { 'gpuNodes.instanceType': 'p9.mega' }, got: 'gpuNodes.instanceType: got "p9.mega"', allowed: 'not an instance type with NVIDIA GPUs' },
  { name: 'system node type with a GPU', context: { 'systemNodes.instanceType': 'g5.xlarge' }, got: 'systemNodes.instanceType: got "g5.xlarge"', allowed: /allowed: m6i\.large, .*general purpose/ },
  { name: 'capacity type that does not exist', context: { 'gpuNodes.capacityType': 'RESERVED' }, got: 'gpuNodes.capacityType: got "RESERVED"', allowed: 'must be one of ON_DEMAND, SPOT' },
  { name: 'GPU disk too small for the vLLM image', context: { 'gpuNodes.diskSizeGiB': '50' }, got: 'gpuNodes.diskSizeGiB: got 50', allowed: 'must be >= 100' },
  { name: 'system disk too small', context: { 'systemNodes.diskSizeGiB': '20' }, got: 'systemNodes.diskSizeGiB: got 20', allowed: 'must be >= 50' },
  { name: 'one system node cannot hold the EPP pod, the benchmark client and Prometheus together', context: { 'systemNodes.count': '1' }, got: 'systemNodes.count: got 1', allowed: /1 x m6i\.2xlarge .* cannot hold the EPP pod 6 CPU .*the benchmark client would stay Pending/ },
  { name: 'system node type too small for the benchmark client', context: { 'systemNodes.instanceType': 'm6i.large', 'router.eppCpuRequest': '1' }, got: 'systemNodes.instanceType: got "m6i.large"', allowed: /the benchmark client \(2 CPU \/ 6 GiB\) does not fit one node/ },
  { name: 'disk beyond the largest gp3 volume', context: { 'gpuNodes.diskSizeGiB': '20000' }, got: 'gpuNodes.diskSizeGiB: got 20000', allowed: 'must be <= 16384' },
  // Region and AZs
  { name: 'region without an AZ table and no AZs given', context: { 'aws.region': 'sa-east-1' }, got: 'aws.region: got "sa-east-1"', allowed: /no AZ table for this region \(known: us-east-1, .*\); give aws.availabilityZones and aws.gpuAvailabilityZone/ },
  { name: 'region that is not a region name', context: { 'aws.region': 'oregon' }, got: 'aws.region: got "oregon"', allowed: 'must be an AWS region name such as us-west-2' },
  { name: 'AZ outside the region', context: { 'aws.availabilityZones': 'us-west-2a,us-east-1a' }, got: 'aws.availabilityZones: got "us-east-1a"', allowed: 'not an AZ of us-west-2; AZ names are the region plus one letter, e.g. us-west-2a, us-west-2b, us-west-2c, us-west-2d' },
  { name: 'GPU AZ not among the VPC AZs', context: { 'aws.gpuAvailabilityZone': 'us-west-2c' }, got: 'aws.gpuAvailabilityZone: got "us-west-2c"', allowed: 'must be one of aws.availabilityZones (us-west-2a, us-west-2b)' },
  { name: 'a single AZ', context: { 'aws.availabilityZones': 'us-west-2a' }, got: 'aws.availabilityZones: got ["us-west-2a"]', allowed: 'EKS needs subnets in at least 2 AZs' },
  { name: 'the same AZ twice', context: { 'aws.availabilityZones': 'us-west-2a,us-west-2a' }, got: 'aws.availabilityZones: got ["us-west-2a","us-west-2a"]', allowed: 'each AZ may appear once' },
  { name: 'account id that is not 12 digits', context: { 'aws.account': '1234' }, got: 'aws.account: got "1234"', allowed: 'must be a 12-digit AWS account id' },
  // Network
  { name: 'VPC CIDR that does not parse', context: { 'network.vpcCidr': '10.0.0.0/33' }, got: 'network.vpcCidr: got "10.0.0.0/33"', allowed: 'must be an IPv4 CIDR such as 10.42.0.0/16' },
  { name: 'VPC CIDR with host bits set', context: { 'network.vpcCidr': '10.42.1.0/16' }, got: 'network.vpcCidr: got "10.42.1.0/16"', allowed: '(no host bits set)' },
  { name: 'VPC larger than AWS allows', context: { 'network.vpcCidr': '10.0.0.0/8' }, got: 'network.vpcCidr: got "10.0.0.0/8"', allowed: 'prefix must be /16 or longer' },
  { name: 'VPC too small for the nodes\' pod addresses', context: { 'network.vpcCidr': '10.42.0.0/21' }, got: 'network.vpcCidr: got "10.42.0.0/21"', allowed: /private subnets \(\/24, 251 addresses\) cannot hold the 10 nodes of the GPU AZ x 64/ },
  { name: 'no NAT gateway', context: { 'network.natGateways': '0' }, got: 'network.natGateways: got 0', allowed: 'must be >= 1: private nodes pull images and weights through NAT' },
  { name: 'more NAT gateways than AZs', context: { 'network.natGateways': '3' }, got: 'network.natGateways: got 3', allowed: 'must be at most one per AZ (2)' },
  { name: 'flow-log retention CloudWatch does not offer', context: { 'network.flowLogRetentionDays': '10' }, got: 'network.flowLogRetentionDays: got 10', allowed: 'must be one of 1, 3, 5, 7, 14' },
  // Cluster
  { name: 'Kubernetes version without a kubectl layer', context: { 'cluster.kubernetesVersion': '1.34' }, got: 'cluster.kubernetesVersion: got "1.34"', allowed: 'no matching kubectl layer; allowed: 1.35, 1.36' },
  { name: 'API endpoint open to the world', context: { 'cluster.publicAccessCidrs': '0.0.0.0/0' }, got: 'cluster.publicAccessCidrs: got "0.0.0.0/0"', allowed: '/0 is 4294967296 addresses; the Kubernetes API may be opened to /16 or narrower ranges only' },
  { name: 'API endpoint open to the world in two halves', context: { 'cluster.publicAccessCidrs': '0.0.0.0/1,128.0.0.0/1' }, got: 'cluster.publicAccessCidrs: got "128.0.0.0/1"', allowed: '/1 is 2147483648 addresses' },
  { name: 'API endpoint open to a /15', context: { 'cluster.publicAccessCidrs': '10.0.0.0/15' }, got: 'cluster.publicAccessCidrs: got "10.0.0.0/15"', allowed: 'may be opened to /16 or narrower ranges only' },
  { name: 'operator that is not a role ARN', context: { 'cluster.operatorRoleArns': 'arn:aws:iam::123456789012:user/bob' }, got: 'cluster.operatorRoleArns: got "arn:aws:iam::123456789012:user/bob"', allowed: 'each entry must be an IAM role ARN' },
  { name: 'role both admin and operator', context: { 'cluster.adminRoleArns': 'arn:aws:iam::123456789012:role/A', 'cluster.operatorRoleArns': 'arn:aws:iam::123456789012:role/A' }, got: 'cluster.operatorRoleArns: got "arn:aws:iam::123456789012:role/A"', allowed: 'is also in cluster.adminRoleArns' },
  { name: 'flow-log traffic type that does not exist', context: { 'network.flowLogTrafficType': 'DROPPED' }, got: 'network.flowLogTrafficType: got "DROPPED"', allowed: 'must be one of REJECT, ALL, ACCEPT' },
  { name: 'control-plane log retention CloudWatch does not offer', context: { 'cluster.controlPlaneLogRetentionDays': '100' }, got: 'cluster.controlPlaneLogRetentionDays: got 100', allowed: 'must be one of 1, 3, 5, 7' },
  { name: 'public access CIDR that does not parse', context: { 'cluster.publicAccessCidrs': '203.0.113.7' }, got: 'cluster.publicAccessCidrs: got "203.0.113.7"', allowed: 'each entry must be an IPv4 CIDR such as 203.0.113.7/32' },
  { name: 'the same public CIDR twice', context: { 'cluster.publicAccessCidrs': '203.0.113.7/32,203.0.113.7/32' }, got: 'cluster.publicAccessCidrs: got ["203.0.113.7/32","203.0.113.7/32"]', allowed: 'each CIDR may appear once' },
  { name: 'admin that is not a role ARN', context: { 'cluster.adminRoleArns': 'arn:aws:iam::123456789012:user/alice' }, got: 'cluster.adminRoleArns: got "arn:aws:iam::123456789012:user/alice"', allowed: 'each entry must be an IAM role ARN such as arn:aws:iam::123456789012:role/Admin' },
  { name: 'admin given as an STS session ARN', context: { 'cluster.adminRoleArns': 'arn:aws:sts::123456789012:assumed-role/Admin/alice' }, got: 'cluster.adminRoleArns: got "arn:aws:sts::123456789012:assumed-role/Admin/alice"', allowed: 'is an STS session ARN; give the role itself, e.g. arn:aws:iam::123456789012:role/Admin' },
  { name: 'cluster name EKS refuses', context: { 'cluster.name': 'my cluster!' }, got: 'cluster.name: got "my cluster!"', allowed: 'must be an EKS cluster name' },
  { name: 'control-plane log type that does not exist', context: { 'cluster.controlPlaneLogTypes': 'api,kubelet' }, got: 'cluster.controlPlaneLogTypes.1: got "kubelet"', allowed: 'must be one of api, audit, authenticator, controllerManager, scheduler' },
  { name: 'IMDS hop limit other than 1 or 2', context: { 'cluster.nodeImdsHopLimit': '3' }, got: 'cluster.nodeImdsHopLimit: got 3', allowed: 'must be one of 1, 2' },
  // Model store
  { name: 'FSx capacity PERSISTENT_2 does not allow', context: { 'modelStore.storageCapacityGiB': '1000' }, got: 'modelStore.storageCapacityGiB: got 1000', allowed: 'PERSISTENT_2 allows 1200, 2400 or a multiple of 2400 GiB' },
  { name: 'FSx capacity between the steps', context: { 'modelStore.storageCapacityGiB': '3600' }, got: 'modelStore.storageCapacityGiB: got 3600', allowed: 'allows 1200, 2400 or a multiple of 2400 GiB' },
  { name: 'FSx throughput PERSISTENT_2 does not offer', context: { 'modelStore.perUnitStorageThroughput': '300' }, got: 'modelStore.perUnitStorageThroughput: got 300', allowed: 'PERSISTENT_2 allows 125, 250, 500, 1000 MB/s/TiB' },
  { name: 'model source that is not an s3:// URI', context: { 'modelStore.modelSource': 'https://example.com/model' }, got: 'modelStore.modelSource: got "https://example.com/model"', allowed: 'must be "huggingface" or an s3://bucket/prefix URI' },
  { name: 's3:// URI with an invalid bucket name', context: { 'modelStore.modelSource': 's3://My_Bucket/x' }, got: 'modelStore.modelSource: got "s3://My_Bucket/x"', allowed: 'lower-case bucket name' },
  { name: 'S3 source on a scratch file system', context: { 'modelStore.modelSource': 's3://weights/qwen', 'modelStore.deploymentType': 'SCRATCH_2' }, got: 'modelStore.deploymentType: got "SCRATCH_2"', allowed: 'an s3:// model source needs PERSISTENT_2' },
  { name: 'HF token with an S3 source', context: { 'modelStore.modelSource': 's3://weights/qwen', 'modelStore.hfTokenSecretName': 'hf' }, got: 'modelStore.hfTokenSecretName: got "hf"', allowed: 'only used with modelStore.modelSource "huggingface"' },
  { name: 'secret name with characters Secrets Manager refuses', context: { 'modelStore.hfTokenSecretName': 'my token' }, got: 'modelStore.hfTokenSecretName: got "my token"', allowed: 'must be a Secrets Manager secret name' },
  { name: 'relative mount path', context: { 'modelStore.mountPath': 'models' }, got: 'modelStore.mountPath: got "models"', allowed: 'must be an absolute path' },
  { name: 'mount path over a system directory', context: { 'modelStore.mountPath': '/usr/models' }, got: 'modelStore.mountPath: got "/usr/models"', allowed: 'must not shadow a system directory' },
  { name: 'retain flag that is not a boolean', context: { 'modelStore.retainOnDestroy': 'maybe' }, got: 'modelStore.retainOnDestroy: got "maybe"', allowed: 'must be true or false' },
  // Tensor parallelism and the fit check (lib/config/fit.ts)
  { name: 'tensor-parallel size vLLM does not run here', context: { 'vllm.tensorParallelSize': '3' }, got: 'vllm.tensorParallelSize: got 3', allowed: 'must be one of 1, 2, 4, 8' },
  { name: 'tensor-parallel size larger than the GPUs of a node', context: { 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '2', 'model.id': 'meta-llama/Llama-3.1-8B-Instruct', 'vllm.tensorParallelSize': '8' }, got: 'vllm.tensorParallelSize: got 8', allowed: /must divide the 4 GPUs of a g5\.12xlarge \(1, 2, 4\): a replica's GPUs must be on one node/ },
  { name: 'tensor-parallel size not dividing the attention heads', context: { 'gpuNodes.instanceType': 'g5.48xlarge', 'gpuNodes.count': '1', 'vllm.tensorParallelSize': '8' }, got: 'vllm.tensorParallelSize: got 8', allowed: "must divide the model's 28 attention heads" },
  { name: 'a 70B model on one A10G', context: { 'model.id': 'meta-llama/Llama-3.1-70B-Instruct' }, got: 'model.id: got "meta-llama/Llama-3.1-70B-Instruct"', allowed: /Llama-3\.1-70B-Instruct bf16 needs 141\.1 GB of weights .*g5\.xlarge TP=1 has 20\.2 GiB usable per GPU.*It fits on: .*p4de\.24xlarge TP=2/ },
  { name: 'KV cache too small for maxModelLen', context: { 'model.id': 'meta-llama/Llama-3.1-8B-Instruct', 'vllm.maxModelLen': '65536' }, got: 'vllm.gpuMemoryUtilization: got 0.9', allowed: /leaves 3\.8 GiB per GPU for KV \(20\.2 GiB usable - 15\.0 GiB weights - 1\.5 GiB non-KV\) = 30976 tokens at 128 KiB per token per GPU, fewer than vllm.maxModelLen \(65536\)/ },
  { name: 'a model without a registry row or config file', context: { 'model.id': 'acme/secret-13b', 'model.revision': 'main' }, got: 'model.id: got "acme/secret-13b"', allowed: /no architecture facts .*-c model.configFile=<path>/ },
  { name: 'a config file that does not exist', context: { 'model.id': 'acme/secret-13b', 'model.revision': 'main', 'model.configFile': 'no/such/config.json' }, got: 'model.configFile: got "no/such/config.json"', allowed: 'no/such/config.json does not exist' },
  { name: 'a memory limit the /dev/shm of a TP pod would fill', context: { 'gpuNodes.instanceType': 'g6e.12xlarge', 'gpuNodes.count': '1', 'vllm.tensorParallelSize': '4', 'vllm.memoryRequestGiB': '3', 'vllm.memoryLimitGiB': '3' }, got: 'vllm.memoryLimitGiB: got 3', allowed: "must be above the decode pod's /dev/shm size (3.5 GiB at TP=4)" },
  // Versions and images
  { name: 'chart version "latest"', context: { 'monitoring.kubePrometheusStackVersion': 'latest' }, got: 'monitoring.kubePrometheusStackVersion: got "latest"', allowed: 'must be a chart version x.y.z' },
  { name: 'GPU operator version without the v', context: { 'monitoring.gpuOperatorVersion': '26.7.0' }, got: 'monitoring.gpuOperatorVersion: got "26.7.0"', allowed: 'must be a chart version such as v26.7.0' },
  { name: 'Prometheus retention in an unknown unit', context: { 'monitoring.prometheusRetention': '2 days' }, got: 'monitoring.prometheusRetention: got "2 days"', allowed: 'must be a duration such as 12h, 2d or 1w' },
  { name: 'Prometheus storage beyond the limit', context: { 'monitoring.prometheusStorageGiB': '500' }, got: 'monitoring.prometheusStorageGiB: got 500', allowed: 'must be an integer between 1 and 50 GiB' },
  { name: 'AWS CLI image on latest', context: { 'project.awsCliImage': 'public.ecr.aws/aws-cli/aws-cli:latest' }, got: 'project.awsCliImage: got "public.ecr.aws/aws-cli/aws-cli:latest"', allowed: 'not "latest"' },
  { name: 'AWS CLI image without a tag', context: { 'project.awsCliImage': 'amazon/aws-cli' }, got: 'project.awsCliImage: got "amazon/aws-cli"', allowed: 'must be an image reference with a pinned tag' },
  { name: 'revision that is neither a sha nor a ref name', context: { 'model.revision': 'not a sha!' }, got: 'model.revision: got "not a sha!"', allowed: 'must be a commit sha or a branch/tag name' },
  { name: 'pinned Qwen commit kept for another model', context: { 'model.id': 'meta-llama/Llama-3.1-8B-Instruct', 'model.revision': 'a09a35458c702b33eeacc393d103063234e8bc28' }, got: 'model.revision: got "a09a35458c702b33eeacc393d103063234e8bc28"', allowed: 'is the pinned commit of Qwen/Qwen2.5-7B-Instruct, not of meta-llama/Llama-3.1-8B-Instruct' },
];

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    loadConfig(context);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('bad configuration is refused with key, value and what is allowed', () => {
  test('there are at least 30 distinct cases', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => JSON.stringify(c.context))).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const problems = problemsOf(c.context);
    const line = problems.find((p) => p.startsWith(`${c.got};`));
    expect([line === undefined ? problems : 'found']).toEqual(['found']);
    if (typeof c.allowed === 'string') expect(line).toContain(c.allowed);
    else expect(line).toMatch(c.allowed);
  });

  test('every problem is reported at once, one line each, with a pointer to the docs', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ 'gpuNodes.count': '-1', 'modelStore.storageCapacityGiB': '1000', 'cluster.publicAccessCidrs': '0.0.0.0/0' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems.length).toBe(3);
    expect(err!.message).toMatch(/^Invalid llmd-eks-bench configuration \(3 problems\):/);
    expect(err!.message).toContain('README.md');
  });

  test('a valid override passes (the checks are not simply strict)', () => {
    expect(problemsOf({ 'gpuNodes.count': '4', 'vllm.replicas': '4', 'cluster.publicAccessCidrs': '203.0.113.7/32', 'modelStore.storageCapacityGiB': '4800' })).toEqual([]);
  });
});
