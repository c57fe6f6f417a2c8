/**
 * `llmd-bench account-check`: before the first `cdk deploy`, asks the AWS account (read-only) whether
 * the configured deployment can succeed, and says what to do about each thing that would fail:
 *
 * - identity: whose credentials, and the account config `aws.account` names (if any);
 * - bootstrap: the CDK bootstrap stack (CDKToolkit) exists, is complete and new enough;
 * - GPU and system instance types offered in the AZs the node groups use
 *   (DescribeInstanceTypeOfferings, location type availability-zone);
 * - EC2 vCPU quotas of the right family (G and VT vs P vs Standard, on-demand or spot) >= what the
 *   node groups need;
 * - the FSx for Lustre deployment type offered in the region, with room for one more file system;
 * - the stacks of this app: none in a state a deploy cannot continue from; no foreign EKS cluster of
 *   the same name;
 * - every pinned EKS add-on version exists for the configured Kubernetes version (the versions in
 *   lib/config/tables/eks-versions.ts come from public records, not from AWS's own tables).
 *
 * The AWS calls go through AccountApi (account-api.ts builds it on the AWS SDK); tests feed it
 * recorded payloads.
 */
import type { BenchConfig } from '../../config';
import { isPaused } from '../../config/pause';
import { INSTANCE_TYPES } from '../../config/tables/instances';
import { EKS_ADDON_NAMES, EKS_VERSION_PINS } from '../../config/tables/eks-versions';
import { CLUSTER_STACK_NAME, STACK_NAMES, projectTags, PROJECT_TAG_KEY, CLUSTER_TAG_KEY } from '../../names';
import { EC2_VCPU_QUOTAS, FSX_LUSTRE_QUOTAS, quotaFamilyOf, type QuotaRef } from './quotas';

