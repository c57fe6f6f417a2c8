/**
 * Envoy bootstrap for the standalone llm-d path (Envoy as a sidecar of the EPP; no Gateway, no cloud
 * load balancer). The llm-d-router v0.10.0 standalone chart preset, hardened:
 *
 *   client -> :8081 -> header_mutation (drops every EPP-owned header a client sent) -> ext_proc (gRPC
 *   over TLS to the EPP on 127.0.0.1:9002; the EPP answers with x-gateway-destination-endpoint =
 *   podIP:port) -> ORIGINAL_DST cluster dials that pod, on vLLM's port whatever the header says.
 *
 * Only the OpenAI paths the benchmark uses (and health) are routed; every other path, vLLM's
 * operational and development endpoints included, gets 404 from Envoy itself. `/tokenize` and
 * `/detokenize` (POST) bypass the EPP to the round-robin Service: `vllm bench serve` probes them
 * before a run (see TOKENIZER_ROUTES), and both arms must get the same answer.
 *
 * Written here as data so tests can check the ports, the routes and the failure mode against the
 * config, and validate the shape against the Envoy v1.33 API (k8s/validate/envoy.ts).
 */
import { stringify } from 'yaml';
import type { BenchConfig } from '../../lib/config';
import { sharedNames } from '../names';
import { ENVOY_ADMIN_PORT, ENVOY_HTTP_PORT, ENVOY_READY_PORT, EPP_GRPC_PORT } from './ports';

/** Header the EPP sets to the chosen endpoint; the ORIGINAL_DST cluster routes by it. */
export const DESTINATION_HEADER = 'x-gateway-destination-endpoint';
/**
 * Every header llm-d-router v0.10.0 owns (pkg/epp/metadata/consts.go, current names and deprecated
 * aliases, plus pkg/common/error/error.go RequestDroppedReasonHeaderKey): the ones the EPP writes for
 * Envoy (destination, subset, scores, served endpoint, drop reason) and the ones it reads as
 * gateway-set controls (objective, fairness id, model-name rewrite, SLOs, video hints). In standalone
 * mode Envoy is the gateway, so none of them may come from a client: a client-supplied destination
 * header would steer ORIGINAL_DST to any host while the EPP does not answer, the others would let a
 * client pick its priority, SLO or model. The benchmark sends none of them.
 */
export const EPP_OWNED_HEADERS: readonly string[] = [
  DESTINATION_HEADER,
  'x-gateway-destination-endpoint-subset',
  'x-gateway-destination-endpoint-scores',
  'x-gateway-destination-endpoint-served',
  'x-llm-d-request-dropped-reason',
  'x-llm-d-inference-fairness-id', 'x-gateway-inference-fairness-id',
  'x-llm-d-inference-objective', 'x-gateway-inference-objective',
  'x-llm-d-model-name-rewrite', 'x-gateway-model-name-rewrite',
  'x-llm-d-slo-ttft-ms', 'x-slo-ttft-ms',
  'x-llm-d-slo-tpot-ms', 'x-slo-tpot-ms',
  'x-llm-d-video-fps', 'x-llm-d-video-duration-seconds', 'x-llm-d-video-resolution',
];
/**
 * Paths the llm-d Service routes through the EPP (exact matches; anything else is 404). The bodyless
 * GETs (/v1/models, /health) work through ext_proc too: llm-d-router v0.10.0
 * pkg/epp/handlers/request.go HandleRequestHeaders sends a request whose headers end the stream to a
 * random endpoint (fallbackToRandomEndpoint), so they answer from one decode pod, unscored.
 */
export const INFERENCE_PATHS: readonly string[] = ['/v1/chat/completions', '/v1/completions', '/v1/models', '/health'];
/**
 * Paths `vllm bench serve` calls on its --base-url before a run for the random and prefix_repetition
 * datasets (vllm/benchmarks/serve.py `_align_prompts_to_server_tokenizer`, vllm-project/vllm#44708):
 * POST /tokenize with the first prompt and, if the server's token count differs from the client's,
 * /tokenize + /detokenize for every prompt. The EPP has no parser for them (503 with FailOpen, 500
 * with FailClose), so through the EPP the llm-d arm would skip the alignment the round-robin arm may
 * apply. Routed to the round-robin Service instead, both arms ask the same vLLM and get the same prompts.
 */
