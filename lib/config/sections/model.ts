import { z } from 'zod';

export const modelSchema = z.object({
  id: z.string().default('Qwen/Qwen2.5-7B-Instruct')
    .describe('Hugging Face model id; also the served model name the router and benchmark use. Must be in lib/config/tables/models.ts.'),
  revision: z.string().regex(/^[0-9a-f]{40}$|^[A-Za-z0-9._-]+$/, { error: 'must be a commit sha or a branch/tag name' }).default('main')
    .describe('Hub revision to download (pin a commit sha for reproducible weights).'),
}).strict().prefault({});
