/**
 * The model-store charts: the static PV/PVC pairs and the loader Job, rendered offline (placeholders
 * for the FSx values), validated against the Kubernetes schemas, cross-checked with the charts that
 * consume them, and the loader program run for real against a local directory (python3, with a fake
 * huggingface_hub module standing in for the Hub).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App } from 'cdk8s';
import { type BenchConfig, defaultConfig, loadConfig } from '../../lib/config';
import { decodePodLabels, matchesLabels } from '../../k8s/labels';
import { CLAIM_REQUEST, FSX_CSI_DRIVER, ModelStoreChart } from '../../k8s/model-store/model-store-chart';
import { LOADER_POD_LABELS, LoaderChart, loaderEnv, loaderJobName } from '../../k8s/model-store/loader-chart';
import { LOADER_SCRIPT } from '../../k8s/model-store/loader-script';
import { LOADER_ALLOW_PATTERNS, VLLM_LOAD_FORMAT } from '../../k8s/model-store/served-files';
import { LOADER_SCRATCH_BOUND_BYTES, LOADER_SCRATCH_GIB } from '../../k8s/model-store/loader-job';
import { CLIENT_UID, renderBenchmarkJob, exampleBenchmarkRun, RESULTS_MOUNT } from '../../k8s/bench/benchmark-job';
import { vllmImage } from '../../lib/config/images';
import { GPU_NODE_TAINT, NODE_ROLE_LABEL, sharedNames, SYSTEM_NODE_ROLE } from '../../k8s/names';
import { allObjects, type K8sObject, RENDER_PLACEHOLDERS, renderCharts } from '../../k8s/render';
import { validateObjects, formatIssues } from '../../k8s/validate';
import { tempDir } from '../temp-dir';

const config = defaultConfig();
const n = sharedNames(config);
const loaderJob = loaderJobName(config);
const rendered = renderCharts(config);
const everything = allObjects(rendered);
const chartObjects = (id: string) => rendered.find((r) => r.entry.id === id)!.objects;
const store = chartObjects('model-store');
const loader = chartObjects('model-loader');
const find = (objs: readonly K8sObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};
/** Every pod template with its namespace and the claims it mounts. */
function podTemplatesOf(objs: readonly K8sObject[]): { owner: string; namespace: string; claims: string[] }[] {
  return objs.filter((o) => o.spec?.template?.spec?.containers).map((o) => ({
    owner: `${o.kind}/${o.metadata.name}`,
    namespace: o.metadata.namespace,
    claims: (o.spec.template.spec.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean),
  }));
}
const jobOf = (c: BenchConfig) => new LoaderChart(new App(), 'l', { config: c }).toJson().find((o: K8sObject) => o.kind === 'Job') as K8sObject;

