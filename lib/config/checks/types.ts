import type { BenchConfig } from '../schema';

/** A cross-field check: returns one `problem()` line per problem found. */
export type Check = (c: BenchConfig) => string[];
