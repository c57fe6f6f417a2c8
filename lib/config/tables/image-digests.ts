/**
 * Digests of the default images, one row per `repository:tag`, each with where it was read. A digest
 * given in config (`…ImageDigest`) wins; otherwise the row of the configured repository and tag is
 * used, so changing a tag never keeps an old digest (a tag without a row is pulled by tag; README
 * "Pinning images" says how to pin it). Only digests a public source states are listed here: none of
 * these was pulled from a registry where this was written (no network), so verify with
 * `crane digest <repository>:<tag>` (or `docker buildx imagetools inspect`) before relying on it.
 */
export interface DigestPin {
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  /**
   * `index` (multi-arch manifest list), the one platform it was recorded for, or `unstated` when the
   * source does not say. Every node type of this project is x86_64, so an index or an amd64 digest pulls.
   */
  readonly scope: 'index' | 'linux/amd64' | 'unstated';
  /** Where the digest was read. */
  readonly source: string;
}

export const IMAGE_DIGESTS: Readonly<Record<string, DigestPin>> = {
  'vllm/vllm-openai:v0.27.1': {
    digest: 'sha256:c2f3b1b964e47809b722b5e75b61b1e7b39a50f70388cf2bf2418f16a9f31da2',
    scope: 'linux/amd64',
    source: 'linux/amd64 digest of Docker Hub tag v0.27.1, recorded 2026-08-11 in the pinned-image notes of two public repositories (found by content search)',
  },
  'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0': {
    digest: 'sha256:2e516fa1310da7be59b82beb1445362139597d6d553ef04d546716abe3aaaa70',
    scope: 'index',
    source: 'multi-arch index of the v0.10.0 release image (amd64 sha256:9862ae38658824b2560c547237363fe21f269e649b873a4ee84fe3137b554ba9), recorded 2026-09-19 in a public pin table of llm-d-router v0.10.0 artifacts',
  },
  'envoyproxy/envoy:distroless-v1.33.2': {
    digest: 'sha256:85500e28ed088ec39ff0adc1be3d358a8ad062926aaa62c36b28bde00919e4e8',
    scope: 'unstated',
    source: 'docker.io/envoyproxy/envoy:distroless-v1.33.2@sha256:85500e28… as pinned next to llm-d-router v0.10.0 images in a public deployment script (found by content search)',
  },
  'quay.io/inference-perf/inference-perf:v0.6.1': {
    digest: 'sha256:e29328cc223ebae58d9022d60ad651cc3c4cbd534885a78b28f54086aa4b9c9e',
    scope: 'unstated',
    source: 'quay.io/inference-perf/inference-perf:v0.6.1@sha256:e29328cc… as pinned in several public benchmark scripts (found by content search)',
  },
  'public.ecr.aws/aws-cli/aws-cli:2.36.15': {
    digest: 'sha256:310813a7eae8fd88da1cc9c37970e3500b0ff3984479e1012f0a6fd44e453f63',
    scope: 'unstated',
    source: 'public.ecr.aws/aws-cli/aws-cli:2.36.15@sha256:310813a7… as pinned in two public CI scripts (found by content search)',
  },
};
