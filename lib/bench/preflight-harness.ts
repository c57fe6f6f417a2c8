/**
 * Preflight checks of the benchmark client (the harness): its pinned image, and the tokenizer it
 * reads from the FSx weights (vllm bench serve --tokenizer, inference-perf tokenizer.
 * pretrained_model_name_or_path: the same directory, offline).
 */
import type { BenchConfig } from '../config';
import { decodeLabelSelector } from '../../k8s/labels';
import { NODE_ROLE_LABEL, SYSTEM_NODE_ROLE, sharedNames } from '../../k8s/names';
import { resolveHarness } from '../workload/spec';
import { isPodReady } from './cache-reset';
import type { CheckResult, PreflightCheck, PreflightContext } from './preflight';

/** The image the benchmark Job runs for the configured harness. */
export function harnessImage(config: BenchConfig): string {
  const b = config.benchmark;
  return resolveHarness(config) === 'inference-perf' ? `${b.inferencePerfImage}:${b.inferencePerfTag}` : `${config.vllm.image}:${config.vllm.tag}`;
}

/** True when a node image name is `ref` (container runtimes list Docker Hub images with their registry). */
export function imageNameMatches(name: string, ref: string): boolean {
  return name === ref || name.endsWith(`/${ref}`);
}

/** Files a Hugging Face tokenizer directory needs: the config, and the tokenizer itself in one of its forms. */
export const TOKENIZER_TEST = (dir: string) => `test -f '${dir}/tokenizer_config.json' && { test -f '${dir}/tokenizer.json' || test -f '${dir}/tokenizer.model' || test -f '${dir}/vocab.json'; }`;

const result = (status: CheckResult['status'], summary: string, fix?: string): CheckResult => ({ status, summary, fix });

export const HARNESS_CHECKS: readonly PreflightCheck[] = [
  {
    id: 'harness-image',
    title: 'benchmark client image',
    run: async (ctx: PreflightContext) => {
      const ref = harnessImage(ctx.config);
      const harness = resolveHarness(ctx.config);
      if (!ctx.kube) return result('skip', 'no Kubernetes access (see the kubeconfig check)');
      const nodes = await ctx.kube.listNodes(`${NODE_ROLE_LABEL}=${SYSTEM_NODE_ROLE}`);
      const cached = nodes.filter((n) => (n.status?.images ?? []).some((img) => (img.names ?? []).some((name) => imageNameMatches(name, ref))));
      if (cached.length > 0) return result('pass', `${harness}: ${ref}, already on ${cached.length} of ${nodes.length} system node(s)`);
      return result('warn', `${harness}: ${ref} is on no system node yet; the first Job pulls it (the client pod waits)`,
        `the nodes need egress to ${ref.split('/')[0]}; to pull it ahead: run one short Job, e.g. llmd-bench run --target rr --num-prompts ${ctx.config.benchmark.numPrefixes}`);
    },
  },
  {
    id: 'tokenizer',
    title: 'tokenizer on FSx (the client reads it offline)',
    run: async (ctx: PreflightContext) => {
      if (!ctx.kube) return result('skip', 'no Kubernetes access (see the kubeconfig check)');
      const names = sharedNames(ctx.config);
      const pod = (await ctx.kube.listPods(names.namespace, decodeLabelSelector(ctx.config))).find(isPodReady);
      if (!pod?.metadata?.name) return result('skip', 'no Ready decode pod to look through');
      const container = (pod.spec?.containers ?? []).find((c) => c.name === 'vllm')?.name ?? pod.spec?.containers?.[0]?.name ?? 'vllm';
      const reply = await ctx.kube.execInPod(names.namespace, pod.metadata.name, container, ['sh', '-c', TOKENIZER_TEST(names.modelDir)]);
      if (reply.exitCode !== 0) {
        return result('fail', `no tokenizer in ${names.modelDir} (needs tokenizer_config.json and tokenizer.json, tokenizer.model or vocab.json)`,
          `the benchmark client tokenizes from there with HF_HUB_OFFLINE=1: check the model loader's files (kubectl -n ${names.namespace} logs job/${names.loaderJob})`);
      }
      return result('pass', `${names.modelDir}`);
    },
  },
];
