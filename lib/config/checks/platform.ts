/** Checks of the infrastructure keys: region/AZs, network, cluster, node groups, FSx. */
import { MIN_PUBLIC_ACCESS_PREFIX, parseCidr } from '../cidr';

export { MIN_PUBLIC_ACCESS_PREFIX };
import { problem } from '../problems';
import { didYouMean } from '../suggest';
import type { BenchConfig } from '../schema';
import { configSchema } from '../schema';
import { listKeys } from '../schema-walk';
import { FSX_MIN_CAPACITY_GIB, FSX_PERSISTENT_2_THROUGHPUTS } from '../model-store-sizing';
import { GENERAL_INSTANCE_TYPES, GPU_INSTANCE_TYPES, INSTANCE_TYPES, instanceFamily } from '../tables/instances';
import { EKS_VERSION_PINS, eksVersionRowProblems } from '../tables/eks-versions';
import { KUBECTL_LAYER_PACKAGES } from '../tables/kubectl-layers';
import { isZoneOfRegion, REGIONS, regionOffers, zoneOffers } from '../tables/regions';
import type { Check } from './types';

export { FSX_MIN_CAPACITY_GIB, FSX_PERSISTENT_2_THROUGHPUTS };
/** Where offering warnings send the user: the live check against the account. */
const OFFERING_AUTHORITY = 'confirm with `npx llmd-bench account-check` (or aws ec2 describe-instance-type-offerings --location-type availability-zone)';
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/.+$/;
/** EKS accepts at most this many public access CIDRs. */
export const MAX_PUBLIC_ACCESS_CIDRS = 40;

/**
 * Subnet layout of the VPC (lib/stacks/network-stack.ts builds exactly this): every private subnet is
 * 1/8 of the VPC, every public subnet 1/64 (NAT gateways only).
 */
export const PRIVATE_SUBNET_EXTRA_BITS = 3;
export const PUBLIC_SUBNET_EXTRA_BITS = 6;
/**
 * VPC addresses one node may hold: with the VPC CNI every pod and every warm ENI slot takes a VPC
 * address; the instance types of the table top out at 4 ENIs x 15 addresses (+ the primary IPs).
 */
export const VPC_ADDRESSES_PER_NODE = 64;
/** Largest gp3 volume, GiB. */
const MAX_GP3_GIB = 16384;
/** AWS reserves 5 addresses in every subnet. */
const AWS_RESERVED_PER_SUBNET = 5;

/** Nodes that land in the busiest private subnet (the GPU AZ's). */
export function nodesInGpuSubnet(c: BenchConfig): number {
  const azs = Math.max(1, c.aws.availabilityZones.length);
  return c.gpuNodes.count + (c.systemNodes.sameAzAsGpu ? c.systemNodes.count : Math.ceil(c.systemNodes.count / azs));
}

export const region: Check = (c) => {
  const out: string[] = [];
  const row = REGIONS[c.aws.region];
  const azs = c.aws.availabilityZones;
  const gpuAz = c.aws.gpuAvailabilityZone;
  const foreign = azs.filter((az) => !isZoneOfRegion(az, c.aws.region));
  if (!row && foreign.length > 0) {
    // Nothing derives AZs for a region without a row: the (us-west-2) defaults are still in place.
    return [problem('aws.region', c.aws.region, `no AZ table for this region (known: ${Object.keys(REGIONS).join(', ')}); ` +
      'give aws.availabilityZones and aws.gpuAvailabilityZone with AZ names of your account in it, or add a row to lib/config/tables/regions.ts')];
  }
  for (const az of foreign) {
    out.push(problem('aws.availabilityZones', az, `not an AZ of ${c.aws.region}; AZ names are the region plus one letter${row ? `, e.g. ${row.zones.join(', ')}` : ''}`));
  }
  if (azs.length < 2) out.push(problem('aws.availabilityZones', azs, 'EKS needs subnets in at least 2 AZs for its control plane'));
  if (new Set(azs).size !== azs.length) out.push(problem('aws.availabilityZones', azs, 'each AZ may appear once'));
  if (!azs.includes(gpuAz)) {
    out.push(problem('aws.gpuAvailabilityZone', gpuAz, `must be one of aws.availabilityZones (${azs.join(', ')})`));
  }
  return out;
};

