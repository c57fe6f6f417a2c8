/**
 * Which files of a model repository the loader fetches, and the vLLM load format that reads them: one
 * fact, so the loader never downloads (or verifies) a file vLLM would not read, and vLLM never looks
 * for one the loader skipped. A leaf module: the loader script and the vLLM flags both import it.
 *
 * vLLM with `--load-format safetensors` reads only `*.safetensors` weights and never falls back to
 * pickled checkpoints (`*.bin`, `*.pt`, `*.pth`: `torch.load`, code execution on load): vllm
 * model_executor/model_loader/default_loader.py `_prepare_weights` ("safetensors" -> allow_patterns
 * ["*.safetensors"], "Don't fall back to .pt for explicit safetensors formats"), keeping the shards the
 * `model.safetensors.index.json` names (`filter_duplicate_safetensors_files`); the value is documented
 * in vllm/config/load.py `LoadConfig.load_format` ("safetensors" will load the weights in the safetensors
 * format; read in the stored vLLM source, commit 030eb665) and has been a `--load-format` choice since
 * v0.2 (LoadFormat.SAFETENSORS), so the pinned v0.27.1 has it. No `*.py`: vLLM runs without
 * --trust-remote-code, so repository code is never imported.
 */

/** `vllm serve --load-format`: safetensors only, never a pickle. */
export const VLLM_LOAD_FORMAT = 'safetensors';

/**
 * `snapshot_download(allow_patterns=...)`, matched by huggingface_hub `filter_repo_objects`
 * (utils/_paths.py: `fnmatchcase` on the repository path; `*` also matches `/`).
 */
export const LOADER_ALLOW_PATTERNS: readonly string[] = [
  // The weights (what --load-format safetensors reads).
  '*.safetensors',
  // config.json, generation_config.json (vLLM's default sampling parameters), model.safetensors.index.json,
  // and the tokenizer: tokenizer.json, tokenizer_config.json, special_tokens_map.json, added_tokens.json,
  // vocab.json, chat_template.json, Mistral's tekken.json. JSON is data, never executed.
  '*.json',
  // BPE merges.txt (Qwen2, GPT-2 style slow tokenizers), vocab.txt.
  '*.txt',
  // SentencePiece tokenizer.model (Llama 2, Mistral).
  '*.model',
  // Mistral's tokenizer.model.v3: vLLM's tokenizer_mode auto picks mistral_common when a Mistral repo
  // has tekken.json or tokenizer.model.v* (vllm/tokenizers/registry.py resolve_tokenizer_args), so the
  // served tokenizer stays the one vLLM picks from the whole repository.
  'tokenizer.model.v*',
  // tiktoken vocabularies (tokenizer.tiktoken and the like).
  '*.tiktoken',
  // Chat templates saved as files by transformers (chat_template.jinja, additional_chat_templates/*.jinja).
  '*.jinja',
];

/**
 * `snapshot_download(ignore_patterns=...)`: Meta's original-format copy (original/consolidated.*.pth,
 * params.json, tokenizer.model) that vLLM never reads (vllm/config/load.py `LoadConfig.ignore_patterns`
 * default "original/**\/*", "to avoid repeated loading of llama's checkpoints").
 */
export const LOADER_IGNORE_PATTERNS: readonly string[] = ['original/*'];
