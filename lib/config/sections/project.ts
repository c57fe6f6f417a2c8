import { z } from 'zod';
import { dnsLabel } from '../fields';

export const projectSchema = z.object({
  namespace: dnsLabel().default('llmd-bench')
    .describe('Kubernetes namespace of the vLLM replicas, the router, the loader and benchmark Jobs.'),
}).strict().prefault({});
