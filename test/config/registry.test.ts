/**
 * The hardware registry (lib/config/tables) and what flows from it: every row complete and sourced,
 * parameter counts reproducing the safetensors totals, `model.configFile` for any dense model (MoE and
 * friends refused), derived defaults, offering knowledge as warnings, quota arithmetic.
 */
import { join } from 'node:path';
import { ConfigError, configWarnings, loadConfig, modelFacts } from '../../lib/config';
import { countParameters, modelFactsFromHfConfig, ModelConfigError, readModelConfigFile } from '../../lib/config/model-config';
import { fsxSizing } from '../../lib/config/model-store-sizing';
import { quotaNeeds } from '../../lib/config/quota-needs';
import { GPUS, hasFp8 } from '../../lib/config/tables/gpus';
import { GPU_INSTANCE_TYPES, INSTANCE_TYPES, instanceFamily } from '../../lib/config/tables/instances';
import { MODELS, weightBytes } from '../../lib/config/tables/models';
import { EC2_VCPU_QUOTAS } from '../../lib/config/tables/quotas';
import { isZoneOfRegion, REGIONS } from '../../lib/config/tables/regions';
import { ec2HourlyPrice, servicePrices } from '../../lib/config/tables/prices';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const problemsOf = (ctx: Record<string, unknown>): string[] => {
  try {
    loadConfig(ctx);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
};

describe('GPU and instance tables', () => {
  test('the issue\'s GPUs and instance families are all there, with a verified EC2 instance for B200', () => {
    expect(Object.keys(GPUS)).toEqual(['A10G', 'L4', 'L40S', 'A100-40GB', 'A100-80GB', 'H100', 'H200', 'B200']);
    const families = new Set(GPU_INSTANCE_TYPES.map(instanceFamily));
    expect([...families]).toEqual(['g5', 'g6', 'g6e', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200']);
    for (const t of ['g5.xlarge', 'g5.48xlarge', 'g6e.12xlarge', 'g6e.48xlarge', 'p4d.24xlarge', 'p4de.24xlarge', 'p5.48xlarge', 'p5e.48xlarge', 'p5en.48xlarge', 'p6-b200.48xlarge']) {
      expect([t, t in INSTANCE_TYPES]).toEqual([t, true]);
    }
  });

  test('every GPU row is complete and sourced; fp8 only where the tensor cores have it', () => {
    for (const [name, g] of Object.entries(GPUS)) {
      for (const v of [g.memoryGB, g.usableMemoryGiB, g.memoryBandwidthGBs, g.bf16Tflops, g.l2CacheMiB, g.link.peakGBs, g.link.allReduceBusGBs, g.link.hopLatencyUs]) expect([name, v > 0]).toEqual([name, true]);
      expect([name, g.usableMemoryGiB <= g.memoryGB]).toEqual([name, true]);
      expect([name, g.sources.some((s) => s.includes(`${g.l2CacheMiB} MB L2`))]).toEqual([name, true]);
      // A ring all-reduce cannot move more than the wire carries (NVLS busbw is not wire bandwidth: nccl-tests issue 212).
      expect([name, g.link.allReduceBusGBs <= g.link.peakGBs]).toEqual([name, true]);
      expect([name, hasFp8(g)]).toEqual([name, g.architecture !== 'ampere']);
      // Dense fp8 is twice dense bf16 on every generation that has it (L40S: 733 vs 362).
      if (g.fp8Tflops !== undefined) expect([name, Math.abs(g.fp8Tflops / (2 * g.bf16Tflops) - 1) < 0.02]).toEqual([name, true]);
      expect(g.sources.length).toBeGreaterThan(0);
      // NVLink (NVSwitch) GPUs only sit in P instances, PCIe ones only in G instances here.
      const hosts = GPU_INSTANCE_TYPES.filter((t) => INSTANCE_TYPES[t].gpuModel === name);
      expect([name, hosts.length > 0]).toEqual([name, true]);
      for (const t of hosts) expect([t, INSTANCE_TYPES[t].quotaFamily]).toEqual([t, g.link.kind === 'nvlink' ? 'P' : 'G and VT']);
    }
  });

  test('every instance row names a known GPU, sensible sizes and a quota family with codes', () => {
    for (const [t, f] of Object.entries(INSTANCE_TYPES)) {
      expect([t, f.vcpu > 0 && f.memoryGiB > 0 && f.baselineNetworkGbps > 0]).toEqual([t, true]);
      if (f.gpus > 0) {
        expect([t, f.gpuModel! in GPUS]).toEqual([t, true]);
        expect([t, [1, 4, 8].includes(f.gpus)]).toEqual([t, true]);
        expect([t, f.gpuInterconnect]).toEqual([t, f.gpus > 1 && GPUS[f.gpuModel!].link.kind === 'nvlink' ? 'nvswitch' : 'pcie']);
      } else {
        expect([t, f.quotaFamily]).toEqual([t, 'Standard']);
      }
      expect(EC2_VCPU_QUOTAS[f.quotaFamily].onDemand.code).toMatch(/^L-[0-9A-F]{8}$/);
    }
    expect(EC2_VCPU_QUOTAS['G and VT'].onDemand).toEqual({ name: 'Running On-Demand G and VT instances', code: 'L-DB2E81BA' });
    expect(EC2_VCPU_QUOTAS.P.onDemand).toEqual({ name: 'Running On-Demand P instances', code: 'L-417A185B' });
  });

  test('every registry row carries a non-empty source: GPU, instance, model, region, price', () => {
    const sourced = (what: string, sources: readonly string[] | string | undefined) => {
      const list = typeof sources === 'string' ? [sources] : sources ?? [];
      expect([what, list.length > 0 && list.every((x) => x.trim() !== '')]).toEqual([what, true]);
    };
    for (const [name, g] of Object.entries(GPUS)) sourced(`GPU ${name}`, g.sources);
    // every instance row, g6/g6e, p4de, p5.4xlarge and p6-b200 included (a row of an unlisted family gets none)
    for (const [t, f] of Object.entries(INSTANCE_TYPES)) {
      sourced(`instance ${t}`, f.sources);
      // the facts every row has come from DescribeInstanceTypes (karpenter's generated table); a P row's NVSwitch from its GPU
      expect([t, f.sources.some((x) => /DescribeInstanceTypes/.test(x))]).toEqual([t, true]);
      if (f.gpuInterconnect === 'nvswitch') expect([t, f.sources.some((x) => /nvswitch/.test(x))]).toEqual([t, true]);
    }
    for (const [id, m] of Object.entries(MODELS)) sourced(`model ${id}`, m.sources);
    for (const [region, r] of Object.entries(REGIONS)) {
      sourced(`region ${region}`, r.sources);
      if (r.gpuFamilies) sourced(`region ${region} GPU families`, r.gpuFamiliesSource);
      if (r.zoneOfferings) sourced(`region ${region} zone offerings`, r.zoneOfferings.source);
      // every instance type is priced in every region, each price saying where it comes from
      for (const t of Object.keys(INSTANCE_TYPES)) sourced(`price ${t} ${region}`, ec2HourlyPrice(t, region)?.source);
      sourced(`service prices ${region}`, servicePrices(region).note);
    }
  });

  test('regions: the seven of the issue with well-formed AZ names', () => {
    expect(Object.keys(REGIONS)).toEqual(['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-2']);
    for (const [region, row] of Object.entries(REGIONS)) {
      expect(row.zones.length).toBeGreaterThanOrEqual(3);
      for (const z of row.zones) expect([z, isZoneOfRegion(z, region)]).toEqual([z, true]);
    }
  });
});

describe('models', () => {
  test('countParameters reproduces every row\'s safetensors total (the architecture numbers are right)', () => {
    for (const [id, m] of Object.entries(MODELS)) {
      const counted = countParameters(m);
      if (id === 'Qwen/Qwen2.5-7B-Instruct') expect(counted).toBe(7_615_616_512); // the row keeps the reference's 7.616e9
      else expect([id, counted]).toEqual([id, m.parameters]);
      expect([id, m.numAttentionHeads % m.numKeyValueHeads]).toEqual([id, 0]);
      expect(m.chatTemplateLeadingTokens).toBeLessThanOrEqual(m.chatTemplateOverheadTokens);
    }
    expect(weightBytes(MODELS['meta-llama/Llama-3.1-70B-Instruct'])).toBe(141_107_412_992);
  });

  test('a config.json gives the same facts as the registry row (Qwen3-8B)', () => {
    const fromFile = readModelConfigFile(join(FIXTURES, 'qwen3-8b.config.json'));
    const row = MODELS['Qwen/Qwen3-8B'];
    for (const k of ['numLayers', 'hiddenSize', 'numAttentionHeads', 'numKeyValueHeads', 'headDim', 'intermediateSize', 'vocabSize', 'parameters', 'dtypeBytes', 'tiedEmbeddings', 'maxPositionEmbeddings', 'qkNorm'] as const) {
      expect([k, fromFile[k]]).toEqual([k, row[k]]);
    }
  });

  test('-c model.configFile serves any dense model: facts, parameters, revision main unless given, FSx sized', () => {
    const file = join(FIXTURES, 'llama-2-13b.config.json');
    // No registry row, no revision given: "main" (the key's own description), not the Qwen pin.
    const derived = loadConfig({ 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': file, 'gpuNodes.instanceType': 'g6e.xlarge', 'benchmark.prefixLen': '1024' });
    expect(derived.model.revision).toBe('main');
    // The Qwen pin given explicitly for another model is still refused, naming the value the user set.
    expect(problemsOf({ 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': file, 'model.revision': 'a09a35458c702b33eeacc393d103063234e8bc28', 'gpuNodes.instanceType': 'g6e.xlarge', 'benchmark.prefixLen': '1024' }))
      .toEqual([expect.stringMatching(/^model\.revision: got "a09a3545.*"; is the pinned commit of Qwen\/Qwen2\.5-7B-Instruct, not of meta-llama\/Llama-2-13b-hf/)]);
    // Another revision given is kept.
    expect(loadConfig({ 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': file, 'model.revision': 'v1.0', 'gpuNodes.instanceType': 'g6e.xlarge', 'benchmark.prefixLen': '1024' }).model.revision).toBe('v1.0');
    const c = loadConfig({ 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': file, 'model.revision': 'main', 'gpuNodes.instanceType': 'g6e.xlarge', 'benchmark.prefixLen': '1024' });
    const m = modelFacts(c);
    expect(m).toMatchObject({ numLayers: 40, numKeyValueHeads: 40, headDim: 128, parameters: 13_015_864_320, dtypeBytes: 2, chatTemplateOverheadTokens: 0 });
    expect(loadConfig({ 'model.id': 'x/y', 'model.configFile': file, 'model.revision': 'main', 'model.parameterCount': '13000000000', 'gpuNodes.instanceType': 'g6e.xlarge', 'benchmark.prefixLen': '1024' }).model.parameterCount).toBe(13e9);
    // 13 B fp16 = 26 GB: too much for one A10G, with the arithmetic.
    expect(problemsOf({ 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': file, 'model.revision': 'main', 'benchmark.prefixLen': '1024' }).join('\n'))
      .toMatch(/Llama-2-13b-hf bf16 needs 26\.0 GB of weights .*g5\.xlarge TP=1 has 20\.2 GiB usable/);
  });

  test('mixture-of-experts, multimodal, quantized, sliding-window and malformed configs are refused, saying why', () => {
    expect(problemsOf({ 'model.id': 'mistralai/Mixtral-8x7B-v0.1', 'model.revision': 'main', 'model.configFile': join(FIXTURES, 'mixtral-8x7b.config.json') }))
      .toEqual([expect.stringMatching(/^model\.configFile: got ".*mixtral-8x7b\.config\.json"; .* describes a mixture-of-experts model \(num_local_experts, num_experts_per_tok\); only dense decoder-only models are modelled/)]);
    const base = JSON.parse(require('node:fs').readFileSync(join(FIXTURES, 'qwen3-8b.config.json'), 'utf8'));
    const refused = (patch: Record<string, unknown>) => () => modelFactsFromHfConfig({ ...base, ...patch }, 'config.json');
    expect(refused({ num_experts: 128, moe_intermediate_size: 768 })).toThrow(/mixture-of-experts/);
    expect(refused({ architectures: ['Qwen3MoeForCausalLM'] })).toThrow(/mixture-of-experts/);
    expect(refused({ text_config: {}, architectures: ['Qwen2_5_VLForConditionalGeneration'] })).toThrow(/multimodal/);
    expect(refused({ is_encoder_decoder: true })).toThrow(/encoder-decoder/);
    expect(refused({ architectures: ['BertModel'] })).toThrow(/expected exactly one \*ForCausalLM/);
    expect(refused({ quantization_config: { quant_method: 'awq' } })).toThrow(/quantized/);
    expect(refused({ sliding_window: 4096, use_sliding_window: true })).toThrow(/sliding-window/);
    expect(refused({ layer_types: ['full_attention', 'sliding_attention'] })).toThrow(/sliding-window or linear/);
    expect(refused({ hidden_size: undefined })).toThrow(/lacks positive integer hidden_size/);
    expect(refused({ torch_dtype: 'float8_e4m3fn' })).toThrow(ModelConfigError);
    expect(() => modelFactsFromHfConfig([], 'config.json')).toThrow(/not a JSON object/);
    // Qwen2's config carries sliding_window with use_sliding_window false: full attention, accepted.
    expect(modelFactsFromHfConfig({ ...base, sliding_window: 131072, use_sliding_window: false }, 'config.json').numLayers).toBe(36);
  });
});

describe('derived defaults (unset keys follow the registry; the reference is unchanged)', () => {
  test('replicas, pod resources, revision and FSx follow the GPU node, TP and the model', () => {
    const c = loadConfig({ 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' });
    expect(c.vllm).toMatchObject({ replicas: 8, cpuRequest: 43, memoryRequestGiB: 383, memoryLimitGiB: 511 });
    expect(c.model.revision).toBe('main');
    expect(c.modelStore).toMatchObject({ storageCapacityGiB: 1200, perUnitStorageThroughput: 1000 });
    // Given values are kept (and checked).
    expect(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '1', 'vllm.cpuRequest': '4' }).vllm.cpuRequest).toBe(4);
    expect(loadConfig({ 'modelStore.perUnitStorageThroughput': '500' }).modelStore.perUnitStorageThroughput).toBe(500);
  });

  test('FSx sizing: the cheapest file system that holds two copies and reads every replica in 10 minutes', () => {
    expect(fsxSizing(15.232e9, 8, 'PERSISTENT_2')).toEqual({ storageCapacityGiB: 1200, perUnitStorageThroughput: 250 });
    expect(fsxSizing(141.1e9, 2, 'PERSISTENT_2')).toEqual({ storageCapacityGiB: 1200, perUnitStorageThroughput: 500 });
    expect(fsxSizing(141.1e9, 16, 'PERSISTENT_2')).toEqual({ storageCapacityGiB: 4800, perUnitStorageThroughput: 1000 });
    expect(fsxSizing(800e9, 1, 'PERSISTENT_2').storageCapacityGiB).toBe(2400);
    expect(fsxSizing(15.232e9, 8, 'SCRATCH_2').storageCapacityGiB).toBe(1200);
  });

  test('a region selects its AZs; the GPU AZ is one known to offer the family', () => {
    expect(loadConfig({ 'aws.region': 'eu-central-1' }).aws).toEqual({ region: 'eu-central-1', availabilityZones: ['eu-central-1a', 'eu-central-1b'], gpuAvailabilityZone: 'eu-central-1a' });
    expect(loadConfig({ 'aws.region': 'ap-northeast-1' }).aws.availabilityZones).toEqual(['ap-northeast-1a', 'ap-northeast-1c']);
    expect(loadConfig({ 'aws.region': 'us-west-2', 'aws.gpuAvailabilityZone': 'us-west-2c' }).aws.availabilityZones).toEqual(['us-west-2a', 'us-west-2c']);
    expect(loadConfig({ 'aws.region': 'us-west-2', 'aws.availabilityZones': 'us-west-2d,us-west-2b', 'gpuNodes.instanceType': 'g6e.xlarge' }).aws.gpuAvailabilityZone).toBe('us-west-2b');
    // Any other region works with the account's AZ names given.
    expect(loadConfig({ 'aws.region': 'sa-east-1', 'aws.availabilityZones': 'sa-east-1a,sa-east-1b', 'aws.gpuAvailabilityZone': 'sa-east-1a' }).aws.region).toBe('sa-east-1');
  });
});

describe('offering knowledge warns, it does not refuse (AZ names map per account)', () => {
  test('the reference and the matrix configurations have no warning', () => {
    expect(configWarnings(loadConfig({}))).toEqual([]);
    expect(configWarnings(loadConfig({ 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' }))).toEqual([]);
  });

  test('us-west-2d (g5 not seen there) is a warning naming the AZs that had it and account-check', () => {
    const c = loadConfig({ 'aws.availabilityZones': 'us-west-2a,us-west-2d', 'aws.gpuAvailabilityZone': 'us-west-2d' });
    expect(configWarnings(c)).toEqual([expect.stringMatching(/^aws\.gpuAvailabilityZone: us-west-2d did not offer g5 instances for most accounts .*AZs that did: us-west-2a, us-west-2b, us-west-2c\. .*llmd-bench account-check/)]);
    expect(configWarnings(loadConfig({ 'gpuNodes.instanceType': 'g6e.xlarge', 'aws.availabilityZones': 'us-west-2a,us-west-2c', 'aws.gpuAvailabilityZone': 'us-west-2c' }))[0]).toMatch(/us-west-2c did not offer g6e/);
  });

  test('a region-level gap, an unusual AZ letter and a region without a table are warnings too', () => {
    expect(configWarnings(loadConfig({ 'aws.region': 'us-east-1', 'gpuNodes.instanceType': 'p5e.48xlarge', 'gpuNodes.count': '1', 'model.id': 'Qwen/Qwen3-32B' })))
      .toEqual([expect.stringMatching(/^gpuNodes\.instanceType: p5e\.48xlarge is not offered On-Demand in us-east-1/)]);
    expect(configWarnings(loadConfig({ 'aws.region': 'us-east-1', 'aws.availabilityZones': 'us-east-1a,us-east-1e', 'aws.gpuAvailabilityZone': 'us-east-1a' })))
      .toEqual([expect.stringMatching(/^aws\.availabilityZones: us-east-1e is not among the AZs most accounts see/)]);
    expect(configWarnings(loadConfig({ 'aws.region': 'sa-east-1', 'aws.availabilityZones': 'sa-east-1a,sa-east-1b', 'aws.gpuAvailabilityZone': 'sa-east-1a' })))
      .toEqual([expect.stringMatching(/^aws\.region: sa-east-1 has no row in lib\/config\/tables\/regions\.ts/)]);
  });

  test('a gated model without an HF token is a warning before the loader would fail', () => {
    expect(configWarnings(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '2', 'model.id': 'meta-llama/Llama-3.1-8B-Instruct' })))
      .toEqual([expect.stringMatching(/^model\.id: meta-llama\/Llama-3\.1-8B-Instruct is gated .*modelStore\.hfTokenSecretName/)]);
    expect(configWarnings(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '2', 'model.id': 'meta-llama/Llama-3.1-8B-Instruct', 'modelStore.hfTokenSecretName': 'hf/token' }))).toEqual([]);
  });
});

test('quota arithmetic per family: GPU nodes and system nodes against their own quotas', () => {
  expect(quotaNeeds(loadConfig({}))).toEqual([
    { family: 'G and VT', purchase: 'on-demand', quotaName: 'Running On-Demand G and VT instances', quotaCode: 'L-DB2E81BA', vcpus: 32, detail: '8 x g5.xlarge (4 vCPU)' },
    { family: 'Standard', purchase: 'on-demand', quotaName: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances', quotaCode: 'L-1216C47A', vcpus: 16, detail: '2 x m6i.2xlarge (8 vCPU)' },
  ]);
  expect(quotaNeeds(loadConfig({ 'gpuNodes.instanceType': 'p4de.24xlarge', 'gpuNodes.count': '1', 'model.id': 'meta-llama/Llama-3.1-70B-Instruct', 'vllm.tensorParallelSize': '4' }))[0])
    .toMatchObject({ family: 'P', quotaCode: 'L-417A185B', vcpus: 96 });
});
