/**
 * Issue 10: the FSx capacity and throughput tier, the loader Job's deadline and disk, and the vLLM
 * startup budget are sized from the model's weight bytes, not from the reference model. Each model is
 * compared with Qwen2.5-7B on the same fleet (same replicas, same nodes), so only the weights differ;
 * the numbers are checked on the rendered objects (the PV, the loader Job, the decode Deployment), with
 * the arithmetic written out. Synth-free: config + three charts per case.
 */
import { join } from 'node:path';
import { App } from 'cdk8s';
import { type BenchConfig, defaultConfig, loadConfig, modelFacts } from '../../lib/config';
import { modelWeightBytes } from '../../lib/config/fit';
import { FSX_HEADROOM_GIB, fsxThroughputMBps, TARGET_COLD_LOAD_SECONDS } from '../../lib/config/model-store-sizing';
import { VllmDecodeChart } from '../../k8s/charts/vllm-decode-chart';
import { LoaderChart } from '../../k8s/model-store/loader-chart';
import { LOADER_SCRATCH_GIB } from '../../k8s/model-store/loader-job';
import { ModelStoreChart } from '../../k8s/model-store/model-store-chart';
import { sharedNames } from '../../k8s/names';
import { type K8sObject, RENDER_PLACEHOLDERS } from '../../k8s/render';

const GiB = 1024 ** 3;
const LLAMA_2_13B = join(__dirname, '..', 'fixtures', 'models', 'llama-2-13b.config.json');
const P4DE_TP4 = { 'gpuNodes.instanceType': 'p4de.24xlarge', 'gpuNodes.count': '1', 'vllm.tensorParallelSize': '4' };
const G6E_X8 = { 'gpuNodes.instanceType': 'g6e.xlarge', 'benchmark.prefixLen': '1024' };

/** What the tests read of one configuration: the config and its three rendered sizing points. */
interface Sized {
  readonly config: BenchConfig;
  readonly weights: number;
  readonly capacityGiB: number;
  readonly tier: number;
  /** PV capacity as rendered (what Kubernetes binds against). */
  readonly pvStorage: string;
  readonly loaderDeadline: number;
  readonly loaderScratch: string;
  /** periodSeconds x failureThreshold of the decode container's startup probe. */
  readonly startupBudget: number;
}

function sized(config: BenchConfig): Sized {
  const n = sharedNames(config);
  const app = new App();
  const store = new ModelStoreChart(app, 'm', { config, ...RENDER_PLACEHOLDERS }).toJson() as K8sObject[];
  const job = (new LoaderChart(app, 'l', { config }).toJson() as K8sObject[]).find((o) => o.kind === 'Job')!;
  const decode = (new VllmDecodeChart(app, 'v', { config }).toJson() as K8sObject[]).find((o) => o.kind === 'Deployment' && o.metadata.name === n.decodeDeployment)!;
  const vllm = decode.spec.template.spec.containers.find((c: { name: string }) => c.name === 'vllm');
  const pv = store.find((o) => o.kind === 'PersistentVolume' && o.metadata.name === n.modelsPvReadWrite)!;
  return {
    config,
    weights: modelWeightBytes(modelFacts(config)),
    capacityGiB: config.modelStore.storageCapacityGiB,
    tier: config.modelStore.perUnitStorageThroughput,
    pvStorage: pv.spec.capacity.storage,
    loaderDeadline: job.spec.activeDeadlineSeconds,
    loaderScratch: job.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'scratch').emptyDir.sizeLimit,
    startupBudget: vllm.startupProbe.periodSeconds * vllm.startupProbe.failureThreshold,
  };
}

/** Aggregate MB/s of the configured file system. */
const fsxMBps = (s: Sized) => fsxThroughputMBps(s.config.modelStore.deploymentType, s.capacityGiB, s.tier);

