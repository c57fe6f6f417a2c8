/**
 * Defaults that follow other keys. Applied to the raw input before validation, and only to keys the
 * input leaves unset; a value given explicitly is kept (and checked). Each derivation reproduces the
 * schema default for the reference run, so the default config is unchanged:
 *
 * - `vllm.replicas` = gpuNodes.count x GPUs per instance / vllm.tensorParallelSize (8 x 1 / 1);
 * - `vllm.cpuRequest`, `memoryRequestGiB`, `memoryLimitGiB`: the node's share per replica (3, 10, 13 on
 *   a g5.xlarge; lib/config/pod-sizing.ts);
 * - `model.revision`: the registry row's pinned revision of `model.id`, "main" for a model without a
 *   row (model.configFile);
 * - `modelStore.storageCapacityGiB`, `perUnitStorageThroughput`: sized from the weight bytes
 *   (1200 GiB / 250 MB/s/TiB for the reference; lib/config/model-store-sizing.ts);
 * - `aws.availabilityZones`, `aws.gpuAvailabilityZone`: from the region's row when aws.region (or the
 *   AZs) are given.
 */
import { resolveModelFacts } from './model-config';
import { fsxSizing } from './model-store-sizing';
import { defaultDecodePodResources } from './pod-sizing';
import { awsSchema } from './sections/aws';
import { modelSchema } from './sections/model';
import { modelStoreSchema } from './sections/model-store';
import { gpuNodesSchema } from './sections/nodes';
import { TENSOR_PARALLEL_SIZES } from './fit';
import { INSTANCE_TYPES, instanceFamily } from './tables/instances';
import { MODELS } from './tables/models';
import { REGIONS, zoneOffers } from './tables/regions';

type Obj = Record<string, unknown>;

const section = (root: Obj, key: string): Obj | undefined => {
  const v = root[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
};

/** The value of one key as the schema would validate it, or undefined when it is missing or invalid. */
function valid<T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, value: unknown): T | undefined {
  const r = schema.safeParse(value ?? {});
  return r.success ? r.data : undefined;
}

/** The first zone known to offer the family, else the first zone. */
function gpuZoneOf(region: string, zones: readonly string[], family: string): string | undefined {
  return zones.find((z) => zoneOffers(region, z, family) !== false) ?? zones[0];
}

export function withDerivedDefaults(input: unknown): unknown {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) return input;
  const root: Obj = { ...((input ?? {}) as Obj) };
  const set = (sec: string, values: Obj) => {
    const current = root[sec];
    if (current !== undefined && (current === null || typeof current !== 'object' || Array.isArray(current))) return;
    root[sec] = { ...((current ?? {}) as Obj), ...values };
  };
  const given = (sec: string, key: string) => section(root, sec)?.[key] !== undefined;

  const gpuNodes = valid(gpuNodesSchema, root.gpuNodes);
  const instance = gpuNodes ? INSTANCE_TYPES[gpuNodes.instanceType] : undefined;
  const tpGiven = section(root, 'vllm')?.tensorParallelSize;
  const tp = tpGiven === undefined ? 1 : (TENSOR_PARALLEL_SIZES as readonly unknown[]).includes(tpGiven) ? tpGiven as number : NaN;
  const perNode = instance && instance.gpus > 0 && instance.gpus % tp === 0 ? instance.gpus / tp : undefined;

  const vllmDerived: Obj = {};
  if (gpuNodes && perNode !== undefined && !given('vllm', 'replicas')) vllmDerived.replicas = gpuNodes.count * perNode;
  if (instance && perNode !== undefined) {
    const r = defaultDecodePodResources(instance, perNode);
    if (!given('vllm', 'cpuRequest')) vllmDerived.cpuRequest = r.cpuRequest;
    if (!given('vllm', 'memoryRequestGiB')) vllmDerived.memoryRequestGiB = r.memoryRequestGiB;
    if (!given('vllm', 'memoryLimitGiB')) vllmDerived.memoryLimitGiB = r.memoryLimitGiB;
  }
  if (Object.keys(vllmDerived).length > 0) set('vllm', vllmDerived);

  const model = valid(modelSchema, root.model);
  let weights: number | undefined;
  if (model) {
    // A model without a registry row (model.configFile) gets "main": the schema default is the Qwen
    // pin, a commit of another repository. A revision given explicitly is kept (and checked).
    const revision = MODELS[model.id] ? MODELS[model.id].defaultRevision : 'main';
    if (revision && !given('model', 'revision')) set('model', { revision });
    try {
      const facts = resolveModelFacts(model);
      if (facts) weights = facts.parameters * facts.dtypeBytes;
    } catch {
      // A config file that cannot be modelled: the checks report it; nothing is derived from it.
    }
  }
  const store = valid(modelStoreSchema, root.modelStore);
  const replicas = (section(root, 'vllm')?.replicas as number | undefined) ?? (gpuNodes && perNode !== undefined ? gpuNodes.count * perNode : undefined);
  if (weights !== undefined && store && typeof replicas === 'number' && replicas > 0) {
    const sized = fsxSizing(weights, replicas, store.deploymentType);
    const fsx: Obj = {};
    if (!given('modelStore', 'storageCapacityGiB')) fsx.storageCapacityGiB = sized.storageCapacityGiB;
    if (!given('modelStore', 'perUnitStorageThroughput')) fsx.perUnitStorageThroughput = sized.perUnitStorageThroughput;
    if (Object.keys(fsx).length > 0) set('modelStore', fsx);
  }

  const aws = valid(awsSchema, root.aws);
  const regionRow = aws ? REGIONS[aws.region] : undefined;
  if (aws && regionRow && gpuNodes && (given('aws', 'region') || given('aws', 'availabilityZones'))) {
    const family = instanceFamily(gpuNodes.instanceType);
    const derived: Obj = {};
    let gpuAz = aws.gpuAvailabilityZone;
    if (!given('aws', 'gpuAvailabilityZone')) {
      const pool = given('aws', 'availabilityZones') ? aws.availabilityZones : regionRow.zones;
      gpuAz = gpuZoneOf(aws.region, pool, family) ?? gpuAz;
      derived.gpuAvailabilityZone = gpuAz;
    }
    if (!given('aws', 'availabilityZones')) {
      const other = regionRow.zones.find((z) => z !== gpuAz);
      derived.availabilityZones = other === undefined ? [gpuAz] : [gpuAz, other].sort();
    }
    set('aws', derived);
  }
  return root;
}