/** What the offline tables know of regions and offerings: warnings only (AZ names map per account). */
export const regionWarnings: Check = (c) => {
  const out: string[] = [];
  const row = REGIONS[c.aws.region];
  if (!row) {
    return [`aws.region: ${c.aws.region} has no row in lib/config/tables/regions.ts; AZ names and GPU offerings are not checked offline (${OFFERING_AUTHORITY})`];
  }
  for (const az of c.aws.availabilityZones) {
    if (isZoneOfRegion(az, c.aws.region) && !row.zones.includes(az)) {
      out.push(`aws.availabilityZones: ${az} is not among the AZs most accounts see in ${c.aws.region} (${row.zones.join(', ')}); ${OFFERING_AUTHORITY}`);
    }
  }
  const type = c.gpuNodes.instanceType;
  if (!GPU_INSTANCE_TYPES.includes(type)) return out;
  const family = instanceFamily(type);
  if (regionOffers(c.aws.region, family) === false) {
    out.push(`gpuNodes.instanceType: ${type} is not offered On-Demand in ${c.aws.region} as far as ${row.gpuFamiliesSource} lists; ${OFFERING_AUTHORITY}`);
  }
  const gpuAz = c.aws.gpuAvailabilityZone;
  if (zoneOffers(c.aws.region, gpuAz, family) === false) {
    const offering = row.zones.filter((z) => zoneOffers(c.aws.region, z, family) === true);
    out.push(`aws.gpuAvailabilityZone: ${gpuAz} did not offer ${family} instances for most accounts (${row.zoneOfferings?.source}); ` +
      `AZs that did: ${offering.join(', ') || 'none known'}. AZ names map to different zones per account: ${OFFERING_AUTHORITY}`);
  }
  return out;
};

export const network: Check = (c) => {
  const out: string[] = [];
  const vpc = parseCidr(c.network.vpcCidr);
  if (!vpc) {
    out.push(problem('network.vpcCidr', c.network.vpcCidr, 'must be an IPv4 CIDR such as 10.42.0.0/16 (no host bits set)'));
  } else if (vpc.prefix < 16) {
    out.push(problem('network.vpcCidr', c.network.vpcCidr, 'prefix must be /16 or longer (the largest VPC CIDR AWS allows)'));
  } else {
    const privatePrefix = vpc.prefix + PRIVATE_SUBNET_EXTRA_BITS;
    const usable = 2 ** (32 - privatePrefix) - AWS_RESERVED_PER_SUBNET;
    const nodes = nodesInGpuSubnet(c);
    if (usable < nodes * VPC_ADDRESSES_PER_NODE) {
      out.push(problem('network.vpcCidr', c.network.vpcCidr,
        `its private subnets (/${privatePrefix}, ${usable} addresses) cannot hold the ${nodes} nodes of the GPU AZ x ${VPC_ADDRESSES_PER_NODE} VPC addresses each (the VPC CNI gives every pod and warm ENI slot an address); use a shorter prefix such as /16`));
    }
  }
  if (c.network.natGateways < 1) {
    out.push(problem('network.natGateways', c.network.natGateways, 'must be >= 1: private nodes pull images and weights through NAT'));
  } else if (c.network.natGateways > c.aws.availabilityZones.length) {
    out.push(problem('network.natGateways', c.network.natGateways, `must be at most one per AZ (${c.aws.availabilityZones.length})`));
  }
  return out;
};

