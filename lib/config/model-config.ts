/**
 * Architecture facts of any dense decoder-only model from its Hugging Face `config.json`
 * (`-c model.configFile=<path>`), and the parameter count of such an architecture.
 *
 * Accepted: one `*ForCausalLM` architecture, full attention in every layer, unquantized bf16/fp16
 * (fp32 checkpoints are served in 16 bits by vLLM's `--dtype auto`). Refused, each with the reason:
 * mixture-of-experts configs (the active parameters per token, expert routing and expert parallelism
 * are not modelled), encoder-decoder and multimodal configs, sliding-window or linear attention
 * (their KV cache does not grow with the context the way it is sized here), quantized checkpoints.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ModelFacts } from './tables/models';
import { MODELS } from './tables/models';

/** The architecture numbers `countParameters` needs. */
export type ArchitectureShape = Pick<ModelFacts,
  'numLayers' | 'hiddenSize' | 'numAttentionHeads' | 'numKeyValueHeads' | 'headDim' | 'intermediateSize' | 'vocabSize' | 'tiedEmbeddings'
  | 'attentionBias' | 'qkNorm'>;

/**
 * Parameters of a Llama-style dense decoder: embeddings, per layer q/k/v/o projections (+ bias), a
 * gated MLP (gate, up, down), two RMSNorms (+ q/k norms), the final norm and an untied LM head.
 * Reproduces the safetensors totals of every row of tables/models.ts.
 */
export function countParameters(a: ArchitectureShape): number {
  const h = a.hiddenSize;
  const q = a.numAttentionHeads * a.headDim;
  const kv = a.numKeyValueHeads * a.headDim;
  const attention = h * (q + 2 * kv) + q * h + (a.attentionBias ? q + 2 * kv : 0) + (a.qkNorm ? 2 * a.headDim : 0);
  const perLayer = attention + 3 * h * a.intermediateSize + 2 * h;
  const embeddings = a.vocabSize * h;
  return a.numLayers * perLayer + embeddings + (a.tiedEmbeddings ? 0 : embeddings) + h;
}

/** A config.json this project cannot model; the message says why and what to do. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

type Json = Record<string, unknown>;

const MOE_KEYS = ['num_experts', 'num_local_experts', 'n_routed_experts', 'moe_intermediate_size', 'num_experts_per_tok', 'n_shared_experts'];

function intField(cfg: Json, key: string): number | undefined {
  const v = cfg[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Bytes per weight vLLM serves a checkpoint dtype in (`--dtype auto`). */
function dtypeBytes(dtype: unknown): number | undefined {
  if (dtype === undefined || dtype === 'bfloat16' || dtype === 'float16' || dtype === 'float32') return 2;
  return undefined;
}

/**
 * ModelFacts from a parsed config.json. `parameterCount` (config key model.parameterCount) overrides
 * the count derived from the architecture, e.g. for a model with extra parameters this formula ignores.
 */
