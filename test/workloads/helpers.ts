/** Helpers for the workload tests: find objects in a render, read pod templates and CLI flags. */
import { parse } from 'yaml';
import type { K8sObject } from '../../k8s/render';
import type { EndpointPickerConfig } from '../../k8s/router/endpoint-picker-config';

/** The object of a kind and name; throws (with what exists) when absent. */
export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name}; have ${objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((x) => x.kind === kind);
}

/** Every pod template in a render: Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods. */
export function podTemplates(objects: readonly K8sObject[]): { owner: string; metadata: Record<string, any>; spec: Record<string, any> }[] {
  const out: { owner: string; metadata: Record<string, any>; spec: Record<string, any> }[] = [];
  for (const o of objects) {
    const owner = `${o.kind}/${o.metadata?.name}`;
    if (o.kind === 'Pod') out.push({ owner, metadata: o.metadata ?? {}, spec: o.spec });
    else if (o.kind === 'CronJob') out.push({ owner, metadata: o.spec.jobTemplate.spec.template.metadata ?? {}, spec: o.spec.jobTemplate.spec.template.spec });
    else if (o.spec?.template?.spec?.containers) out.push({ owner, metadata: o.spec.template.metadata ?? {}, spec: o.spec.template.spec });
  }
  return out;
}

/** All containers (init and regular) of a pod spec. */
export function containersOf(spec: Record<string, any>): Record<string, any>[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** Value of `--flag=value` or `--flag value` in an argument list (undefined when absent). */
export function flag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
    if (args[i] === name) return args[i + 1];
  }
  return undefined;
}

/** The decode container (`vllm`) of the decode Deployment. */
export function vllmContainer(objects: readonly K8sObject[], deployment: string): Record<string, any> {
  return find(objects, 'Deployment', deployment).spec.template.spec.containers.find((c: { name: string }) => c.name === 'vllm');
}

/** The EndpointPickerConfig parsed back from the rendered ConfigMap (what the EPP will read). */
export function renderedEppConfig(objects: readonly K8sObject[], configMap: string): EndpointPickerConfig {
  const data = find(objects, 'ConfigMap', configMap).data as Record<string, string>;
  const files = Object.values(data);
  if (files.length !== 1) throw new Error(`expected one file in ConfigMap ${configMap}`);
  return parse(files[0]) as EndpointPickerConfig;
}

/** A plugin of the parsed config by type. */
export function pluginOfType(epc: EndpointPickerConfig, type: string): Record<string, any> {
  const p = epc.plugins.find((x) => x.type === type);
  if (!p) throw new Error(`no plugin of type ${type}`);
  return p as Record<string, any>;
}

/** Deep copy, so a test may break an object without touching the shared render. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
