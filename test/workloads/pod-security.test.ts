/**
 * Pod security of every pod template in the registry (ours, the loader's, the benchmark's): the
 * project namespace enforces the Pod Security Standard `restricted` and every pod template in it
 * satisfies it (checked here with the standard's rules, so a pod the API server would refuse never
 * renders); the loader namespace enforces `baseline`; read-only root file systems; every emptyDir
 * sized; every image pinned by digest with its tag kept in an annotation.
 */
import { defaultConfig, loadConfig } from '../../lib/config';
import { IMAGE_ANNOTATION_PREFIX } from '../../k8s/charts/common';
import { sharedNames } from '../../k8s/names';
import { allObjects, type K8sObject, renderCharts } from '../../k8s/render';
import { containersOf, podTemplates } from './helpers';

const config = defaultConfig();
const n = sharedNames(config);
const objects = allObjects(renderCharts(config));
// A variant with every optional pod part: HF-token init container, endpoint reset, two EPP replicas.
const variantObjects = allObjects(renderCharts(loadConfig({ 'modelStore.hfTokenSecretName': 'hf/token', 'benchmark.cacheReset': 'endpoint', 'router.eppReplicas': 2 })));

type Template = ReturnType<typeof podTemplates>[number] & { namespace: string };
function templatesOf(objs: readonly K8sObject[]): Template[] {
  return podTemplates(objs).map((t) => {
    const [kind, name] = t.owner.split('/');
    return { ...t, namespace: objs.find((o) => o.kind === kind && o.metadata.name === name)!.metadata.namespace };
  });
}
const templates = templatesOf(objects);
const containers = templates.flatMap((t) => containersOf(t.spec).map((c) => ({ owner: t.owner, pod: t.spec, c })));
const ours = templates.filter((t) => t.namespace === n.namespace);

