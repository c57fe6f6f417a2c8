/**
 * Model architecture facts, from each model's `config.json` on the Hugging Face Hub (Qwen2.5-7B-Instruct:
 * 28 layers, hidden 3584, 28 heads, 4 KV heads, head dim 3584/28 = 128, intermediate 18944, vocab 152064,
 * untied embeddings, bf16; 7.616 B parameters counted from the safetensors index).
 * Used to check that the weights fit the GPU, to size the KV cache, and by the simulator.
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
   * Tokens the chat template adds to every request (Qwen2.5's default system prompt and role markers).
   * The reference's totals imply ~2,205 input tokens for a 2,048 + 128 token prompt.
   */
  readonly chatTemplateOverheadTokens: number;
  /**
   * Of those, the tokens in front of the user message (system prompt and role markers). They are the
   * same for every request, so with a small block size the first KV blocks are shared by all prompts.
   */
  readonly chatTemplateLeadingTokens: number;
}

export const MODELS: Readonly<Record<string, ModelFacts>> = {
  'Qwen/Qwen2.5-7B-Instruct': {
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
    maxPositionEmbeddings: 32768,
    // "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n
    // <|im_start|>user\n" = 23 tokens before the prompt; "<|im_end|>\n<|im_start|>assistant\n" = 5 after,
    // plus ~1 from re-tokenizing the decoded prefix/suffix boundary: 29, what the reference's totals imply.
    chatTemplateOverheadTokens: 29,
    chatTemplateLeadingTokens: 23,
  },
};

/** Bytes of KV cache one token occupies: K and V, per layer, per KV head, per head dim. */
export function kvBytesPerToken(model: ModelFacts): number {
  return 2 * model.numLayers * model.numKeyValueHeads * model.headDim * model.dtypeBytes;
}

/** Bytes of the weights. */
export function weightBytes(model: ModelFacts): number {
  return model.parameters * model.dtypeBytes;
}