export const cluster: Check = (c) => {
  const out: string[] = [];
  const version = c.cluster.kubernetesVersion;
  if (!KUBECTL_LAYER_PACKAGES[version]) {
    out.push(problem('cluster.kubernetesVersion', version, `no matching kubectl layer; allowed: ${Object.keys(KUBECTL_LAYER_PACKAGES).join(', ')}`));
  }
  const pins = EKS_VERSION_PINS[version];
  if (!pins) {
    out.push(problem('cluster.kubernetesVersion', version, `no pinned add-on and node versions (lib/config/tables/eks-versions.ts); allowed: ${Object.keys(EKS_VERSION_PINS).join(', ')}`));
  } else {
    for (const p of eksVersionRowProblems(version, pins)) out.push(problem('cluster.kubernetesVersion', version, `its row in lib/config/tables/eks-versions.ts is wrong: ${p}`));
  }
  const cidrs = c.cluster.publicAccessCidrs;
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) out.push(problem('cluster.publicAccessCidrs', cidr, 'each entry must be an IPv4 CIDR such as 203.0.113.7/32 (no host bits set)'));
    else if (parsed.prefix < MIN_PUBLIC_ACCESS_PREFIX) {
      out.push(problem('cluster.publicAccessCidrs', cidr, `/${parsed.prefix} is ${2 ** (32 - parsed.prefix)} addresses; the Kubernetes API may be opened to /${MIN_PUBLIC_ACCESS_PREFIX} or narrower ranges only (your address, e.g. 203.0.113.7/32, or your office range)`));
    }
  }
  if (new Set(cidrs).size !== cidrs.length) out.push(problem('cluster.publicAccessCidrs', cidrs, 'each CIDR may appear once'));
  if (cidrs.length > MAX_PUBLIC_ACCESS_CIDRS) out.push(problem('cluster.publicAccessCidrs', cidrs.length, `EKS accepts at most ${MAX_PUBLIC_ACCESS_CIDRS} public access CIDRs`));
  for (const key of ['adminRoleArns', 'operatorRoleArns'] as const) {
    const arns = c.cluster[key];
    for (const arn of arns) {
      const session = ASSUMED_ROLE_ARN.exec(arn);
      if (session) {
        out.push(problem(`cluster.${key}`, arn, `is an STS session ARN; give the role itself, e.g. arn:aws:iam::${session[1]}:role/${session[2]} (paths included)`));
      } else if (!ROLE_ARN.test(arn)) {
        out.push(problem(`cluster.${key}`, arn, 'each entry must be an IAM role ARN such as arn:aws:iam::123456789012:role/Admin'));
      }
    }
    if (new Set(arns).size !== arns.length) {
      out.push(problem(`cluster.${key}`, arns, 'each role may appear once (one access entry per principal)'));
    }
  }
  for (const arn of c.cluster.operatorRoleArns.filter((a) => c.cluster.adminRoleArns.includes(a))) {
    out.push(problem('cluster.operatorRoleArns', arn, 'is also in cluster.adminRoleArns; a role gets one access entry, so list it in one of the two'));
  }
  const logTypes = c.cluster.controlPlaneLogTypes;
  if (new Set(logTypes).size !== logTypes.length) out.push(problem('cluster.controlPlaneLogTypes', logTypes, 'each log type may appear once'));
  return out;
};

export const nodes: Check = (c) => {
  const out: string[] = [];
  const gpuType = c.gpuNodes.instanceType;
  const facts = INSTANCE_TYPES[gpuType];
  const tp = c.vllm.tensorParallelSize;
  if (!facts || facts.gpus === 0) {
    out.push(problem('gpuNodes.instanceType', gpuType, `not an instance type with NVIDIA GPUs; ${facts ? '' : didYouMean(gpuType, GPU_INSTANCE_TYPES)}allowed: ${GPU_INSTANCE_TYPES.join(', ')}`));
  } else if (facts.gpus % tp !== 0) {
    const fits = [1, 2, 4, 8].filter((t) => facts.gpus % t === 0);
    out.push(problem('vllm.tensorParallelSize', tp, `must divide the ${facts.gpus} GPU${facts.gpus === 1 ? '' : 's'} of a ${gpuType} (${fits.join(', ')}): a replica's GPUs must be on one node; choose an instance type with ${tp} or more GPUs (e.g. ${GPU_INSTANCE_TYPES.filter((t) => INSTANCE_TYPES[t].gpus % tp === 0).slice(0, 3).join(', ')})`));
  } else {
    const perNode = facts.gpus / tp;
    const replicas = c.gpuNodes.count * perNode;
    if (c.vllm.replicas !== replicas) {
      out.push(problem('vllm.replicas', c.vllm.replicas, tp === 1
        ? `must equal the GPUs available, gpuNodes.count (${c.gpuNodes.count}) x ${facts.gpus} GPU per ${gpuType} = ${replicas} (one decode replica per GPU)`
        : `must equal gpuNodes.count (${c.gpuNodes.count}) x ${facts.gpus} GPUs per ${gpuType} / vllm.tensorParallelSize (${tp}) = ${replicas}`));
    }
  }
  if (c.gpuNodes.diskSizeGiB < 100) {
    out.push(problem('gpuNodes.diskSizeGiB', c.gpuNodes.diskSizeGiB, 'must be >= 100 (the vLLM image alone is ~20 GiB unpacked)'));
  }
  for (const [key, size] of [['gpuNodes.diskSizeGiB', c.gpuNodes.diskSizeGiB], ['systemNodes.diskSizeGiB', c.systemNodes.diskSizeGiB]] as const) {
    if (size > MAX_GP3_GIB) out.push(problem(key, size, `must be <= ${MAX_GP3_GIB} (the largest gp3 volume)`));
  }
  const sysType = c.systemNodes.instanceType;
  if (!GENERAL_INSTANCE_TYPES.includes(sysType)) {
    out.push(problem('systemNodes.instanceType', sysType, `${INSTANCE_TYPES[sysType] ? '' : didYouMean(sysType, GENERAL_INSTANCE_TYPES)}allowed: ${GENERAL_INSTANCE_TYPES.join(', ')} (general purpose; GPUs are for the decode replicas)`));
  }
  if (c.systemNodes.diskSizeGiB < 50) {
    out.push(problem('systemNodes.diskSizeGiB', c.systemNodes.diskSizeGiB, 'must be >= 50 (the benchmark client runs the vLLM image)'));
  }
  return out;
};

