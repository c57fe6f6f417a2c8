/** Defaults of `tune` that the CLI, the library and the docs share. */

/**
 * Seconds of arrivals per probe of the rate search (--probe-seconds): rate x this many requests. A
 * queue that grows by (rate - capacity) for this long must stay within the TTFT SLO, so a rate ~2%
 * above the sustainable one fails a 2 s P90 TTFT (docs/tune.md, "Limits"); 60 s probes let a rate
 * 15% too high pass on the reference workload, 120 s and 240 s agree within a grid step or two.
 */
export const DEFAULT_PROBE_SECONDS = 120;
/** --budget-s. */
export const DEFAULT_BUDGET_S = 300;
/** --samples: random candidates drawn from the whole space. */
export const DEFAULT_SAMPLES = 24;
/** --top-hardware: placements whose best candidate gets coordinate moves. */
export const DEFAULT_TOP_HARDWARE = 3;
/** --max-rounds of coordinate moves. */
export const DEFAULT_MAX_ROUNDS = 6;