describe('static PV/PVC pairs', () => {
  test('registered in the apply order: after the namespace, before the vLLM replicas', () => {
    const ids = rendered.filter((r) => r.entry.target === 'stack').map((r) => r.entry.id);
    expect(ids.indexOf('namespace')).toBeLessThan(ids.indexOf('model-store'));
    expect(ids.indexOf('model-store')).toBeLessThan(ids.indexOf('model-loader'));
    expect(ids.indexOf('model-loader')).toBeLessThan(ids.indexOf('vllm-decode'));
  });

  test('render validates against the Kubernetes schemas', () => {
    const issues = validateObjects([...store, ...loader]);
    expect(formatIssues(issues)).toBe('');
  });

  test.each([
    ['read-only', n.modelsPvReadOnly, n.modelsPvcReadOnly, n.namespace, 'ReadOnlyMany', true, RENDER_PLACEHOLDERS.mountName],
    ['read-write (loader namespace only)', n.modelsPvReadWrite, n.modelsPvcReadWrite, n.loaderNamespace, 'ReadWriteMany', false, RENDER_PLACEHOLDERS.mountName],
    ['results (the results fileset only)', n.resultsPv, n.resultsPvc, n.namespace, 'ReadWriteMany', false, `${RENDER_PLACEHOLDERS.mountName}/${n.resultsSubdir}`],
  ] as const)('%s pair: FSx CSI volume, static, pre-bound both ways', (_kind, pvName, pvcName, namespace, mode, readOnly, mountname) => {
    const pv = find(store, 'PersistentVolume', pvName);
    const pvc = find(store, 'PersistentVolumeClaim', pvcName);
    expect(pv.spec).toMatchObject({
      accessModes: [mode],
      capacity: { storage: `${config.modelStore.storageCapacityGiB}Gi` },
      storageClassName: '',
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace, name: pvcName },
      csi: {
        driver: FSX_CSI_DRIVER,
        volumeHandle: RENDER_PLACEHOLDERS.fileSystemId,
        readOnly,
        volumeAttributes: { dnsname: RENDER_PLACEHOLDERS.dnsName, mountname },
      },
    });
    expect(pvc.metadata.namespace).toBe(namespace);
    expect(pvc.spec).toMatchObject({ accessModes: [mode], storageClassName: '', volumeName: pvName, resources: { requests: { storage: CLAIM_REQUEST } } });
  });

  test('only the loader can mount the read-write claim: it exists in the loader namespace alone, and no pod of the project namespace names it', () => {
    const rwClaims = store.filter((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === n.modelsPvcReadWrite);
    expect(rwClaims.map((o) => o.metadata.namespace)).toEqual([n.loaderNamespace]);
    const mounts = podTemplatesOf(everything).filter((t) => t.claims.includes(n.modelsPvcReadWrite));
    expect(mounts.map((t) => `${t.namespace}/${t.owner}`)).toEqual([`${n.loaderNamespace}/Job/${loaderJob}`]);
    expect(n.loaderNamespace).not.toBe(n.namespace);
  });

  test('the benchmark client writes results through the results claim, which mounts the results directory the loader creates', () => {
    const job = renderBenchmarkJob(config, exampleBenchmarkRun(config));
    const spec = job.spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'results', persistentVolumeClaim: { claimName: n.resultsPvc } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'results', mountPath: RESULTS_MOUNT });
    const env = Object.fromEntries(loaderEnv(config).map((e) => [e.name, e.value]));
    expect(env.RESULTS_DIR).toBe(`${config.modelStore.mountPath}/${n.resultsSubdir}`);
    expect(env.RESULTS_OWNER_UID).toBe(String(spec.securityContext.runAsUser));
  });

  test('a larger file system changes only the PVs: static claims cannot be resized, so their spec never follows the capacity', () => {
    const objs = (cap: number) => new ModelStoreChart(new App(), 'm', { config: loadConfig({ 'modelStore.storageCapacityGiB': cap }), ...RENDER_PLACEHOLDERS }).toJson() as K8sObject[];
    const gib = (q: string) => Number(q.replace(/Gi$/, ''));
    const claimsOf = (cap: number) => JSON.stringify(objs(cap).filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.spec));
    for (const cap of [1200, 2400, 4800]) {
      // The API server refuses a bigger request on a claim without a StorageClass ("only dynamically
      // provisioned pvc can be resized"): the claim must be the same for every capacity.
      expect([cap, claimsOf(cap)]).toEqual([cap, claimsOf(1200)]);
      // Binding needs request <= the PV's capacity; the PV (capacity is mutable) carries the real size.
      for (const pv of objs(cap).filter((o) => o.kind === 'PersistentVolume')) {
        expect(pv.spec.capacity.storage).toBe(`${cap}Gi`);
        expect(gib(CLAIM_REQUEST)).toBeLessThanOrEqual(gib(pv.spec.capacity.storage));
      }
    }
  });

  test('deploy-time values flow in unchanged (what the CDK app passes as tokens)', () => {
    const objs = new ModelStoreChart(new App(), 'm', { config, fileSystemId: 'fs-0abc', dnsName: 'fs-0abc.fsx.us-west-2.amazonaws.com', mountName: 'xyz12' }).toJson();
    for (const pv of objs.filter((o: K8sObject) => o.kind === 'PersistentVolume')) {
      const mountname = pv.metadata.name === n.resultsPv ? `xyz12/${n.resultsSubdir}` : 'xyz12';
      expect(pv.spec.csi).toMatchObject({ volumeHandle: 'fs-0abc', volumeAttributes: { dnsname: 'fs-0abc.fsx.us-west-2.amazonaws.com', mountname } });
    }
  });

  test('the vLLM replicas mount the read-only claim; the loader the read-write one', () => {
    const decode = find(everything, 'Deployment', n.decodeDeployment);
    const claims = (spec: any) => (spec.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);
    expect(claims(decode.spec.template.spec)).toEqual([n.modelsPvcReadOnly]);
    expect(claims(find(loader, 'Job', loaderJob).spec.template.spec)).toEqual([n.modelsPvcReadWrite]);
  });
});

