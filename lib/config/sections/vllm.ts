import { z } from 'zod';
import { imageTag, nonNegativeInt, oneOf, oneOfNumbers, port, positiveInt } from '../fields';

/** Block sizes vLLM's CUDA attention backends accept. */
export const VLLM_BLOCK_SIZES = [16, 32, 64, 128] as const;

export const vllmSchema = z.object({
  image: z.string().default('vllm/vllm-openai')
    .describe('vLLM OpenAI-compatible server image.'),
  // v0.27.1 is the vLLM release the llm-d guides pin (guides/recipes/modelserver/components/images/gpu-vllm/release).
  tag: imageTag().default('v0.27.1')
    .describe('vLLM release (the llm-d guide pin); needs KV-cache events over ZMQ and /v1/completions/render for the EPP token producer.'),
  replicas: nonNegativeInt().default(8)
    .describe('Decode replicas: one per GPU. Unset: gpuNodes.count x GPUs per instance (8; 0 while paused with gpuNodes.count=0); if set, it must equal that.'),
  port: port().default(8000)
    .describe('HTTP port of vLLM (OpenAI API, /metrics, /health); the InferencePool target port.'),
  kvEventsPort: port().default(5556)
    .describe('ZMQ port vLLM publishes KV-cache events on; the EPP subscribes to podIP:this.'),
  blockSize: oneOfNumbers(VLLM_BLOCK_SIZES).default(64)
    .describe('KV block size in tokens (--block-size); the EPP hashes prefixes in blocks of the same size.'),
  gpuMemoryUtilization: z.number({ error: 'must be a number' })
    .gt(0, { error: 'must be in (0, 1)' }).lt(1, { error: 'must be in (0, 1)' }).default(0.9)
    .describe('Fraction of GPU memory vLLM may use (weights + activations + KV cache).'),
  maxModelLen: positiveInt().default(4096)
    .describe('--max-model-len: longest prompt + output a request may have.'),
  maxNumSeqs: positiveInt().default(256)
    .describe('--max-num-seqs: sequences batched per step (vLLM default for this GPU class).'),
  maxNumBatchedTokens: positiveInt().default(2048)
    .describe('--max-num-batched-tokens: tokens per scheduler step (chunked prefill budget).'),
  kvCacheDtype: oneOf(['auto', 'fp8']).default('auto')
    .describe('--kv-cache-dtype: auto (bf16) or fp8 (twice the cached tokens, small accuracy cost).'),
  cpuRequest: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(3)
    .describe('CPU cores requested per decode pod. A g5.xlarge has 4 vCPU; the GPU node daemonsets need the rest. No CPU limit: throttling would stall the scheduler loop.'),
  memoryRequestGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(10)
    .describe('Host memory requested per decode pod, GiB (Python engine, tokenizer, pinned buffers, /dev/shm). Must leave room for kubelet reserve and daemonsets on a 16 GiB g5.xlarge.'),
  memoryLimitGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(13)
    .describe('Host memory limit per decode pod, GiB (>= memoryRequestGiB). The OOM killer stops a runaway pod before it takes the node down.'),
}).strict().prefault({});
