/**
 * Checks that span keys or need the tables. They run after the schema accepted every single value,
 * before any construct is built. One file per area; the order here is the order of the messages.
 */
import type { BenchConfig } from '../schema';
import { BENCHMARK_CHECKS } from './benchmark';
import { PLATFORM_CHECKS } from './platform';
import { SERVING_CHECKS } from './serving';
import { SIM_CHECKS } from './sim';
import type { Check } from './types';
import { WORKLOAD_CHECKS } from './workload';

export const CHECKS: readonly Check[] = [...PLATFORM_CHECKS, ...SERVING_CHECKS, ...BENCHMARK_CHECKS, ...WORKLOAD_CHECKS, ...SIM_CHECKS];

export function crossChecks(config: BenchConfig): string[] {
  return CHECKS.flatMap((check) => check(config));
}
