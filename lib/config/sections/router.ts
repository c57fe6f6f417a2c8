import { z } from 'zod';
import { dnsLabel, imageTag, nonNegativeNumber, oneOf, port, positiveInt } from '../fields';
import { routerProfileFields } from './router-profiles';

export const routerSchema = z.object({
  eppImage: z.string().default('ghcr.io/llm-d/llm-d-router-endpoint-picker')
    .describe('llm-d endpoint picker (EPP) image.'),
  eppTag: imageTag().default('v0.10.0')
    .describe('EPP release (llm-d-router v0.10.0: precise-prefix-cache-producer, token-producer with the vLLM render backend).'),
  envoyImage: z.string().default('envoyproxy/envoy')
    .describe('Envoy proxy image (standalone mode: sidecar of the EPP, ext_proc to it).'),
  envoyTag: imageTag().default('distroless-v1.33.2')
    .describe('Envoy release (the one llm-d-router v0.10.0 pins in its standalone chart).'),
  poolName: dnsLabel().default('vllm-decode')
    .describe('Name of the InferencePool (and prefix of the EPP objects).'),
  serviceName: dnsLabel().default('llm-d-router')
    .describe('ClusterIP Service in front of Envoy: the URL of the llm-d path.'),
  servicePort: port().default(80)
    .describe('Port of the llm-d-router Service.'),
  failureMode: oneOf(['FailOpen', 'FailClose']).default('FailOpen')
    .describe('What Envoy does when the EPP is unreachable: FailOpen forwards anyway (as the upstream chart), FailClose rejects.'),
  eppCpuRequest: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(2)
    .describe('CPU cores requested by the EPP container (upstream asks 4-8; a 4-vCPU system node also hosts Envoy, monitoring and the benchmark client).'),
  eppMemoryGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(4)
    .describe('Memory requested by the EPP container, GiB (the limit is twice this: the KV-block index grows with cached prefixes).'),
  eppReplicas: positiveInt().default(1)
    .describe('EPP replicas. >1 turns on leader election; the load scorers keep per-process state, so the guide runs 1.'),
  speculativeIndexing: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('Record a routed prefix for the chosen pod before its KV events arrive (stops a burst of one prefix scattering).'),
  speculativeTtl: z.string().regex(/^\d+(ms|s|m)$/, { error: 'must be a Go duration such as 500ms, 2s or 1m' }).default('2s')
    .describe('How long a speculative index entry lives unless a KV event confirms it.'),
  kvEventsConcurrency: positiveInt().default(8)
    .describe('Workers the EPP uses to digest KV events.'),
  ...routerProfileFields,
  scorers: z.object({
    prefixCache: nonNegativeNumber().default(2)
      .describe('Weight of the precise prefix-cache scorer (must be > 0: it is the point of the llm-d path).'),
    kvCacheUtilization: nonNegativeNumber().default(1)
      .describe('Weight of the KV-cache-utilization scorer (prefers pods with free KV blocks).'),
    queue: nonNegativeNumber().default(1)
      .describe('Weight of the queue scorer (prefers pods with fewer waiting requests).'),
    noHitLru: nonNegativeNumber().default(2)
      .describe('Weight of the no-hit-lru scorer: a request no pod holds a block of goes to the pod that took such a cold request least recently. ' +
        'Spreads first-seen prefixes so no pod hoards them at a cold start (512 requests arrive while every load metric reads 0); ' +
        '0 leaves it out (the simulator then predicts ~20 instead of ~25 req/s for the reference run).'),
  }).strict().prefault({}),
}).strict().prefault({});