export const modelStore: Check = (c) => {
  const out: string[] = [];
  const { deploymentType, storageCapacityGiB: cap, perUnitStorageThroughput: tput, modelSource, hfTokenSecretName, mountPath } = c.modelStore;
  if (!(cap === FSX_MIN_CAPACITY_GIB || (cap >= 2400 && cap % 2400 === 0))) {
    out.push(problem('modelStore.storageCapacityGiB', cap, `${deploymentType} allows ${FSX_MIN_CAPACITY_GIB}, 2400 or a multiple of 2400 GiB`));
  }
  if (deploymentType === 'PERSISTENT_2' && !FSX_PERSISTENT_2_THROUGHPUTS.includes(tput)) {
    out.push(problem('modelStore.perUnitStorageThroughput', tput, `PERSISTENT_2 allows ${FSX_PERSISTENT_2_THROUGHPUTS.join(', ')} MB/s/TiB`));
  }
  if (modelSource !== 'huggingface' && !S3_URI.test(modelSource)) {
    out.push(problem('modelStore.modelSource', modelSource, 'must be "huggingface" or an s3://bucket/prefix URI (lower-case bucket name)'));
  }
  if (modelSource !== 'huggingface' && deploymentType !== 'PERSISTENT_2') {
    out.push(problem('modelStore.deploymentType', deploymentType, 'an s3:// model source needs PERSISTENT_2 (data repository associations)'));
  }
  if (hfTokenSecretName !== undefined && modelSource !== 'huggingface') {
    out.push(problem('modelStore.hfTokenSecretName', hfTokenSecretName, 'only used with modelStore.modelSource "huggingface"; remove it'));
  }
  const normalized = mountPath.replace(/\/+$/, '');
  if (normalized === '' || normalized.split('/').some((part) => part === '.' || part === '..')) {
    out.push(problem('modelStore.mountPath', mountPath, 'must be a directory below / without "." or ".." parts, such as /models'));
  } else if (['/', '/bin', '/dev', '/etc', '/lib', '/proc', '/root', '/sys', '/tmp', '/usr', '/var'].some((p) => normalized === p || normalized.startsWith(`${p}/`))) {
    out.push(problem('modelStore.mountPath', mountPath, 'must not shadow a system directory of the container image; use e.g. /models'));
  }
  return out;
};

/** The default model and the Hub commit pinned for it (read from the schema, not repeated here). */
const DEFAULT_MODEL = (() => {
  const keys = listKeys(configSchema);
  const of = (k: string) => keys.find((x) => x.key === k)?.defaultValue as string | undefined;
  return { id: of('model.id'), revision: of('model.revision') };
})();

export const modelRevision: Check = (c) => {
  // A commit sha belongs to one repository: the Qwen pin would make the loader fail for another model.
  // Unset, the revision follows model.id (derived-defaults.ts), so this is a value the user gave.
  if (c.model.id !== DEFAULT_MODEL.id && c.model.revision === DEFAULT_MODEL.revision && c.modelStore.modelSource === 'huggingface') {
    return [problem('model.revision', c.model.revision, `is the pinned commit of ${DEFAULT_MODEL.id}, not of ${c.model.id}; give a commit sha of ${c.model.id} (or "main")`)];
  }
  return [];
};

export const PLATFORM_CHECKS: readonly Check[] = [region, network, cluster, nodes, modelStore, modelRevision];
export const PLATFORM_WARNINGS: readonly Check[] = [regionWarnings];
