/**
 * The root config schema. Every default is the reference run (../docs/benchmark-reference.md).
 * One section per concern; each section file documents its keys.
 */
import { z } from 'zod';
import { awsSchema } from './sections/aws';
import { benchmarkSchema } from './sections/benchmark';
import { clusterSchema } from './sections/cluster';
import { modelSchema } from './sections/model';
import { modelStoreSchema } from './sections/model-store';
import { monitoringSchema } from './sections/monitoring';
import { networkSchema } from './sections/network';
import { gpuNodesSchema, systemNodesSchema } from './sections/nodes';
import { projectSchema } from './sections/project';
import { routerSchema } from './sections/router';
import { simSchema } from './sections/sim';
import { vllmSchema } from './sections/vllm';
import { workloadSchema } from './sections/workload';

export const configSchema = z.object({
  project: projectSchema,
  aws: awsSchema,
  network: networkSchema,
  cluster: clusterSchema,
  gpuNodes: gpuNodesSchema,
  systemNodes: systemNodesSchema,
  modelStore: modelStoreSchema,
  model: modelSchema,
  vllm: vllmSchema,
  router: routerSchema,
  benchmark: benchmarkSchema,
  workload: workloadSchema,
  monitoring: monitoringSchema,
  sim: simSchema,
}).strict();

/** The validated configuration every consumer reads. */
export type BenchConfig = z.output<typeof configSchema>;
/** What a user may give: any subset, nested by section. */
export type BenchConfigInput = z.input<typeof configSchema>;
