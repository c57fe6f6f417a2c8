/** Checks of the infrastructure keys: region/AZs, network, cluster, node groups, FSx. */
import { parseCidr } from '../cidr';
import { problem } from '../problems';
import { REGION_ZONES } from '../tables/availability-zones';
import { GENERAL_INSTANCE_TYPES, GPU_INSTANCE_TYPES, INSTANCE_TYPES, instanceFamily } from '../tables/instances';
import { KUBECTL_LAYER_PACKAGES } from '../tables/kubectl-layers';
import type { Check } from './types';

export const FSX_PERSISTENT_2_THROUGHPUTS = [125, 250, 500, 1000];
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export const region: Check = (c) => {
  const zones = REGION_ZONES[c.aws.region];
  if (!zones) {
    return [problem('aws.region', c.aws.region, `no pinned AZ table for this region; allowed: ${Object.keys(REGION_ZONES).join(', ')} (add a row to lib/config/tables/availability-zones.ts)`)];
  }
  const out: string[] = [];
  const azs = c.aws.availabilityZones;
  for (const az of azs) {
    if (!zones.zones.includes(az)) out.push(problem('aws.availabilityZones', az, `not an AZ of ${c.aws.region}; allowed: ${zones.zones.join(', ')}`));
  }
  if (azs.length < 2) out.push(problem('aws.availabilityZones', azs, 'EKS needs subnets in at least 2 AZs'));
  if (new Set(azs).size !== azs.length) out.push(problem('aws.availabilityZones', azs, 'each AZ may appear once'));
  const gpuAz = c.aws.gpuAvailabilityZone;
  const family = instanceFamily(c.gpuNodes.instanceType);
  if (!azs.includes(gpuAz)) {
    out.push(problem('aws.gpuAvailabilityZone', gpuAz, `must be one of aws.availabilityZones (${azs.join(', ')})`));
  } else if (GPU_INSTANCE_TYPES.includes(c.gpuNodes.instanceType) && zones.zones.includes(gpuAz) &&
    !(zones.gpuFamiliesByZone[gpuAz] ?? []).includes(family)) {
    const offering = zones.zones.filter((z) => (zones.gpuFamiliesByZone[z] ?? []).includes(family));
    out.push(problem('aws.gpuAvailabilityZone', gpuAz, `does not offer ${family} instances; AZs that do: ${offering.join(', ') || 'none pinned'}`));
  }
  return out;
};

export const network: Check = (c) => {
  const out: string[] = [];
  const vpc = parseCidr(c.network.vpcCidr);
  if (!vpc) out.push(problem('network.vpcCidr', c.network.vpcCidr, 'must be an IPv4 CIDR such as 10.42.0.0/16 (no host bits set)'));
  else if (vpc.prefix < 16 || vpc.prefix > 22) out.push(problem('network.vpcCidr', c.network.vpcCidr, 'prefix must be /16 to /22 (AWS allows /16-/28; nodes need room)'));
  if (c.network.natGateways < 1) {
    out.push(problem('network.natGateways', c.network.natGateways, 'must be >= 1: private nodes pull images and weights through NAT'));
  } else if (c.network.natGateways > c.aws.availabilityZones.length) {
    out.push(problem('network.natGateways', c.network.natGateways, `must be at most one per AZ (${c.aws.availabilityZones.length})`));
  }
  return out;
};

