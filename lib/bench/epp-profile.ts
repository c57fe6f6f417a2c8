/**
 * Which router profile the EPP runs. All deployed profiles sit in the EPP ConfigMap, one file each
 * (k8s/router/profiles.ts); the EPP reads the one its `--config-file` names. Before every run through
 * a profile, its warm-up too, the runner points the flag at that profile's file; the EPP restart every
 * measured llm-d run gets anyway (cache-reset.ts restartEndpointPicker) then starts it on that file
 * with an empty index. One
 * EPP and one ConfigMap for every profile: no second EPP competing for CPU on the system nodes, no
 * second subscriber to every pod's KV events, the same Service and Envoy in front of all profiles.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import type { BenchConfig } from '../config';
import { EPP_CONFIG_DIR, EPP_CONFIG_FILE } from '../../k8s/router/endpoint-picker-config';
import { deployedProfiles } from '../../k8s/router/profiles';
import { sharedNames } from '../../k8s/names';
import type { KubeApi } from './cluster/types';
import { BenchError } from './errors';
import { PATH_LABELS } from './run-names';

/** Name of the EPP container in the router Deployment (k8s/charts/router-chart.ts). */
export const EPP_CONTAINER = 'epp';
const CONFIG_FLAG = '--config-file=';

/** The ConfigMap file an llm-d path runs: `llm-d` the default file, `llm-d-<profile>` that profile's. */
export function eppConfigFileFor(config: BenchConfig, label: string): string {
  if (label === PATH_LABELS.llmd) return EPP_CONFIG_FILE;
  const profile = deployedProfiles(config).find((p) => p.label === label);
  if (!profile) throw new BenchError(`path ${label} is not a deployed router profile (router.profiles=${config.router.profiles.join(',')})`);
  return profile.file;
}

/** The EPP's arguments with --config-file pointing at `file`. */
export function argsWithConfigFile(args: readonly string[], file: string): string[] {
  if (!args.some((a) => a.startsWith(CONFIG_FLAG))) throw new BenchError(`the EPP container has no ${CONFIG_FLAG} argument to point at a profile`);
  return args.map((a) => (a.startsWith(CONFIG_FLAG) ? `${CONFIG_FLAG}${EPP_CONFIG_DIR}/${file}` : a));
}

function eppArgs(d: V1Deployment | undefined): string[] | undefined {
  return d?.spec?.template?.spec?.containers?.find((c) => c.name === EPP_CONTAINER)?.args;
}

/**
 * Points the EPP at the profile of `label`. Returns true when the Deployment changed (its pods roll).
 * The runner calls it before every llm-d step, warm-ups included; before a measured run it restarts
 * the EPP and waits either way, before a warm-up it waits only for the rollout a change started.
 */
export async function pointEppAt(config: BenchConfig, kube: KubeApi, label: string): Promise<boolean> {
  const n = sharedNames(config);
  const file = eppConfigFileFor(config, label);
  const d = await kube.readDeployment(n.namespace, n.eppDeployment);
  const args = eppArgs(d);
  if (!args) throw new BenchError(`deployment ${n.namespace}/${n.eppDeployment} has no ${EPP_CONTAINER} container`, { hint: 'deploy the stack first (cdk deploy --all)' });
  const wanted = argsWithConfigFile(args, file);
  if (wanted.join('\u0000') === args.join('\u0000')) return false;
  // Strategic merge: containers merge by name, and `args` (a list of strings) is replaced whole.
  await kube.patchDeployment(n.namespace, n.eppDeployment, { spec: { template: { spec: { containers: [{ name: EPP_CONTAINER, args: wanted }] } } } });
  return true;
}
