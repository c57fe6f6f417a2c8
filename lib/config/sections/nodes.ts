import { z } from 'zod';
import { nonNegativeInt, oneOf, positiveInt } from '../fields';

export const gpuNodesSchema = z.object({
  instanceType: z.string().default('g5.xlarge')
    .describe('GPU node instance type (NVIDIA GPUs only: g5, g6, g6e, p4d, p4de, p5, p5e, p5en, p6-b200 sizes of lib/config/tables/instances.ts). AMI type AL2023_x86_64_NVIDIA: driver and container toolkit preinstalled.'),
  count: nonNegativeInt().default(8)
    .describe('GPU nodes (min = max = desired: no autoscaling during a benchmark). 8 x g5.xlarge needs 32 vCPU of the "Running On-Demand G and VT instances" quota. 0 pauses the GPU bill and keeps the cluster: the GPU node group scales to zero and vllm.replicas derives to 0 (resume with the count you had, e.g. 8; README "Pause and resume").'),
  capacityType: oneOf(['ON_DEMAND', 'SPOT']).default('ON_DEMAND')
    .describe('ON_DEMAND for reproducible runs; SPOT is cheaper but a reclaimed node ruins a run.'),
  diskSizeGiB: positiveInt().default(200)
    .describe('Encrypted gp3 root volume per GPU node, GiB (the vLLM image is ~20 GiB unpacked and containerd keeps the compressed layers too; >= 100).'),
}).strict().prefault({});

export const systemNodesSchema = z.object({
  instanceType: z.string().default('m6i.2xlarge')
    .describe('Instance type for the router, the render server, monitoring, GPU-operator control pods, the loader and the benchmark client. ' +
      'm6i.2xlarge (8 vCPU): the EPP pod alone asks 6 CPU (EPP 4 + Envoy 2, below the upstream charts\' 8 + 4) so a starved router cannot bias the llm-d arm; +$0.38/h for two nodes.'),
  count: positiveInt().default(2)
    .describe('System nodes (min = max = desired).'),
  diskSizeGiB: positiveInt().default(100)
    .describe('Encrypted gp3 root volume per system node, GiB (the loader and the benchmark client run the vLLM image).'),
  sameAzAsGpu: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('Put the system nodes in aws.gpuAvailabilityZone too: client -> router -> vLLM hops and FSx reads stay in one AZ (no cross-AZ latency in TTFT, no cross-AZ transfer cost). false spreads them over all AZs.'),
}).strict().prefault({});
