import { z } from 'zod';

export const modelSchema = z.object({
  id: z.string().default('Qwen/Qwen2.5-7B-Instruct')
    .describe('Hugging Face model id; also the served model name the router and benchmark use. Must be in lib/config/tables/models.ts.'),
  revision: z.string().regex(/^[0-9a-f]{40}$|^[A-Za-z0-9._-]+$/, { error: 'must be a commit sha or a branch/tag name' }).default('a09a35458c702b33eeacc393d103063234e8bc28')
    // The Hub commit of Qwen/Qwen2.5-7B-Instruct that "main" pointed to through 2025-2026 (14 files, 15.24 GB).
    .describe('Hub revision to download: a commit sha (reproducible weights; the loader can skip the Hub on reruns) or a branch/tag name.'),
}).strict().prefault({});
