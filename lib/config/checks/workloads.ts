/**
 * Checks of keys the in-cluster charts need: the vLLM release the render server needs, image digests
 * that contradict each other, port clashes of the KV-event sockets, the loader namespace's name.
 */
import { splitImageReference } from '../images';
import { LOADER_NAMESPACE_SUFFIX, loaderNamespace as loaderNamespaceOf } from '../derived';
import { problem } from '../problems';
import type { Check } from './types';

/**
 * First vLLM release with `vllm launch render` (the GPU-less render server the EPP tokenizes through):
 * the `vllm launch` command came with vllm-project/vllm#34551 (February 2026) and its render path with
 * #36166 (March 2026), first released in v0.18.0 (the version table in ai-dynamo/dynamo#11661).
 * Newer releases need no flag for it: #54579/#55176 (after v0.29.0) gate /render on a plain `vllm
 * serve` behind --enable-scale-out, while `vllm launch render` always registers its routes.
 */
export const MIN_VLLM_RENDER_RELEASE = [0, 18, 0] as const;

/** `v0.27.1`, `0.27.1`, `v0.27.1-cu129` -> [0, 27, 1]; undefined when the tag names no release. */
export function vllmRelease(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+._][A-Za-z0-9._-]*)?$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

export const vllmRenderRelease: Check = (c) => {
  const release = vllmRelease(c.vllm.tag);
  const min = `v${MIN_VLLM_RENDER_RELEASE.join('.')}`;
  if (!release) {
    return [problem('vllm.tag', c.vllm.tag, `must name a vLLM release such as v0.27.1 (optionally with a suffix, e.g. v0.27.1-cu129): the render server runs \`vllm launch render\`, which exists from ${min} on, and a tag like this cannot be checked`)];
  }
  if (!atLeast(release, MIN_VLLM_RENDER_RELEASE)) {
    return [problem('vllm.tag', c.vllm.tag, `must be ${min} or newer: the EPP tokenizes through \`vllm launch render\`, which older releases do not have (vllm-project/vllm#36166)`)];
  }
  return [];
};

export const awsCliDigest: Check = (c) => {
  const inline = splitImageReference(c.project.awsCliImage).digest;
  const given = c.project.awsCliImageDigest;
  if (inline && given && inline !== given) {
    return [problem('project.awsCliImageDigest', given, `contradicts the digest inside project.awsCliImage (${inline}); give the digest in one place`)];
  }
  return [];
};

export const renderDigest: Check = (c) => (c.router.renderImageDigest && !c.router.renderImage
  ? [problem('router.renderImageDigest', c.router.renderImageDigest, 'is only used with router.renderImage (the render server otherwise runs vllm.image, pinned by vllm.imageDigest)')]
  : []);

export const kvEventPorts: Check = (c) => {
  const v = c.vllm;
  const others = { 'vllm.port': v.port, 'vllm.kvEventsPort': v.kvEventsPort };
  const clash = Object.entries(others).find(([, p]) => p === v.kvEventsReplayPort);
  return clash ? [problem('vllm.kvEventsReplayPort', v.kvEventsReplayPort, `must differ from ${clash[0]} (${clash[1]}): vLLM binds both`)] : [];
};

export const loaderNamespace: Check = (c) => {
  const name = loaderNamespaceOf(c);
  return name.length > 63
    ? [problem('project.namespace', c.project.namespace, `must be at most ${63 - LOADER_NAMESPACE_SUFFIX.length} characters: the loader runs in "${name}", which must be a DNS label (63)`)]
    : [];
};

export const WORKLOAD_CHECKS: readonly Check[] = [vllmRenderRelease, awsCliDigest, renderDigest, kvEventPorts, loaderNamespace];
