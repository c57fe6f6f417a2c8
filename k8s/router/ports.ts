/**
 * Ports inside the EPP pod. Fixed by llm-d-router v0.10.0's defaults and its standalone chart; defined
 * once here because the EPP flags, the Envoy bootstrap, the probes and the Services must agree.
 */
/** EPP ext_proc gRPC (TLS with a self-signed certificate: `--secure-serving` default). */
export const EPP_GRPC_PORT = 9002;
/** EPP gRPC health (liveness/readiness, service name `inference-extension` with one replica). */
export const EPP_HEALTH_PORT = 9003;
/** EPP Prometheus metrics (bearer token checked by TokenReview + SubjectAccessReview). */
export const EPP_METRICS_PORT = 9090;
/** Envoy's client-facing HTTP listener (the router Service targets it). */
export const ENVOY_HTTP_PORT = 8081;
/** Envoy admin, bound to 127.0.0.1 only. */
export const ENVOY_ADMIN_PORT = 19000;
/** Envoy listener answering `/ready` (readiness probe) and `/stats/prometheus`. */
export const ENVOY_READY_PORT = 19001;
/** Named container ports, referenced by Services and probes. */
export const PORT_NAMES = {
  vllmHttp: 'http',
  vllmKvEvents: 'kv-events',
  vllmKvReplay: 'kv-replay',
  renderHttp: 'http',
  eppGrpc: 'grpc',
  eppHealth: 'grpc-health',
  eppMetrics: 'http-metrics',
  envoyHttp: 'http',
  envoyReady: 'envoy-ready',
} as const;
