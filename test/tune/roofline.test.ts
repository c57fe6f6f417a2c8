/** The moonshot's roofline arithmetic (lib/bench/tune/roofline.ts) against hand-computed values. */
import { simParams } from '../../lib/sim/params';
import { loadConfig } from '../../lib/config';
import { roofline } from '../../lib/bench/tune/roofline';

// The reference workload: 2,048 shared + 128 private + 29 template prompt tokens, 256 out, 512 in flight.
const REF = { concurrency: 512, promptTokens: 2205, outputTokens: 256, prefixHitRate: 0.9, sharedPrefixTokens: 2048, sharedTokensPerReplica: (150 / 8) * 2048 };

describe('roofline', () => {
  const ref = roofline(loadConfig({}), REF);

  test('8 x A10G, Qwen2.5-7B bf16: ~14.1 GB of weights streamed at 600 GB/s per step, 64 sequences each', () => {
    // (7.62e9 parameters - 152,064 x 3,584 embedding) x 2 bytes / 600 GB/s = 23.6 ms.
    expect(ref.weightMsPerStep).toBeCloseTo(23.6, 0);
    // 64 x (2,205 + 128) tokens x 57,344 bytes (28 layers x 4 KV heads x 128 x 2 x 2 bytes) / 600 GB/s = 14.3 ms.
    expect(ref.kvMsPerStep).toBeCloseTo(14.3, 0);
    expect(ref.batchPerReplica).toBe(64);
    expect(ref.batchLimit).toBe('in-flight');
    // 10% of 2,205 tokens prefilled at 2 x 7.62e9 FLOP / 70 TFLOPS = 48 ms.
    expect(ref.prefillMsPerRequest).toBeCloseTo(48, 0);
    expect(ref.boundRps).toBe(Math.min(ref.gpuBoundRps, ref.latencyBoundRps, ref.cpuBoundRps ?? Infinity, ref.apiBoundRps ?? Infinity));
    // The API server's CPU per request is the simulator's own cost on this host, on the busier of its two
    // threads: the event loop (handle the request, stream 256 tokens) or the tokeniser (2,205 prompt tokens).
    const p = simParams(loadConfig({}));
    const loop = p.path.apiRequestSeconds + p.path.apiOutputSecondsPerToken * 256;
    const tokeniser = p.path.apiSecondsPerPromptToken * 2205;
    expect(ref.apiMsPerRequest).toBeCloseTo(Math.max(loop, tokeniser) * 1000, 6);
    expect(ref.apiBoundRps).toBeCloseTo(8 / (ref.apiMsPerRequest! / 1000), 6);
    expect(ref.meanTtftFloorMs).toBeCloseTo(ref.prefillMsPerRequest, 6); // nobody waits
  });

  test('fp8 KV halves the KV read, TP 2 halves the weight shard per GPU', () => {
    const fp8 = roofline(loadConfig({ 'vllm.kvCacheDtype': 'fp8' }), REF);
    expect(fp8.kvMsPerStep).toBeCloseTo(ref.kvMsPerStep / 2, 6);
    expect(fp8.kvTokensPerReplica).toBeGreaterThan(1.9 * ref.kvTokensPerReplica);
    const tp2 = roofline(loadConfig({ 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': 2, 'vllm.tensorParallelSize': 2, 'vllm.replicas': 4 }), REF);
    expect(tp2.weightMsPerStep).toBeCloseTo(ref.weightMsPerStep / 2, 6);
    expect(tp2.batchPerReplica).toBe(128);
  });

  test('N API servers multiply the API bound; on a small pod their contention is priced in', () => {
    // g5.2xlarge: 7.5 vCPUs per pod, 1 engine core + 2 API servers do not contend: exactly twice.
    const one = roofline(loadConfig({ 'gpuNodes.instanceType': 'g5.2xlarge' }), REF);
    const two = roofline(loadConfig({ 'gpuNodes.instanceType': 'g5.2xlarge', 'vllm.apiServerCount': 2 }), REF);
    expect(two.apiMsPerRequest).toBeCloseTo(one.apiMsPerRequest!, 9);
    expect(two.apiBoundRps).toBeCloseTo(2 * one.apiBoundRps!, 6);
    // g5.xlarge: 3.5 vCPUs, a third busy process shares a core: more than 1x, less than 2x.
    const small = roofline(loadConfig({ 'vllm.apiServerCount': 2 }), REF);
    expect(small.apiBoundRps!).toBeGreaterThan(ref.apiBoundRps!);
    expect(small.apiBoundRps!).toBeLessThan(2 * ref.apiBoundRps!);
  });

  test('the KV cache caps the batch, and the waiting requests set a mean TTFT floor', () => {
    // No sharing: 85,248 KV tokens / (2,205 + 256) = 34 sequences of the 64 assigned; 30 wait.
    const r = roofline(loadConfig({}), { ...REF, sharedPrefixTokens: 0, sharedTokensPerReplica: 0 });
    expect(r.batchLimit).toBe('kv-cache');
    expect(r.batchPerReplica).toBe(34);
    expect(r.meanTtftFloorMs).toBeCloseTo(30 / (r.boundRps / 8) * 1000 + r.prefillMsPerRequest, 6);
    const seqs = roofline(loadConfig({ 'vllm.maxNumSeqs': 32 }), REF);
    expect(seqs.batchLimit).toBe('maxNumSeqs');
    expect(seqs.batchPerReplica).toBe(32);
  });
});
