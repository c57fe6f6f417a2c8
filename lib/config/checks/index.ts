/**
 * Checks that span keys or need the tables. They run after the schema accepted every single value,
 * before any construct is built. One file per area; the order here is the order of the messages.
 * Warnings are what the offline tables doubt but cannot know (per-account AZ offerings): they never
 * stop a build.
 */
import type { BenchConfig } from '../schema';
import { BENCHMARK_CHECKS } from './benchmark';
import { WORKLOAD_CHECKS } from './workloads';
import { PLATFORM_CHECKS, PLATFORM_WARNINGS } from './platform';
import { SERVING_CHECKS, SERVING_WARNINGS } from './serving';
import { SIM_CHECKS } from './sim';
import type { Check } from './types';
// Two "workload"s: workloads.ts checks the in-cluster workloads (charts), workload.ts the benchmark traffic.
import { WORKLOAD_CHECKS as TRAFFIC_CHECKS } from './workload';

export const CHECKS: readonly Check[] = [...PLATFORM_CHECKS, ...SERVING_CHECKS, ...WORKLOAD_CHECKS, ...BENCHMARK_CHECKS, ...TRAFFIC_CHECKS, ...SIM_CHECKS];
export const WARNINGS: readonly Check[] = [...PLATFORM_WARNINGS, ...SERVING_WARNINGS];

export function crossChecks(config: BenchConfig): string[] {
  return CHECKS.flatMap((check) => check(config));
}

export function crossWarnings(config: BenchConfig): string[] {
  return WARNINGS.flatMap((check) => check(config));
}
