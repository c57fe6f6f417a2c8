/**
 * `llmd-bench cleanup-check`: after `cdk destroy`, lists everything of this deployment that still
 * bills or blocks a delete, found by the project's tags (every stack tags its resources with
 * llmd-bench:project / llmd-bench:cluster, the node launch templates pass them to instances and
 * volumes), by the tags EKS puts on managed nodes (eks:cluster-name), or by sitting in the project's
 * VPC: instances, NAT gateways, Elastic IPs, FSx file systems, EBS volumes, network interfaces,
 * security groups, load balancers (ELBv2 and classic), log groups, the stacks and the EKS cluster.
 *
 * With `--delete` it removes what is known to block `cdk destroy LlmdBench-Network` and is safe to
 * remove: network interfaces in the project VPC whose status is `available` (detached; the Lambda
 * hyperplane ENIs of the in-VPC kubectl provider, aws/aws-cdk#18650), then security groups of the
 * project VPC that are not the VPC's default group, carry the project's tags or are the EKS cluster
 * group (eks-cluster-sg-<cluster>-*), and no remaining interface uses. Everything else it only
 * reports: deleting a file system or an instance is `cdk destroy`'s job.
 */
import type { BenchConfig } from '../../config';
import { controlPlaneLogGroupName, STACK_NAMES, projectTags } from '../../names';

export type LeftoverKind =
  | 'stack' | 'eks-cluster' | 'instance' | 'nat-gateway' | 'elastic-ip' | 'fsx' | 'ebs-volume'
  | 'network-interface' | 'security-group' | 'load-balancer' | 'log-group';

export interface Leftover {
  readonly kind: LeftoverKind;
  readonly id: string;
  /** State and what it is, one line. */
  readonly detail: string;
  /** Reported but deliberately kept by configuration (not counted as a leftover). */
  readonly keptOnPurpose?: string;
}

export interface NetworkInterfaceInfo {
  readonly id: string;
  readonly vpcId: string;
  readonly status: string;
  readonly description: string;
  readonly interfaceType?: string;
  readonly securityGroupIds: readonly string[];
}

