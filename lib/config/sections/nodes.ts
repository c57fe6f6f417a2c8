import { z } from 'zod';
import { oneOf, positiveInt } from '../fields';

export const gpuNodesSchema = z.object({
  instanceType: z.string().default('g5.xlarge')
    .describe('GPU node instance type (NVIDIA GPUs only; see lib/config/tables/instances.ts).'),
  count: positiveInt().default(8)
    .describe('GPU nodes (min = max = desired; no autoscaling during a benchmark).'),
  capacityType: oneOf(['ON_DEMAND', 'SPOT']).default('ON_DEMAND')
    .describe('ON_DEMAND for reproducible runs; SPOT is cheaper but a reclaimed node ruins a run.'),
  diskSizeGiB: positiveInt().default(200)
    .describe('Root volume per GPU node, GiB (the vLLM image is ~20 GiB unpacked; >= 100).'),
}).strict().prefault({});

export const systemNodesSchema = z.object({
  instanceType: z.string().default('m6i.xlarge')
    .describe('Instance type for the router, monitoring, GPU-operator control pods and the benchmark client.'),
  count: positiveInt().default(2)
    .describe('System nodes.'),
  diskSizeGiB: positiveInt().default(100)
    .describe('Root volume per system node, GiB (the benchmark client runs the vLLM image).'),
}).strict().prefault({});
