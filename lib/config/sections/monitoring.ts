import { z } from 'zod';

export const monitoringSchema = z.object({
  kubePrometheusStackVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'must be a chart version x.y.z' }).default('88.5.0')
    .describe('kube-prometheus-stack Helm chart version (Prometheus, Grafana, operator).'),
  gpuOperatorVersion: z.string().regex(/^v?\d+\.\d+\.\d+$/, { error: 'must be a chart version such as v26.7.0' }).default('v26.7.0')
    .describe('NVIDIA gpu-operator Helm chart version.'),
  prometheusRetention: z.string().regex(/^\d+[hdw]$/, { error: 'must be a duration such as 12h, 2d or 1w' }).default('2d')
    .describe('How long Prometheus keeps samples (ephemeral storage: gone with the pod).'),
}).strict().prefault({});
