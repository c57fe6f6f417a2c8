import { z } from 'zod';
import { TENSOR_PARALLEL_SIZES } from '../fit';
import { imageDigest, imageTag, nonNegativeInt, oneOf, oneOfNumbers, port, positiveInt } from '../fields';

/** Block sizes vLLM's CUDA attention backends accept. */
export const VLLM_BLOCK_SIZES = [16, 32, 64, 128] as const;

export const vllmSchema = z.object({
  image: z.string().default('vllm/vllm-openai')
    .describe('vLLM OpenAI-compatible server image.'),
  // v0.27.1 is the vLLM release the llm-d guides pin (guides/recipes/modelserver/components/images/gpu-vllm/release).
  tag: imageTag().default('v0.27.1')
    .describe('vLLM release (the llm-d guide pin); needs KV-cache events over ZMQ and `vllm launch render` (>= v0.18.0) for the EPP token producer.'),
  imageDigest: imageDigest().optional()
    .describe('Digest (sha256:…) of vllm.image:vllm.tag; pods then pull image@digest. Unset: the digest table (lib/config/tables/image-digests.ts) pins the default tag; another tag is pulled by tag.'),
  tensorParallelSize: oneOfNumbers(TENSOR_PARALLEL_SIZES).default(1)
    .describe('GPUs per decode replica (--tensor-parallel-size): 1, 2, 4 or 8, dividing the GPUs of one GPU node (a replica never spans nodes). Each decode pod requests this many nvidia.com/gpu.'),
  replicas: nonNegativeInt().default(8)
    .describe('Decode replicas. Unset: gpuNodes.count x GPUs per instance / vllm.tensorParallelSize (8 x 1 / 1 = 8; 0 while paused with gpuNodes.count=0); if set, it must equal that.'),
  port: port().default(8000)
    .describe('HTTP port of vLLM (OpenAI API, /metrics, /health); the InferencePool target port.'),
  kvEventsPort: port().default(5556)
    .describe('ZMQ port vLLM publishes KV-cache events on; the EPP subscribes to podIP:this.'),
  kvEventsReplayPort: port().default(5557)
    .describe('ZMQ ROUTER port vLLM replays recent KV events on (KVEventsConfig.replay_endpoint); the EPP asks podIP:this for what it missed across a (re)connect (podDiscoveryConfig.replaySocketPort).'),
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
    .describe('--kv-cache-dtype: auto (bf16) or fp8 (twice the cached tokens, small accuracy cost). vLLM accepts fp8 on every GPU here: on Ampere (A10G, A100) it picks an attention backend that stores fp8 and computes in bf16 (FlashInfer or Triton instead of FlashAttention 2).'),
  // vllm/entrypoints/cli/serve.py (run_multi_api_server): N > 1 starts N API server processes on one
  // shared listening socket in front of the one engine core (no data parallelism needed; PR 17546).
  apiServerCount: positiveInt().default(1)
    .describe('--api-server-count: API server processes per decode pod (tokenising prompts, detokenising and streaming every token). 1 renders no flag (vLLM\'s default at data-parallel size 1); N > 1 scales the HTTP front end over N single-threaded processes sharing the port, with metrics aggregated over PROMETHEUS_MULTIPROC_DIR (vLLM sets it up). At most the pod\'s vCPUs minus one per engine process (2 on a g5.xlarge), or they only time-share the cores the engine core needs.'),
  cpuRequest: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 CPU cores' }).default(3)
    .describe('CPU cores requested per decode pod. Unset: 90% of the GPU node\'s vCPUs minus what its daemonsets keep (0.5), shared by the replicas of a node, rounded down (3 on a g5.xlarge). No CPU limit: throttling would stall the scheduler loop.'),
  memoryRequestGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(10)
    .describe('Host memory requested per decode pod, GiB (Python engine, tokenizer, pinned buffers, /dev/shm). Unset: 75% of the node\'s memory minus what the kubelet and daemonsets keep (2.5 GiB), per replica of the node, rounded down (10 on a 16 GiB g5.xlarge).'),
  memoryLimitGiB: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0 GiB' }).default(13)
    .describe('Host memory limit per decode pod, GiB (>= memoryRequestGiB and above the /dev/shm size, which counts against it). Unset: the whole per-replica share, rounded down (13 on a g5.xlarge). The OOM killer stops a runaway pod before it takes the node down.'),
}).strict().prefault({});
