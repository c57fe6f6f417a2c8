import { z } from 'zod';
import { dnsLabel, imageDigest, imageTag, nonNegativeNumber, oneOf, port, positiveInt } from '../fields';
import { routerProfileFields } from './router-profiles';

/**
 * `router.speculativeTtl` default, chosen from a simulator sweep (`npx llmd-bench simulate --router
 * llm-d --request-rate <r> --seed <s> --no-intervals -c router.speculativeTtl=<ttl>`, seeds 0-2, the
 * reference workload, lib/sim models llm-d-router v0.10.0's per-request TTL eviction of the pod's
 * speculative entry, prerequest.go). Re-run with the nine-anchor fit and vLLM's sampler penalty pass
 * (2026-12-05), req/s:
 *
 *   rate | 100ms                 | 2s                    | 5s                    | 10s                   | 30s
 *   inf  | 21.62 / 22.64 / 22.82 | 23.55 / 24.70 / 22.42 | = 2s                  | 23.55 / 24.70 / 22.37 | = 10s
 *        | p99 TTFT 36.3-37.5 s  | 12.2-26.3 s           |                       | 12.2-26.8 s           |
 *   25   | 22.36 / 22.72 / 24.27 | 22.51 / 22.55 / 23.01 | = 2s                  | 22.51 / 22.55 / 22.82 | 22.51 / 22.55 / 22.65
 *        | p99 TTFT 3.5-21.2 s   | 13.6-24.1 s           |                       | 14.2-24.1 s           | 16.8-24.1 s
 *   30   | 23.37 / 23.99 / 23.57 | 22.87 / 24.64 / 23.07 | 23.46 / 23.04 / 22.78 | = 5s                  | 23.44 / 23.04 / 22.78
 *        | p99 TTFT 4.6-9.9 s    | 2.5-17.6 s            | 21.5-21.6 s           |                       | 21.5-21.6 s
 *
 * At the reference burst 100ms loses 1-8% and adds 11-24 s of p99 TTFT (a first-of-prefix request
 * queued longer than the TTL loses its entry before its BlockStored event confirms it); 2s and longer
 * are within 0.2%. Past this model's llm-d capacity (22.4-24.7 req/s), at 25-30 req/s, short TTLs cut
 * the p99 TTFT (100ms: 3.5-21 s and 4.6-9.9 s against 14-24 s and 21.5 s for 10s) at seed-level
 * throughput differences: a reason to measure there, not a default. 10s is the reference burst's
 * choice: it keeps a margin over its queue waits while the replicas stay balanced (p99 TTFT ~12 s at
 * seeds 0-1; seed 2's lagging replica queues ~27 s, where every TTL from 2s ties) without keeping
 * guesses alive much longer after the engine evicted those blocks or the request failed (the
 * speculative entry outlives BlockRemoved until its TTL).
 */
export const SPECULATIVE_TTL_DEFAULT = '10s';

