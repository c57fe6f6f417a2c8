import { z } from 'zod';

/** Simulator constants (efficiency factors fitted once; see docs/simulator.md). */
export const simSchema = z.object({}).strict().prefault({});
