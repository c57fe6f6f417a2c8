/**
 * Preflight checks of the benchmark client (the harness): its pinned image, and the tokenizer it
 * reads from the FSx weights (vllm bench serve --tokenizer, inference-perf tokenizer.
 * pretrained_model_name_or_path: the same directory, offline).
 */
import type { BenchConfig } from '../config';
import { type ImageRef, inferencePerfImage, registryHost, vllmImage } from '../config/images';
import { decodeLabelSelector } from '../../k8s/labels';
import { loaderJobName } from '../../k8s/model-store/loader-job';
import { NODE_ROLE_LABEL, SYSTEM_NODE_ROLE, sharedNames } from '../../k8s/names';
import { resolveHarness } from '../workload/spec';
import { isPodReady } from './cache-reset';
import { withKube } from './preflight-kit';
import type { CheckResult, PreflightCheck, PreflightContext } from './preflight';

/** The image the benchmark Job runs for the configured harness (pulled by digest when one is known). */
export function harnessImageRef(config: BenchConfig): ImageRef {
  return resolveHarness(config) === 'inference-perf' ? inferencePerfImage(config) : vllmImage(config);
}

/** `repository:tag` of the harness image (what people recognise; the pod pulls harnessImageRef().ref). */
export function harnessImage(config: BenchConfig): string {
  return harnessImageRef(config).tagged;
}

/** True when a node image name is `ref` (container runtimes list Docker Hub images with their registry). */
export function imageNameMatches(name: string, ref: string): boolean {
  return name === ref || name.endsWith(`/${ref}`);
}

/** Files a Hugging Face tokenizer directory needs: the config, and the tokenizer itself in one of its forms. */
export const TOKENIZER_TEST = (dir: string) => `test -f '${dir}/tokenizer_config.json' && { test -f '${dir}/tokenizer.json' || test -f '${dir}/tokenizer.model' || test -f '${dir}/vocab.json'; }`;

const result = (status: CheckResult['status'], summary: string, fix?: string): CheckResult => ({ status, summary, fix });

// Both checks need the cluster (withKube): skipped while paused, without Kubernetes access or after an unreachable API server.
export const HARNESS_CHECKS: readonly PreflightCheck[] = [
  {
    id: 'harness-image',
    title: 'benchmark client image',
    run: withKube(async (kube, ctx: PreflightContext) => {
      const image = harnessImageRef(ctx.config);
      const ref = image.tagged;
      const harness = resolveHarness(ctx.config);
      const nodes = await kube.listNodes(`${NODE_ROLE_LABEL}=${SYSTEM_NODE_ROLE}`);
      // A node lists an image pulled by digest under repository@digest, one pulled by tag under repository:tag.
      const names = [...new Set([image.ref, image.tagged])];
      const cached = nodes.filter((n) => (n.status?.images ?? []).some((img) => (img.names ?? []).some((name) => names.some((r) => imageNameMatches(name, r)))));
      if (cached.length > 0) return result('pass', `${harness}: ${ref}, already on ${cached.length} of ${nodes.length} system node(s)`);
      return result('warn', `${harness}: ${ref} is on no system node yet; the first Job pulls it (the client pod waits)`,
        `the nodes need egress to ${registryHost(image.repository)}; to pull it ahead: run one short Job, e.g. llmd-bench run --target rr --harness ${harness} --num-prompts ${ctx.config.benchmark.numPrefixes}`);
    }),
  },
  {
    id: 'tokenizer',
    title: 'tokenizer on FSx (the client reads it offline)',
    run: withKube(async (kube, ctx: PreflightContext) => {
      const names = sharedNames(ctx.config);
      const pod = (await kube.listPods(names.namespace, decodeLabelSelector(ctx.config))).find(isPodReady);
      if (!pod?.metadata?.name) return result('skip', 'no Ready decode pod to look through');
      const container = (pod.spec?.containers ?? []).find((c) => c.name === 'vllm')?.name ?? pod.spec?.containers?.[0]?.name ?? 'vllm';
      const reply = await kube.execInPod(names.namespace, pod.metadata.name, container, ['sh', '-c', TOKENIZER_TEST(names.modelDir)]);
      if (reply.exitCode !== 0) {
        return result('fail', `no tokenizer in ${names.modelDir} (needs tokenizer_config.json and tokenizer.json, tokenizer.model or vocab.json)`,
          `the benchmark client tokenizes from there with HF_HUB_OFFLINE=1: check the model loader's files (kubectl -n ${names.loaderNamespace} logs job/${loaderJobName(ctx.config)})`);
      }
      return result('pass', `${names.modelDir}`);
    }),
  },
];
