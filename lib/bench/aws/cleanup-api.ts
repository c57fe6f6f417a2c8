/**
 * The real CleanupApi on the AWS SDK v3 (EC2, FSx, ELBv2, ELB, CloudWatch Logs, CloudFormation, EKS),
 * every client built with awsClientConfig(). The `to*` functions turn SDK outputs into leftovers;
 * tests feed them recorded payloads (and run the whole adapter on clients whose middleware answers
 * with those payloads, so the filters each call sends are checked too).
 */
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { DescribeLogGroupsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import type {
  DescribeAddressesCommandOutput, DescribeInstancesCommandOutput, DescribeNatGatewaysCommandOutput,
  DescribeNetworkInterfacesCommandOutput, DescribeSecurityGroupsCommandOutput, DescribeVolumesCommandOutput,
  DescribeVpcsCommandOutput, Filter, Tag,
} from '@aws-sdk/client-ec2';
import type { DescribeLoadBalancersCommandOutput as ClassicLbOutput } from '@aws-sdk/client-elastic-load-balancing';
import type { DescribeLoadBalancersCommandOutput as LbV2Output } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DescribeFileSystemsCommandOutput } from '@aws-sdk/client-fsx';
import { stackStatusKind } from './account-check';
import type { CleanupApi, Leftover, NetworkInterfaceInfo, SecurityGroupInfo } from './cleanup-check';
import { awsClientConfig } from './client-config';

const tagMap = (tags: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? '']));
const nameOf = (tags: readonly Tag[] | undefined) => tagMap(tags).Name;
/** EC2 `tag:<key>` filters for every tag. */
export function tagFilters(tags: Readonly<Record<string, string>>): Filter[] {
  return Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
}
function uniqueById<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const i of items) if (!seen.has(i.id)) seen.set(i.id, i);
  return [...seen.values()];
}

export function toVpcIds(pages: readonly Pick<DescribeVpcsCommandOutput, 'Vpcs'>[]): string[] {
  return pages.flatMap((p) => p.Vpcs ?? []).map((v) => v.VpcId).filter((v): v is string => !!v);
}

export function toInstances(pages: readonly Pick<DescribeInstancesCommandOutput, 'Reservations'>[]): Leftover[] {
  return pages.flatMap((p) => p.Reservations ?? []).flatMap((r) => r.Instances ?? [])
    .filter((i) => i.InstanceId && i.State?.Name !== 'terminated')
    .map((i) => ({ kind: 'instance', id: i.InstanceId as string, detail: `${i.State?.Name ?? '?'} ${i.InstanceType ?? ''} ${nameOf(i.Tags) ?? ''}`.trim() }));
}

export function toNatGateways(pages: readonly Pick<DescribeNatGatewaysCommandOutput, 'NatGateways'>[]): Leftover[] {
  return pages.flatMap((p) => p.NatGateways ?? []).filter((n) => n.NatGatewayId && (n.State === 'pending' || n.State === 'available'))
    .map((n) => ({ kind: 'nat-gateway', id: n.NatGatewayId as string, detail: `${n.State} in ${n.VpcId ?? '?'} (bills per hour and per GB)` }));
}

export function toElasticIps(out: Pick<DescribeAddressesCommandOutput, 'Addresses'>): Leftover[] {
  return (out.Addresses ?? []).map((a) => ({
    kind: 'elastic-ip',
    id: a.AllocationId ?? a.PublicIp ?? '?',
    detail: `${a.PublicIp ?? '?'} ${a.AssociationId ? `associated (${a.AssociationId})` : 'unassociated (bills per hour)'}`,
  }));
}

export function toFileSystems(pages: readonly Pick<DescribeFileSystemsCommandOutput, 'FileSystems'>[], vpcIds: readonly string[], tags: Readonly<Record<string, string>>): Leftover[] {
  return pages.flatMap((p) => p.FileSystems ?? []).filter((f) => {
    const t = Object.fromEntries((f.Tags ?? []).filter((x) => x.Key).map((x) => [x.Key as string, x.Value ?? '']));
    return (f.VpcId !== undefined && vpcIds.includes(f.VpcId)) || Object.entries(tags).every(([k, v]) => t[k] === v);
  }).map((f) => ({
    kind: 'fsx',
    id: f.FileSystemId ?? '?',
    detail: `${f.Lifecycle ?? '?'} ${f.FileSystemType ?? ''} ${f.LustreConfiguration?.DeploymentType ?? ''} ${f.StorageCapacity ?? '?'} GiB`.replace(/\s+/g, ' '),
  }));
}

export function toVolumes(pages: readonly Pick<DescribeVolumesCommandOutput, 'Volumes'>[]): Leftover[] {
  return pages.flatMap((p) => p.Volumes ?? []).filter((v) => v.VolumeId && v.State !== 'deleted' && v.State !== 'deleting')
    .map((v) => ({ kind: 'ebs-volume', id: v.VolumeId as string, detail: `${v.State} ${v.Size ?? '?'} GiB ${v.VolumeType ?? ''} ${nameOf(v.Tags) ?? ''}`.trim() }));
}

