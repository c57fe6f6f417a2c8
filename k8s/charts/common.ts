/** Small helpers shared by the workload charts. */
import { k8s } from 'cdk8s-plus-28';
import type { BenchConfig, ImageRef } from '../../lib/config';
import { PART_OF_LABEL } from '../labels';
import { GPU_NODE_ROLE, GPU_NODE_TAINT, NODE_ROLE_LABEL, SYSTEM_NODE_ROLE, sharedNames } from '../names';

/** Props of every workload chart: the validated config is the only input. */
export interface WorkloadChartProps {
  readonly config: BenchConfig;
}

/** Metadata of a namespaced object of the project. */
export function meta(c: BenchConfig, name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): k8s.ObjectMeta {
  return {
    name,
    namespace: sharedNames(c).namespace,
    labels: { ...PART_OF_LABEL, ...labels },
    ...(annotations ? { annotations } : {}),
  };
}

/** Metadata of a cluster-scoped object (name prefixed with the namespace so two installs never clash). */
export function clusterMeta(c: BenchConfig, name: string, labels: Record<string, string> = {}): k8s.ObjectMeta {
  return { name: `${sharedNames(c).namespace}-${name}`, labels: { ...PART_OF_LABEL, ...labels } };
}

/** Container security context: no privileges, no capabilities, no escalation. */
export function restrictedContainer(readOnlyRootFilesystem: boolean): k8s.SecurityContext {
  return {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
  };
}

/** Pod security context: a fixed non-root UID and the runtime's default seccomp profile. */
export function nonRootPod(uid: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Scheduling onto the system node group (router, monitoring, benchmark client). */
export const SYSTEM_NODE_SELECTOR: Record<string, string> = { [NODE_ROLE_LABEL]: SYSTEM_NODE_ROLE };

/** Scheduling onto the GPU node group; the decode pods must also tolerate its taint. */
export const GPU_NODE_SELECTOR: Record<string, string> = { [NODE_ROLE_LABEL]: GPU_NODE_ROLE };
export const GPU_TOLERATION: k8s.Toleration = { key: GPU_NODE_TAINT.key, operator: 'Exists', effect: GPU_NODE_TAINT.effect };

/** CPU in cores as a Kubernetes quantity (`3` -> "3", `0.5` -> "500m"). */
export function cpu(cores: number): k8s.Quantity {
  return k8s.Quantity.fromString(Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`);
}

/** Memory in GiB as a Kubernetes quantity (`10` -> "10Gi", `0.5` -> "512Mi"). */
export function gib(value: number): k8s.Quantity {
  return k8s.Quantity.fromString(Number.isInteger(value) ? `${value}Gi` : `${Math.round(value * 1024)}Mi`);
}

/** Downward-API env var. */
export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/** An emptyDir volume; every one of the project's has a size limit (the node's disk or memory is shared). */
export function emptyDir(name: string, sizeLimit: string, medium?: 'Memory'): k8s.Volume {
  return { name, emptyDir: { ...(medium ? { medium } : {}), sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}

/** Prefix of the pod annotations that keep `repository:tag` next to an image pulled by digest. */
export const IMAGE_ANNOTATION_PREFIX = 'llmd-bench/image.';

/** Pod-template annotations naming each container's image by tag (the pod spec pulls it by digest when one is known). */
export function imageAnnotations(byContainer: Readonly<Record<string, ImageRef>>): Record<string, string> {
  return Object.fromEntries(Object.entries(byContainer).map(([container, image]) => [`${IMAGE_ANNOTATION_PREFIX}${container}`, image.tagged]));
}
