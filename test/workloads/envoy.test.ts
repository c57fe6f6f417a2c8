/**
 * The Envoy bootstrap of the llm-d path, as rendered into its ConfigMap: valid against the Envoy
 * v1.33 API (vendored field lists, k8s/validate/envoy.ts), and hardened (issue 14 #2, issue 9 B3/B5):
 * client-supplied EPP headers dropped before ext_proc, upstream port forced to vLLM's, only the
 * benchmark's OpenAI paths routed (everything else 404), connections recycled before vLLM's
 * keep-alive closes them, a retry only for requests vLLM never saw, and the tokenizer probe of
 * `vllm bench serve` answered by the same vLLM for both arms.
 */
import { parse } from 'yaml';
import { defaultConfig, loadConfig } from '../../lib/config';
import { PATH_LABELS } from '../../lib/bench/run-names';
import { targetUrl, vllmBenchArgs, exampleBenchmarkRun } from '../../k8s/bench/benchmark-job';
import { sharedNames } from '../../k8s/names';
import { allObjects, renderCharts } from '../../k8s/render';
import { EPP_OWNED_HEADERS, envoyBootstrap, INFERENCE_PATHS, TOKENIZER_PATHS } from '../../k8s/router/envoy-config';
import { ENVOY_API_SOURCE, validateEnvoyBootstrap } from '../../k8s/validate/envoy';
import { clone, find, flag } from './helpers';

const config = defaultConfig();
const n = sharedNames(config);
const objects = allObjects(renderCharts(config));
const envoy = parse(Object.values(find(objects, 'ConfigMap', n.envoyConfigMap).data as Record<string, string>)[0]);
const listener = envoy.static_resources.listeners.find((l: { name: string }) => l.name === 'inference');
const hcm = listener.filter_chains[0].filters[0].typed_config;
const routes: any[] = hcm.route_config.virtual_hosts[0].routes;
const cluster = (name: string) => envoy.static_resources.clusters.find((c: { name: string }) => c.name === name);

/** Envoy's route selection: the first route whose path/prefix and header matchers all match. */
function routeFor(path: string, method: string): any {
  const p = path.split('?')[0];
  return routes.find((r) => {
    const m = r.match;
    const pathOk = m.path !== undefined ? p === m.path : m.prefix !== undefined ? p.startsWith(m.prefix) : false;
    const headersOk = (m.headers ?? []).every((h: any) => h.name === ':method' && h.string_match?.exact === method);
    return pathOk && headersOk;
  });
}

describe('Envoy v1.33 API shape', () => {
  test(`the rendered bootstrap matches the API (${ENVOY_API_SOURCE.repository}@${ENVOY_API_SOURCE.commit.slice(0, 8)}), FailClose and FailOpen`, () => {
    expect(validateEnvoyBootstrap(envoy)).toEqual([]);
    expect(validateEnvoyBootstrap(envoyBootstrap(loadConfig({ 'router.failureMode': 'FailOpen', 'vllm.port': 8080 })))).toEqual([]);
  });

  test('the check is not vacuous: misspelt field, bad enum, bad duration, two oneof members, unknown @type, wrong scalar', () => {
    const b = clone(envoy);
    const od = b.static_resources.clusters.find((c: { name: string }) => c.name === 'original_destination');
    od.original_dst_lb_config.use_http_headr = true;
    od.connect_timeout = 10;
    od.type = 'ORIGINAL_DESTINATION';
    const h = b.static_resources.listeners.find((l: { name: string }) => l.name === 'inference').filter_chains[0].filters[0].typed_config;
    h.route_config.virtual_hosts[0].routes[0].direct_response = { status: 404 };
    h.http_filters[2].typed_config['@type'] = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr';
    h.http_filters[1].typed_config.failure_mode_allow = 'no';
    const text = validateEnvoyBootstrap(b).map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(text).toMatch(/use_http_headr: unknown field/);
    expect(text).toMatch(/connect_timeout: must be a duration/);
    expect(text).toMatch(/type: must be one of STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST/);
    expect(text).toMatch(/oneof action of envoy.config.route.v3.Route set more than once: route, direct_response/);
    expect(text).toMatch(/Routr is not in the vendored Envoy v1.33 schema/);
    expect(text).toMatch(/failure_mode_allow: must be true or false/);
  });
});