/** Volume types `restricted` allows (Pod Security Standards, "Volume Types"). */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
/** Capabilities `baseline` allows adding. */
const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/** What PSS `baseline` forbids in a pod template (host namespaces, privileged, hostPath, extra capabilities, unsafe seccomp). */
function baselineViolations(spec: Record<string, any>): string[] {
  const out: string[] = [];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push('host namespace');
  for (const v of spec.volumes ?? []) if (v.hostPath) out.push(`hostPath volume ${v.name}`);
  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${c.name}: privileged`);
    for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPS.includes(cap)) out.push(`${c.name}: adds ${cap}`);
    if ((c.ports ?? []).some((p: { hostPort?: number }) => p.hostPort)) out.push(`${c.name}: hostPort`);
    if (sc.seccompProfile?.type === 'Unconfined') out.push(`${c.name}: seccomp Unconfined`);
  }
  if (spec.securityContext?.seccompProfile?.type === 'Unconfined') out.push('pod seccomp Unconfined');
  return out;
}

/** What PSS `restricted` forbids on top of `baseline`. */
function restrictedViolations(spec: Record<string, any>): string[] {
  const out = baselineViolations(spec);
  const pod = spec.securityContext ?? {};
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.includes(type)) out.push(`volume ${v.name} of type ${type}`);
  }
  if (pod.runAsUser === 0) out.push('pod runAsUser 0');
  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation must be false`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${c.name}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) out.push(`${c.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${c.name}: seccompProfile must be RuntimeDefault or Localhost`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${c.name}: must drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${c.name}: adds ${cap}`);
  }
  return out;
}

describe('pod security', () => {
  test('there is something to check: decode, render, EPP and benchmark client in the project namespace; the loader in its own', () => {
    expect(ours.map((t) => t.owner).sort()).toEqual([`Deployment/${n.decodeDeployment}`, `Deployment/${n.eppDeployment}`, `Deployment/${n.renderDeployment}`, 'Job/llmd-bench-rr-main-inf-example'].sort());
    expect(templates.filter((t) => t.namespace === n.loaderNamespace).map((t) => t.owner)).toEqual([expect.stringMatching(/^Job\/model-loader-[0-9a-f]{8}$/)]);
    expect(containers.length).toBeGreaterThanOrEqual(6);
  });

  test('the project namespace enforces restricted, the loader namespace baseline, both pinned to the cluster version', () => {
    const ns = (name: string) => objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name)!.metadata.labels;
    const version = `v${config.cluster.kubernetesVersion}`;
    expect(ns(n.namespace)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': version });
    expect(ns(n.loaderNamespace)).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': version, 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  test('every pod template of the project namespace satisfies PSS restricted (default and optional branches)', () => {
    for (const t of [...ours, ...templatesOf(variantObjects).filter((x) => x.namespace === n.namespace)]) {
      expect([t.owner, restrictedViolations(t.spec)]).toEqual([t.owner, []]);
    }
  });

  test('the loader satisfies baseline (what its namespace enforces) and only it breaks restricted: root and CHOWN', () => {
    for (const t of templatesOf(variantObjects).filter((x) => x.namespace === n.loaderNamespace)) {
      expect([t.owner, baselineViolations(t.spec)]).toEqual([t.owner, []]);
      expect(restrictedViolations(t.spec).join('; ')).toMatch(/runAsNonRoot must be true.*adds CHOWN|adds CHOWN.*runAsNonRoot/);
    }
  });

  test('the checker is not vacuous: it refuses a root pod, an escalation, a hostPath and an extra capability', () => {
    const bad = { securityContext: { runAsUser: 0 }, volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [{ name: 'c', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] };
    expect(restrictedViolations(bad)).toEqual(expect.arrayContaining(['pod runAsUser 0', 'hostPath volume h', 'c: adds SYS_ADMIN', 'c: allowPrivilegeEscalation must be false']));
  });

  test('read-only root file system in every container of the project namespace and the loader', () => {
    for (const t of [...ours, ...templates.filter((x) => x.namespace === n.loaderNamespace)]) {
      for (const c of t.spec.containers) expect([`${t.owner}/${c.name}`, c.securityContext?.readOnlyRootFilesystem]).toEqual([`${t.owner}/${c.name}`, true]);
    }
  });

  test('every emptyDir has a size limit', () => {
    for (const t of templatesOf(variantObjects)) {
      for (const v of (t.spec.volumes ?? []).filter((x: { emptyDir?: unknown }) => x.emptyDir)) {
        expect([`${t.owner}/${v.name}`, typeof v.emptyDir.sizeLimit]).toEqual([`${t.owner}/${v.name}`, 'string']);
      }
    }
  });

  test('the read-only model claim is mounted read-only everywhere', () => {
    let mounts = 0;
    for (const t of templates) {
      const vols = (t.spec.volumes ?? []).filter((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName === n.modelsPvcReadOnly);
      for (const v of vols) {
        expect([t.owner, v.persistentVolumeClaim.readOnly]).toEqual([t.owner, true]);
        for (const c of containersOf(t.spec)) {
          for (const m of (c.volumeMounts ?? []).filter((x: { name: string }) => x.name === v.name)) {
            mounts++;
            expect([`${t.owner}/${c.name}`, m.readOnly]).toEqual([`${t.owner}/${c.name}`, true]);
          }
        }
      }
    }
    expect(mounts).toBeGreaterThanOrEqual(4); // vllm, its weights check, render, benchmark client
  });

  test('every container requests CPU and memory', () => {
    const bad = containers.filter(({ c }) => !c.resources?.requests?.cpu || !c.resources?.requests?.memory);
    expect(bad.map(({ owner, c }) => `${owner}/${c.name}`)).toEqual([]);
  });

  test('every image is pulled by digest by default, and its tag is kept in a pod annotation', () => {
    for (const t of templatesOf(variantObjects)) {
      for (const c of containersOf(t.spec)) {
        expect([`${t.owner}/${c.name}`, c.image]).toEqual([`${t.owner}/${c.name}`, expect.stringMatching(/^[^:@]+(:\d+)?[^:@]*@sha256:[0-9a-f]{64}$/)]);
        if (c.name === 'check-weights') continue; // same image as the vllm container of its pod
        const tagged = t.metadata.annotations?.[`${IMAGE_ANNOTATION_PREFIX}${c.name}`];
        expect([`${t.owner}/${c.name}`, tagged]).toEqual([`${t.owner}/${c.name}`, expect.stringMatching(new RegExp(`^${c.image.split('@')[0].replace(/[.]/g, '\\.')}:[A-Za-z0-9_][A-Za-z0-9_.-]*$`))]);
      }
    }
  });

  test('an image whose tag has no known digest is pulled by that tag (never latest)', () => {
    const other = templatesOf(allObjects(renderCharts(loadConfig({ 'vllm.tag': 'v0.27.2', 'router.eppTag': 'v0.10.1' }))));
    const images = other.flatMap((t) => containersOf(t.spec).map((c) => c.image));
    expect(images).toContain('vllm/vllm-openai:v0.27.2');
    expect(images).toContain('ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.1');
    expect(images.filter((i) => i.includes('v0.27.1'))).toEqual([]); // the old digest never sticks to a new tag
  });

  test('a digest given in config wins', () => {
    const digest = `sha256:${'1'.repeat(64)}`;
    const other = templatesOf(allObjects(renderCharts(loadConfig({ 'vllm.imageDigest': digest, 'router.envoyImageDigest': digest }))));
    const images = other.flatMap((t) => containersOf(t.spec).map((c) => c.image));
    expect(images).toContain(`vllm/vllm-openai@${digest}`);
    expect(images).toContain(`envoyproxy/envoy@${digest}`);
  });
});
