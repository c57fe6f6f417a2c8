/**
 * The ValidatingAdmissionPolicy that keeps the project's Services cluster-internal: its CEL runs
 * (test/workloads/cel-lite.ts) against sample Services and every rendered one, and its binding
 * covers exactly the project's namespaces. The objects themselves are schema-validated with every
 * other object (schema.test.ts: admissionregistration.k8s.io/v1 from the Kubernetes 1.36 OpenAPI).
 */
import { defaultConfig } from '../../lib/config';
import { FORBIDDEN_SERVICE_TYPES, NAMESPACE_NAME_LABEL, servicePolicyName } from '../../k8s/charts/namespace-chart';
import { sharedNames } from '../../k8s/names';
import { allObjects, renderCharts } from '../../k8s/render';
import { selects } from '../../k8s/validate/network-policy';
import { validateObjects, formatIssues } from '../../k8s/validate';
import { evalCel } from './cel-lite';
import { find, ofKind } from './helpers';

const config = defaultConfig();
const n = sharedNames(config);
const objects = allObjects(renderCharts(config));
const policy = find(objects, 'ValidatingAdmissionPolicy', servicePolicyName(config));
const binding = find(objects, 'ValidatingAdmissionPolicyBinding', servicePolicyName(config));
const expression: string = policy.spec.validations[0].expression;
const admits = (service: Record<string, unknown>) => evalCel(expression, { object: service }) === true;

describe('admission policy: no LoadBalancer or NodePort Service in the project namespaces', () => {
  test('refuses LoadBalancer and NodePort; admits ClusterIP, headless and a Service without a type', () => {
    for (const type of FORBIDDEN_SERVICE_TYPES) expect([type, admits({ spec: { type } })]).toEqual([type, false]);
    expect(admits({ spec: { type: 'ClusterIP' } })).toBe(true);
    expect(admits({ spec: { type: 'ClusterIP', clusterIP: 'None' } })).toBe(true);
    expect(admits({ spec: {} })).toBe(true);
    expect(admits({ spec: { type: 'ExternalName', externalName: 'example.com' } })).toBe(true);
  });

  test('every rendered Service passes it', () => {
    for (const svc of ofKind(objects, 'Service')) expect([svc.metadata.name, admits(svc)]).toEqual([svc.metadata.name, true]);
  });

  test('built in, denies, fails closed, on Service create and update', () => {
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'] }]);
    expect(binding.spec).toMatchObject({ policyName: policy.metadata.name, validationActions: ['Deny'] });
  });

  test('the binding covers the project and loader namespaces and no other', () => {
    const nsLabels = (name: string) => ({ [NAMESPACE_NAME_LABEL]: name });
    const sel = binding.spec.matchResources.namespaceSelector;
    expect(selects(sel, nsLabels(n.namespace))).toBe(true);
    expect(selects(sel, nsLabels(n.loaderNamespace))).toBe(true);
    for (const other of ['default', 'kube-system', 'monitoring', `${n.namespace}-x`]) expect([other, selects(sel, nsLabels(other))]).toEqual([other, false]);
  });

  test('the policy and binding are schema-valid (the validator knows the kind and rejects a misspelt field)', () => {
    expect(formatIssues(validateObjects([policy, binding]))).toBe('');
    const broken = { ...policy, spec: { ...policy.spec, validation: policy.spec.validations } };
    expect(formatIssues(validateObjects([broken]))).toMatch(/validation: unknown field/);
  });

  test('cel-lite is not lenient: a missing key errors as in CEL, short-circuit guards it', () => {
    expect(() => evalCel('object.spec.type == "x"', { object: { spec: {} } })).toThrow(/no such key/);
    expect(evalCel('!has(object.spec.type) || object.spec.type == "x"', { object: { spec: {} } })).toBe(true);
  });
});