export function toNetworkInterfaces(pages: readonly Pick<DescribeNetworkInterfacesCommandOutput, 'NetworkInterfaces'>[]): NetworkInterfaceInfo[] {
  return pages.flatMap((p) => p.NetworkInterfaces ?? []).filter((n) => n.NetworkInterfaceId).map((n) => ({
    id: n.NetworkInterfaceId as string,
    vpcId: n.VpcId ?? '?',
    status: n.Status ?? '?',
    description: n.Description ?? '',
    interfaceType: n.InterfaceType,
    securityGroupIds: (n.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g),
  }));
}

export function toSecurityGroups(pages: readonly Pick<DescribeSecurityGroupsCommandOutput, 'SecurityGroups'>[]): SecurityGroupInfo[] {
  return pages.flatMap((p) => p.SecurityGroups ?? []).filter((g) => g.GroupId).map((g) => ({
    id: g.GroupId as string, name: g.GroupName ?? '?', vpcId: g.VpcId ?? '?', tags: tagMap(g.Tags),
  }));
}

export function toLoadBalancers(v2: readonly Pick<LbV2Output, 'LoadBalancers'>[], classic: readonly Pick<ClassicLbOutput, 'LoadBalancerDescriptions'>[], vpcIds: readonly string[]): Leftover[] {
  const modern = v2.flatMap((p) => p.LoadBalancers ?? []).filter((l) => l.VpcId && vpcIds.includes(l.VpcId))
    .map((l): Leftover => ({ kind: 'load-balancer', id: l.LoadBalancerArn ?? l.LoadBalancerName ?? '?', detail: `${l.Type ?? 'elbv2'} ${l.LoadBalancerName ?? ''} ${l.State?.Code ?? ''} in ${l.VpcId}` }));
  const old = classic.flatMap((p) => p.LoadBalancerDescriptions ?? []).filter((l) => l.VPCId && vpcIds.includes(l.VPCId))
    .map((l): Leftover => ({ kind: 'load-balancer', id: l.LoadBalancerName ?? '?', detail: `classic ${l.DNSName ?? ''} in ${l.VPCId}` }));
  return [...modern, ...old];
}

export function toLogGroups(pages: readonly Pick<DescribeLogGroupsCommandOutput, 'logGroups'>[]): Leftover[] {
  return uniqueById(pages.flatMap((p) => p.logGroups ?? []).filter((g) => g.logGroupName).map((g) => ({
    kind: 'log-group' as const,
    id: g.logGroupName as string,
    detail: `${g.storedBytes ?? 0} bytes stored, retention ${g.retentionInDays ? `${g.retentionInDays} days` : 'never expires'}`,
  })));
}

export function toStackLeftover(out: Pick<DescribeStacksCommandOutput, 'Stacks'>): Leftover[] {
  return (out.Stacks ?? []).filter((s) => s.StackName && s.StackStatus && stackStatusKind(s.StackStatus) !== 'gone')
    .map((s) => ({ kind: 'stack', id: s.StackName as string, detail: `${s.StackStatus}${s.StackStatusReason ? `: ${s.StackStatusReason}` : ''}` }));
}

const errorName = (err: unknown) => (err as { name?: string })?.name ?? '';

type Modules = {
  ec2: typeof import('@aws-sdk/client-ec2');
  fsx: typeof import('@aws-sdk/client-fsx');
  elbv2: typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  elb: typeof import('@aws-sdk/client-elastic-load-balancing');
  logs: typeof import('@aws-sdk/client-cloudwatch-logs');
  cfn: typeof import('@aws-sdk/client-cloudformation');
  eks: typeof import('@aws-sdk/client-eks');
};
type Clients = {
  ec2: import('@aws-sdk/client-ec2').EC2Client;
  fsx: import('@aws-sdk/client-fsx').FSxClient;
  elbv2: import('@aws-sdk/client-elastic-load-balancing-v2').ElasticLoadBalancingV2Client;
  elb: import('@aws-sdk/client-elastic-load-balancing').ElasticLoadBalancingClient;
  logs: import('@aws-sdk/client-cloudwatch-logs').CloudWatchLogsClient;
  cfn: import('@aws-sdk/client-cloudformation').CloudFormationClient;
  eks: import('@aws-sdk/client-eks').EKSClient;
};