describe('what the loader fetches is what vLLM loads', () => {
  test('vLLM reads safetensors only (--load-format=safetensors, no pickle fallback), the only weights the loader fetches', () => {
    const decode = find(everything, 'Deployment', n.decodeDeployment);
    const args: string[] = decode.spec.template.spec.containers.find((c: { name: string }) => c.name === 'vllm').args;
    expect(args).toContain(`--load-format=${VLLM_LOAD_FORMAT}`);
    expect(VLLM_LOAD_FORMAT).toBe('safetensors');
    expect(LOADER_ALLOW_PATTERNS.filter((p) => /\.(bin|pt|pth|py|pkl|ckpt)$/.test(p) || p === '*')).toEqual([]);
    expect(LOADER_ALLOW_PATTERNS).toContain('*.safetensors');
    expect(LOADER_SCRIPT).toContain(`ALLOW_PATTERNS = ${JSON.stringify(LOADER_ALLOW_PATTERNS)}`);
    expect(LOADER_SCRIPT).toMatch(/snapshot_download\([^)]*allow_patterns=ALLOW_PATTERNS, ignore_patterns=IGNORE_PATTERNS\)/);
  });
});

describe('loader Job', () => {
  const job = find(loader, 'Job', loaderJob);
  const pod = job.spec.template;
  const container = pod.spec.containers[0];

  test('pod labels never match the decode pods, and no Service of any chart selects the loader', () => {
    expect(pod.metadata.labels).toMatchObject(LOADER_POD_LABELS);
    expect(matchesLabels(decodePodLabels(config), pod.metadata.labels)).toBe(false);
    for (const svc of everything.filter((o) => o.kind === 'Service' && o.spec?.selector)) {
      expect([svc.metadata.name, matchesLabels(svc.spec.selector, pod.metadata.labels)]).toEqual([svc.metadata.name, false]);
    }
  });

  test('scratch holds bounded caches, never weights: its size limit covers hf_xet\'s caches with room, for any model', () => {
    const scratch = pod.spec.volumes.find((v: { name: string }) => v.name === 'scratch');
    expect(scratch).toEqual({ name: 'scratch', emptyDir: { sizeLimit: `${LOADER_SCRATCH_GIB}Gi` } });
    expect(LOADER_SCRATCH_GIB).toBe(20); // the rendered manifests (and the loader Job's name) are unchanged
    const bound = Object.values(LOADER_SCRATCH_BOUND_BYTES).reduce((a, b) => a + b, 0);
    expect(bound).toBeLessThan(LOADER_SCRATCH_GIB * 2 ** 30 * 0.6);
    // What the bound rests on: caches and temporary files go to scratch, the download to MODEL_DIR, and
    // nothing raises hf_xet's chunk cache above its default.
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'scratch').mountPath;
    for (const k of ['HOME', 'TMPDIR', 'HF_HOME']) expect([k, env[k].startsWith(mount)]).toEqual([k, true]);
    expect(Object.keys(env).filter((k) => k.startsWith('HF_XET'))).toEqual([]);
    expect(LOADER_SCRIPT).toMatch(/snapshot_download\(repo_id=MODEL_ID, revision=info\.sha, local_dir=MODEL_DIR/);
    expect(LOADER_SCRIPT).not.toMatch(/cache_dir\s*=/);
  });

  test('runs once on a system node (no GPU toleration), with bounded retries and time', () => {
    expect(pod.spec.nodeSelector).toEqual({ [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE });
    expect(JSON.stringify(pod.spec.tolerations ?? [])).not.toContain(GPU_NODE_TAINT.key);
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
  });

  test('the pinned vLLM image, file system mounted read-write at mountPath, read-only root', () => {
    expect(container.image).toBe(vllmImage(config).ref);
    expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(pod.metadata.annotations['llmd-bench/image.loader']).toBe(`${config.vllm.image}:${config.vllm.tag}`);
    expect(job.metadata.namespace).toBe(n.loaderNamespace);
    expect(container.volumeMounts).toContainEqual({ name: 'models', mountPath: config.modelStore.mountPath });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['CHOWN'] } });
    expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('downloads model.id at model.revision into modelDir; marker and results paths from the shared names', () => {
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      MODEL_ID: config.model.id, MODEL_REVISION: config.model.revision, MODEL_SOURCE: 'huggingface',
      MODEL_DIR: n.modelDir, WEIGHTS_MARKER: n.weightsMarker, RESULTS_DIR: n.resultsDir,
      // The results directory belongs to the benchmark client, which runs non-root.
      RESULTS_OWNER_UID: String(CLIENT_UID),
    });
    expect(container.command).toEqual(['python3', '-c', LOADER_SCRIPT]);
  });

  test('no token, no AWS access: no init container, no service account token', () => {
    expect(pod.spec.initContainers ?? []).toEqual([]);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(JSON.stringify(job)).not.toContain('HF_TOKEN');
  });

  test('with modelStore.hfTokenSecretName: the token comes from Secrets Manager through Pod Identity into memory', () => {
    const c = loadConfig({ 'modelStore.hfTokenSecretName': 'llmd/hf-token' });
    const objs = new LoaderChart(new App(), 'l', { config: c }).toJson() as K8sObject[];
    const spec = objs.find((o) => o.kind === 'Job')!.spec.template.spec;
    const sa = objs.find((o) => o.kind === 'ServiceAccount')!;
    expect(sa.metadata.name).toBe(spec.serviceAccountName);
    expect(spec.automountServiceAccountToken).toBe(true);
    const [init] = spec.initContainers;
    expect(init.image).toMatch(new RegExp(`^${c.project.awsCliImage.split(':')[0]}@sha256:[0-9a-f]{64}$`));
    expect(init.env).toEqual(expect.arrayContaining([{ name: 'SECRET_ID', value: 'llmd/hf-token' }, { name: 'AWS_REGION', value: c.aws.region }]));
    expect(init.command.join(' ')).toContain('secretsmanager get-secret-value');
    const vol = spec.volumes.find((v: any) => v.name === 'hf-token');
    expect(vol.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    expect(spec.containers[0].env).toContainEqual({ name: 'HF_TOKEN_PATH', value: '/var/run/secrets/huggingface/token' });
    // The token never appears in the manifest itself.
    expect(validateObjects(objs)).toEqual([]);
  });

  test('S3 source: the same Job hydrates and verifies the imported files', () => {
    const c = loadConfig({ 'modelStore.modelSource': 's3://bucket/prefix' });
    const env = jobOf(c).spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'MODEL_SOURCE', value: 's3' }, { name: 'MODEL_S3_URI', value: 's3://bucket/prefix' }]));
  });

  test('the Job name changes whenever its pod template does (Jobs are immutable)', () => {
    const base = jobOf(config);
    const withToken = loadConfig({ 'modelStore.hfTokenSecretName': 'x/y' });
    const changing: [BenchConfig, BenchConfig][] = [
      { 'model.revision': 'main' }, { 'vllm.tag': 'v0.27.2' }, { 'modelStore.modelSource': 's3://bkt/p' },
      { 'modelStore.hfTokenSecretName': 'x/y' }, { 'modelStore.mountPath': '/weights' }, { 'project.namespace': 'other' },
      { 'model.id': 'Qwen/Qwen2.5-7B-Instruct', 'aws.region': 'us-west-2', 'modelStore.deploymentType': 'SCRATCH_2', 'modelStore.perUnitStorageThroughput': 200 },
    ].map((m) => [config, loadConfig(m)]);
    changing.push([withToken, loadConfig({ 'modelStore.hfTokenSecretName': 'x/y', 'project.awsCliImage': 'public.ecr.aws/aws-cli/aws-cli:2.36.16' })]);
    for (const [a, b] of changing) {
      const [ja, jb] = [jobOf(a), jobOf(b)];
      if (JSON.stringify(ja.spec) !== JSON.stringify(jb.spec)) expect(jb.metadata.name).not.toBe(ja.metadata.name);
    }
    // Settings the loader does not use leave the Job alone (no needless re-run).
    for (const m of [{ 'vllm.blockSize': 32 }, { 'router.eppReplicas': 2 }, { 'benchmark.numPrompts': 300 }, { 'gpuNodes.count': 4, 'vllm.replicas': 4 }]) {
      const other = jobOf(loadConfig(m));
      expect([m, other.metadata.name, JSON.stringify(other.spec) === JSON.stringify(base.spec)]).toEqual([m, base.metadata.name, true]);
    }
  });

  test('a change of the loader code (not of the config) renames the Job too, or every stack update after it would fail', () => {
    // kubectl apply refuses to change a Job's pod template ("field is immutable"); before the name
    // hashed the spec, adding the CHOWN capability kept the old name and broke `cdk deploy` of stacks
    // deployed earlier. Stand-in for a code change: the loader program with one more line.
    const before = loaderJob;
    expect(jobOf(config).metadata.name).toBe(before);
    let renamed = '';
    jest.isolateModules(() => {
      jest.doMock('../../k8s/model-store/loader-script', () => ({ LOADER_SCRIPT: `${LOADER_SCRIPT}\n# changed` }));
      renamed = (require('../../k8s/model-store/loader-job') as typeof import('../../k8s/model-store/loader-job')).loaderJobName(config);
    });
    jest.dontMock('../../k8s/model-store/loader-script');
    expect(renamed).toMatch(/^model-loader-[0-9a-f]{8}$/);
    expect(renamed).not.toBe(before);
    expect(loaderJob).toBe(before);
  });
});