export interface SecurityGroupInfo {
  readonly id: string;
  readonly name: string;
  readonly vpcId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The AWS calls of cleanup-check. List calls return what exists now; filters are the callers'. */
export interface CleanupApi {
  readonly region: string;
  /** VPCs carrying all of `tags`. */
  vpcsTagged(tags: Readonly<Record<string, string>>): Promise<string[]>;
  /** Non-terminated instances in the VPCs or carrying tag eks:cluster-name=<cluster> or the project tags. */
  instances(vpcIds: readonly string[], clusterName: string, tags: Readonly<Record<string, string>>): Promise<Leftover[]>;
  natGateways(vpcIds: readonly string[]): Promise<Leftover[]>;
  elasticIps(tags: Readonly<Record<string, string>>): Promise<Leftover[]>;
  fileSystems(vpcIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<Leftover[]>;
  volumes(clusterName: string, tags: Readonly<Record<string, string>>): Promise<Leftover[]>;
  networkInterfaces(vpcIds: readonly string[]): Promise<NetworkInterfaceInfo[]>;
  securityGroups(vpcIds: readonly string[]): Promise<SecurityGroupInfo[]>;
  loadBalancers(vpcIds: readonly string[]): Promise<Leftover[]>;
  logGroups(prefixes: readonly string[]): Promise<Leftover[]>;
  stacks(names: readonly string[]): Promise<Leftover[]>;
  cluster(name: string): Promise<Leftover | undefined>;
  deleteNetworkInterface(id: string): Promise<void>;
  deleteSecurityGroup(id: string): Promise<void>;
}

export interface CleanupReport {
  readonly vpcIds: readonly string[];
  readonly leftovers: readonly Leftover[];
  readonly networkInterfaces: readonly NetworkInterfaceInfo[];
  readonly securityGroups: readonly SecurityGroupInfo[];
}

/** Log group name prefixes of this app: the EKS control plane, and every group CloudFormation named after a stack. */
export function logGroupPrefixes(clusterName: string): string[] {
  return [`/aws/eks/${clusterName}/`, 'LlmdBench-', '/aws/lambda/LlmdBench-'];
}

/** The EKS-managed cluster security group's name prefix (EKS names it eks-cluster-sg-<cluster>-<id>). */
export function clusterSecurityGroupPrefix(clusterName: string): string {
  return `eks-cluster-sg-${clusterName}-`;
}

function isOurs(sg: SecurityGroupInfo, c: BenchConfig): boolean {
  const tags = projectTags(c.cluster.name);
  const tagged = Object.entries(tags).every(([k, v]) => sg.tags[k] === v);
  return sg.name !== 'default' && (tagged || sg.name.startsWith(clusterSecurityGroupPrefix(c.cluster.name)));
}

/** Everything of this deployment that is still there. */
export async function findLeftovers(c: BenchConfig, api: CleanupApi): Promise<CleanupReport> {
  const tags = projectTags(c.cluster.name);
  const vpcIds = await api.vpcsTagged(tags);
  const [stacks, cluster, instances, nats, eips, fsx, volumes, enis, sgs, lbs, logs] = await Promise.all([
    api.stacks(STACK_NAMES),
    api.cluster(c.cluster.name),
    api.instances(vpcIds, c.cluster.name, tags),
    api.natGateways(vpcIds),
    api.elasticIps(tags),
    api.fileSystems(vpcIds, tags),
    api.volumes(c.cluster.name, tags),
    api.networkInterfaces(vpcIds),
    api.securityGroups(vpcIds),
    api.loadBalancers(vpcIds),
    api.logGroups(logGroupPrefixes(c.cluster.name)),
  ]);
  const keptLogs = c.cluster.retainControlPlaneLogs ? controlPlaneLogGroupName(c.cluster.name) : undefined;
  const leftovers: Leftover[] = [
    ...stacks,
    ...(cluster ? [cluster] : []),
    ...instances, ...nats, ...eips, ...fsx, ...volumes,
    ...enis.map((e): Leftover => ({ kind: 'network-interface', id: e.id, detail: `${e.status}, ${e.interfaceType ?? 'interface'} in ${e.vpcId}: ${e.description || '(no description)'}` })),
    ...sgs.filter((g) => g.name !== 'default').map((g): Leftover => ({ kind: 'security-group', id: g.id, detail: `${g.name} in ${g.vpcId}` })),
    ...lbs,
    ...logs.map((l) => (l.id === keptLogs ? { ...l, keptOnPurpose: 'cluster.retainControlPlaneLogs=true keeps the audit trail' } : l)),
    // The VPC itself blocks nothing and costs nothing, but it is what everything above sits in.
  ];
  return { vpcIds, leftovers, networkInterfaces: enis, securityGroups: sgs };
}

/** Leftovers that count (everything not kept on purpose). */
export function counted(report: CleanupReport): Leftover[] {
  return report.leftovers.filter((l) => !l.keptOnPurpose);
}

export interface DeleteOutcome {
  readonly kind: 'network-interface' | 'security-group';
  readonly id: string;
  readonly result: 'deleted' | 'skipped' | 'failed';
  readonly reason: string;
}

const errText = (err: unknown) => {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
};

/**
 * Deletes what is safe to delete (see the module comment) and says what it did with every ENI and
 * security group of the project VPC. Security groups that fail with a dependency (another group's
 * rule or an ENI still being released) are tried once more after the others are gone.
 */
export async function deleteSafeLeftovers(c: BenchConfig, report: CleanupReport, api: CleanupApi): Promise<DeleteOutcome[]> {
  const outcomes: DeleteOutcome[] = [];
  const vpcs = new Set(report.vpcIds);
  const remainingEnis: NetworkInterfaceInfo[] = [];
  for (const eni of report.networkInterfaces) {
    if (!vpcs.has(eni.vpcId)) {
      outcomes.push({ kind: 'network-interface', id: eni.id, result: 'skipped', reason: `in ${eni.vpcId}, not the project VPC` });
      remainingEnis.push(eni);
    } else if (eni.status !== 'available') {
      outcomes.push({ kind: 'network-interface', id: eni.id, result: 'skipped', reason: `${eni.status} (attached): its owner deletes it; run cdk destroy first` });
      remainingEnis.push(eni);
    } else {
      try {
        await api.deleteNetworkInterface(eni.id);
        outcomes.push({ kind: 'network-interface', id: eni.id, result: 'deleted', reason: `available (detached): ${eni.description || eni.interfaceType || 'interface'}` });
      } catch (err) {
        outcomes.push({ kind: 'network-interface', id: eni.id, result: 'failed', reason: errText(err) });
        remainingEnis.push(eni);
      }
    }
  }
  const inUse = new Set(remainingEnis.flatMap((e) => e.securityGroupIds));
  let pending: SecurityGroupInfo[] = [];
  for (const sg of report.securityGroups) {
    if (sg.name === 'default') continue; // the VPC's own group goes with the VPC
    if (!vpcs.has(sg.vpcId) || !isOurs(sg, c)) {
      outcomes.push({ kind: 'security-group', id: sg.id, result: 'skipped', reason: `${sg.name}: not this deployment's (no project tags, not ${clusterSecurityGroupPrefix(c.cluster.name)}*)` });
    } else if (inUse.has(sg.id)) {
      outcomes.push({ kind: 'security-group', id: sg.id, result: 'skipped', reason: `${sg.name}: still used by a network interface` });
    } else {
      pending.push(sg);
    }
  }
  for (let round = 0; round < 2 && pending.length > 0; round++) {
    const retry: SecurityGroupInfo[] = [];
    for (const sg of pending) {
      try {
        await api.deleteSecurityGroup(sg.id);
        outcomes.push({ kind: 'security-group', id: sg.id, result: 'deleted', reason: sg.name });
      } catch (err) {
        if (round === 0 && /DependencyViolation/.test(errText(err))) retry.push(sg);
        else outcomes.push({ kind: 'security-group', id: sg.id, result: 'failed', reason: `${sg.name}: ${errText(err)}` });
      }
    }
    pending = retry;
  }
  return outcomes;
}

/** Human-readable report. */
export function formatCleanupReport(report: CleanupReport, region: string, clusterName: string): string {
  const lines = [`cleanup-check (${region}, cluster ${clusterName}, project VPC ${report.vpcIds.join(', ') || 'gone'}):`];
  const count = counted(report);
  for (const l of report.leftovers) lines.push(`${l.keptOnPurpose ? '·' : '✖'} ${l.kind} ${l.id}: ${l.detail}${l.keptOnPurpose ? ` (kept on purpose: ${l.keptOnPurpose})` : ''}`);
  lines.push(count.length === 0
    ? 'clean: nothing of this deployment is left that bills or blocks a delete'
    : `${count.length} leftover${count.length === 1 ? '' : 's'} still bill or block a delete`);
  return lines.join('\n');
}

export function formatDeleteOutcomes(outcomes: readonly DeleteOutcome[]): string {
  if (outcomes.length === 0) return '--delete: no network interface or security group of the project VPC was left';
  return ['--delete:', ...outcomes.map((o) => `  ${o.result} ${o.kind} ${o.id}: ${o.reason}`)].join('\n');
}
