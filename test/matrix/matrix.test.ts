/**
 * Issue 10's matrix, offline: every row is loaded, rendered (every chart), schema-validated, checked
 * for the wiring invariants, synthesized (CDK, cdk-nag on) and simulated (both paths). The first row is
 * the default config, whose templates and manifests the snapshot tests keep byte-identical; it is
 * rendered and simulated here, not synthesized again. The refused rows exit 2 with the arithmetic.
 *
 * Cost: one schema-validator process for all rows, one in-process synth per non-default row, a small
 * workload (900 prompts) per simulation, two child processes for the exit codes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, fitInput, loadConfig, type BenchConfig } from '../../lib/config';
import { checkFit, kvBlocksPerReplica } from '../../lib/config/fit';
import { decodePodShare, decodeShmGiB } from '../../lib/config/pod-sizing';
import { INSTANCE_TYPES } from '../../lib/config/tables/instances';
import { decodePodLabels, matchesLabels, renderPodLabels } from '../../k8s/labels';
import { sharedNames } from '../../k8s/names';
import { allObjects, type K8sObject, renderCharts } from '../../k8s/render';
import { PLUGIN_TYPES } from '../../k8s/router/endpoint-picker-config';
import { eppConfigProblems } from '../../k8s/router/epp-config-checks';
import { validateObjects } from '../../k8s/validate';
import { simulate } from '../../lib/sim';
import { type CfnTemplate, credentialFreeEnv, REPO, resourcesOfType, synthInProcess } from '../platform/helpers';
import { find, flag, pluginOfType, podTemplates, renderedEppConfig, vllmContainer } from '../workloads/helpers';
import { ROWS } from './rows';
import { tempDir } from '../temp-dir';

const configs = ROWS.map((r) => loadConfig(r.context));
const renders = configs.map((c) => allObjects(renderCharts(c)));
const issuesByRow: string[][] = ROWS.map(() => []);
beforeAll(() => {
  // One validator process for every object of every row.
  const all = renders.flat();
  const starts = renders.map((_, i) => renders.slice(0, i).reduce((a, r) => a + r.length, 0));
  for (const issue of validateObjects(all)) {
    let row = 0;
    while (row + 1 < starts.length && issue.index >= starts[row + 1]) row++;
    issuesByRow[row].push(`${issue.object} ${issue.path}: ${issue.message}`);
  }
});

function containerPort(container: Record<string, any>, name: string): number {
  return (container.ports ?? []).find((p: { name: string }) => p.name === name)?.containerPort;
}

describe.each(ROWS.map((row, i) => [row.name, i] as const))('%s', (_name, i) => {
  const row = ROWS[i];
  const c: BenchConfig = configs[i];
  const objects: K8sObject[] = renders[i];
  const n = sharedNames(c);
  const decode = find(objects, 'Deployment', n.decodeDeployment);
  const spec = decode.spec.template.spec;
  const vllm = vllmContainer(objects, n.decodeDeployment);
  const args: string[] = vllm.args;

  test('config: replicas = nodes x GPUs / TP, and a replica fits (weights / TP + non-KV + one maxModelLen sequence)', () => {
    expect({ replicas: c.vllm.replicas, tp: c.vllm.tensorParallelSize }).toEqual({ replicas: row.replicas, tp: row.tp });
    const fit = checkFit({ ...fitInput(c), maxModelLen: c.vllm.maxModelLen, modelId: c.model.id, instanceType: c.gpuNodes.instanceType, gpuModel: INSTANCE_TYPES[c.gpuNodes.instanceType].gpuModel! });
    expect(fit.reason).toBeUndefined();
    expect(fit.kvTokens).toBeGreaterThanOrEqual(c.vllm.maxModelLen);
  });

  test('every rendered object validates against its schema', () => {
    expect(issuesByRow[i]).toEqual([]);
  });

  test('decode pods: nvidia.com/gpu = TP, --tensor-parallel-size = TP, /dev/shm sized for NCCL', () => {
    expect(decode.spec.replicas).toBe(row.replicas);
    expect(vllm.resources.requests['nvidia.com/gpu']).toBe(row.tp);
    expect(vllm.resources.limits['nvidia.com/gpu']).toBe(row.tp);
    expect(flag(args, '--tensor-parallel-size')).toBe(row.tp === 1 ? undefined : String(row.tp));
    const shm = spec.volumes.find((v: { name: string }) => v.name === 'shm');
    expect(shm.emptyDir.medium).toBe('Memory');
    const limitGiB = (q: string) => (q.endsWith('Gi') ? Number(q.slice(0, -2)) : Number(q.slice(0, -2)) / 1024);
    expect(limitGiB(shm.emptyDir.sizeLimit)).toBe(decodeShmGiB(row.tp));
    expect(vllm.volumeMounts).toContainEqual({ name: 'shm', mountPath: '/dev/shm' });
    // tmpfs counts against the memory limit: a full /dev/shm must not OOM-kill the pod by itself.
    expect(limitGiB(vllm.resources.limits.memory)).toBeGreaterThan(decodeShmGiB(row.tp));
  });

  test('placement: one replica per node by anti-affinity, several by topology spread; requests fit the node', () => {
    if (row.perNode === 1) {
      expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: decodePodLabels(c) } });
      expect(spec.topologySpreadConstraints).toBeUndefined();
    } else {
      expect(spec.affinity).toBeUndefined();
      expect(spec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: decodePodLabels(c) } }]);
    }
    // perNode pods share the node's CPU and memory (minus what the kubelet and daemonsets keep).
    const share = decodePodShare(INSTANCE_TYPES[c.gpuNodes.instanceType], row.perNode);
    expect(INSTANCE_TYPES[c.gpuNodes.instanceType].gpus).toBe(row.perNode * row.tp);
    expect(c.vllm.cpuRequest).toBeLessThanOrEqual(share.cpu);
    expect(c.vllm.memoryRequestGiB).toBeLessThanOrEqual(share.memoryGiB);
    expect(c.vllm.memoryLimitGiB).toBeLessThanOrEqual(share.memoryGiB);
  });

  test('wiring: EPP block size, ports, topic, model name and selectors meet the decode pods', () => {
    const epc = renderedEppConfig(objects, n.eppConfigMap);
    expect(eppConfigProblems(epc)).toEqual([]);
    const precise = pluginOfType(epc, PLUGIN_TYPES.precisePrefixCacheProducer).parameters;
    expect(precise.tokenProcessorConfig.blockSizeTokens).toBe(Number(flag(args, '--block-size')));
    const kvEvents = JSON.parse(flag(args, '--kv-events-config')!);
    expect(precise.kvEventsConfig.podDiscoveryConfig.socketPort).toBe(containerPort(vllm, 'kv-events'));
    expect(kvEvents.topic).toBe(`kv@$(POD_IP):${c.vllm.port}@${c.model.id}`);
    expect(pluginOfType(epc, PLUGIN_TYPES.tokenProducer).parameters.modelName).toBe(flag(args, '--served-model-name'));
    const pool = find(objects, 'InferencePool', n.inferencePool);
    expect(pool.spec.targetPorts).toEqual([{ number: containerPort(vllm, 'http') }]);
    const decodeOwners = podTemplates(objects).filter((t) => matchesLabels(pool.spec.selector.matchLabels, t.metadata.labels)).map((t) => t.owner);
    expect(decodeOwners).toEqual([`Deployment/${n.decodeDeployment}`]);
    expect(find(objects, 'Service', n.roundRobinService).spec.selector).toEqual(decodePodLabels(c));
    // The EPP tokenizes through its own render server, never through the measured decode pods.
    expect(find(objects, 'Service', n.renderService).spec.selector).toEqual(renderPodLabels(c));
  });

  test('simulate: both paths complete every request on the registry\'s KV capacity', () => {
    const sim = simulate(c, { routers: ['round-robin', 'llm-d'], overrides: { numPrompts: 900 }, intervals: false });
    expect(sim.params.numBlocks).toBe(kvBlocksPerReplica(fitInput(c)));
    expect(sim.params.tensorParallelSize).toBe(row.tp);
    for (const run of sim.runs) {
      expect([run.router, run.result.completed, run.result.failed]).toEqual([run.router, 900, 0]);
      expect(run.result.request_throughput).toBeGreaterThan(0);
    }
    // The default is inside the anchored space; a row on an architecture no anchor ran on, or with TP
    // beyond the anchored 1-2, is outside it and every result carries the warning.
    const far = sim.params.gpu.architecture === 'ada' || row.tp > 2;
    expect(sim.calibration.region === 'outside').toBe(far);
    if (i === 0) expect(sim.calibration.region).toBe('inside');
    if (far) expect((sim.runs[0].result.sim_warnings as string[])[0]).toMatch(/^outside what the public anchors cover/);
  });
});

describe('synthesized (CDK, cdk-nag on) for every non-default row', () => {
  const synths = ROWS.slice(1).map((r) => ({ row: r, app: synthInProcess(r.context) }));

  test.each(synths.map((s, k) => [s.row.name, k] as const))('%s: GPU node group, FSx sized from the weights, workloads applied', (_n, k) => {
    const { row, app } = synths[k];
    const gpuStack = app.templates.gpuNodes.toJSON() as CfnTemplate;
    const gpu = resourcesOfType(gpuStack, 'AWS::EKS::Nodegroup').find(([, r]) => r.Properties!.AmiType === 'AL2023_x86_64_NVIDIA')![1].Properties!;
    expect(gpu.InstanceTypes).toEqual([row.context['gpuNodes.instanceType']]);
    expect(gpu.ScalingConfig).toEqual({ MinSize: Number(row.context['gpuNodes.count']), MaxSize: Number(row.context['gpuNodes.count']), DesiredSize: Number(row.context['gpuNodes.count']) });
    const [[, fs]] = resourcesOfType(app.templates.modelStore.toJSON() as CfnTemplate, 'AWS::FSx::FileSystem');
    expect(fs.Properties!.StorageCapacity).toBe(app.config.modelStore.storageCapacityGiB);
    expect(fs.Properties!.LustreConfiguration.PerUnitStorageThroughput).toBe(app.config.modelStore.perUnitStorageThroughput);
    const manifests = resourcesOfType(app.templates.workloads.toJSON() as CfnTemplate, 'Custom::AWSCDK-EKS-KubernetesResource');
    const applied = JSON.stringify(manifests.map(([, r]) => r.Properties!.Manifest));
    if (row.tp > 1) expect(applied).toContain(`--tensor-parallel-size=${row.tp}`);
    else expect(applied).not.toContain('--tensor-parallel-size');
    expect(applied).toContain(`\\"nvidia.com/gpu\\":${row.tp}`);
  });

  test('FSx throughput follows replicas x weight bytes (Qwen3-32B on 8 replicas needs the 1000 MB/s/TiB tier)', () => {
    expect(synths.map((s) => [s.row.name, s.app.config.modelStore.storageCapacityGiB, s.app.config.modelStore.perUnitStorageThroughput])).toEqual([
      [ROWS[1].name, 1200, 250],
      [ROWS[2].name, 1200, 500],
      [ROWS[3].name, 1200, 1000],
      [ROWS[4].name, 1200, 500],
      [ROWS[5].name, 1200, 250],
    ]);
  });
});

describe('refused with exit 2 and the arithmetic', () => {
  const problemsOf = (ctx: Record<string, string>): string[] => {
    try {
      loadConfig(ctx);
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return [...e.problems];
      throw e;
    }
  };

  test('Llama-3.1-70B on a g5.xlarge at TP 1: weights vs usable memory', () => {
    expect(problemsOf({ 'model.id': 'meta-llama/Llama-3.1-70B-Instruct' })).toEqual([
      expect.stringMatching(/^model\.id: got "meta-llama\/Llama-3\.1-70B-Instruct"; Llama-3\.1-70B-Instruct bf16 needs 141\.1 GB of weights \(70\.55 B parameters x 2 B\), 131\.4 GiB per GPU at TP=1 \+ 1\.5 GiB non-KV; g5\.xlarge TP=1 has 20\.2 GiB usable per GPU \(0\.9 x 22\.49 GiB of one A10G\)\. It fits on: /),
    ]);
  });

  test('TP 3 (vLLM splits heads and GPUs in powers of two here)', () => {
    expect(problemsOf({ 'vllm.tensorParallelSize': '3' })).toEqual(['vllm.tensorParallelSize: got 3; must be one of 1, 2, 4, 8']);
  });

  test('TP 8 on a 4-GPU node', () => {
    expect(problemsOf({ 'gpuNodes.instanceType': 'g6e.12xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '8' })).toEqual([
      expect.stringMatching(/^vllm\.tensorParallelSize: got 8; must divide the 4 GPUs of a g6e\.12xlarge \(1, 2, 4\): a replica's GPUs must be on one node/),
    ]);
  });

  test('fp8 KV on a GPU without fp8 support is accepted: vLLM serves it there (FlashInfer/Triton backend), so it is modelled, not refused', () => {
    const c = loadConfig({ 'vllm.kvCacheDtype': 'fp8' });
    expect(kvBlocksPerReplica(fitInput(c))).toBeGreaterThanOrEqual(2 * kvBlocksPerReplica(fitInput(loadConfig({}))));
  });

  test('cdk synth (bin/app.ts) and llmd-bench cost exit 2 with the arithmetic on stderr', () => {
    const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
    const env = { ...credentialFreeEnv(tempDir('llmd-bench-home-')), AWS_EC2_METADATA_DISABLED: 'true' };
    const app = spawnSync(tsx, [join(REPO, 'bin', 'app.ts')], {
      cwd: REPO, encoding: 'utf8', env: { ...env, CDK_CONTEXT_JSON: JSON.stringify({ 'model.id': 'meta-llama/Llama-3.1-70B-Instruct' }), CDK_OUTDIR: tempDir('llmd-bench-cdkout-') },
    });
    expect(app.status).toBe(2);
    expect(app.stderr).toMatch(/needs 141\.1 GB of weights .* g5\.xlarge TP=1 has 20\.2 GiB usable/);
    const cli = spawnSync(process.execPath, [join(REPO, 'bin', 'llmd-bench.js'), 'cost', '-c', 'model.id=meta-llama/Llama-3.1-70B-Instruct'], { cwd: REPO, encoding: 'utf8', env });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toMatch(/needs 141\.1 GB of weights .* g5\.xlarge TP=1 has 20\.2 GiB usable/);
  });
});