export const TOKENIZER_PATHS: readonly string[] = ['/tokenize', '/detokenize'];
/** File name inside the Envoy ConfigMap (mounted at /etc/envoy). */
export const ENVOY_CONFIG_FILE = 'envoy.yaml';
export const ENVOY_CONFIG_DIR = '/etc/envoy';
/** Longest a single (streamed) completion may take through the router. */
const ROUTE_TIMEOUT = '3600s';
/**
 * Upstream idle timeout of the vLLM clusters: below uvicorn's keep-alive (vLLM
 * VLLM_HTTP_TIMEOUT_KEEP_ALIVE, default 5 s, vllm/envs.py), so Envoy never reuses a connection vLLM is
 * closing (Envoy's default is 1 h; the race answers 503 UC, llmd-wiring review F6).
 */
export const UPSTREAM_IDLE_TIMEOUT = '4s';
/**
 * Retry a request vLLM never saw: the connection could not be made, or it was reset before the
 * request went out (the idle-close race; reset-before-request exists since Envoy 1.31,
 * envoyproxy/envoy#10007). Never `reset`/5xx: those could repeat a request that started generating.
 */
export const RETRY_POLICY = { retry_on: 'connect-failure,reset-before-request', num_retries: 1 } as const;
/** Connection/request limits far above the benchmark's 512 in flight (Envoy's default is 1024). */
const HIGH_LIMITS = { max_connections: 40000, max_pending_requests: 40000, max_requests: 40000 };

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', suppress_envoy_headers: true } };
const EXT_PROC_FILTER = 'envoy.filters.http.ext_proc';
const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
/** Cluster names. */
export const CLUSTERS = { originalDestination: 'original_destination', roundRobin: 'round_robin', extProc: 'ext_proc', admin: 'admin' } as const;

function staticCluster(name: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }],
    },
    ...extra,
  };
}

/** HTTP/1.1 to vLLM with an idle timeout below its keep-alive. */
function vllmProtocolOptions(): Record<string, unknown> {
  return {
    [HTTP_PROTOCOL_OPTIONS]: {
      '@type': `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS}`,
      common_http_protocol_options: { idle_timeout: UPSTREAM_IDLE_TIMEOUT },
      explicit_http_config: { http_protocol_options: {} },
    },
  };
}

/** The inference virtual host: allowlisted paths, everything else 404. */
function inferenceRoutes(): Record<string, unknown>[] {
  const viaEpp = INFERENCE_PATHS.map((path) => ({
    match: { path },
    route: { cluster: CLUSTERS.originalDestination, timeout: ROUTE_TIMEOUT, idle_timeout: ROUTE_TIMEOUT, retry_policy: RETRY_POLICY },
  }));
  const tokenizer = TOKENIZER_PATHS.map((path) => ({
    match: { path, headers: [{ name: ':method', string_match: { exact: 'POST' } }] },
    route: { cluster: CLUSTERS.roundRobin, timeout: '60s', retry_policy: RETRY_POLICY },
    // No EPP on this route: it has nothing to pick (and no parser for these paths).
    typed_per_filter_config: {
      [EXT_PROC_FILTER]: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute', disabled: true },
    },
  }));
  const notFound = { match: { prefix: '/' }, direct_response: { status: 404, body: { inline_string: 'not found: the llm-d router serves /v1/chat/completions, /v1/completions, /v1/models and /health\n' } } };
  return [...viaEpp, ...tokenizer, notFound];
}

