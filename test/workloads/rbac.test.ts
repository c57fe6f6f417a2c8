/**
 * The EPP can do what it needs under its RBAC, and no more; Prometheus' metrics identity may read the
 * EPP's /metrics. Evaluated like the API server does: bindings to the ServiceAccount, then the rules
 * of the bound (Cluster)Roles.
 */
import { defaultConfig, loadConfig } from '../../lib/config';
import { sharedNames } from '../../k8s/names';
import { allObjects, type K8sObject, renderCharts } from '../../k8s/render';
import { find } from './helpers';

interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }
interface Need { group: string; resource: string; verb: string; cluster?: boolean }

const config = defaultConfig();
const n = sharedNames(config);
const objects = allObjects(renderCharts(config));
const ha = loadConfig({ 'router.eppReplicas': 2 });
const haObjects = allObjects(renderCharts(ha));

/** Rules granted to a ServiceAccount: namespaced ones (via RoleBindings) and cluster-wide ones. */
function rulesOf(objs: readonly K8sObject[], sa: string, ns: string): { namespaced: Rule[]; cluster: Rule[] } {
  const bound = (b: K8sObject) => (b.subjects ?? []).some((s: { kind: string; name: string; namespace?: string }) => s.kind === 'ServiceAccount' && s.name === sa && s.namespace === ns);
  const role = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
  const namespaced = objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === ns && bound(o))
    .flatMap((b) => (role(b.roleRef.kind, b.roleRef.name)?.rules ?? []) as Rule[]);
  const cluster = objs.filter((o) => o.kind === 'ClusterRoleBinding' && bound(o))
    .flatMap((b) => (role('ClusterRole', b.roleRef.name)?.rules ?? []) as Rule[]);
  return { namespaced, cluster };
}

function allows(rules: readonly Rule[], need: Need): boolean {
  return rules.some((r) => (r.apiGroups ?? []).some((g) => g === need.group || g === '*')
    && (r.resources ?? []).some((x) => x === need.resource || x === '*')
    && r.verbs.some((v) => v === need.verb || v === '*'));
}

function can(objs: readonly K8sObject[], need: Need): boolean {
  const { namespaced, cluster } = rulesOf(objs, n.eppServiceAccount, n.namespace);
  return allows(cluster, need) || (!need.cluster && allows(namespaced, need));
}

const READ = ['get', 'list', 'watch'];
/** What llm-d-router v0.10.0's EPP calls (its standalone chart's RBAC, minus what we do not use). */
const NEEDS: Need[] = [
  ...READ.map((verb) => ({ group: '', resource: 'pods', verb })),
  ...READ.map((verb) => ({ group: 'inference.networking.k8s.io', resource: 'inferencepools', verb })),
  ...['llm-d.ai', 'inference.networking.x-k8s.io'].flatMap((group) => ['inferenceobjectives', 'inferencemodelrewrites']
    .flatMap((resource) => READ.map((verb) => ({ group, resource, verb })))),
  { group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create', cluster: true },
  { group: 'authorization.k8s.io', resource: 'subjectaccessreviews', verb: 'create', cluster: true },
];
const LEADER_ELECTION: Need[] = [
  ...['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map((verb) => ({ group: 'coordination.k8s.io', resource: 'leases', verb })),
  { group: '', resource: 'events', verb: 'create' },
];

describe('EPP RBAC', () => {
  test('the EPP pod runs as the ServiceAccount the bindings name', () => {
    expect(find(objects, 'Deployment', n.eppDeployment).spec.template.spec.serviceAccountName).toBe(n.eppServiceAccount);
    expect(find(objects, 'ServiceAccount', n.eppServiceAccount).metadata.namespace).toBe(n.namespace);
  });

  test.each(NEEDS.map((x) => [`${x.verb} ${x.resource}${x.group ? `.${x.group}` : ''}`, x] as const))('the EPP may %s', (_name, need) => {
    expect(can(objects, need)).toBe(true);
  });

  test('leases and events only with leader election (more than one replica)', () => {
    for (const need of LEADER_ELECTION) {
      expect([need.resource, need.verb, can(objects, need)]).toEqual([need.resource, need.verb, false]);
      expect([need.resource, need.verb, can(haObjects, need)]).toEqual([need.resource, need.verb, true]);
    }
  });

  test('least privilege: pods and pools are read only in the project namespace; no wildcards, no secrets, no writes beyond reviews', () => {
    const { namespaced, cluster } = rulesOf(objects, n.eppServiceAccount, n.namespace);
    const all = [...namespaced, ...cluster];
    expect(all.flatMap((r) => [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs]).filter((x) => x === '*')).toEqual([]);
    expect(all.flatMap((r) => r.resources ?? [])).not.toContain('secrets');
    expect(cluster.flatMap((r) => r.resources ?? []).sort()).toEqual(['subjectaccessreviews', 'tokenreviews']);
    expect(cluster.flatMap((r) => r.verbs)).toEqual(['create', 'create']);
    expect(namespaced.flatMap((r) => r.verbs).every((v) => READ.includes(v))).toBe(true);
  });
});

describe('EPP metrics access', () => {
  test('the metrics reader may GET /metrics and nothing else', () => {
    const { namespaced, cluster } = rulesOf(objects, n.eppMetricsReader, n.namespace);
    expect(namespaced).toEqual([]);
    expect(cluster).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
  });

  test('the ServiceMonitor presents the metrics reader token to the EPP metrics port', () => {
    const secret = find(objects, 'Secret', n.eppMetricsReaderToken);
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata.annotations['kubernetes.io/service-account.name']).toBe(n.eppMetricsReader);
    const endpoint = find(objects, 'ServiceMonitor', n.eppService).spec.endpoints[0];
    expect(endpoint.authorization).toEqual({ type: 'Bearer', credentials: { name: n.eppMetricsReaderToken, key: 'token' } });
    const svc = find(objects, 'Service', n.eppService);
    expect(svc.spec.ports.map((p: { name: string }) => p.name)).toContain(endpoint.port);
    const epp = find(objects, 'Deployment', n.eppDeployment).spec.template.spec.containers.find((c: { name: string }) => c.name === 'epp');
    expect(epp.args).toContain('--metrics-endpoint-auth=true');
  });

  test('decode pods and the metrics reader have no API token mounted', () => {
    expect(find(objects, 'Deployment', n.decodeDeployment).spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', n.eppMetricsReader).automountServiceAccountToken).toBe(false);
  });
});
