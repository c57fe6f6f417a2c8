/** Checks of the simulator keys. */
import type { Check } from './types';

export const SIM_CHECKS: readonly Check[] = [];
