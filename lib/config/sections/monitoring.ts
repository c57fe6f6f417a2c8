import { z } from 'zod';
import { imageDigest, intBetween } from '../fields';

export const monitoringSchema = z.object({
  kubePrometheusStackVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'must be a chart version x.y.z such as 88.5.3' }).default('88.5.3')
    .describe('kube-prometheus-stack Helm chart version (Prometheus operator, Prometheus, Grafana, node exporter); latest release seen August 2026.'),
  gpuOperatorVersion: z.string().regex(/^v\d+\.\d+\.\d+$/, { error: 'must be a chart version such as v26.7.0' }).default('v26.7.0')
    .describe('NVIDIA gpu-operator Helm chart version (device plugin, GFD, DCGM exporter); latest release seen August 2026.'),
  prometheusRetention: z.string().regex(/^\d+[hdw]$/, { error: 'must be a duration such as 12h, 2d or 1w' }).default('2d')
    .describe('How long Prometheus keeps samples. Storage is an emptyDir: gone with the pod, so `cdk destroy` cannot leak a volume.'),
  prometheusStorageGiB: intBetween(1, 50, 'GiB', 'ephemeral storage on a system node').default(10)
    .describe('Size limit of Prometheus\'s emptyDir, GiB (on the system node\'s root volume).'),
  crdUpgradeImageDigest: imageDigest().optional()
    .describe('Digest of the busybox image (tag pinned in code) of kube-prometheus-stack\'s CRD upgrade job, which pulls by tag without it; find it with `crane digest busybox:<tag>`.'),
}).strict().prefault({});