export const cluster: Check = (c) => {
  const out: string[] = [];
  if (!KUBECTL_LAYER_PACKAGES[c.cluster.kubernetesVersion]) {
    out.push(problem('cluster.kubernetesVersion', c.cluster.kubernetesVersion, `no matching kubectl layer; allowed: ${Object.keys(KUBECTL_LAYER_PACKAGES).join(', ')}`));
  }
  for (const cidr of c.cluster.publicAccessCidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) out.push(problem('cluster.publicAccessCidrs', cidr, 'each entry must be an IPv4 CIDR such as 203.0.113.7/32 (no host bits set)'));
    else if (parsed.prefix === 0) out.push(problem('cluster.publicAccessCidrs', cidr, 'opens the Kubernetes API to the whole internet; give your own address or range'));
  }
  for (const arn of c.cluster.adminRoleArns) {
    if (!ROLE_ARN.test(arn)) out.push(problem('cluster.adminRoleArns', arn, 'each entry must be an IAM role ARN such as arn:aws:iam::123456789012:role/Admin'));
  }
  return out;
};

export const nodes: Check = (c) => {
  const out: string[] = [];
  const gpuType = c.gpuNodes.instanceType;
  const facts = INSTANCE_TYPES[gpuType];
  if (!facts || facts.gpus === 0) {
    out.push(problem('gpuNodes.instanceType', gpuType, `not an instance type with NVIDIA GPUs; allowed: ${GPU_INSTANCE_TYPES.join(', ')}`));
  } else {
    const gpus = c.gpuNodes.count * facts.gpus;
    if (c.vllm.replicas !== gpus) {
      out.push(problem('vllm.replicas', c.vllm.replicas, `must equal the GPUs available, gpuNodes.count (${c.gpuNodes.count}) x ${facts.gpus} GPU per ${gpuType} = ${gpus} (one decode replica per GPU)`));
    }
  }
  if (c.gpuNodes.diskSizeGiB < 100) {
    out.push(problem('gpuNodes.diskSizeGiB', c.gpuNodes.diskSizeGiB, 'must be >= 100 (the vLLM image alone is ~20 GiB unpacked)'));
  }
  const sysType = c.systemNodes.instanceType;
  if (!GENERAL_INSTANCE_TYPES.includes(sysType)) {
    out.push(problem('systemNodes.instanceType', sysType, `allowed: ${GENERAL_INSTANCE_TYPES.join(', ')} (general purpose; GPUs are for the decode replicas)`));
  }
  if (c.systemNodes.diskSizeGiB < 50) {
    out.push(problem('systemNodes.diskSizeGiB', c.systemNodes.diskSizeGiB, 'must be >= 50 (the benchmark client runs the vLLM image)'));
  }
  return out;
};

export const modelStore: Check = (c) => {
  const out: string[] = [];
  const { deploymentType, storageCapacityGiB: cap, perUnitStorageThroughput: tput, modelSource, hfTokenSecretName } = c.modelStore;
  if (!(cap === 1200 || (cap >= 2400 && cap % 2400 === 0))) {
    out.push(problem('modelStore.storageCapacityGiB', cap, `${deploymentType} allows 1200, 2400 or a multiple of 2400 GiB`));
  }
  if (deploymentType === 'PERSISTENT_2' && !FSX_PERSISTENT_2_THROUGHPUTS.includes(tput)) {
    out.push(problem('modelStore.perUnitStorageThroughput', tput, `PERSISTENT_2 allows ${FSX_PERSISTENT_2_THROUGHPUTS.join(', ')} MB/s/TiB`));
  }
  if (modelSource !== 'huggingface' && !S3_URI.test(modelSource)) {
    out.push(problem('modelStore.modelSource', modelSource, 'must be "huggingface" or an s3://bucket/prefix URI'));
  }
  if (modelSource !== 'huggingface' && deploymentType !== 'PERSISTENT_2') {
    out.push(problem('modelStore.deploymentType', deploymentType, 'an s3:// model source needs PERSISTENT_2 (data repository associations)'));
  }
  if (hfTokenSecretName !== undefined && modelSource !== 'huggingface') {
    out.push(problem('modelStore.hfTokenSecretName', hfTokenSecretName, 'only used with modelStore.modelSource "huggingface"; remove it'));
  }
  return out;
};

export const PLATFORM_CHECKS: readonly Check[] = [region, network, cluster, nodes, modelStore];