export function modelFactsFromHfConfig(cfg: unknown, source: string, parameterCount?: number): ModelFacts {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) throw new ModelConfigError(`${source} is not a JSON object (a Hugging Face config.json)`);
  const c = cfg as Json;
  const architectures = Array.isArray(c.architectures) ? c.architectures.map(String) : [];
  const modelType = typeof c.model_type === 'string' ? c.model_type : '';
  const moeKeys = MOE_KEYS.filter((k) => c[k] !== undefined && c[k] !== null && c[k] !== 0);
  if (moeKeys.length > 0 || /moe|mixtral/i.test(`${architectures.join(' ')} ${modelType}`)) {
    throw new ModelConfigError(`${source} describes a mixture-of-experts model (${moeKeys.join(', ') || architectures.join(', ') || modelType}); ` +
      'only dense decoder-only models are modelled (expert routing, active parameters and expert parallelism are not). Use a dense model');
  }
  if (c.is_encoder_decoder === true) throw new ModelConfigError(`${source} is an encoder-decoder model; only decoder-only (*ForCausalLM) models are supported`);
  if (c.text_config !== undefined || c.vision_config !== undefined || c.audio_config !== undefined) {
    throw new ModelConfigError(`${source} is a multimodal or nested config (text_config/vision_config); only text-only dense decoder-only models are supported`);
  }
  if (architectures.length !== 1 || !architectures[0].endsWith('ForCausalLM')) {
    throw new ModelConfigError(`${source}: "architectures" is ${JSON.stringify(c.architectures ?? null)}; expected exactly one *ForCausalLM architecture (a dense decoder-only model)`);
  }
  if (c.quantization_config !== undefined) {
    throw new ModelConfigError(`${source} is a quantized checkpoint (quantization_config); only unquantized bf16/fp16 weights are modelled`);
  }
  const layerTypes = Array.isArray(c.layer_types) ? c.layer_types.map(String) : [];
  const window = intField(c, 'sliding_window');
  if (layerTypes.some((t) => t !== 'full_attention') || c.use_sliding_window === true ||
    (window !== undefined && c.use_sliding_window !== false && window < (intField(c, 'max_position_embeddings') ?? Infinity))) {
    throw new ModelConfigError(`${source} uses sliding-window or linear attention; the KV cache is sized here for full attention in every layer`);
  }
  const missing = ['num_hidden_layers', 'hidden_size', 'num_attention_heads', 'intermediate_size', 'vocab_size', 'max_position_embeddings']
    .filter((k) => intField(c, k) === undefined);
  if (missing.length > 0) throw new ModelConfigError(`${source} lacks positive integer ${missing.join(', ')}`);
  const dtype = c.torch_dtype ?? c.dtype;
  const bytes = dtypeBytes(dtype);
  if (bytes === undefined) throw new ModelConfigError(`${source}: dtype ${JSON.stringify(dtype)} is not modelled; bfloat16, float16 or float32 (served as 16 bits) are`);
  const heads = intField(c, 'num_attention_heads') as number;
  const hidden = intField(c, 'hidden_size') as number;
  const shape: ArchitectureShape = {
    numLayers: intField(c, 'num_hidden_layers') as number,
    hiddenSize: hidden,
    numAttentionHeads: heads,
    numKeyValueHeads: intField(c, 'num_key_value_heads') ?? heads,
    headDim: intField(c, 'head_dim') ?? hidden / heads,
    intermediateSize: intField(c, 'intermediate_size') as number,
    vocabSize: intField(c, 'vocab_size') as number,
    // LlamaConfig, MistralConfig and Qwen2/3Config default to untied embeddings.
    tiedEmbeddings: c.tie_word_embeddings === true,
    // Qwen2 always carries q/k/v biases (its config has no attention_bias key).
    attentionBias: typeof c.attention_bias === 'boolean' ? c.attention_bias : modelType === 'qwen2',
    qkNorm: modelType === 'qwen3',
  };
  if (!Number.isInteger(shape.headDim)) throw new ModelConfigError(`${source}: hidden_size ${hidden} / num_attention_heads ${heads} is not a whole head_dim; give head_dim`);
  if (heads % shape.numKeyValueHeads !== 0) throw new ModelConfigError(`${source}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${shape.numKeyValueHeads}`);
  return {
    ...shape,
    architecture: architectures[0],
    parameters: parameterCount ?? countParameters(shape),
    dtypeBytes: bytes,
    maxPositionEmbeddings: intField(c, 'max_position_embeddings') as number,
    // The chat template is not in config.json: no template tokens are assumed (documented).
    chatTemplateOverheadTokens: 0,
    chatTemplateLeadingTokens: 0,
    defaultRevision: undefined,
    sources: [`${source}${parameterCount === undefined ? ' (parameters counted from the architecture)' : ' (model.parameterCount)'}`],
  };
}

const cache = new Map<string, { mtimeMs: number; json: unknown }>();

/** Reads and parses a config.json (cached per path and modification time). */
export function readModelConfigFile(file: string, parameterCount?: number): ModelFacts {
  const abs = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ModelConfigError(`${file} does not exist (resolved to ${abs})`);
  }
  let entry = cache.get(abs);
  if (!entry || entry.mtimeMs !== stat.mtimeMs) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(abs, 'utf8'));
    } catch (e) {
      throw new ModelConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    entry = { mtimeMs: stat.mtimeMs, json };
    cache.set(abs, entry);
  }
  return modelFactsFromHfConfig(entry.json, file, parameterCount);
}

/** What the model section of the config says (loose, so derived defaults can call it before validation). */
export interface ModelSelection {
  readonly id: string;
  readonly configFile?: string;
  readonly parameterCount?: number;
}

/**
 * The model facts the config selects: `model.configFile` when given (it describes `model.id`), else the
 * registry row of `model.id`; `model.parameterCount` overrides the count. Undefined when the id has no
 * row and no file is given. Throws ModelConfigError for a file that cannot be modelled.
 */
export function resolveModelFacts(m: ModelSelection): ModelFacts | undefined {
  if (m.configFile !== undefined) return readModelConfigFile(m.configFile, m.parameterCount);
  const row = MODELS[m.id];
  if (!row) return undefined;
  return m.parameterCount === undefined ? row : { ...row, parameters: m.parameterCount };
}
