/**
 * Envoy bootstrap for the standalone llm-d path (Envoy as a sidecar of the EPP; no Gateway, no cloud
 * load balancer). Same behaviour as llm-d-router v0.10.0's standalone chart preset:
 *
 *   client -> :8081 -> ext_proc (gRPC over TLS to the EPP on 127.0.0.1:9002) -> the EPP answers with
 *   header x-gateway-destination-endpoint = podIP:port -> ORIGINAL_DST cluster dials that pod.
 *
 * Written here as data so tests can check the ports and the failure mode against the config.
 */
import { stringify } from 'yaml';
import type { BenchConfig } from '../../lib/config';
import { ENVOY_ADMIN_PORT, ENVOY_HTTP_PORT, ENVOY_READY_PORT, EPP_GRPC_PORT } from './ports';

/** Header the EPP sets to the chosen endpoint; the ORIGINAL_DST cluster routes by it. */
export const DESTINATION_HEADER = 'x-gateway-destination-endpoint';
/** File name inside the Envoy ConfigMap (mounted at /etc/envoy). */
export const ENVOY_CONFIG_FILE = 'envoy.yaml';
export const ENVOY_CONFIG_DIR = '/etc/envoy';
/** Longest a single (streamed) completion may take through the router. */
const ROUTE_TIMEOUT = '3600s';
/** Connection/request limits far above the benchmark's 512 in flight (Envoy's default is 1024). */
const HIGH_LIMITS = { max_connections: 40000, max_pending_requests: 40000, max_requests: 40000 };

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', suppress_envoy_headers: true } };

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
                  virtual_hosts: [{ name: 'stats', domains: ['*'], routes: [{ match: { prefix: '/stats/prometheus' }, route: { cluster: 'admin' } }] }],
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
                    routes: [{ match: { prefix: '/' }, route: { cluster: 'original_destination', timeout: ROUTE_TIMEOUT, idle_timeout: ROUTE_TIMEOUT } }],
                  }],
                },
                http_filters: [
                  {
                    name: 'envoy.filters.http.ext_proc',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
                      // Same choice as InferencePool.spec.endpointPickerRef.failureMode.
                      failure_mode_allow: c.router.failureMode === 'FailOpen',
                      grpc_service: { envoy_grpc: { cluster_name: 'ext_proc', authority: `localhost:${EPP_GRPC_PORT}` }, timeout: '10s' },
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
        staticCluster('admin', ENVOY_ADMIN_PORT),
        {
          // Dials whatever podIP:port the EPP put in the destination header.
          name: 'original_destination',
          type: 'ORIGINAL_DST',
          lb_policy: 'CLUSTER_PROVIDED',
          connect_timeout: '10s',
          original_dst_lb_config: { use_http_header: true, http_header_name: DESTINATION_HEADER },
          circuit_breakers: { thresholds: [HIGH_LIMITS] },
        },
        staticCluster('ext_proc', EPP_GRPC_PORT, {
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

/** The bootstrap as YAML for the ConfigMap. */
export function envoyBootstrapYaml(c: BenchConfig): string {
  return stringify(envoyBootstrap(c), { lineWidth: 0, aliasDuplicateObjects: false });
}