describe('EPP-owned headers', () => {
  test('a header_mutation filter removes every EPP-owned header before ext_proc sees the request', () => {
    const names = hcm.http_filters.map((f: { name: string }) => f.name);
    expect(names.indexOf('envoy.filters.http.header_mutation')).toBe(names.indexOf('envoy.filters.http.ext_proc') - 1);
    const removed = hcm.http_filters[0].typed_config.mutations.request_mutations.map((m: { remove: string }) => m.remove);
    expect(removed).toEqual(EPP_OWNED_HEADERS);
    // llm-d-router v0.10.0 pkg/epp/metadata/consts.go: the destination key and its relatives, the
    // gateway controls and their deprecated aliases; pkg/common/error/error.go: the drop reason.
    for (const h of ['x-gateway-destination-endpoint', 'x-gateway-destination-endpoint-subset', 'x-gateway-destination-endpoint-served', 'x-gateway-destination-endpoint-scores',
      'x-llm-d-model-name-rewrite', 'x-gateway-model-name-rewrite', 'x-llm-d-inference-objective', 'x-gateway-inference-objective', 'x-llm-d-request-dropped-reason']) {
      expect(removed).toContain(h);
    }
    for (const h of removed) expect(h).toBe(h.toLowerCase());
  });

  test('the original-destination cluster dials vLLM\'s port whatever the header says, and fails closed by default', () => {
    expect(cluster('original_destination').original_dst_lb_config).toEqual({ use_http_header: true, http_header_name: 'x-gateway-destination-endpoint', upstream_port_override: config.vllm.port });
    const extProc = hcm.http_filters.find((f: { name: string }) => f.name === 'envoy.filters.http.ext_proc').typed_config;
    expect(extProc.failure_mode_allow).toBe(false);
  });
});

describe('routes', () => {
  test.each(INFERENCE_PATHS.map((p) => [p]))('%s goes through the EPP to the original-destination cluster', (path) => {
    const r = routeFor(path, path.startsWith('/v1/models') || path === '/health' ? 'GET' : 'POST');
    expect(r.route.cluster).toBe('original_destination');
    expect(r.typed_per_filter_config).toBeUndefined();
  });

  test.each([
    ['/collective_rpc', 'POST'], ['/sleep', 'POST'], ['/wake_up', 'POST'], ['/pause', 'POST'], ['/resume', 'POST'], ['/update_weights', 'POST'],
    ['/reset_prefix_cache', 'POST'], ['/server_info', 'GET'], ['/metrics', 'GET'], ['/invocations', 'POST'], ['/v1/chat/completions/render', 'POST'],
    ['/v1/completions/render', 'POST'], ['/inference/v1/generate', 'POST'], ['/v1/responses', 'POST'], ['/tokenize', 'GET'], ['/', 'GET'],
  ])('%s (%s) is answered 404 by Envoy', (path, method) => {
    expect(routeFor(path, method).direct_response).toMatchObject({ status: 404 });
  });

  test('/tokenize and /detokenize (POST) skip the EPP and reach the same round-robin Service the other arm calls (vllm bench serve aligns prompts through them)', () => {
    const rr = cluster('round_robin');
    const address = rr.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    const rrArm = new URL(targetUrl(config, PATH_LABELS.roundRobin));
    expect(address).toEqual({ address: rrArm.hostname, port_value: Number(rrArm.port) });
    for (const path of TOKENIZER_PATHS) {
      const r = routeFor(path, 'POST');
      expect(r.route.cluster).toBe('round_robin');
      expect(r.typed_per_filter_config['envoy.filters.http.ext_proc']).toMatchObject({ disabled: true });
    }
    // Both arms run the same `vllm bench serve` arguments except the base URL and the label, so the
    // same prompts come out of the same alignment.
    const rrArgs = vllmBenchArgs(config, exampleBenchmarkRun(config));
    const llmdArgs = vllmBenchArgs(config, { ...exampleBenchmarkRun(config), label: PATH_LABELS.llmd });
    const differing = rrArgs.map((a, i) => (a === llmdArgs[i] ? undefined : a.replace(/=.*$/, '=') )).filter(Boolean);
    expect(differing).toEqual([targetUrl(config, PATH_LABELS.roundRobin), PATH_LABELS.roundRobin, 'llmd_bench_target_url=', expect.stringMatching(/^round-robin_rate-/)]);
    expect(rrArgs.length).toBe(llmdArgs.length);
    expect(flag(rrArgs, '--seed')).toBe(flag(llmdArgs, '--seed'));
  });
});

describe('connections to vLLM', () => {
  test('idle connections are closed before vLLM\'s uvicorn keep-alive (5 s) closes them, on every cluster that dials vLLM', () => {
    const VLLM_KEEP_ALIVE_S = 5; // vllm/envs.py VLLM_HTTP_TIMEOUT_KEEP_ALIVE default
    for (const name of ['original_destination', 'round_robin']) {
      const opts = cluster(name).typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
      expect(Number(opts.common_http_protocol_options.idle_timeout.replace(/s$/, ''))).toBeLessThan(VLLM_KEEP_ALIVE_S);
      expect(opts.explicit_http_config).toEqual({ http_protocol_options: {} });
    }
  });

  test('a request is retried once only when vLLM cannot have seen it (connect failure, reset before the request was sent)', () => {
    for (const r of routes.filter((x) => x.route)) {
      expect(r.retry_policy ?? r.route.retry_policy).toEqual({ retry_on: 'connect-failure,reset-before-request', num_retries: 1 });
    }
  });
});
