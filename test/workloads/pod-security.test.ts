/**
 * Pod security of every pod template in the registry (ours, the loader's, the benchmark's): no
 * privileged containers, no host namespaces or host paths, the model claim mounted read-only,
 * resource requests on every container, images pinned by tag. Our long-running pods also run as a
 * non-root UID without capabilities.
 */
import { defaultConfig } from '../../lib/config';
import { sharedNames } from '../../k8s/names';
import { allObjects, renderCharts } from '../../k8s/render';
import { containersOf, podTemplates } from './helpers';

const config = defaultConfig();
const n = sharedNames(config);
const templates = podTemplates(allObjects(renderCharts(config)));
const containers = templates.flatMap((t) => containersOf(t.spec).map((c) => ({ owner: t.owner, pod: t.spec, c })));
const ours = templates.filter((t) => [`Deployment/${n.decodeDeployment}`, `Deployment/${n.eppDeployment}`].includes(t.owner));

describe('pod security', () => {
  test('there is something to check', () => {
    expect(ours).toHaveLength(2);
    expect(containers.length).toBeGreaterThanOrEqual(4);
  });

  test('no privileged container and no privilege escalation', () => {
    const bad = containers.filter(({ c }) => c.securityContext?.privileged === true || c.securityContext?.allowPrivilegeEscalation === true);
    expect(bad.map(({ owner, c }) => `${owner}/${c.name}`)).toEqual([]);
  });

  test('no host network, PID or IPC namespace, no hostPath volume', () => {
    const bad = templates.filter((t) => t.spec.hostNetwork || t.spec.hostPID || t.spec.hostIPC || (t.spec.volumes ?? []).some((v: { hostPath?: unknown }) => v.hostPath));
    expect(bad.map((t) => t.owner)).toEqual([]);
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
    expect(mounts).toBeGreaterThanOrEqual(2); // vllm and its weights check
  });

  test('every container requests CPU and memory', () => {
    const bad = containers.filter(({ c }) => !c.resources?.requests?.cpu || !c.resources?.requests?.memory);
    expect(bad.map(({ owner, c }) => `${owner}/${c.name}`)).toEqual([]);
  });

  test('every image is pinned by a release tag (never latest, never untagged)', () => {
    const bad = containers.filter(({ c }) => {
      const image: string = c.image;
      if (/@sha256:[0-9a-f]{64}$/.test(image)) return false;
      const tag = /:([^/:]+)$/.exec(image)?.[1];
      return !tag || tag === 'latest' || /^(main|master|nightly|dev)$/.test(tag);
    });
    expect(bad.map(({ owner, c }) => `${owner}/${c.name}: ${c.image}`)).toEqual([]);
  });

  test('our pods run as a non-root UID with the RuntimeDefault seccomp profile', () => {
    for (const t of ours) {
      expect([t.owner, t.spec.securityContext]).toEqual([t.owner, expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })]);
      expect(t.spec.securityContext.runAsUser).toBeGreaterThan(0);
    }
  });

  test('our containers drop every capability', () => {
    for (const t of ours) {
      for (const c of containersOf(t.spec)) expect([`${t.owner}/${c.name}`, c.securityContext?.capabilities?.drop]).toEqual([`${t.owner}/${c.name}`, ['ALL']]);
    }
  });

  test('the router containers have a read-only root file system', () => {
    const epp = ours.find((t) => t.owner.endsWith(n.eppDeployment))!;
    for (const c of epp.spec.containers) expect([c.name, c.securityContext.readOnlyRootFilesystem]).toEqual([c.name, true]);
  });

  test('the namespace enforces the baseline Pod Security Standard', () => {
    const ns = allObjects(renderCharts(config)).find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
  });
});
