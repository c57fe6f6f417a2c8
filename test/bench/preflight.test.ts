/**
 * Preflight against recorded EKS, FSx and Kubernetes payloads: a healthy cluster passes; each
 * broken part fails its own check with what to do, and nothing else crashes.
 */
import { loadConfig } from '../../lib/config';
import { renderBenchmarkJob } from '../../k8s/bench/benchmark-job';
import { BenchError } from '../../lib/bench/errors';
import { CHAT_RENDER_PATH, CHECKS, formatPreflight, PreflightContext, renderTarget, runPreflight } from '../../lib/bench/preflight';
import { prometheusServiceRef, prometheusViaKube } from '../../lib/bench/prometheus';
import { KubeApiError } from '../../lib/bench/cluster/types';
import { registryHost } from '../../lib/config/images';
import { endpointPickerConfig } from '../../k8s/router/endpoint-picker-config';
import type { BenchConfig } from '../../lib/config';
import { defaultPrometheus, FakeAws, FakeKube } from './fakes';

const config = loadConfig({ 'benchmark.cacheReset': 'endpoint' }); // the opt-in reset whose dev-mode check is tested below

function context(mutate: (kube: FakeKube, aws: FakeAws) => void = () => undefined, cfg = config): PreflightContext {
  const kube = new FakeKube();
  const aws = new FakeAws();
  mutate(kube, aws);
  return { config: cfg, kube, aws, prometheus: prometheusViaKube(kube, prometheusServiceRef(cfg)) };
}

async function statusOf(ctx: PreflightContext) {
  const report = await runPreflight(ctx);
  return { report, byId: Object.fromEntries(report.results.map((r) => [r.check.id, r.result])) };
}

