/**
 * Checks that span keys or need the tables: each returns problems worded by `problem()`.
 * They run after the schema accepted every single value, before any construct is built.
 */
import { parseCidr } from './cidr';
import { problem } from './problems';
import type { BenchConfig } from './schema';
import { REGION_ZONES } from './tables/availability-zones';
import { GPUS } from './tables/gpus';
import { GENERAL_INSTANCE_TYPES, GPU_INSTANCE_TYPES, INSTANCE_TYPES, instanceFamily } from './tables/instances';
import { KUBECTL_LAYER_PACKAGES } from './tables/kubectl-layers';
import { kvBytesPerToken, MODELS, weightBytes } from './tables/models';

type Check = (c: BenchConfig) => string[];

const GiB = 1024 ** 3;
/** What vLLM needs besides weights and KV: activation peak, CUDA graphs, non-torch memory (vllm-notes). */
export const VLLM_NON_KV_OVERHEAD_GIB = 1.5;
export const FSX_PERSISTENT_2_THROUGHPUTS = [125, 250, 500, 1000];
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const region: Check = (c) => {
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

const network: Check = (c) => {
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

const cluster: Check = (c) => {
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

const nodes: Check = (c) => {
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

const modelStore: Check = (c) => {
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

const modelFits: Check = (c) => {
  const model = MODELS[c.model.id];
  if (!model) {
    return [problem('model.id', c.model.id, `no architecture facts for this model; allowed: ${Object.keys(MODELS).join(', ')} (add a row to lib/config/tables/models.ts)`)];
  }
  const out: string[] = [];
  const gpuModel = INSTANCE_TYPES[c.gpuNodes.instanceType]?.gpuModel;
  const gpu = gpuModel ? GPUS[gpuModel] : undefined;
  if (gpu) {
    const budget = c.vllm.gpuMemoryUtilization * gpu.usableMemoryGiB * GiB;
    const kvBytes = budget - weightBytes(model) - VLLM_NON_KV_OVERHEAD_GIB * GiB;
    const perToken = kvBytesPerToken(model) / (c.vllm.kvCacheDtype === 'fp8' ? 2 : 1);
    const kvTokens = Math.floor(kvBytes / perToken);
    if (kvTokens < c.vllm.maxModelLen) {
      out.push(problem('vllm.gpuMemoryUtilization', c.vllm.gpuMemoryUtilization,
        `leaves room for ~${Math.max(0, kvTokens)} KV tokens on a ${gpuModel} after ${(weightBytes(model) / GiB).toFixed(1)} GiB of weights, ` +
        `fewer than vllm.maxModelLen (${c.vllm.maxModelLen}); vLLM would refuse to start. Raise it, lower maxModelLen, or use a larger GPU`));
    }
  }
  const promptTokens = c.benchmark.prefixLen + c.benchmark.suffixLen + model.chatTemplateOverheadTokens;
  const needed = promptTokens + c.benchmark.outputLen;
  if (c.vllm.maxModelLen < needed) {
    out.push(problem('vllm.maxModelLen', c.vllm.maxModelLen, `must be >= prefixLen + suffixLen + chat template (${promptTokens}) + outputLen (${c.benchmark.outputLen}) = ${needed}, or every benchmark request fails`));
  }
  if (c.vllm.maxModelLen > model.maxPositionEmbeddings) {
    out.push(problem('vllm.maxModelLen', c.vllm.maxModelLen, `must be <= ${model.maxPositionEmbeddings}, the model's max_position_embeddings`));
  }
  return out;
};

const vllm: Check = (c) => {
  const out: string[] = [];
  if (c.vllm.port === c.vllm.kvEventsPort) {
    out.push(problem('vllm.kvEventsPort', c.vllm.kvEventsPort, `must differ from vllm.port (${c.vllm.port})`));
  }
  if (c.vllm.maxNumBatchedTokens < c.vllm.maxNumSeqs) {
    out.push(problem('vllm.maxNumBatchedTokens', c.vllm.maxNumBatchedTokens, `must be >= vllm.maxNumSeqs (${c.vllm.maxNumSeqs}); vLLM rejects it otherwise`));
  }
  if (c.vllm.maxNumBatchedTokens < c.vllm.blockSize) {
    out.push(problem('vllm.maxNumBatchedTokens', c.vllm.maxNumBatchedTokens, `must be >= vllm.blockSize (${c.vllm.blockSize})`));
  }
  return out;
};

const router: Check = (c) => {
  const out: string[] = [];
  if (c.router.scorers.prefixCache <= 0) {
    out.push(problem('router.scorers.prefixCache', c.router.scorers.prefixCache, 'must be > 0: without it the llm-d path is not prefix-aware and the A/B compares nothing'));
  }
  return out;
};

const benchmark: Check = (c) => {
  const out: string[] = [];
  const b = c.benchmark;
  const multiple = (key: string, n: number) => {
    if (n < b.numPrefixes || n % b.numPrefixes !== 0) {
      out.push(problem(key, n, `must be a multiple of benchmark.numPrefixes (${b.numPrefixes}): vllm bench serve makes num_prompts // num_prefixes prompts per prefix`));
    }
  };
  multiple('benchmark.numPrompts', b.numPrompts);
  multiple('benchmark.ladderNumPrompts', b.ladderNumPrompts);
  multiple('benchmark.warmupNumPrompts', b.warmupNumPrompts);
  for (let i = 1; i < b.ladderRates.length; i++) {
    if (b.ladderRates[i] <= b.ladderRates[i - 1]) {
      out.push(problem('benchmark.ladderRates', b.ladderRates, 'must be strictly ascending'));
      break;
    }
  }
  return out;
};

/** Every cross-field check, in the order their problems are reported. */
export const CHECKS: readonly Check[] = [region, network, cluster, nodes, modelStore, modelFits, vllm, router, benchmark];

export function crossChecks(config: BenchConfig): string[] {
  return CHECKS.flatMap((check) => check(config));
}
