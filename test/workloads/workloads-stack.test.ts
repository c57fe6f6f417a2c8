/**
 * The workloads stack: one KubernetesManifest per `stack` chart of the registry, in registry order,
 * the CRD Established before any chart that follows, and nothing but Kubernetes objects in it (so a
 * routing change is a small diff). Synthesized once, against a stand-in cluster stack.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { defaultConfig } from '../../lib/config';
import { addWorkloadsStack, WORKLOADS_STACK_NAME } from '../../lib/stacks/workloads-stack';
import { chartsFor } from '../../k8s/registry';
import { RENDER_PLACEHOLDERS } from '../../k8s/render';

const config = defaultConfig();
const app = new App(); // outdir: a fresh temporary directory
const env = { account: '123456789012', region: config.aws.region };
const clusterStack = new Stack(app, 'TestCluster', { env });
const cluster = new eks.Cluster(clusterStack, 'Cluster', {
  version: eks.KubernetesVersion.of(config.cluster.kubernetesVersion),
  defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
  defaultCapacity: 0,
  kubectlProviderOptions: { kubectlLayer: new KubectlV36Layer(clusterStack, 'Kubectl') },
});
const fsx = { fileSystemId: 'fs-0123456789abcdef0', dnsName: 'fs-0123456789abcdef0.fsx.us-west-2.amazonaws.com', mountName: 'abcdefgh' };
const stack = addWorkloadsStack(app, config, { cluster, modelStore: fsx, env, dependsOn: [clusterStack] });
const template = Template.fromStack(stack).toJSON();
const resources = Object.entries<any>(template.Resources);
const manifests = resources.filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource');
const idOf = (chartId: string) => stack.manifests.get(chartId)!.node.defaultChild!.node.path;
const logicalId = (chartId: string) => stack.getLogicalId(stack.manifests.get(chartId)!.node.defaultChild as any);

describe('workloads stack', () => {
  test(`is called ${WORKLOADS_STACK_NAME} and depends on the cluster stack`, () => {
    expect(stack.stackName).toBe(WORKLOADS_STACK_NAME);
    expect(stack.dependencies.map((s) => s.stackName)).toContain('TestCluster');
  });

  test('one manifest per stack chart of the registry', () => {
    expect([...stack.manifests.keys()]).toEqual(chartsFor('stack').map((c) => c.id));
    expect(manifests).toHaveLength(chartsFor('stack').length);
    for (const id of stack.manifests.keys()) expect(idOf(id)).toContain(`${WORKLOADS_STACK_NAME}/Cluster/${id}`);
  });

  test('manifests apply in registry order; the CRD must be Established before the next chart', () => {
    const ids = chartsFor('stack').map((c) => c.id);
    const deps = (id: string): string[] => template.Resources[logicalId(id)].DependsOn ?? [];
    const values = resources.filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-KubernetesObjectValue');
    expect(values).toHaveLength(1);
    const [valueId, value] = values[0];
    expect(value.Properties).toMatchObject({ ObjectType: 'customresourcedefinition', ObjectName: 'inferencepools.inference.networking.k8s.io' });
    expect(value.Properties.JsonPath).toContain('Established');
    expect(value.DependsOn).toEqual([logicalId('crds')]);
    expect(deps(ids[0])).toEqual([]);
    expect(deps(ids[1])).toEqual([valueId]);
    for (let i = 2; i < ids.length; i++) expect(deps(ids[i])).toEqual([logicalId(ids[i - 1])]);
  });

  test('the stack holds only Kubernetes objects (no IAM, no Lambda: those are the cluster stack\'s)', () => {
    const types = new Set(resources.map(([, r]) => r.Type));
    expect([...types].sort()).toEqual(['Custom::AWSCDK-EKS-KubernetesObjectValue', 'Custom::AWSCDK-EKS-KubernetesResource']);
  });

  test('manifests carry the rendered charts (the router manifest has the InferencePool and the EPP)', () => {
    const router = JSON.stringify(template.Resources[logicalId('router')].Properties.Manifest);
    expect(router).toContain('InferencePool');
    expect(router).toContain(config.router.eppTag);
    expect(JSON.stringify(template.Resources[logicalId('crds')].Properties.Manifest)).toContain('CustomResourceDefinition');
  });

  test('no render placeholder leaks into the stack', () => {
    const text = JSON.stringify(template);
    for (const p of Object.values(RENDER_PLACEHOLDERS)) expect(text).not.toContain(p);
  });
});
