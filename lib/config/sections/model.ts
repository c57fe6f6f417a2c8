import { z } from 'zod';

export const modelSchema = z.object({
  id: z.string().default('Qwen/Qwen2.5-7B-Instruct')
    .describe('Hugging Face model id; also the served model name the router and benchmark use. Must have a row in lib/config/tables/models.ts, or give model.configFile.'),
  revision: z.string().regex(/^[0-9a-f]{40}$|^[A-Za-z0-9._-]+$/, { error: 'must be a commit sha or a branch/tag name' }).default('a09a35458c702b33eeacc393d103063234e8bc28')
    // The Hub commit of Qwen/Qwen2.5-7B-Instruct that "main" pointed to through 2025-2026 (14 files, 15.24 GB).
    .describe('Hub revision to download: a commit sha (reproducible weights; the loader can skip the Hub on reruns) or a branch/tag name. Unset: the registry row\'s pinned revision of model.id (a sha for Qwen2.5-7B-Instruct, main for the other rows and for a model.configFile model: the loader records the commit it got).'),
  configFile: z.string().min(1, { error: 'must be a path to a config.json' }).optional()
    .describe('Path to the Hugging Face config.json of model.id, for a dense decoder-only model without a registry row (layers, hidden, heads, KV heads, head_dim, intermediate, vocab, tied embeddings and dtype are read from it). Mixture-of-experts, multimodal, sliding-window and quantized configs are refused.'),
  parameterCount: z.number({ error: 'must be a positive integer number of parameters' }).int({ error: 'must be a positive integer number of parameters' }).positive({ error: 'must be a positive integer number of parameters' }).optional()
    .describe('Total parameters of the model (e.g. 8030261248), overriding the count from the registry or computed from model.configFile (sizes the weights: parameters x 2 bytes).'),
}).strict().prefault({});