export const routerSchema = z.object({
  eppImage: z.string().default('ghcr.io/llm-d/llm-d-router-endpoint-picker')
    .describe('llm-d endpoint picker (EPP) image.'),
  eppTag: imageTag().default('v0.10.0')
    .describe('EPP release (llm-d-router v0.10.0: precise-prefix-cache-producer, token-producer with the vLLM render backend).'),
  eppImageDigest: imageDigest().optional()
    .describe('Digest (sha256:…) of router.eppImage:router.eppTag; the EPP is then pulled by digest. Unset: the digest table pins the default tag.'),
  envoyImage: z.string().default('envoyproxy/envoy')
    .describe('Envoy proxy image (standalone mode: sidecar of the EPP, ext_proc to it).'),
  envoyTag: imageTag().default('distroless-v1.33.2')
    .describe('Envoy release (the one llm-d-router v0.10.0 pins in its standalone chart).'),
  envoyImageDigest: imageDigest().optional()
    .describe('Digest (sha256:…) of router.envoyImage:router.envoyTag; Envoy is then pulled by digest. Unset: the digest table pins the default tag.'),
  poolName: dnsLabel().default('vllm-decode')
    .describe('Name of the InferencePool (and prefix of the EPP objects).'),
  serviceName: dnsLabel().default('llm-d-router')
    .describe('ClusterIP Service in front of Envoy: the URL of the llm-d path.'),
  servicePort: port().default(80)
    .describe('Port of the llm-d-router Service.'),
  failureMode: oneOf(['FailOpen', 'FailClose']).default('FailClose')
    .describe('What Envoy does when the EPP does not answer. FailClose (default) answers 500. FailOpen lets the request pass ext_proc, ' +
      'but the original-destination cluster then has no destination header and answers 503 (no healthy upstream): in this standalone topology it never forwards, it only hides the EPP failure.'),
  eppCpuRequest: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(4)
    .describe('CPU cores requested by the EPP container (no CPU limit). llm-d-router v0.10.0 charts ask 4 (release note #1229) to 8 (routerlib values); 4 serves ~25 req/s with every SSE chunk passing ext_proc.'),
  eppMemoryGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(8)
    .describe('Memory requested by the EPP container, GiB (the limit is twice this: the KV-block index grows with cached prefixes); the upstream charts ask 8.'),
  envoyCpuRequest: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(2)
    .describe('CPU cores requested by the Envoy sidecar (no CPU limit). The standalone chart asks 4; 2 proxies the reference load (~6k ext_proc messages/s) with headroom on an 8-vCPU system node.'),
  envoyMemoryGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(1)
    .describe('Memory requested by the Envoy sidecar, GiB (limit twice this).'),
  eppReplicas: positiveInt().default(1)
    .describe('EPP replicas. >1 turns on leader election; the load scorers keep per-process state, so the guide runs 1.'),
  renderImage: z.string().regex(/^[a-z0-9]+([._\-/][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, { error: 'must be an image repository without a tag, such as vllm/vllm-openai-cpu' }).optional()
    .describe('Image repository of the render server, run at vllm.tag (the same release renders like the engines). Unset: vllm.image itself (the llm-d guide\'s standalone render pool runs the model-server image without a GPU); vllm/vllm-openai-cpu is the CPU build of the same release.'),
  renderImageDigest: imageDigest().optional()
    .describe('Digest (sha256:…) of router.renderImage:vllm.tag. Only with router.renderImage (otherwise vllm.imageDigest applies).'),
  renderReplicas: positiveInt().default(2)
    .describe('Replicas of the render server (`vllm launch render`, CPU only) the EPP tokenizes through; spread over the system nodes.'),
  renderCpuRequest: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(1)
    .describe('CPU cores requested per render pod (limit 4x: the t=0 burst of 512 prompts is rendered at once); the llm-d guide\'s standalone render pool asks 1.'),
  renderMemoryGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(3)
    .describe('Memory requested per render pod, GiB (limit twice this): the Python server and the tokenizer, no weights.'),
  speculativeIndexing: z.boolean({ error: 'must be true or false' }).default(true)
    .describe('Record a routed prefix for the chosen pod before its KV events arrive (stops a burst of one prefix scattering).'),
  speculativeTtl: z.string().regex(/^\d+(ms|s|m)$/, { error: 'must be a Go duration such as 500ms, 2s or 1m' }).default(SPECULATIVE_TTL_DEFAULT)
    .describe('How long a speculative index entry lives unless a KV event confirms it. 10s from a simulator sweep at the reference burst (2s and longer within 0.2%, 100ms loses up to 8% and 11-24 s of p99 TTFT; past capacity, at 25-30 req/s, short TTLs cut the p99 TTFT, worth measuring); 10s keeps a margin over the ~12 s queue waits of a balanced burst; longer keeps stale guesses): lib/config/sections/router.ts, docs/workloads.md.'),
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
        '0 leaves it out (the simulator then predicts 20.5-22.1 instead of 22.4-24.7 req/s for the reference run, seeds 0-2).'),
  }).strict().prefault({}),
}).strict().prefault({});