export interface StackInfo {
  readonly name: string;
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface QuotaValue {
  readonly name: string;
  readonly value: number;
  /** 'applied' = the account's value; 'default' = AWS's default (no applied value exists). */
  readonly source: 'applied' | 'default';
}

export interface LustreFileSystem {
  readonly id: string;
  readonly deploymentType?: string;
  readonly lifecycle?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The read-only AWS calls account-check makes (one method per API). */
export interface AccountApi {
  readonly region: string;
  /** sts:GetCallerIdentity */
  callerIdentity(): Promise<{ account: string; arn: string }>;
  /** cloudformation:DescribeStacks; undefined when the stack does not exist. */
  describeStack(name: string): Promise<StackInfo | undefined>;
  /** ec2:DescribeInstanceTypeOfferings (location type availability-zone): the AZs offering the type. */
  instanceTypeZones(instanceType: string): Promise<string[]>;
  /** servicequotas:GetServiceQuota, falling back to GetAWSDefaultServiceQuota; undefined when the quota does not exist in the region. */
  serviceQuota(ref: QuotaRef): Promise<QuotaValue | undefined>;
  /** fsx:DescribeFileSystems, Lustre only. */
  lustreFileSystems(): Promise<LustreFileSystem[]>;
  /** eks:DescribeAddonVersions for one add-on and Kubernetes version; [] when EKS knows none. */
  addonVersions(addonName: string, kubernetesVersion: string): Promise<string[]>;
  /** eks:DescribeCluster; undefined when there is no such cluster. */
  describeCluster(name: string): Promise<{ status: string; version: string } | undefined>;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface AccountCheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly summary: string;
  /** What to do (fail and warn only). */
  readonly hint?: string;
}

/** The oldest bootstrap stack the synthesized templates accept (their CheckBootstrapVersion rule). */
export const MIN_BOOTSTRAP_VERSION = 6;
/** The CDK bootstrap stack's default name. */
export const BOOTSTRAP_STACK = 'CDKToolkit';

const ok = (id: string, title: string, summary: string): AccountCheckResult => ({ id, title, status: 'ok', summary });
const warn = (id: string, title: string, summary: string, hint: string): AccountCheckResult => ({ id, title, status: 'warn', summary, hint });
const fail = (id: string, title: string, summary: string, hint: string): AccountCheckResult => ({ id, title, status: 'fail', summary, hint });

/** Whether a stack status is one a deploy can update from. */
export function stackStatusKind(status: string): 'ready' | 'busy' | 'stuck' | 'gone' {
  if (status === 'DELETE_COMPLETE') return 'gone';
  if (status.endsWith('_IN_PROGRESS')) return 'busy';
  if (status === 'ROLLBACK_COMPLETE' || status.endsWith('_FAILED')) return 'stuck';
  return 'ready';
}

type Check = (c: BenchConfig, api: AccountApi, identity: { account: string; arn: string }) => Promise<AccountCheckResult>;

const identityCheck: Check = async (c, _api, id) => {
  const title = 'AWS identity';
  if (c.aws.account && c.aws.account !== id.account) {
    return fail('identity', title, `credentials are for account ${id.account} (${id.arn}), but aws.account is ${c.aws.account}`,
      `use credentials of account ${c.aws.account} (AWS_PROFILE=...), or change -c aws.account`);
  }
  return ok('identity', title, `account ${id.account} as ${id.arn}`);
};

const bootstrapCheck: Check = async (_c, api, id) => {
  const title = 'CDK bootstrap';
  const fix = `npx cdk bootstrap aws://${id.account}/${api.region}`;
  const stack = await api.describeStack(BOOTSTRAP_STACK);
  if (!stack || stackStatusKind(stack.status) === 'gone') {
    return fail('bootstrap', title, `no ${BOOTSTRAP_STACK} stack in ${api.region}`, `run ${fix} (or pass your custom --toolkit-stack-name to cdk)`);
  }
  const kind = stackStatusKind(stack.status);
  if (kind !== 'ready') return fail('bootstrap', title, `${BOOTSTRAP_STACK} is ${stack.status}`, kind === 'busy' ? 'wait until it finishes, then check again' : `fix or delete it in the CloudFormation console, then run ${fix}`);
  const version = Number(stack.outputs.BootstrapVersion);
  if (!Number.isFinite(version)) return warn('bootstrap', title, `${BOOTSTRAP_STACK} ${stack.status} without a BootstrapVersion output`, `run ${fix} to bring it to the current template`);
  if (version < MIN_BOOTSTRAP_VERSION) return fail('bootstrap', title, `bootstrap version ${version}; the templates need >= ${MIN_BOOTSTRAP_VERSION}`, `run ${fix} to upgrade it`);
  return ok('bootstrap', title, `${BOOTSTRAP_STACK} ${stack.status}, version ${version}`);
};

function offeringCheck(id: string, what: string, pick: (c: BenchConfig) => { type: string; zones: readonly string[] }, key: string): Check {
  return async (c, api) => {
    const { type, zones: wanted } = pick(c);
    const title = `${what} ${type} offered`;
    const offered = await api.instanceTypeZones(type);
    const missing = wanted.filter((z) => !offered.includes(z));
    if (missing.length === 0) return ok(id, title, `in ${wanted.join(', ')}`);
    const where = offered.length > 0 ? `AZs of ${api.region} that offer it: ${[...offered].sort().join(', ')}` : `no AZ of ${api.region} offers it to this account`;
    return fail(id, title, `not offered in ${missing.join(', ')}`, offered.length > 0
      ? `${where}; set -c ${key}=<one of them> (and keep it in aws.availabilityZones)`
      : `${where}; choose another instance type or region`);
  };
}

/** vCPUs a node group of `count` x `instanceType` needs. */
export function vcpusNeeded(instanceType: string, count: number): number {
  const facts = INSTANCE_TYPES[instanceType];
  if (!facts) throw new Error(`no vCPU count for ${instanceType} in lib/config/tables/instances.ts`);
  return facts.vcpu * count;
}

function quotaCheck(id: string, what: string, pick: (c: BenchConfig) => { instanceType: string; count: number; spot: boolean }): Check {
  return async (c, api) => {
    const { instanceType, count, spot } = pick(c);
    const family = quotaFamilyOf(instanceType);
    const title = `${what} vCPU quota`;
    if (!family) return warn(id, title, `no quota family known for ${instanceType}`, 'check Service Quotas (Amazon EC2) yourself');
    const ref = spot ? EC2_VCPU_QUOTAS[family].spot : EC2_VCPU_QUOTAS[family].onDemand;
    const need = vcpusNeeded(instanceType, count);
    const quota = await api.serviceQuota(ref);
    if (!quota) return fail(id, title, `quota ${ref.quotaCode} "${ref.name}" does not exist in ${api.region}`, 'choose another region or instance type');
    const paused = id === 'gpu-quota' && isPaused(c) ? ' (paused: gpuNodes.count=0)' : '';
    const summary = `"${quota.name}" ${quota.value} vCPU (${quota.source}); ${count} x ${instanceType} need ${need}${paused}`;
    if (quota.value >= need) return ok(id, title, summary);
    return fail(id, title, summary,
      `request an increase before deploying (instances of the same family that already run count against it too): aws service-quotas request-service-quota-increase --service-code ${ref.serviceCode} --quota-code ${ref.quotaCode} --desired-value ${need} --region ${api.region}`);
  };
}

const fsxCheck: Check = async (c, api) => {
  const type = c.modelStore.deploymentType;
  const title = `FSx for Lustre ${type}`;
  const ref = FSX_LUSTRE_QUOTAS[type];
  if (!ref) return warn('fsx', title, `no quota known for deployment type ${type}`, 'check Service Quotas (Amazon FSx) yourself');
  const quota = await api.serviceQuota(ref);
  if (!quota) return fail('fsx', title, `not offered in ${api.region} (Service Quotas has no "${ref.name}" quota there)`, 'choose a region that offers it, or -c modelStore.deploymentType=SCRATCH_2');
  const tags = projectTags(c.cluster.name);
  const lustre = (await api.lustreFileSystems()).filter((f) => f.deploymentType === type && f.lifecycle !== 'DELETING');
  const ours = lustre.filter((f) => f.tags[PROJECT_TAG_KEY] === tags[PROJECT_TAG_KEY] && f.tags[CLUSTER_TAG_KEY] === tags[CLUSTER_TAG_KEY]);
  const need = lustre.length + (ours.length > 0 ? 0 : 1);
  const summary = `"${quota.name}" ${quota.value}; ${lustre.length} exist${ours.length > 0 ? ` (${ours.map((f) => f.id).join(', ')} is this deployment's)` : ', this deployment adds 1'}`;
  if (quota.value >= need) return ok('fsx', title, summary);
  return fail('fsx', title, summary, `delete an unused ${type} file system or request an increase: aws service-quotas request-service-quota-increase --service-code fsx --quota-code ${ref.quotaCode} --desired-value ${need} --region ${api.region}`);
};

const stacksCheck: Check = async (_c, api) => {
  const title = 'Stacks of this app';
  const found = (await Promise.all(STACK_NAMES.map((n) => api.describeStack(n)))).filter((s): s is StackInfo => !!s && stackStatusKind(s.status) !== 'gone');
  const blocked = found.filter((s) => stackStatusKind(s.status) !== 'ready');
  const list = found.map((s) => `${s.name} ${s.status}`).join(', ');
  if (blocked.length > 0) {
    const hints = blocked.map((s) => {
      const kind = stackStatusKind(s.status);
      if (kind === 'busy') return `${s.name}: wait until ${s.status} ends`;
      if (s.status === 'ROLLBACK_COMPLETE') return `${s.name}: a stack that failed its first create cannot be updated; delete it (npx cdk destroy ${s.name}) and deploy again`;
      if (s.status === 'DELETE_FAILED') return `${s.name}: run npx llmd-bench cleanup-check --delete, then npx cdk destroy ${s.name}`;
      return `${s.name}: see its events in the CloudFormation console; continue or roll back the update (aws cloudformation continue-update-rollback --stack-name ${s.name})`;
    });
    return fail('stacks', title, list, hints.join('; '));
  }
  if (found.length === 0) return ok('stacks', title, 'none yet: a deploy creates them');
  return ok('stacks', title, `${list}: a deploy updates them`);
};

const clusterNameCheck: Check = async (c, api) => {
  const title = `EKS cluster name ${c.cluster.name}`;
  const cluster = await api.describeCluster(c.cluster.name);
  if (!cluster) return ok('cluster-name', title, 'free');
  const own = await api.describeStack(CLUSTER_STACK_NAME);
  if (own && stackStatusKind(own.status) !== 'gone') return ok('cluster-name', title, `exists (${cluster.status}, Kubernetes ${cluster.version}), from ${CLUSTER_STACK_NAME}`);
  return fail('cluster-name', title, `a cluster of this name exists (${cluster.status}) that ${CLUSTER_STACK_NAME} did not create`, `choose another name: -c cluster.name=<name>`);
};

const addonVersionsCheck: Check = async (c, api) => {
  const version = c.cluster.kubernetesVersion;
  const title = `Pinned EKS add-on versions for Kubernetes ${version}`;
  const pins = EKS_VERSION_PINS[version];
  if (!pins) return fail('addon-versions', title, 'no pinned versions for this Kubernetes version', 'add a row to lib/config/tables/eks-versions.ts');
  const missing: string[] = [];
  for (const name of EKS_ADDON_NAMES) {
    const offered = await api.addonVersions(name, version);
    const pinned = pins.addons[name].version;
    if (!offered.includes(pinned)) missing.push(`${name} ${pinned} (EKS offers ${offered.slice(0, 3).join(', ') || 'none'})`);
  }
  if (missing.length === 0) return ok('addon-versions', title, `all ${EKS_ADDON_NAMES.length} exist`);
  return fail('addon-versions', title, `not offered: ${missing.join('; ')}`,
    `update the row of Kubernetes ${version} in lib/config/tables/eks-versions.ts (aws eks describe-addon-versions --kubernetes-version ${version} --addon-name <name>)`);
};

/** Every check, in the order they are reported. */
export function accountChecks(): { id: string; run: Check }[] {
  return [
    { id: 'identity', run: identityCheck },
    { id: 'bootstrap', run: bootstrapCheck },
    { id: 'gpu-offering', run: offeringCheck('gpu-offering', 'GPU instance type', (c) => ({ type: c.gpuNodes.instanceType, zones: [c.aws.gpuAvailabilityZone] }), 'aws.gpuAvailabilityZone') },
    {
      id: 'system-offering',
      run: offeringCheck('system-offering', 'System instance type', (c) => ({
        type: c.systemNodes.instanceType,
        zones: c.systemNodes.sameAzAsGpu ? [c.aws.gpuAvailabilityZone] : c.aws.availabilityZones,
      }), 'aws.gpuAvailabilityZone'),
    },
    { id: 'gpu-quota', run: quotaCheck('gpu-quota', 'GPU nodes', (c) => ({ instanceType: c.gpuNodes.instanceType, count: c.gpuNodes.count, spot: c.gpuNodes.capacityType === 'SPOT' })) },
    { id: 'system-quota', run: quotaCheck('system-quota', 'System nodes', (c) => ({ instanceType: c.systemNodes.instanceType, count: c.systemNodes.count, spot: false })) },
    { id: 'fsx', run: fsxCheck },
    { id: 'stacks', run: stacksCheck },
    { id: 'cluster-name', run: clusterNameCheck },
    { id: 'addon-versions', run: addonVersionsCheck },
  ];
}

/** A failed AWS call inside one check: the check fails with the error, the others still run. */
export type ErrorDescriber = (err: unknown, what: string) => { message: string; hint?: string };

/**
 * Runs every check. The identity call runs first and alone: without working credentials nothing else
 * can, and its error (thrown) says so once instead of ten times.
 */
export async function runAccountCheck(c: BenchConfig, api: AccountApi, describe: ErrorDescriber): Promise<AccountCheckResult[]> {
  const identity = await api.callerIdentity();
  const checks = accountChecks();
  return Promise.all(checks.map(async ({ id, run }) => {
    try {
      return await run(c, api, identity);
    } catch (err) {
      const d = describe(err, id);
      return fail(id, id, d.message, d.hint ?? 'check the error above and run account-check again');
    }
  }));
}

const MARK: Record<CheckStatus, string> = { ok: '✔', warn: '!', fail: '✖' };

/** Human-readable lines. */
export function formatAccountCheck(results: readonly AccountCheckResult[], region: string): string {
  const lines = [`account-check (${region}, read-only):`];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.title}: ${r.summary}`);
    if (r.hint && r.status !== 'ok') lines.push(`    what to do: ${r.hint}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(failed === 0 ? 'account-check passed: the account can take this deployment' : `account-check failed: ${failed} check${failed === 1 ? '' : 's'} marked ✖`);
  return lines.join('\n');
}
