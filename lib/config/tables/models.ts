/**
 * Model architecture facts, one row per supported dense decoder-only model. Architecture numbers come
 * from each model's `config.json` on the Hugging Face Hub; `parameters` from the `metadata.total_size`
 * of its `model.safetensors.index.json` divided by 2 bytes (bf16), which `countParameters()` in
 * lib/config/model-config.ts reproduces exactly from the architecture (a test checks every row).
 * Any other dense model: `-c model.configFile=<its config.json>` (lib/config/model-config.ts).
 * Used to check that the weights fit the GPU, to size the KV cache and the FSx store, and by the simulator.
 */
export interface ModelFacts {
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly numAttentionHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  /** Total parameters. */
  readonly parameters: number;
  /** Bytes per weight and per KV element in the served dtype (bf16 = 2). */
  readonly dtypeBytes: number;
  readonly tiedEmbeddings: boolean;
  /** Largest context the model supports (`max_position_embeddings`). */
  readonly maxPositionEmbeddings: number;
  /**
   * Tokens the chat template adds to every request (system prompt, role markers, generation prompt).
   * Qwen2.5: the reference's totals imply ~2,205 input tokens for a 2,048 + 128 token prompt.
   */
  readonly chatTemplateOverheadTokens: number;
  /**
   * Of those, the tokens in front of the user message (system prompt and role markers). They are the
   * same for every request, so with a small block size the first KV blocks are shared by all prompts.
   */
  readonly chatTemplateLeadingTokens: number;
  /**
   * `repetition_penalty` of the model's generation_config.json. vLLM applies it to every request that
   * does not send its own (`--generation-config auto`, the default since vLLM 0.8: vllm/config.py
   * ModelConfig.generation_config; protocol.py to_sampling_params takes default_sampling_params), and
   * then runs the sampler's penalty pass over the whole batch every step (lib/sim/sampler-penalties.ts).
   * Unset: the file sets none (1.0).
   */
  readonly generationRepetitionPenalty?: number;
  /** `architectures[0]` of config.json (what vLLM instantiates). */
  readonly architecture?: string;
  /** q/k/v projections carry a bias (Qwen2 does; Llama, Mistral and Qwen3 do not). */
  readonly attentionBias?: boolean;
  /** Per-head RMSNorm on q and k (Qwen3): 2 x headDim parameters per layer. */
  readonly qkNorm?: boolean;
  /**
   * Hub revision the loader downloads when `model.revision` is not given: a commit sha where one is
   * pinned, else "main" (the loader resolves it to a commit once and records it in its marker).
   */
  readonly defaultRevision?: string;
  /** The Hub repository is gated: the loader needs `modelStore.hfTokenSecretName`. */
  readonly gated?: boolean;
  /** Where the facts come from (a registry row: its config.json and safetensors index; a config file: its path). */
  readonly sources: readonly string[];
}

