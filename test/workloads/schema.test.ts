/**
 * Every rendered object validates against its schema (built-in kinds: Kubernetes v1.36 OpenAPI +
 * unknown-field check; custom resources: the vendored CRDs), for every chart of the registry, and the
 * validator really rejects broken objects.
 */
import { defaultConfig, loadConfig } from '../../lib/config';
import { loaderJobName } from '../../k8s/model-store/loader-job';
import { sharedNames } from '../../k8s/names';
import { CHARTS } from '../../k8s/registry';
import { allObjects, RENDER_PLACEHOLDERS, type RenderedChart, renderCharts, toYaml } from '../../k8s/render';
import { formatIssues, SCHEMA_KUBERNETES_VERSION, validateObjects, type ValidationIssue } from '../../k8s/validate';
import { clone, find } from './helpers';

const config = defaultConfig();
const charts = renderCharts(config);
const objects = allObjects(charts);
// A second render exercising the other branches: two EPP replicas (leader election), multi-GPU nodes
// (topology spread instead of anti-affinity), cache reset by endpoint, an HF token, FailOpen.
const variant = renderCharts(loadConfig({
  'router.eppReplicas': 2,
  'gpuNodes.instanceType': 'g5.12xlarge',
  'gpuNodes.count': 2,
  'vllm.replicas': 8,
  'vllm.cpuRequest': 8,
  'vllm.memoryRequestGiB': 40,
  'vllm.memoryLimitGiB': 44,
  'benchmark.cacheReset': 'endpoint',
  'modelStore.hfTokenSecretName': 'hf/token',
  'router.failureMode': 'FailOpen',
}));

let issues: ValidationIssue[];
let variantIssues: ValidationIssue[];
let brokenIssues: ValidationIssue[];
let broken: Record<string, any>[];

function issuesOfChart(all: readonly ValidationIssue[], rendered: readonly RenderedChart[], id: string): ValidationIssue[] {
  let start = 0;
  for (const c of rendered) {
    if (c.entry.id === id) return all.filter((i) => i.index >= start && i.index < start + c.objects.length);
    start += c.objects.length;
  }
  throw new Error(`chart ${id} not rendered`);
}

beforeAll(() => {
  // One validator run per object set (each run starts one Node process).
  issues = validateObjects(objects);
  variantIssues = validateObjects(allObjects(variant));

  const deployment = clone(find(objects, 'Deployment', 'vllm-decode'));
  deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http'; // wrong type
  deployment.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes'; // not in the enum
  deployment.spec.template.spec.nodeSelecter = { a: 'b' }; // misspelt field
  const service = clone(find(objects, 'Service', 'vllm-round-robin'));
  delete service.spec.ports[0].port; // required
  const pool = clone(find(objects, 'InferencePool', 'vllm-decode'));
  pool.spec.targetPorts = []; // minItems 1
  pool.spec.endpointPickerRef.failureMode = 'FailSometimes'; // enum
  pool.spec.selectors = pool.spec.selector; // unknown field
  const podMonitor = clone(find(objects, 'PodMonitor', 'vllm-decode'));
  podMonitor.spec.podMetricsEndpoints[0].interval = 15; // string expected
  broken = [deployment, service, pool, podMonitor, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }];
  brokenIssues = validateObjects(broken);
});

describe('schema validation', () => {
  test('the schema package covers the cluster Kubernetes version', () => {
    expect(SCHEMA_KUBERNETES_VERSION.split('.').slice(0, 2).join('.')).toBe(config.cluster.kubernetesVersion);
  });

  test.each(CHARTS.map((c) => c.id))('every object of chart %s is valid (default config)', (id) => {
    const found = issuesOfChart(issues, charts, id);
    expect(formatIssues(found)).toBe('');
  });

  test('every object is valid with leader election, multi-GPU nodes, endpoint cache reset, an HF token and FailOpen', () => {
    expect(formatIssues(variantIssues)).toBe('');
    expect(allObjects(variant).length).toBeGreaterThan(objects.length); // the leader-election Role/RoleBinding
  });

  test('a broken built-in object fails: wrong type, enum, misspelt field, missing required field', () => {
    const text = formatIssues(brokenIssues);
    expect(text).toMatch(/Deployment\/vllm-decode\/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort: must be integer/);
    expect(text).toMatch(/imagePullPolicy: must be equal to one of the allowed values/);
    expect(text).toMatch(/nodeSelecter: unknown field/);
    expect(text).toMatch(/Service\/vllm-round-robin\/spec\/ports\/0: must have required property '?port'?/);
  });

  test('a broken custom resource fails against its CRD schema', () => {
    const text = formatIssues(brokenIssues);
    expect(text).toMatch(/InferencePool\/vllm-decode\/spec\/targetPorts: must NOT have fewer than 1 items/);
    expect(text).toMatch(/InferencePool\/vllm-decode\/spec\/endpointPickerRef\/failureMode: must be equal to one of the allowed values/);
    expect(text).toMatch(/InferencePool\/vllm-decode\/spec: must NOT have additional properties "selectors"/);
    expect(text).toMatch(/PodMonitor\/vllm-decode\/spec\/podMetricsEndpoints\/0\/interval: must be string/);
  });

  test('an object of a kind no schema knows fails', () => {
    expect(formatIssues(brokenIssues)).toMatch(/Widget\/w: no schema for example.com\/v1 Widget/);
  });
});

describe('render', () => {
  test('stack charts are numbered in apply order: CRDs, then the namespace, then the rest', () => {
    const files = charts.filter((c) => c.entry.target === 'stack').map((c) => c.file);
    expect(files[0]).toBe('00-crds.yaml');
    expect(files[1]).toBe('01-namespace.yaml');
    files.forEach((f, i) => expect(f.startsWith(String(i).padStart(2, '0'))).toBe(true));
    expect(charts.filter((c) => c.entry.target !== 'stack').every((c) => c.file.includes('/'))).toBe(true);
  });

  test('every namespaced object of ours lives in the project namespace', () => {
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    const n = sharedNames(config);
    // The loader namespace holds the loader, its ServiceAccount, the read-write claim and their NetworkPolicies, nothing else.
    const inLoaderNs = objects.filter((o) => o.metadata.namespace === n.loaderNamespace).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(inLoaderNs).toEqual([`Job/${loaderJobName(config)}`, `NetworkPolicy/default-deny`, 'NetworkPolicy/model-loader', `PersistentVolumeClaim/${n.modelsPvcReadWrite}`, `ServiceAccount/${n.loaderServiceAccount}`].sort());
    const wrong = objects.filter((o) => !clusterScoped.has(o.kind) && o.metadata.namespace !== n.namespace && o.metadata.namespace !== n.loaderNamespace);
    expect(wrong.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('no YAML anchors or aliases anywhere (Envoy and kubectl see plain documents)', () => {
    const texts = [...charts.map((c) => toYaml(c.objects)), ...objects.filter((o) => o.kind === 'ConfigMap').flatMap((o) => Object.values(o.data as Record<string, string>))];
    for (const t of texts) expect(t).not.toMatch(/(^|[\s:-])[&*][A-Za-z]\w*\s*$/m);
  });

  test('deploy-time values are named placeholders in the render (FSx ids)', () => {
    const text = charts.map((c) => toYaml(c.objects)).join('\n');
    for (const p of Object.values(RENDER_PLACEHOLDERS)) expect(text).toContain(p);
  });

  test('rendering is deterministic', () => {
    const again = renderCharts(config);
    expect(again.map((c) => toYaml(c.objects))).toEqual(charts.map((c) => toYaml(c.objects)));
  });
});