const python = spawnSync('python3', ['--version']).status === 0;
(python ? describe : describe.skip)('loader program (python3, fake Hub)', () => {
  const root = tempDir('llmd-loader-');
  const fakeDir = join(root, 'fake');
  const state = join(root, 'hub-calls.log');
  mkdirSync(join(fakeDir, 'huggingface_hub'), { recursive: true });
  writeFileSync(join(fakeDir, 'huggingface_hub', '__init__.py'), [
    'import hashlib, json, os',
    'FILES = json.loads(os.environ["FAKE_HUB_FILES"])',
    '# What the Hub serves: b"w" * size; LFS files (safetensors) are listed with their sha256, others with their git blob id.',
    'def _content(size): return b"w" * size',
    'def _git_sha1(data): return hashlib.sha1(b"blob %d\\0" % len(data) + data).hexdigest()',
    'def _log(ev):',
    '    with open(os.environ["FAKE_HUB_STATE"], "a") as f: f.write(ev + "\\n")',
    'class _Sibling:',
    '    def __init__(self, name, size):',
    '        self.rfilename, self.size = name, size',
    '        data = _content(size)',
    '        if name.endswith((".safetensors", ".bin", ".pt", ".pth")):',
    '            self.lfs = {"size": size, "sha256": hashlib.sha256(data).hexdigest(), "pointer_size": 134}',
    '            self.blob_id = "0" * 40  # the pointer file\'s blob, not the content',
    '        else:',
    '            self.lfs, self.blob_id = None, _git_sha1(data)',
    'class _Info:',
    '    def __init__(self): self.sha, self.siblings = os.environ["FAKE_HUB_SHA"], [_Sibling(n, s) for n, s in FILES.items()]',
    'class HfApi:',
    '    def model_info(self, repo_id, revision=None, files_metadata=False):',
    '        if os.environ.get("FAKE_HUB_OFFLINE"): raise RuntimeError("the Hub is unreachable")',
    '        assert files_metadata, "the loader must ask for file metadata (hashes)"',
    '        _log("model_info %s@%s" % (repo_id, revision)); return _Info()',
    'def snapshot_download(repo_id, revision, local_dir, max_workers=8, allow_patterns=None, ignore_patterns=None):',
    '    _log("download %s@%s" % (repo_id, revision))',
    '    from huggingface_hub.utils import filter_repo_objects',
    '    keep = set(filter_repo_objects(list(FILES), allow_patterns=allow_patterns, ignore_patterns=ignore_patterns))',
    '    for name, size in FILES.items():',
    '        if name not in keep: continue',
    '        path = os.path.join(local_dir, name); os.makedirs(os.path.dirname(path), exist_ok=True)',
    '        short = 1 if os.environ.get("FAKE_HUB_TRUNCATE") == name else 0',
    '        fill = b"x" if os.environ.get("FAKE_HUB_TAMPER") == name else b"w"',
    '        with open(path, "wb") as f: f.write(fill * (size - short))',
    '    return local_dir',
  ].join('\n'));
  // huggingface_hub utils/_paths.py filter_repo_objects, as upstream: fnmatchcase on the repository path
  // (\`*\` crosses \`/\`), a pattern ending in "/" means the folder's contents.
  writeFileSync(join(fakeDir, 'huggingface_hub', 'utils.py'), [
    'from fnmatch import fnmatchcase',
    'def _dirs(p): return p + "*" if p.endswith("/") else p',
    'def filter_repo_objects(items, *, allow_patterns=None, ignore_patterns=None, key=None):',
    '    if isinstance(allow_patterns, str): allow_patterns = [allow_patterns]',
    '    if isinstance(ignore_patterns, str): ignore_patterns = [ignore_patterns]',
    '    allow = None if allow_patterns is None else [_dirs(p) for p in allow_patterns]',
    '    ignore = None if ignore_patterns is None else [_dirs(p) for p in ignore_patterns]',
    '    for item in items:',
    '        path = (key or str)(item)',
    '        if allow is not None and not any(fnmatchcase(path, r) for r in allow): continue',
    '        if ignore is not None and any(fnmatchcase(path, r) for r in ignore): continue',
    '        yield item',
  ].join('\n'));
  /** What vLLM serves from: the weights, config and tokenizer files (what the loader fetches and records). */
  const FILES = {
    'config.json': 663, 'generation_config.json': 242, 'model-00001-of-00002.safetensors': 4096, 'model-00002-of-00002.safetensors': 2048,
    'model.safetensors.index.json': 120, 'tokenizer.json': 700, 'tokenizer_config.json': 300, 'vocab.json': 500, 'merges.txt': 400,
    'tokenizer.model': 250, 'chat_template.jinja': 90,
  };
  /** The rest of a repository: pickled checkpoints, code, docs, Meta's original/ copy. Never fetched. */
  const NOT_SERVED = {
    'pytorch_model.bin': 3000, 'training_args.bin': 30, 'consolidated.pt': 100, 'modeling_custom.py': 80, 'README.md': 60, '.gitattributes': 20,
    'original/consolidated.00.pth': 500, 'original/params.json': 40, 'original/tokenizer.model': 250,
  };
  const SHA = config.model.revision;
  /** Where a config's mount point lives on this machine (a directory per mountPath). */
  const mountOf = (c: BenchConfig) => join(root, 'mnt', c.modelStore.mountPath);
  /** The container's environment with the mount point moved under `root`. */
  const env = (c: BenchConfig, extra: Record<string, string> = {}) => {
    const base = Object.fromEntries(loaderEnv(c).map((e) => [e.name, String(e.value).replace(c.modelStore.mountPath, mountOf(c)).replace('/scratch', join(root, 'scratch'))]));
    // Owner of the results directory: this test's own UID, which may chown to itself unprivileged.
    const owner = { RESULTS_OWNER_UID: String(process.getuid?.() ?? 0) };
    return { PATH: process.env.PATH ?? '', PYTHONPATH: fakeDir, FAKE_HUB_STATE: state, FAKE_HUB_FILES: JSON.stringify({ ...FILES, ...NOT_SERVED }), FAKE_HUB_SHA: SHA, ...base, ...owner, ...extra };
  };
  const run = (c: BenchConfig, extra: Record<string, string> = {}) => spawnSync('python3', ['-c', LOADER_SCRIPT], { env: env(c, extra), encoding: 'utf8' });
  const calls = () => { try { return readFileSync(state, 'utf8').trim().split('\n').filter(Boolean); } catch { return []; } };
  const dir = (c: BenchConfig) => sharedNames(c).modelDir.replace(c.modelStore.mountPath, mountOf(c));
  const marker = (c: BenchConfig) => sharedNames(c).weightsMarker.replace(c.modelStore.mountPath, mountOf(c));

  /** What the marker must record: every file's size and the Hub's hash of its true content. */
  const EXPECTED = Object.fromEntries(Object.entries(FILES).map(([name, size]) => {
    const data = Buffer.alloc(size, 'w');
    return [name, name.endsWith('.safetensors')
      ? { size, sha256: createHash('sha256').update(data).digest('hex') }
      : { size, gitSha1: createHash('sha1').update(Buffer.concat([Buffer.from(`blob ${size}\0`), data])).digest('hex') }];
  }));

  test('first run downloads, verifies every size and hash against the Hub\'s metadata, leaves the tree world-readable and writes the marker last', () => {
    const r = run(config);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(calls()).toEqual([`model_info ${config.model.id}@${SHA}`, `download ${config.model.id}@${SHA}`]);
    const m = JSON.parse(readFileSync(marker(config), 'utf8'));
    expect(m).toMatchObject({ source: 'huggingface', model: config.model.id, revision: SHA, sha: SHA, files: EXPECTED, bytes: Object.values(FILES).reduce((a, b) => a + b, 0) });
    // Every LFS weight file carries its LFS sha256; the small files their git blob id.
    expect(Object.entries(m.files).filter(([f]) => f.endsWith('.safetensors')).every(([, v]) => /^[0-9a-f]{64}$/.test((v as { sha256: string }).sha256))).toBe(true);
    for (const f of Object.keys(FILES)) expect(statSync(join(dir(config), f)).mode & 0o777).toBe(0o644);
    expect(statSync(dir(config)).mode & 0o777).toBe(0o755);
    expect(statSync(sharedNames(config).resultsDir.replace(config.modelStore.mountPath, mountOf(config))).isDirectory()).toBe(true);
  });

  test('a rerun with the pinned revision re-verifies every hash against the marker, without asking the Hub', () => {
    const before = calls().length;
    const r = run(config, { FAKE_HUB_OFFLINE: '1' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('re-verified against the hashes in the marker; nothing to do');
    expect(calls().length).toBe(before);
  });

  test('a same-size tampered weight file is caught on the rerun: the marker is not trusted, the model is downloaded again', () => {
    const shard = join(dir(config), 'model-00001-of-00002.safetensors');
    writeFileSync(shard, Buffer.alloc(FILES['model-00001-of-00002.safetensors'], 'x'));
    const offline = run(config, { FAKE_HUB_OFFLINE: '1' });
    expect(offline.status).not.toBe(0); // it must ask the Hub, and cannot
    expect(offline.stdout).toContain('model-00001-of-00002.safetensors has sha256');
    const before = calls().length;
    const r = run(config);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(calls().slice(before)).toEqual([`model_info ${config.model.id}@${SHA}`, `download ${config.model.id}@${SHA}`]);
    expect(readFileSync(shard).every((b) => b === 'w'.charCodeAt(0))).toBe(true);
  });

  test('a download that does not match the Hub\'s hashes fails the Job and leaves no marker', () => {
    const c = loadConfig({ 'modelStore.mountPath': '/tampered' });
    const r = run(c, { FAKE_HUB_TAMPER: 'model-00002-of-00002.safetensors' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('download does not match the Hub\'s metadata: model-00002-of-00002.safetensors has sha256');
    expect(() => statSync(marker(c))).toThrow();
  });

  test('a marker of an older loader (sizes only) is upgraded with the Hub\'s hashes when the files match, without downloading', () => {
    const c = loadConfig({ 'modelStore.mountPath': '/legacy' });
    expect(run(c).status).toBe(0);
    writeFileSync(marker(c), JSON.stringify({ source: 'huggingface', model: c.model.id, revision: c.model.revision, sha: SHA, files: FILES }));
    const before = calls().length;
    const r = run(c);
    expect(r.status).toBe(0);
    expect(calls().slice(before)).toEqual([`model_info ${c.model.id}@${SHA}`]);
    expect(JSON.parse(readFileSync(marker(c), 'utf8')).files).toEqual(EXPECTED);
  });

  test('a damaged (truncated) file is noticed: the marker is dropped and the model downloaded again', () => {
    const shard = join(dir(config), 'model-00002-of-00002.safetensors');
    truncateSync(shard, 10);
    const before = calls().length;
    const r = run(config);
    expect(r.status).toBe(0);
    expect(calls().slice(before)).toEqual([`model_info ${config.model.id}@${SHA}`, `download ${config.model.id}@${SHA}`]);
    expect(statSync(shard).size).toBe(FILES['model-00002-of-00002.safetensors']);
  });

  test('an incomplete download fails the Job and leaves no marker', () => {
    const c = loadConfig({ 'model.revision': 'main', 'modelStore.mountPath': '/other' });
    const r = run(c, { FAKE_HUB_TRUNCATE: 'tokenizer.json' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('download does not match the Hub\'s metadata: tokenizer.json has 699 bytes, expected 700');
    expect(() => statSync(marker(c))).toThrow();
  });

  test('a branch revision is re-resolved on every run (the marker records the commit it got)', () => {
    const c = loadConfig({ 'model.revision': 'main', 'modelStore.mountPath': '/branch' });
    expect(run(c).status).toBe(0);
    const before = calls().length;
    const r = run(c);
    expect(r.status).toBe(0);
    expect(calls().slice(before)).toEqual([`model_info ${c.model.id}@main`]);
    expect(JSON.parse(readFileSync(marker(c), 'utf8')).sha).toBe(SHA);
  });

  test('S3 source: hydrates every imported file, checks the shards of the index, writes the marker', () => {
    const c = loadConfig({ 'modelStore.modelSource': 's3://bucket/prefix', 'modelStore.mountPath': '/s3' });
    const d = dir(c);
    mkdirSync(d, { recursive: true });
    const index = { weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } };
    writeFileSync(join(d, 'config.json'), '{}');
    writeFileSync(join(d, 'model.safetensors.index.json'), JSON.stringify(index));
    writeFileSync(join(d, 'model-00001-of-00002.safetensors'), Buffer.alloc(5000));
    for (const f of ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors']) chmodSync(join(d, f), 0o644);
    const missing = run(c);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('missing: model-00002-of-00002.safetensors');
    writeFileSync(join(d, 'model-00002-of-00002.safetensors'), Buffer.alloc(3000));
    chmodSync(join(d, 'model-00002-of-00002.safetensors'), 0o644);
    const ok = run(c);
    expect([ok.status, ok.stderr]).toEqual([0, '']);
    const m = JSON.parse(readFileSync(marker(c), 'utf8'));
    expect(m).toMatchObject({ source: 's3', bytes: 2 + JSON.stringify(index).length + 8000 });
    expect(m.files['model-00002-of-00002.safetensors']).toEqual({ size: 3000, sha256: createHash('sha256').update(Buffer.alloc(3000)).digest('hex') });
    expect(run(c).stdout).toContain('re-verified against the hashes in the marker; nothing to do');
    // A same-size change under the marker (e.g. an S3 auto-import) is refused, not silently served.
    writeFileSync(join(d, 'model-00002-of-00002.safetensors'), Buffer.alloc(3000, 1));
    const changed = run(c);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain('changed since they were verified');
  });

  test('fetches, verifies and records only what vLLM serves from: no pickle, no code, no original/ copy', () => {
    const c = loadConfig({ 'modelStore.mountPath': '/served' });
    const r = run(c);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`not fetched (vLLM does not read them): ${Object.keys(NOT_SERVED).length} files`);
    const m = JSON.parse(readFileSync(marker(c), 'utf8'));
    expect(Object.keys(m.files).sort()).toEqual(Object.keys(FILES).sort());
    expect(m.files).toEqual(EXPECTED);
    for (const f of Object.keys(FILES)) expect([f, statSync(join(dir(c), f)).isFile()]).toEqual([f, true]);
    for (const f of Object.keys(NOT_SERVED)) expect(() => statSync(join(dir(c), f))).toThrow();
  });

  test('a marker that lists files the loader no longer fetches (an older loader took the whole repo) does not make a rerun expect them', () => {
    const c = loadConfig({ 'modelStore.mountPath': '/older' });
    expect(run(c).status).toBe(0);
    const m = JSON.parse(readFileSync(marker(c), 'utf8'));
    m.files['pytorch_model.bin'] = { size: 3000, sha256: createHash('sha256').update(Buffer.alloc(3000, 'w')).digest('hex') };
    writeFileSync(marker(c), JSON.stringify(m));
    // Pinned revision: re-verified offline against the served files of the marker; the absent pickle is not "missing".
    const r = run(c, { FAKE_HUB_OFFLINE: '1' });
    expect([r.status, r.stdout]).toEqual([0, expect.stringContaining(`${Object.keys(FILES).length} files re-verified against the hashes in the marker; nothing to do`)]);
    // A branch revision asks the Hub and rewrites the marker with the served files only, without downloading.
    const b = loadConfig({ 'model.revision': 'main', 'modelStore.mountPath': '/older' });
    writeFileSync(marker(b), JSON.stringify({ ...m, revision: 'main' }));
    const before = calls().length;
    expect(run(b).status).toBe(0);
    expect(calls().slice(before)).toEqual([`model_info ${b.model.id}@main`]);
    expect(Object.keys(JSON.parse(readFileSync(marker(b), 'utf8')).files).sort()).toEqual(Object.keys(FILES).sort());
  });

  test('a revision without safetensors weights (pickles only) is refused before anything is downloaded', () => {
    const c = loadConfig({ 'model.revision': 'main', 'modelStore.mountPath': '/pickles' });
    const before = calls().length;
    const r = run(c, { FAKE_HUB_FILES: JSON.stringify({ 'config.json': 600, 'pytorch_model.bin': 3000, 'tokenizer.json': 700, 'tokenizer_config.json': 300 }) });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${c.model.id}@main has no *.safetensors weights; vLLM runs with --load-format safetensors and loads no pickled checkpoint (*.bin, *.pt)`);
    expect(calls().slice(before)).toEqual([`model_info ${c.model.id}@main`]);
    expect(() => statSync(marker(c))).toThrow();
    expect(() => statSync(join(dir(c), 'pytorch_model.bin'))).toThrow();
  });

  test('S3 source: only the served files are hydrated and recorded; a prefix with pickles only is refused', () => {
    const c = loadConfig({ 'modelStore.modelSource': 's3://bucket/served', 'modelStore.mountPath': '/s3-served' });
    const d = dir(c);
    mkdirSync(d, { recursive: true });
    const put = (f: string, data: Buffer | string) => { writeFileSync(join(d, f), data); chmodSync(join(d, f), 0o644); };
    put('config.json', '{}');
    put('pytorch_model.bin', Buffer.alloc(3000));
    put('modeling_custom.py', 'import os');
    const refused = run(c);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('s3://bucket/served has no *.safetensors weights');
    put('model.safetensors', Buffer.alloc(2000));
    put('tokenizer.json', '{}');
    const ok = run(c);
    expect([ok.status, ok.stderr]).toEqual([0, '']);
    expect(Object.keys(JSON.parse(readFileSync(marker(c), 'utf8')).files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(ok.stdout).not.toContain('hydrated pytorch_model.bin');
  });

  test('the program is valid Python (compiles)', () => {
    const file = join(root, 'loader.py');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, LOADER_SCRIPT);
    expect(() => execFileSync('python3', ['-m', 'py_compile', file])).not.toThrow();
  });
});
