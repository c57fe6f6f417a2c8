/**
 * Non-root UIDs of the project's pods (a leaf: charts and the loader share them without importing
 * each other). The vLLM image runs as root by default; nothing in vLLM needs it.
 */
/** vLLM decode pods, the render server and the benchmark client (the same image). */
export const VLLM_UID = 1000;
/** The EPP image's distroless `nonroot` user; Envoy's distroless image runs fine under it too. */
export const EPP_UID = 65532;
