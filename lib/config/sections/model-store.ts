import { z } from 'zod';
import { oneOf, positiveInt } from '../fields';

export const modelStoreSchema = z.object({
  deploymentType: oneOf(['PERSISTENT_2', 'SCRATCH_2']).default('PERSISTENT_2')
    .describe('FSx for Lustre deployment type.'),
  storageCapacityGiB: positiveInt().default(1200)
    .describe('FSx capacity, GiB: 1200, 2400, then multiples of 2400.'),
  perUnitStorageThroughput: positiveInt().default(250)
    .describe('PERSISTENT_2 throughput, MB/s per TiB (125, 250, 500, 1000). 250 loads 8 replicas x 15 GB in ~7 min cold.'),
  modelSource: z.string().default('huggingface')
    .describe('"huggingface" (a loader Job downloads the model once) or s3://bucket/prefix (an FSx data repository association imports it).'),
  hfTokenSecretName: z.string().optional()
    .describe('Secrets Manager secret holding a Hugging Face token for gated models (huggingface source only).'),
  mountPath: z.string().regex(/^\/[A-Za-z0-9_./-]*$/, { error: 'must be an absolute path' }).default('/models')
    .describe('Where pods mount the file system; weights live under <mountPath>/<model id>.'),
}).strict().prefault({});
