/**
 * The container images the config selects, as the references pods pull: `repository@sha256:…` when a
 * digest is known (given as `…ImageDigest`, else the row of tables/image-digests.ts for exactly this
 * repository and tag), `repository:tag` otherwise. The tag stays the human-readable name (charts put
 * it in a pod annotation) and the version the config checks read.
 */
import type { BenchConfig } from './schema';
import { IMAGE_DIGESTS } from './tables/image-digests';

export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
  /** `sha256:…` when the image is pinned by digest. */
  readonly digest?: string;
  /** Where the digest came from: the config key, the digest table, or nowhere (tag only). */
  readonly pinnedBy: 'config' | 'table' | 'tag';
  /** What a pod spec's `image:` says. */
  readonly ref: string;
  /** `repository:tag` (what the digest stands for; kept in an annotation). */
  readonly tagged: string;
}

/**
 * The registry host a repository is pulled from: its first path component when that names a host
 * (contains '.' or ':', or is 'localhost'), else Docker Hub, `docker.io` (`vllm/vllm-openai`). The
 * rule of distribution/reference normalize.go `splitDockerDomain`, which containerd applies.
 */
export function registryHost(repository: string): string {
  const slash = repository.indexOf('/');
  const first = slash < 0 ? '' : repository.slice(0, slash);
  return first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** Builds a reference; a digest given in config wins over the table. */
export function imageRef(repository: string, tag: string, configDigest?: string): ImageRef {
  const tagged = `${repository}:${tag}`;
  const digest = configDigest ?? IMAGE_DIGESTS[tagged]?.digest;
  const pinnedBy = configDigest ? 'config' : digest ? 'table' : 'tag';
  return { repository, tag, digest, pinnedBy, tagged, ref: digest ? `${repository}@${digest}` : tagged };
}

/** Splits `repo[:port]/name:tag[@sha256:…]` (project.awsCliImage) into its parts. */
export function splitImageReference(reference: string): { repository: string; tag: string; digest?: string } {
  const [nameTag, digest] = reference.split('@');
  const colon = nameTag.lastIndexOf(':');
  const slash = nameTag.lastIndexOf('/');
  if (colon <= slash) return { repository: nameTag, tag: '', digest };
  return { repository: nameTag.slice(0, colon), tag: nameTag.slice(colon + 1), digest };
}

/** vLLM: the decode pods, the render server, the loader and the benchmark client (one image). */
export function vllmImage(c: BenchConfig): ImageRef {
  return imageRef(c.vllm.image, c.vllm.tag, c.vllm.imageDigest);
}

/** The render server: vLLM's image unless router.renderImage names another build of the same release. */
export function renderImage(c: BenchConfig): ImageRef {
  return c.router.renderImage ? imageRef(c.router.renderImage, c.vllm.tag, c.router.renderImageDigest) : vllmImage(c);
}

export function eppImage(c: BenchConfig): ImageRef {
  return imageRef(c.router.eppImage, c.router.eppTag, c.router.eppImageDigest);
}

export function envoyImage(c: BenchConfig): ImageRef {
  return imageRef(c.router.envoyImage, c.router.envoyTag, c.router.envoyImageDigest);
}

/** The inference-perf benchmark client (benchmark.harness=inference-perf). */
export function inferencePerfImage(c: BenchConfig): ImageRef {
  return imageRef(c.benchmark.inferencePerfImage, c.benchmark.inferencePerfTag, c.benchmark.inferencePerfImageDigest);
}

/** The AWS CLI of the secret-reading init containers; a digest inline in project.awsCliImage counts as given. */
export function awsCliImage(c: BenchConfig): ImageRef {
  const parts = splitImageReference(c.project.awsCliImage);
  return imageRef(parts.repository, parts.tag, c.project.awsCliImageDigest ?? parts.digest);
}

/** Every image of the project by the key prefix that configures it (for checks and docs). */
export function allImages(c: BenchConfig): Record<string, ImageRef> {
  return {
    'vllm.image': vllmImage(c), 'router.renderImage': renderImage(c), 'router.eppImage': eppImage(c), 'router.envoyImage': envoyImage(c), 'project.awsCliImage': awsCliImage(c),
    'benchmark.inferencePerfImage': inferencePerfImage(c),
  };
}
