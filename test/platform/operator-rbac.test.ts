/**
 * The least-privilege role of `cluster.operatorRoleArns` (k8s/charts/operator-rbac-chart.ts plus the
 * Prometheus Role the platform stack applies): every call the CLI's Kubernetes client can make is
 * allowed, nothing beyond those calls is, and nothing reads Secrets. The list of calls is checked
 * against the KubeApi interface, so a new client method without a rule fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config';
import { OPERATORS_GROUP } from '../../lib/names';
import { OperatorRbacChart, operatorPrometheusAccess } from '../../k8s/charts/operator-rbac-chart';
import { App } from 'cdk8s';
import { sharedNames } from '../../k8s/names';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Need = { scope: 'cluster' | 'project' | 'prometheus'; group: string; resource: string; verb: string; name?: string };

const config = loadConfig({});
const PROM = { namespace: 'monitoring', service: 'kube-prometheus-stack-prometheus', port: '9090' };

/** What each KubeApi method does on the API server (lib/bench/cluster/client-node.ts). */
const NEEDS: Record<string, Need[]> = {
  listNodes: [{ scope: 'cluster', group: '', resource: 'nodes', verb: 'list' }],
  listPods: [{ scope: 'project', group: '', resource: 'pods', verb: 'list' }],
  readDeployment: [{ scope: 'project', group: 'apps', resource: 'deployments', verb: 'get' }],
  restartDeployment: [{ scope: 'project', group: 'apps', resource: 'deployments', verb: 'patch' }],
  // run --target <profile>: points the EPP's --config-file at the profile's file (lib/bench/epp-profile.ts).
  patchDeployment: [{ scope: 'project', group: 'apps', resource: 'deployments', verb: 'patch' }],
  readPersistentVolume: [{ scope: 'cluster', group: '', resource: 'persistentvolumes', verb: 'get' }],
  readPersistentVolumeClaim: [{ scope: 'project', group: '', resource: 'persistentvolumeclaims', verb: 'get' }],
  readService: [{ scope: 'project', group: '', resource: 'services', verb: 'get' }],
  crdExists: [{ scope: 'cluster', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'get' }],
  getCustomObject: [{ scope: 'project', group: 'inference.networking.k8s.io', resource: 'inferencepools', verb: 'get' }],
  listJobs: [{ scope: 'project', group: 'batch', resource: 'jobs', verb: 'list' }],
  readJob: [{ scope: 'project', group: 'batch', resource: 'jobs', verb: 'get' }],
  createJob: [{ scope: 'project', group: 'batch', resource: 'jobs', verb: 'create' }],
  deleteJob: [{ scope: 'project', group: 'batch', resource: 'jobs', verb: 'delete' }],
  readPodLog: [{ scope: 'project', group: '', resource: 'pods/log', verb: 'get' }],
  podProxyPost: [{ scope: 'project', group: '', resource: 'pods/proxy', verb: 'create' }],
  serviceProxyGet: [{ scope: 'prometheus', group: '', resource: 'services/proxy', verb: 'get', name: `${PROM.service}:${PROM.port}` }],
  execInPod: [{ scope: 'project', group: '', resource: 'pods/exec', verb: 'create' }],
  serviceProxyPost: [{ scope: 'project', group: '', resource: 'services/proxy', verb: 'create', name: `${sharedNames(config).renderService}:${config.vllm.port}` }],
};
/** Granted beyond the calls on purpose: GET of the same subresources (older exec/proxy clients use GET) and pod reads by name. */
const EXTRAS = ['project /pods get', 'project /pods/exec get', 'project /pods/proxy get', `project /services/proxy create ${sharedNames(config).renderService}`, `prometheus /services/proxy get ${PROM.service}`];

const app = new App();
const objects = new OperatorRbacChart(app, 'rbac', { config }).toJson() as any[];
const platform = operatorPrometheusAccess(config) as any[];
const all = [...objects, ...platform];
const boundToOperators = (kind: 'RoleBinding' | 'ClusterRoleBinding', roleKind: string) => all
  .filter((o) => o.kind === kind && o.subjects.some((s: any) => s.kind === 'Group' && s.name === OPERATORS_GROUP))
  .map((b) => all.find((r) => r.kind === roleKind && r.metadata.name === b.roleRef.name && r.metadata.namespace === b.metadata.namespace)!);
const rulesIn = (scope: Need['scope']): Rule[] => {
  if (scope === 'cluster') return boundToOperators('ClusterRoleBinding', 'ClusterRole').flatMap((r) => r.rules);
  const ns = scope === 'project' ? config.project.namespace : PROM.namespace;
  return boundToOperators('RoleBinding', 'Role').filter((r) => r.metadata.namespace === ns).flatMap((r) => r.rules);
};
const allows = (rules: Rule[], n: Need) => rules.some((r) => r.apiGroups.includes(n.group) && r.resources.includes(n.resource) && r.verbs.includes(n.verb)
  && (!r.resourceNames || (n.name !== undefined && r.resourceNames.includes(n.name))));

describe('operator RBAC (cluster.operatorRoleArns)', () => {
  test('every KubeApi method has its permissions listed here (a new method needs a rule)', () => {
    const src = readFileSync(join(__dirname, '..', '..', 'lib', 'bench', 'cluster', 'types.ts'), 'utf8');
    const start = src.indexOf('export interface KubeApi {');
    const body = src.slice(start, src.indexOf('\n}\n', start));
    const methods = [...body.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]).sort();
    expect(methods).toEqual(Object.keys(NEEDS).sort());
  });

  test.each(Object.entries(NEEDS))('%s is allowed', (_method, needs) => {
    for (const n of needs) expect([n, allows(rulesIn(n.scope), n)]).toEqual([n, true]);
  });

  test('nothing else is granted: no Secrets, no wildcards, no writes but the Jobs, the restart patch and exec/proxy', () => {
    const granted = (['cluster', 'project', 'prometheus'] as const).flatMap((scope) => rulesIn(scope).flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.flatMap((v) => (r.resourceNames ?? [undefined]).map((name) => `${scope} ${g}/${res} ${v}${name ? ` ${name}` : ''}`))))));
    const needed = Object.values(NEEDS).flat().map((n) => `${n.scope} ${n.group}/${n.resource} ${n.verb}${n.name ? ` ${n.name}` : ''}`);
    expect(granted.filter((g) => !needed.includes(g)).sort()).toEqual([...EXTRAS].sort());
    expect(JSON.stringify(all)).not.toMatch(/secrets|"\*"/);
  });

  test('the Prometheus access lives in Prometheus\'s namespace (applied by the platform stack), the rest in the project namespace or cluster-wide', () => {
    expect(platform.map((o) => `${o.kind} ${o.metadata.namespace}`)).toEqual(['Role monitoring', 'RoleBinding monitoring']);
    for (const o of objects.filter((x) => x.metadata.namespace !== undefined)) expect(o.metadata.namespace).toBe(config.project.namespace);
  });
});