/** The Envoy bootstrap object. */
export function envoyBootstrap(c: BenchConfig): Record<string, unknown> {
  return {
    admin: {
      address: { socket_address: { address: '127.0.0.1', port_value: ENVOY_ADMIN_PORT } },
      access_log: [{ name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/dev/null' } }],
    },
    static_resources: {
      listeners: [
        {
          // Readiness (/ready, answered by Envoy itself) and Envoy's own Prometheus stats.
          name: 'ready',
          address: { socket_address: { address: '0.0.0.0', port_value: ENVOY_READY_PORT } },
          filter_chains: [{
            filters: [{
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': HCM,
                stat_prefix: 'ready',
                route_config: {
                  name: 'ready',
                  virtual_hosts: [{ name: 'stats', domains: ['*'], routes: [{ match: { prefix: '/stats/prometheus' }, route: { cluster: CLUSTERS.admin } }] }],
                },
                http_filters: [
                  {
                    name: 'envoy.filters.http.health_check',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck',
                      pass_through_mode: false,
                      headers: [{ name: ':path', string_match: { exact: '/ready' } }],
                    },
                  },
                  ROUTER,
                ],
              },
            }],
          }],
        },
        {
          name: 'inference',
          address: { socket_address: { address: '0.0.0.0', port_value: ENVOY_HTTP_PORT } },
          per_connection_buffer_limit_bytes: 32768,
          filter_chains: [{
            filters: [{
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': HCM,
                stat_prefix: 'inference',
                use_remote_address: true,
                normalize_path: true,
                merge_slashes: true,
                common_http_protocol_options: { headers_with_underscores_action: 'REJECT_REQUEST' },
                route_config: {
                  name: 'inference',
                  virtual_hosts: [{
                    name: 'inference',
                    domains: ['*'],
                    routes: inferenceRoutes(),
                  }],
                },
                http_filters: [
                  {
                    // Before ext_proc: what the EPP sees and what ORIGINAL_DST routes by come from the EPP only.
                    name: 'envoy.filters.http.header_mutation',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation',
                      mutations: { request_mutations: EPP_OWNED_HEADERS.map((remove) => ({ remove })) },
                    },
                  },
                  {
                    name: EXT_PROC_FILTER,
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
                      // Same choice as InferencePool.spec.endpointPickerRef.failureMode. FailOpen does not
                      // forward anything useful here: without the EPP's header ORIGINAL_DST has no host
                      // (original_dst_cluster.cc chooseHost) and answers 503.
                      failure_mode_allow: c.router.failureMode === 'FailOpen',
                      grpc_service: { envoy_grpc: { cluster_name: CLUSTERS.extProc, authority: `localhost:${EPP_GRPC_PORT}` }, timeout: '10s' },
                      // The EPP reads the whole request body (model, prompt) while it streams through.
                      processing_mode: {
                        request_header_mode: 'SEND',
                        response_header_mode: 'SEND',
                        request_body_mode: 'FULL_DUPLEX_STREAMED',
                        response_body_mode: 'FULL_DUPLEX_STREAMED',
                        request_trailer_mode: 'SEND',
                        response_trailer_mode: 'SEND',
                      },
                      message_timeout: '1000s',
                    },
                  },
                  ROUTER,
                ],
              },
            }],
          }],
        },
      ],
      clusters: [
        staticCluster(CLUSTERS.admin, ENVOY_ADMIN_PORT),
        {
          // Dials the podIP the EPP put in the destination header, always on vLLM's port
          // (upstream_port_override): even a header that slipped through could reach nothing else.
          name: CLUSTERS.originalDestination,
          type: 'ORIGINAL_DST',
          lb_policy: 'CLUSTER_PROVIDED',
          connect_timeout: '10s',
          original_dst_lb_config: { use_http_header: true, http_header_name: DESTINATION_HEADER, upstream_port_override: c.vllm.port },
          circuit_breakers: { thresholds: [HIGH_LIMITS] },
          typed_extension_protocol_options: vllmProtocolOptions(),
        },
        {
          // The round-robin Service (the tokenizer probe of `vllm bench serve`, TOKENIZER_PATHS).
          name: CLUSTERS.roundRobin,
          type: 'STRICT_DNS',
          dns_lookup_family: 'V4_ONLY',
          lb_policy: 'ROUND_ROBIN',
          connect_timeout: '10s',
          load_assignment: {
            cluster_name: CLUSTERS.roundRobin,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: roundRobinHost(c), port_value: c.vllm.port } } } }] }],
          },
          typed_extension_protocol_options: vllmProtocolOptions(),
        },
        staticCluster(CLUSTERS.extProc, EPP_GRPC_PORT, {
          lb_policy: 'LEAST_REQUEST',
          circuit_breakers: { thresholds: [HIGH_LIMITS] },
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: { initial_stream_window_size: 65536, initial_connection_window_size: 1048576 } },
            },
          },
          // The EPP serves gRPC over TLS with a self-signed certificate (--secure-serving): encrypt,
          // do not verify (loopback inside one pod).
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              common_tls_context: { alpn_protocols: ['h2'] },
            },
          },
        }),
      ],
    },
  };
}

/** In-cluster DNS name of the round-robin Service. */
export function roundRobinHost(c: BenchConfig): string {
  const n = sharedNames(c);
  return `${n.roundRobinService}.${n.namespace}.svc.cluster.local`;
}

/** The bootstrap as YAML for the ConfigMap. */
export function envoyBootstrapYaml(c: BenchConfig): string {
  return stringify(envoyBootstrap(c), { lineWidth: 0, aliasDuplicateObjects: false });
}
