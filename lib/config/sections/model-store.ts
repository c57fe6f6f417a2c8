import { z } from 'zod';
import { oneOf, positiveInt } from '../fields';

export const modelStoreSchema = z.object({
  deploymentType: oneOf(['PERSISTENT_2', 'SCRATCH_2']).default('PERSISTENT_2')
    .describe('FSx for Lustre deployment type. PERSISTENT_2 supports LZ4, per-unit throughput and S3 data repository associations.'),
  storageCapacityGiB: positiveInt().default(1200)
    .describe('FSx capacity, GiB: 1200, 2400, then multiples of 2400. Unset: the cheapest capacity and throughput tier that hold two copies of the weights (a new revision downloads beside the old) + 100 GiB and read every replica\'s weights in 10 minutes (1200 for the reference).'),
  perUnitStorageThroughput: positiveInt().default(250)
    .describe('PERSISTENT_2 throughput, MB/s per TiB (125, 250, 500, 1000). Unset: sized with the capacity so that all replicas x the weight bytes are read in 10 minutes (250 for the reference: ~290 MB/s on 1.2 TiB, 8 x 15.2 GB in ~7 min).'),
  modelSource: z.string().default('huggingface')
    .describe('"huggingface" (a one-shot loader Job downloads model.revision once) or s3://bucket/prefix holding the model files (an FSx data repository association imports them lazily; same region).'),
  hfTokenSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
    error: 'must be a Secrets Manager secret name: letters, digits and /_+=.@-',
  }).optional()
    .describe('Name of a Secrets Manager secret whose string value is a Hugging Face token (gated models; huggingface source only). The secret must carry the tag llmd-bench:purpose=hf-token (an IAM condition of the loader role). The loader reads it through Pod Identity; it never enters a template.'),
  mountPath: z.string().regex(/^\/[A-Za-z0-9_./-]*$/, { error: 'must be an absolute path' }).default('/models')
    .describe('Where pods mount the file system; weights live under <mountPath>/<model id>, results under <mountPath>/results.'),
  retainOnDestroy: z.boolean({ error: 'must be true or false' }).default(false)
    .describe('Keep the file system when the stack is destroyed (it keeps billing). Default false: `cdk destroy` deletes it without a final backup.'),
}).strict().prefault({});