describe('preflight', () => {
  test('a healthy cluster passes every check', async () => {
    const { report, byId } = await statusOf(context());
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => `${r.check.id}:${r.result.status}`)).toEqual(CHECKS.map((c) => `${c.id}:pass`));
    expect(byId['eks-cluster'].summary).toBe('llmd-bench ACTIVE, Kubernetes 1.36');
    expect(byId.fsx.summary).toBe('fs-0123456789abcdef0 AVAILABLE, mount name abcdefgh');
    expect(byId['gpu-nodes'].summary).toBe('8 x g5.xlarge, 1 GPU each');
    expect(byId['decode-pods'].summary).toBe('8 Ready on 8 nodes');
  });

  describe('several replicas per node: up to GPUs / TP pods share a node', () => {
    // The recorded 8 decode pods, placed `perNode` to a node.
    const place = (perNode: number) => (k: FakeKube) => {
      k.decodePods.forEach((p, i) => { p.spec!.nodeName = `ip-10-0-${Math.floor(i / perNode)}-1.us-west-2.compute.internal`; });
    };
    test.each([
      ['2 x g5.12xlarge (4 A10G each, TP 1): 8 pods on 2 nodes', { 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '2' }, 4, '8 Ready on 2 nodes'],
      ['2 x p5.48xlarge (8 H100 each, TP 2): 8 pods on 2 nodes', { 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'vllm.tensorParallelSize': '2' }, 4, '8 Ready on 2 nodes'],
      ['2 x p5.48xlarge, TP 2, spread thinner: 8 pods on 4 nodes', { 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'vllm.tensorParallelSize': '2' }, 2, '8 Ready on 4 nodes'],
    ])('%s passes', async (_name, ctx, perNode, summary) => {
      const cfg = loadConfig({ 'benchmark.cacheReset': 'endpoint', ...ctx });
      expect(cfg.vllm.replicas).toBe(8);
      const { byId } = await statusOf(context(place(perNode), cfg));
      expect(byId['decode-pods']).toMatchObject({ status: 'pass', summary });
    });

    test('more pods on a node than its GPUs hold fails, naming the node', async () => {
      const cfg = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'vllm.tensorParallelSize': '2' });
      const { byId } = await statusOf(context((k) => { place(4)(k); k.decodePods[4].spec!.nodeName = k.decodePods[0].spec!.nodeName; }, cfg));
      expect(byId['decode-pods'].status).toBe('fail');
      expect(byId['decode-pods'].summary).toBe('8 decode pods share 2 nodes; a p5.48xlarge fits 4 (its GPUs / vllm.tensorParallelSize 2)');
      expect(byId['decode-pods'].details).toEqual([expect.stringMatching(/^ip-10-0-0-1\.us-west-2\.compute\.internal: 5 pods \(/)]);
    });
  });

  const failures: [string, string, (k: FakeKube, a: FakeAws) => void, RegExp, RegExp][] = [
    ['eks-cluster', 'cluster still creating', (_k, a) => { a.cluster.cluster.status = 'CREATING'; }, /is CREATING/, /wait until it is ACTIVE/],
    ['eks-cluster', 'version differs from config', (_k, a) => { a.cluster.cluster.version = '1.35'; }, /runs Kubernetes 1.35, config says 1.36/, /cluster.kubernetesVersion=1.35/],
    ['eks-cluster', 'cluster not found', (_k, a) => { a.cluster.cluster.name = 'other'; }, /cluster llmd-bench not found in us-west-2/, /cdk deploy/],
    ['kube-context', 'kubeconfig points at another cluster', (k) => { (k as { context: unknown }).context = { ...k.context, contextName: 'kind-dev', server: 'https://127.0.0.1:6443' }; }, /context kind-dev points at https:\/\/127.0.0.1:6443, but cluster llmd-bench is at https:\/\/9F1C/, /aws eks update-kubeconfig --name llmd-bench --region us-west-2/],
    ['fsx', 'file system still creating', (_k, a) => { a.fileSystems.FileSystems[0].Lifecycle = 'CREATING'; }, /fs-0123456789abcdef0 is CREATING/, /wait/],
    ['fsx', 'mount name differs from the PV', (_k, a) => { a.fileSystems.FileSystems[0].LustreConfiguration.MountName = 'zyxwvuts'; }, /has mount name zyxwvuts, the PV says abcdefgh/, /stale/],
    ['claims', 'results claim missing', (k) => { k.pvcs.delete('results-rw'); }, /model claims not Bound/, /results-rw \(results\)/],
    ['crds', 'InferencePool CRD missing', (k) => { k.crds.clear(); }, /CRD inferencepools.inference.networking.k8s.io is missing/, /redeploy/],
    ['gpu-nodes', 'a node without allocatable GPUs', (k) => { k.nodes[2].status!.allocatable!['nvidia.com/gpu'] = '0'; }, /7\/8 GPU nodes usable/, /device plugin/],
    ['gpu-nodes', 'a node missing', (k) => { k.nodes = k.nodes.filter((n, i, all) => n.metadata?.labels?.['llmd-bench/role'] !== 'gpu' || i < all.filter((x) => x.metadata?.labels?.['llmd-bench/role'] === 'gpu').length - 1); }, /7\/8 GPU nodes usable/, /node group/],
    // Paused on the cluster (deployed with gpuNodes.count=0) while the local config says 8: said so, with the resume command.
    ['gpu-nodes', 'the cluster is paused (no GPU nodes) though the config is not', (k) => { k.nodes = k.nodes.filter((n) => n.metadata?.labels?.['llmd-bench/role'] !== 'gpu'); }, /^no GPU nodes in the cluster \(config expects 8\): the cluster looks paused/, /resume it with `npx cdk deploy .* -c gpuNodes.count=8`/],
    ['decode-pods', 'a pod not Ready', (k) => { k.decodePods[0].status!.conditions!.find((c) => c.type === 'Ready')!.status = 'False'; }, /7\/8 decode pods Ready/, /describe pod/],
    ['decode-pods', 'two pods on one single-GPU node', (k) => { k.decodePods[1].spec!.nodeName = k.decodePods[0].spec!.nodeName; }, /8 decode pods share 7 nodes; a g5.xlarge fits 1 \(its GPUs \/ vllm.tensorParallelSize 1\)/, /own GPUs/],
    ['decode-pods', 'reset endpoint not enabled', (k) => { for (const p of k.decodePods) p.spec!.containers[0].env = p.spec!.containers[0].env!.filter((e) => e.name !== 'VLLM_SERVER_DEV_MODE'); }, /8 decode pods lack VLLM_SERVER_DEV_MODE=1/, /cacheReset=restart/],
    ['services', 'round-robin Service selects something else', (k) => { k.services.get('vllm-round-robin')!.spec!.selector = { 'app.kubernetes.io/name': 'vllm' }; }, /not the decode pods/, /unfair/],
    ['tokenizer', 'the tokenizer is not on FSx', (k) => { k.execExit = (cmd) => (cmd.join(' ').includes('tokenizer_config.json') ? 1 : 0); }, /no tokenizer in \/models\/Qwen\/Qwen2.5-7B-Instruct/, /model loader/],
    ['epp', 'EPP not Ready', (k) => { k.deployments.get('vllm-decode-epp')![0].status!.readyReplicas = 0; }, /0\/1 EPP replicas Ready/, /logs deploy\/vllm-decode-epp/],
    ['inference-pool', 'InferencePool missing', (k) => { k.customObjects.clear(); }, /InferencePool llmd-bench\/vllm-decode not found/, /deploy/],
    ['weights', 'marker missing', (k) => { k.markerExit = 1; }, /\/models\/Qwen\/Qwen2.5-7B-Instruct\/.llmd-bench-complete is missing/, /logs job\/model-loader-[0-9a-f]{8}/],
    ['epp-render', 'render endpoint off (vLLM >= v0.30 without --enable-scale-out)', (k) => { k.renderProxy = () => ({ status: 404, body: '{"detail":"Not Found"}' }); }, /answered 404: the render endpoint is off or missing, so the EPP gets no tokens and scores every pod 0/, /--enable-scale-out/],
    ['epp-render', 'render answers without token ids', (k) => { k.renderProxy = () => ({ status: 200, body: '{"request_id":"x"}' }); }, /answered 200 without token_ids/, /token_ids/],
    ['epp-render', 'render Service has no endpoints', (k) => { k.renderProxy = () => ({ status: 503, body: 'no endpoints available for service "vllm-render"' }); }, /answered HTTP 503: no endpoints available/, /get endpoints vllm-render/],
    ['kv-subscriptions', 'the EPP subscribes to fewer pods than there are', (k) => { k.serviceProxy = defaultPrometheus({ subscribers: 'epp-index-empty.json' }); }, /the EPP manages 0 KV-event subscribers for 8 decode pods/, /zmq/],
    ['kv-subscriptions', 'the EPP is not scraped', (k) => { k.serviceProxy = defaultPrometheus({ subscribers: 'empty' }); }, /Prometheus has no llm_d_router_epp_kv_cache_events_active_subscribers/, /ServiceMonitor/],
    ['prometheus', 'Prometheus service wrong', (k) => { k.serviceProxy = () => ({ status: 503, body: 'no endpoints available for service "kube-prometheus-stack-prometheus"' }); }, /is not ready/, /benchmark.prometheusService/],
    ['idle', 'another benchmark running', (k) => { void k.createJob('llmd-bench', renderBenchmarkJob(config, { label: 'round-robin', requestRate: 'inf', numPrompts: 150, runId: 'x', phase: 'main' })); }, /benchmark Job running: llmd-bench-rr-main-inf-x/, /skew/],
  ];

  test.each(failures)('%s fails when %s, and says what to do', async (id, _what, mutate, summary, fix) => {
    const { report, byId } = await statusOf(context(mutate));
    expect(report.ok).toBe(false);
    expect(byId[id].status).toBe('fail');
    expect(byId[id].summary).toMatch(summary);
    expect(byId[id].fix).toMatch(fix);
    // Only the broken part fails (the decode-pod env change leaves the rest healthy, etc.).
    const failed = report.results.filter((r) => r.result.status === 'fail').map((r) => r.check.id);
    expect(failed).toContain(id);
    expect(formatPreflight(report).join('\n')).toContain('what to do:');
  });

  test('a running Job of the same run id (being resumed) is not an obstacle', async () => {
    const ctx = context((k) => { void k.createJob('llmd-bench', renderBenchmarkJob(config, { label: 'round-robin', requestRate: 'inf', numPrompts: 150, runId: 'x', phase: 'main' })); });
    const { byId } = await statusOf({ ...ctx, runId: 'x' });
    expect(byId.idle.status).toBe('pass');
  });

  test('Prometheus that does not scrape vLLM is a warning, not a failure', async () => {
    const { report, byId } = await statusOf(context((k) => {
      const base = k.serviceProxy;
      k.serviceProxy = (ns, svc, port, p, q) => (p === '/api/v1/query' && q.query.startsWith('count(')
        ? { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }) }
        : base(ns, svc, port, p, q));
    }));
    expect(byId.prometheus.status).toBe('warn');
    expect(byId.prometheus.summary).toBe('Prometheus sees 0/8 vLLM pods');
    expect(report.ok).toBe(true);
  });

  test('no Kubernetes access: the kubeconfig check fails with the fix, the cluster checks are skipped', async () => {
    const ctx: PreflightContext = {
      config, aws: new FakeAws(),
      kubeError: new BenchError('no kubeconfig found (looked at --kubeconfig, $KUBECONFIG, ~/.kube/config)', { hint: 'run `aws eks update-kubeconfig --name llmd-bench --region us-west-2`' }),
    };
    const { report, byId } = await statusOf(ctx);
    expect(byId['eks-cluster'].status).toBe('pass');
    expect(byId['kube-context']).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^no kubeconfig found/), fix: expect.stringMatching(/update-kubeconfig/) });
    expect(report.results.filter((r) => r.result.status === 'skip').map((r) => r.check.id)).toEqual(
      ['fsx', 'claims', 'crds', 'gpu-nodes', 'decode-pods', 'services', 'epp', 'epp-render', 'inference-pool', 'weights', 'prometheus', 'harness-image', 'tokenizer', 'kv-subscriptions', 'idle']);
  });

  test('--skip-aws: EKS skipped, FSx checked against the PV only (warning)', async () => {
    const ctx = context();
    const { report, byId } = await statusOf({ ...ctx, aws: undefined });
    expect(byId['eks-cluster'].status).toBe('skip');
    expect(byId.fsx.status).toBe('warn');
    expect(report.ok).toBe(true);
  });

  test('an API error inside a check becomes a failed check with its message, not a crash', async () => {
    const ctx = context((k) => { k.listNodes = async () => { throw Object.assign(new Error('list nodes failed with HTTP 403: nodes is forbidden'), { status: 403 }); }; });
    const { byId } = await statusOf(ctx);
    expect(byId['kube-context']).toMatchObject({ status: 'fail', summary: 'context arn:aws:eks:us-west-2:123456789012:cluster/llmd-bench: not authorized (HTTP 403)' });
    expect(byId['gpu-nodes']).toMatchObject({ status: 'fail', summary: expect.stringContaining('HTTP 403') });
  });

  test('an AWS error with a hint says what to do once', async () => {
    const aws = new FakeAws();
    aws.describeCluster = async () => { throw new BenchError('eks:DescribeCluster llmd-bench in us-west-2: no AWS credentials', { hint: 'configure credentials, or pass --skip-aws' }); };
    const { byId, report } = await statusOf({ ...context(), aws });
    expect(byId['eks-cluster']).toMatchObject({ status: 'fail', summary: 'eks:DescribeCluster llmd-bench in us-west-2: no AWS credentials', fix: 'configure credentials, or pass --skip-aws' });
    const text = formatPreflight({ ok: false, results: report.results.filter((r) => r.check.id === 'eks-cluster') }).join('\n');
    expect(text.match(/configure credentials, or pass --skip-aws/g)).toHaveLength(1);
  });

  test('the render check POSTs a chat request to the render Service the EPP is configured with, through the API server', async () => {
    const ctx = context();
    let seen: { ns: string; svc: string; port: number; p: string; body: any } | undefined;
    (ctx.kube as FakeKube).renderProxy = (ns, svc, port, p, body) => {
      seen = { ns, svc, port, p, body };
      return { status: 200, body: JSON.stringify({ token_ids: [151644, 872, 198] }) };
    };
    const { byId } = await statusOf(ctx);
    expect(byId['epp-render']).toMatchObject({ status: 'pass', summary: '3 token ids from vllm-render:8000' });
    expect(seen).toMatchObject({ ns: 'llmd-bench', svc: 'vllm-render', port: 8000, p: '/v1/chat/completions/render' });
    expect(seen!.body).toMatchObject({ model: 'Qwen/Qwen2.5-7B-Instruct', messages: [{ role: 'user' }] });
    // Same target as the rendered EndpointPickerConfig's token producer: prediction, deployment and check agree.
    const producer = endpointPickerConfig(config).plugins.find((p) => p.type === 'token-producer') as unknown as { parameters: { vllm: { url: string }; modelName: string } };
    const t = renderTarget(config);
    expect(producer.parameters.vllm.url).toBe(`http://${t.service}.${t.namespace}.svc:${t.port}`);
    expect(producer.parameters.modelName).toBe(seen!.body.model);
    expect(CHAT_RENDER_PATH).toBe('/v1/chat/completions/render');
  });

  test('the recorded render answer passes', async () => {
    const { byId } = await statusOf(context());
    expect(byId['epp-render'].summary).toMatch(/^\d+ token ids from vllm-render:8000$/);
    expect(byId['kv-subscriptions']).toMatchObject({ status: 'pass', summary: '8 subscribers for 8 decode pods; events received so far from 8 of them' });
  });

  test('router.profile without the precise producer (load): the EPP subscribes to nothing, so the subscriber check is skipped, not failed', async () => {
    const load = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'router.profile': 'load' });
    const { byId } = await statusOf(context((k) => { k.serviceProxy = defaultPrometheus({ subscribers: 'epp-index-empty.json' }); }, load));
    expect(byId['kv-subscriptions']).toMatchObject({ status: 'skip', summary: expect.stringMatching(/^router.profile=load subscribes to no KV events/) });
  });

  test('ZMQ errors on a subscriber are a warning naming the pod', async () => {
    const errors = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { pod_identifier: 'llmd-bench/vllm-decode-6d5f8c7b9-k3v9j-rank-0' }, value: [1795647791, '3'] }] } });
    const { byId, report } = await statusOf(context((k) => {
      const base = defaultPrometheus();
      k.serviceProxy = (ns, svc, port, p, q) => (q.query?.includes('zmq_errors') ? { status: 200, body: errors } : base(ns, svc, port, p, q));
    }));
    expect(byId['kv-subscriptions']).toMatchObject({ status: 'warn', summary: 'ZMQ errors in the last 5 min on the subscribers of vllm-decode-6d5f8c7b9-k3v9j' });
    expect(report.ok).toBe(true);
  });

  test('a paused cluster (gpuNodes.count=0): one failure with the resume command, nothing else checked', async () => {
    // gpuNodes.count=0 is how a paused cluster is configured (the GPU node group scaled to 0, no
    // vLLM replicas); built here without the schema, which may not accept 0 yet on this branch.
    const paused: BenchConfig = { ...config, gpuNodes: { ...config.gpuNodes, count: 0 }, vllm: { ...config.vllm, replicas: 0 } };
    const { report, byId } = await statusOf(context(() => undefined, paused));
    expect(report.ok).toBe(false);
    expect(report.results.filter((r) => r.result.status === 'fail').map((r) => r.check.id)).toEqual(['paused']);
    expect(report.results.filter((r) => r.check.id !== 'paused').every((r) => r.result.status === 'skip')).toBe(true);
    expect(byId.paused.summary).toMatch(/^the cluster is paused: gpuNodes.count=0/);
    expect(byId.paused.fix).toContain('npx cdk deploy LlmdBench-GpuNodes LlmdBench-Workloads -c gpuNodes.count=<N>');
  });

  test('an API server that stops answering: the first check that meets it fails, every later Kubernetes check is skipped', async () => {
    const ctx = context((k) => {
      k.listNodes = async () => { throw new KubeApiError('list nodes at https://10.0.0.1: no answer within 20 s (raise --timeout if the network is just slow)', 0, 'Timeout'); };
    });
    const { report, byId } = await statusOf(ctx);
    expect(report.results.filter((r) => r.result.status === 'fail').map((r) => r.check.id)).toEqual(['kube-context']);
    expect(byId['kube-context'].summary).toMatch(/no answer within 20 s/);
    const after = report.results.slice(report.results.findIndex((r) => r.check.id === 'kube-context') + 1);
    expect(after.every((r) => r.result.status === 'skip' && /API server unreachable/.test(r.result.summary))).toBe(true);
  });

  describe('harness-image: the benchmark client image on the system nodes (where the Job runs)', () => {
    const VLLM = 'vllm/vllm-openai:v0.27.1';
    const INFERENCE_PERF = 'quay.io/inference-perf/inference-perf:v0.6.1';
    const systemNodes = (k: FakeKube) => k.nodes.filter((n) => n.metadata?.labels?.['llmd-bench/role'] === 'system');
    /** Removes, from every system node, the images with a name containing `repository`. */
    const dropImage = (repository: string) => (k: FakeKube) => {
      for (const node of systemNodes(k)) node.status!.images = (node.status!.images ?? []).filter((img) => !(img.names ?? []).some((name) => name.includes(repository)));
    };
    const inferencePerf = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'benchmark.harness': 'inference-perf', 'workload.name': 'shared-prefix' });

    test('the recorded system node has the vllm image: pass, naming it', async () => {
      const { byId } = await statusOf(context());
      expect(byId['harness-image']).toMatchObject({ status: 'pass', summary: `vllm: ${VLLM}, already on 1 of 1 system node(s)` });
    });

    test('vllm image on no system node: a warning (the first Job pulls it), with the registry to reach and how to pull ahead', async () => {
      const { report, byId } = await statusOf(context(dropImage('vllm/vllm-openai')));
      expect(byId['harness-image'].status).toBe('warn');
      expect(byId['harness-image'].summary).toBe(`vllm: ${VLLM} is on no system node yet; the first Job pulls it (the client pod waits)`);
      // Docker Hub, not the repository's first path component ("vllm").
      expect(byId['harness-image'].fix).toBe('the nodes need egress to docker.io; to pull it ahead: run one short Job, e.g. llmd-bench run --target rr --harness vllm --num-prompts 150');
      expect(report.ok).toBe(true);
      expect(formatPreflight(report).join('\n')).toContain('the nodes need egress to docker.io');
    });

    test('the vllm image cached on the GPU nodes only (by the decode pods) still warns: the client runs on system nodes', async () => {
      const { byId } = await statusOf(context((k) => {
        const images = systemNodes(k)[0].status!.images!;
        dropImage('vllm/vllm-openai')(k);
        for (const n of k.nodes.filter((x) => x.metadata?.labels?.['llmd-bench/role'] === 'gpu')) n.status!.images = images;
      }));
      expect(byId['harness-image'].status).toBe('warn');
    });

    test('the vllm harness does not care about the inference-perf image', async () => {
      const { byId } = await statusOf(context(dropImage('inference-perf')));
      expect(byId['harness-image'].status).toBe('pass');
    });

    test('--harness inference-perf: the check names the inference-perf image and looks for it, not vllm', async () => {
      expect((await statusOf(context(undefined, inferencePerf))).byId['harness-image'])
        .toMatchObject({ status: 'pass', summary: `inference-perf: ${INFERENCE_PERF}, already on 1 of 1 system node(s)` });
      // vllm still cached, inference-perf gone: warns about inference-perf, with quay.io to reach.
      const { report, byId } = await statusOf(context(dropImage('inference-perf'), inferencePerf));
      expect(byId['harness-image']).toEqual({
        status: 'warn',
        summary: `inference-perf: ${INFERENCE_PERF} is on no system node yet; the first Job pulls it (the client pod waits)`,
        fix: 'the nodes need egress to quay.io; to pull it ahead: run one short Job, e.g. llmd-bench run --target rr --harness inference-perf --num-prompts 150',
      });
      expect(report.ok).toBe(true);
      // And with inference-perf cached but vllm gone, the inference-perf harness passes.
      expect((await statusOf(context(dropImage('vllm/vllm-openai'), inferencePerf))).byId['harness-image'].status).toBe('pass');
    });

    test('auto picks inference-perf for a workload vllm bench serve cannot run, and checks that image', async () => {
      const auto = loadConfig({ 'benchmark.cacheReset': 'endpoint', 'workload.name': 'multi-turn' });
      const { byId } = await statusOf(context(dropImage('inference-perf'), auto));
      expect(byId['harness-image']).toMatchObject({ status: 'warn', summary: expect.stringMatching(/^inference-perf: quay\.io\/inference-perf\/inference-perf:v0\.6\.1 is on no system node/) });
    });

    test('the registry named in the hint follows Docker\'s reference rules', () => {
      expect(['vllm/vllm-openai', 'ubuntu', 'quay.io/inference-perf/inference-perf', 'public.ecr.aws/aws-cli/aws-cli', 'localhost/x', 'registry:5000/team/img'].map(registryHost))
        .toEqual(['docker.io', 'docker.io', 'quay.io', 'public.ecr.aws', 'localhost', 'registry:5000']);
    });

    test('an image the node lists only by the pinned digest counts as present (pods pull repository@digest)', async () => {
      const digest = 'sha256:e29328cc223ebae58d9022d60ad651cc3c4cbd534885a78b28f54086aa4b9c9e'; // the digest table's pin of v0.6.1
      const { byId } = await statusOf(context((k) => {
        dropImage('inference-perf')(k);
        systemNodes(k)[0].status!.images!.push({ names: [`quay.io/inference-perf/inference-perf@${digest}`], sizeBytes: 1 });
      }, inferencePerf));
      expect(byId['harness-image'].status).toBe('pass');
    });
  });

  test('cacheReset=restart does not require the dev-mode endpoint', async () => {
    const cfg = loadConfig({ 'benchmark.cacheReset': 'restart' });
    const { byId } = await statusOf(context((k) => { for (const p of k.decodePods) p.spec!.containers[0].env = []; }, cfg));
    expect(byId['decode-pods'].status).toBe('pass');
  });
});