const reference = sized(defaultConfig());
const qwenP4de = sized(loadConfig(P4DE_TP4));
const llama70P4de = sized(loadConfig({ ...P4DE_TP4, 'model.id': 'meta-llama/Llama-3.1-70B-Instruct' }));
const llama70Fleet = sized(loadConfig({ ...P4DE_TP4, 'gpuNodes.count': '4', 'model.id': 'meta-llama/Llama-3.1-70B-Instruct' }));
const qwenFleet = sized(loadConfig({ ...P4DE_TP4, 'gpuNodes.count': '4' }));
const qwenG6e = sized(loadConfig(G6E_X8));
const file13bG6e = sized(loadConfig({ ...G6E_X8, 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': LLAMA_2_13B, 'model.revision': 'main' }));
const file13bP4de = sized(loadConfig({ ...P4DE_TP4, 'model.id': 'meta-llama/Llama-2-13b-hf', 'model.configFile': LLAMA_2_13B, 'model.revision': 'main' }));
const file70bP4de = sized(loadConfig({ ...P4DE_TP4, 'model.id': 'example/dense-70b', 'model.configFile': LLAMA_2_13B, 'model.revision': 'main', 'model.parameterCount': '70000000000' }));

describe('the weight bytes each configuration sizes from', () => {
  test('Qwen2.5-7B 15.2 GB, Llama-3.1-70B 141.1 GB, a config.json its own count (or model.parameterCount) x 2 bytes', () => {
    expect(reference.weights).toBe(15_232_000_000);
    expect(llama70P4de.weights).toBe(141_107_412_992);
    expect(file13bP4de.weights).toBe(2 * 13_015_864_320);
    expect(file70bP4de.weights).toBe(140e9);
    // Same fleet in each comparison below: only the weights differ.
    expect([qwenP4de.config.vllm.replicas, llama70P4de.config.vllm.replicas, file13bP4de.config.vllm.replicas, file70bP4de.config.vllm.replicas]).toEqual([2, 2, 2, 2]);
    expect([qwenFleet.config.vllm.replicas, llama70Fleet.config.vllm.replicas]).toEqual([8, 8]);
    expect([qwenG6e.config.vllm.replicas, file13bG6e.config.vllm.replicas]).toEqual([8, 8]);
  });
});

describe('FSx capacity and throughput tier', () => {
  test('the reference is unchanged: 1200 GiB at 250 MB/s/TiB', () => {
    expect([reference.capacityGiB, reference.tier, reference.pvStorage]).toEqual([1200, 250, '1200Gi']);
  });

  test('Llama-3.1-70B on 2 replicas needs 500 MB/s/TiB where Qwen2.5-7B needs 250 (2 x 141.1 GB in 10 min = 470 MB/s)', () => {
    expect([qwenP4de.capacityGiB, qwenP4de.tier]).toEqual([1200, 250]);
    expect([llama70P4de.capacityGiB, llama70P4de.tier]).toEqual([1200, 500]);
    // The arithmetic: 1200 GiB at 250 MB/s/TiB reads 293 MB/s, short of 470; at 500, 586 MB/s.
    const need = (2 * llama70P4de.weights) / 1e6 / TARGET_COLD_LOAD_SECONDS;
    expect(need).toBeCloseTo(470.4, 1);
    expect(fsxThroughputMBps('PERSISTENT_2', 1200, 250)).toBeLessThan(need);
    expect(fsxMBps(llama70P4de)).toBeGreaterThanOrEqual(need);
  });

  test('Llama-3.1-70B on 8 replicas outgrows 1200 GiB (8 x 141.1 GB in 10 min = 1881 MB/s); Qwen2.5-7B stays at 1200 GiB / 250', () => {
    expect([qwenFleet.capacityGiB, qwenFleet.tier, qwenFleet.pvStorage]).toEqual([1200, 250, '1200Gi']);
    expect(llama70Fleet.capacityGiB).toBeGreaterThan(1200);
    expect(llama70Fleet.pvStorage).toBe(`${llama70Fleet.capacityGiB}Gi`);
    expect([llama70Fleet.capacityGiB, llama70Fleet.tier]).toEqual([2400, 1000]);
    expect(fsxMBps(llama70Fleet)).toBeGreaterThanOrEqual((8 * llama70Fleet.weights) / 1e6 / TARGET_COLD_LOAD_SECONDS);
  });

  test('every file system holds two copies of its weights plus headroom (a new revision downloads next to the old)', () => {
    for (const s of [reference, qwenP4de, llama70P4de, llama70Fleet, file13bG6e, file70bP4de]) {
      expect(s.capacityGiB).toBeGreaterThanOrEqual((2 * s.weights) / GiB + FSX_HEADROOM_GIB);
    }
  });

  test('a model.configFile model is sized from its own parameters: 13B on 8 g6e.xlarge needs 500 where Qwen2.5-7B needs 250', () => {
    expect([qwenG6e.capacityGiB, qwenG6e.tier]).toEqual([1200, 250]);
    expect([file13bG6e.capacityGiB, file13bG6e.tier]).toEqual([1200, 500]);
    // model.parameterCount = 70e9 with the same config.json: the 70B tier, like Llama-3.1-70B.
    expect([file13bP4de.tier, file70bP4de.tier]).toEqual([250, 500]);
  });
});

describe('the loader Job', () => {
  test('deadline: the weights at 10 MB/s plus 30 minutes, never under 2 hours', () => {
    expect(reference.loaderDeadline).toBe(7200); // 15.2 GB: 1523 s + 1800 s < 2 h
    expect(qwenP4de.loaderDeadline).toBe(7200);
    expect(file13bP4de.loaderDeadline).toBe(7200); // 26.0 GB: 2603 s + 1800 s < 2 h
    expect(llama70P4de.loaderDeadline).toBe(Math.ceil(141_107_412_992 / 1e7 + 1800)); // 15911 s, 4.4 h
    expect(llama70P4de.loaderDeadline).toBe(15_911);
    expect(file70bP4de.loaderDeadline).toBe(140e9 / 1e7 + 1800); // 15800 s
  });

  test('disk: the weights go to FSx (sized above); scratch holds no weights, so it does not grow with the model', () => {
    expect(llama70P4de.loaderScratch).toBe(`${LOADER_SCRATCH_GIB}Gi`);
    expect(llama70P4de.loaderScratch).toBe(reference.loaderScratch);
    expect(LOADER_SCRATCH_GIB * GiB).toBeLessThan(llama70P4de.weights);
  });
});

describe('the vLLM startup probe', () => {
  test('the reference: 2 x (8 x 15.2 GB at 293 MB/s) + 300 s warm-up = 1132 s, 1140 s in 10 s probe periods', () => {
    const coldLoad = (8 * reference.weights) / (fsxMBps(reference) * 1e6);
    expect(coldLoad).toBeCloseTo(415.9, 1);
    expect(reference.startupBudget).toBe(10 * Math.ceil(Math.ceil(2 * coldLoad + 300) / 10)); // 1140 s
    expect(reference.startupBudget).toBe(1140);
  });

  test('Llama-3.1-70B waits longer than Qwen2.5-7B on the same fleet: 2 x (2 x 141.1 GB at 586 MB/s) + 300 s', () => {
    expect(qwenP4de.startupBudget).toBe(900); // 2 x 104 s + 300 s is under the 15-minute floor
    const coldLoad = (2 * llama70P4de.weights) / (fsxMBps(llama70P4de) * 1e6);
    expect(coldLoad).toBeCloseTo(481.6, 1);
    expect(llama70P4de.startupBudget).toBe(10 * Math.ceil(Math.ceil(2 * coldLoad + 300) / 10)); // 1270 s
    expect(llama70P4de.startupBudget).toBeGreaterThan(qwenP4de.startupBudget);
  });

  test('a model.configFile model too: 70e9 parameters wait longer than the 13B config on the same fleet', () => {
    expect(file13bP4de.startupBudget).toBe(900);
    expect(file70bP4de.startupBudget).toBeGreaterThan(file13bP4de.startupBudget);
  });

  test('the budget follows the file system the weights got: every case waits out 2 x its cold load + 300 s', () => {
    // A bigger model can wait less when its sizing bought a faster tier (13B on 8 g6e.xlarge reads at
    // 586 MB/s, Qwen2.5-7B at 293): the budget is the load time, not the bytes alone.
    for (const s of [reference, qwenP4de, llama70P4de, llama70Fleet, qwenG6e, file13bG6e, file13bP4de, file70bP4de]) {
      const coldLoad = (s.config.vllm.replicas * s.weights) / (fsxMBps(s) * 1e6);
      expect([s.config.model.id, s.startupBudget >= Math.max(900, 2 * coldLoad + 300)]).toEqual([s.config.model.id, true]);
    }
  });
});