export const MODELS: Readonly<Record<string, ModelFacts>> = {
  'Qwen/Qwen2.5-7B-Instruct': {
    architecture: 'Qwen2ForCausalLM',
    numLayers: 28,
    hiddenSize: 3584,
    numAttentionHeads: 28,
    numKeyValueHeads: 4,
    headDim: 128,
    intermediateSize: 18944,
    vocabSize: 152064,
    parameters: 7.616e9,
    dtypeBytes: 2,
    tiedEmbeddings: false,
    attentionBias: true,
    maxPositionEmbeddings: 32768,
    // "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n
    // <|im_start|>user\n" = 23 tokens before the prompt; "<|im_end|>\n<|im_start|>assistant\n" = 5 after,
    // plus ~1 from re-tokenizing the decoded prefix/suffix boundary: 29, what the reference's totals imply.
    chatTemplateOverheadTokens: 29,
    chatTemplateLeadingTokens: 23,
    generationRepetitionPenalty: 1.05,
    defaultRevision: 'a09a35458c702b33eeacc393d103063234e8bc28',
    sources: ['config.json: 28 layers, hidden 3584, 28 heads, 4 KV heads, intermediate 18944, vocab 152064, untied, bf16',
      'generation_config.json: repetition_penalty 1.05, temperature 0.7, top_p 0.8, top_k 20 (vLLM applies the penalty by default; prime-rl PR 886 on Qwen2.5 Instruct models: "vllm will default to the generation configuration setting for the penalty")',
      '7,615,616,512 parameters by countParameters() (15.23 GB); kept as 7.616e9, the figure the reference calibration used'],
  },
  'Qwen/Qwen3-8B': {
    architecture: 'Qwen3ForCausalLM',
    numLayers: 36,
    hiddenSize: 4096,
    numAttentionHeads: 32,
    numKeyValueHeads: 8,
    headDim: 128,
    intermediateSize: 12288,
    vocabSize: 151936,
    parameters: 8_190_735_360,
    dtypeBytes: 2,
    tiedEmbeddings: false,
    qkNorm: true,
    maxPositionEmbeddings: 40960,
    // No default system prompt: "<|im_start|>user\n" (3) before, "<|im_end|>\n<|im_start|>assistant\n" (5) after.
    chatTemplateOverheadTokens: 8,
    chatTemplateLeadingTokens: 3,
    defaultRevision: 'main',
    sources: ['config.json: 36 layers, hidden 4096, 32 heads, 8 KV heads, head_dim 128, intermediate 12288, vocab 151936, untied, bf16, max_position_embeddings 40960',
      'safetensors index: 16,381,470,720 bytes'],
  },
  'Qwen/Qwen3-32B': {
    architecture: 'Qwen3ForCausalLM',
    numLayers: 64,
    hiddenSize: 5120,
    numAttentionHeads: 64,
    numKeyValueHeads: 8,
    headDim: 128,
    intermediateSize: 25600,
    vocabSize: 151936,
    parameters: 32_762_123_264,
    dtypeBytes: 2,
    tiedEmbeddings: false,
    qkNorm: true,
    maxPositionEmbeddings: 40960,
    chatTemplateOverheadTokens: 8,
    chatTemplateLeadingTokens: 3,
    defaultRevision: 'main',
    sources: ['config.json: 64 layers, hidden 5120, 64 heads, 8 KV heads, head_dim 128, intermediate 25600, vocab 151936, untied, bf16',
      'safetensors index: 65,524,246,528 bytes (17 shards)'],
  },
  'meta-llama/Llama-3.1-8B-Instruct': {
    architecture: 'LlamaForCausalLM',
    numLayers: 32,
    hiddenSize: 4096,
    numAttentionHeads: 32,
    numKeyValueHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 128256,
    parameters: 8_030_261_248,
    dtypeBytes: 2,
    tiedEmbeddings: false,
    maxPositionEmbeddings: 131072,
    // Default system header ("Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024") and the user
    // header: ~26 tokens before the prompt; "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" = 5 after
    // (counted by hand from the template, +-3).
    chatTemplateOverheadTokens: 31,
    chatTemplateLeadingTokens: 26,
    defaultRevision: 'main',
    gated: true,
    sources: ['config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, intermediate 14336, vocab 128256, untied, bf16, max_position_embeddings 131072',
      'safetensors index: 16,060,522,496 bytes'],
  },
  'meta-llama/Llama-3.1-70B-Instruct': {
    architecture: 'LlamaForCausalLM',
    numLayers: 80,
    hiddenSize: 8192,
    numAttentionHeads: 64,
    numKeyValueHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    vocabSize: 128256,
    parameters: 70_553_706_496,
    dtypeBytes: 2,
    tiedEmbeddings: false,
    maxPositionEmbeddings: 131072,
    chatTemplateOverheadTokens: 31,
    chatTemplateLeadingTokens: 26,
    defaultRevision: 'main',
    gated: true,
    sources: ['config.json: 80 layers, hidden 8192, 64 heads, 8 KV heads, intermediate 28672, vocab 128256, untied, bf16, max_position_embeddings 131072',
      'safetensors index: 141,107,412,992 bytes'],
  },
  'mistralai/Mistral-7B-Instruct-v0.3': {
    architecture: 'MistralForCausalLM',
    numLayers: 32,
    hiddenSize: 4096,
    numAttentionHeads: 32,
    numKeyValueHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32768,
    parameters: 7_248_023_552,
    dtypeBytes: 2,
    tiedEmbeddings: false,
    maxPositionEmbeddings: 32768,
    // "<s>[INST] " before, "[/INST]" after (the v0.3 tokenizer has both as control tokens).
    chatTemplateOverheadTokens: 3,
    chatTemplateLeadingTokens: 2,
    defaultRevision: 'main',
    gated: true,
    sources: ['config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, intermediate 14336, vocab 32768, untied, bf16, no sliding window',
      'safetensors index: 14,496,047,104 bytes'],
  },
};

/** Bytes of KV cache one token occupies on one replica: K and V, per layer, per KV head, per head dim. */
export function kvBytesPerToken(model: ModelFacts): number {
  return 2 * model.numLayers * model.numKeyValueHeads * model.headDim * model.dtypeBytes;
}

/** Bytes of the weights. */
export function weightBytes(model: ModelFacts): number {
  return model.parameters * model.dtypeBytes;
}