/** Builds the SDK-backed CleanupApi for `region`; every call times out after `timeoutMs`. */
export function createCleanupApi(region: string, timeoutMs: number): CleanupApi {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const m: Modules = {
    ec2: require('@aws-sdk/client-ec2'),
    fsx: require('@aws-sdk/client-fsx'),
    elbv2: require('@aws-sdk/client-elastic-load-balancing-v2'),
    elb: require('@aws-sdk/client-elastic-load-balancing'),
    logs: require('@aws-sdk/client-cloudwatch-logs'),
    cfn: require('@aws-sdk/client-cloudformation'),
    eks: require('@aws-sdk/client-eks'),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const cfg = awsClientConfig({ region, timeoutMs });
  return cleanupApiOn({
    ec2: new m.ec2.EC2Client(cfg),
    fsx: new m.fsx.FSxClient(cfg),
    elbv2: new m.elbv2.ElasticLoadBalancingV2Client(cfg),
    elb: new m.elb.ElasticLoadBalancingClient(cfg),
    logs: new m.logs.CloudWatchLogsClient(cfg),
    cfn: new m.cfn.CloudFormationClient(cfg),
    eks: new m.eks.EKSClient(cfg),
  }, m, region);
}

/** The CleanupApi over given clients. */
export function cleanupApiOn(c: Clients, m: Modules, region: string): CleanupApi {
  const collect = async <T>(pages: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const p of pages) out.push(p);
    return out;
  };
  const vpcFilter = (vpcIds: readonly string[]): Filter[] => [{ Name: 'vpc-id', Values: [...vpcIds] }];
  const LIVE_INSTANCE: Filter = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] };
  const instances = (Filters: Filter[]) => collect(m.ec2.paginateDescribeInstances({ client: c.ec2 }, { Filters }));
  const volumes = (Filters: Filter[]) => collect(m.ec2.paginateDescribeVolumes({ client: c.ec2 }, { Filters }));
  return {
    region,
    async vpcsTagged(tags) {
      return toVpcIds(await collect(m.ec2.paginateDescribeVpcs({ client: c.ec2 }, { Filters: tagFilters(tags) })));
    },
    async instances(vpcIds, clusterName, tags) {
      const pages = await Promise.all([
        ...(vpcIds.length > 0 ? [instances([...vpcFilter(vpcIds), LIVE_INSTANCE])] : []),
        // Managed nodes carry eks:cluster-name (EKS adds it); ours also carry the project tags.
        instances([{ Name: 'tag:eks:cluster-name', Values: [clusterName] }, LIVE_INSTANCE]),
        instances([...tagFilters(tags), LIVE_INSTANCE]),
      ]);
      return uniqueById(toInstances(pages.flat()));
    },
    async natGateways(vpcIds) {
      if (vpcIds.length === 0) return [];
      return toNatGateways(await collect(m.ec2.paginateDescribeNatGateways({ client: c.ec2 }, { Filter: vpcFilter(vpcIds) })));
    },
    async elasticIps(tags) {
      return toElasticIps(await c.ec2.send(new m.ec2.DescribeAddressesCommand({ Filters: tagFilters(tags) })));
    },
    async fileSystems(vpcIds, tags) {
      return toFileSystems(await collect(m.fsx.paginateDescribeFileSystems({ client: c.fsx }, {})), vpcIds, tags);
    },
    async volumes(clusterName, tags) {
      const pages = await Promise.all([
        volumes(tagFilters(tags)),
        volumes([{ Name: `tag:kubernetes.io/cluster/${clusterName}`, Values: ['owned'] }]),
        volumes([{ Name: 'tag:eks:cluster-name', Values: [clusterName] }]),
      ]);
      return uniqueById(toVolumes(pages.flat()));
    },
    async networkInterfaces(vpcIds) {
      if (vpcIds.length === 0) return [];
      return toNetworkInterfaces(await collect(m.ec2.paginateDescribeNetworkInterfaces({ client: c.ec2 }, { Filters: vpcFilter(vpcIds) })));
    },
    async securityGroups(vpcIds) {
      if (vpcIds.length === 0) return [];
      return toSecurityGroups(await collect(m.ec2.paginateDescribeSecurityGroups({ client: c.ec2 }, { Filters: vpcFilter(vpcIds) })));
    },
    async loadBalancers(vpcIds) {
      if (vpcIds.length === 0) return [];
      const [v2, classic] = await Promise.all([
        collect(m.elbv2.paginateDescribeLoadBalancers({ client: c.elbv2 }, {})),
        collect(m.elb.paginateDescribeLoadBalancers({ client: c.elb }, {})),
      ]);
      return toLoadBalancers(v2, classic, vpcIds);
    },
    async logGroups(prefixes) {
      const pages = await Promise.all(prefixes.map((logGroupNamePrefix) => collect(m.logs.paginateDescribeLogGroups({ client: c.logs }, { logGroupNamePrefix }))));
      return toLogGroups(pages.flat());
    },
    async stacks(names) {
      const found = await Promise.all(names.map(async (StackName) => {
        try {
          return toStackLeftover(await c.cfn.send(new m.cfn.DescribeStacksCommand({ StackName })));
        } catch (err) {
          if (errorName(err) === 'ValidationError' && /does not exist/.test((err as Error).message)) return [];
          throw err;
        }
      }));
      return found.flat();
    },
    async cluster(name) {
      try {
        const out = await c.eks.send(new m.eks.DescribeClusterCommand({ name }));
        return out.cluster ? { kind: 'eks-cluster', id: name, detail: `${out.cluster.status ?? '?'} (bills per hour)` } : undefined;
      } catch (err) {
        if (errorName(err) === 'ResourceNotFoundException') return undefined;
        throw err;
      }
    },
    async deleteNetworkInterface(id) {
      await c.ec2.send(new m.ec2.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));
    },
    async deleteSecurityGroup(id) {
      await c.ec2.send(new m.ec2.DeleteSecurityGroupCommand({ GroupId: id }));
    },
  };
}
