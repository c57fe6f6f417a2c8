/**
 * The real AccountApi on the AWS SDK v3 (STS, CloudFormation, EC2, Service Quotas, FSx, EKS), every
 * client built with awsClientConfig() (connect/request timeouts, bounded retries). The SDK is
 * required lazily: commands that never call AWS do not load it. The `to*` functions turn SDK outputs
 * into what the checks read; tests feed them recorded payloads.
 */
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { DescribeInstanceTypeOfferingsCommandOutput } from '@aws-sdk/client-ec2';
import type { DescribeAddonVersionsCommandOutput } from '@aws-sdk/client-eks';
import type { DescribeFileSystemsCommandOutput } from '@aws-sdk/client-fsx';
import type { GetServiceQuotaCommandOutput } from '@aws-sdk/client-service-quotas';
import type { AccountApi, LustreFileSystem, QuotaValue, StackInfo } from './account-check';
import { awsClientConfig } from './client-config';
import type { QuotaRef } from './quotas';

export function toStackInfo(out: Pick<DescribeStacksCommandOutput, 'Stacks'>, name: string): StackInfo | undefined {
  const s = out.Stacks?.find((x) => x.StackName === name) ?? out.Stacks?.[0];
  if (!s) return undefined;
  const outputs: Record<string, string> = {};
  for (const o of s.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return { name: s.StackName ?? name, status: s.StackStatus ?? 'UNKNOWN', outputs };
}

export function toOfferedZones(pages: readonly Pick<DescribeInstanceTypeOfferingsCommandOutput, 'InstanceTypeOfferings'>[], instanceType: string): string[] {
  return pages.flatMap((p) => p.InstanceTypeOfferings ?? [])
    .filter((o) => o.InstanceType === instanceType && o.LocationType === 'availability-zone' && o.Location)
    .map((o) => o.Location as string);
}

export function toQuotaValue(out: Pick<GetServiceQuotaCommandOutput, 'Quota'>, source: QuotaValue['source'], ref: QuotaRef): QuotaValue | undefined {
  const q = out.Quota;
  if (!q || typeof q.Value !== 'number') return undefined;
  return { name: q.QuotaName ?? ref.name, value: q.Value, source };
}

export function toLustreFileSystems(pages: readonly Pick<DescribeFileSystemsCommandOutput, 'FileSystems'>[]): LustreFileSystem[] {
  return pages.flatMap((p) => p.FileSystems ?? []).filter((f) => f.FileSystemType === 'LUSTRE').map((f) => ({
    id: f.FileSystemId ?? '?',
    deploymentType: f.LustreConfiguration?.DeploymentType,
    lifecycle: f.Lifecycle,
    tags: Object.fromEntries((f.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? ''])),
  }));
}

export function toAddonVersions(pages: readonly Pick<DescribeAddonVersionsCommandOutput, 'addons'>[], addonName: string): string[] {
  return pages.flatMap((p) => p.addons ?? []).filter((a) => a.addonName === addonName)
    .flatMap((a) => a.addonVersions ?? []).map((v) => v.addonVersion).filter((v): v is string => !!v);
}

const errorName = (err: unknown) => (err as { name?: string })?.name ?? '';

/** Builds the SDK-backed AccountApi for `region`; every call times out after `timeoutMs`. */
export function createAccountApi(region: string, timeoutMs: number): AccountApi {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sts = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  const cfn = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const ec2 = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
  const sq = require('@aws-sdk/client-service-quotas') as typeof import('@aws-sdk/client-service-quotas');
  const fsx = require('@aws-sdk/client-fsx') as typeof import('@aws-sdk/client-fsx');
  const eks = require('@aws-sdk/client-eks') as typeof import('@aws-sdk/client-eks');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const cfg = awsClientConfig({ region, timeoutMs });
  const clients = {
    sts: new sts.STSClient(cfg),
    cfn: new cfn.CloudFormationClient(cfg),
    ec2: new ec2.EC2Client(cfg),
    sq: new sq.ServiceQuotasClient(cfg),
    fsx: new fsx.FSxClient(cfg),
    eks: new eks.EKSClient(cfg),
  };
  return accountApiOn(clients, { sts, cfn, ec2, sq, fsx, eks }, region);
}

type Modules = {
  sts: typeof import('@aws-sdk/client-sts');
  cfn: typeof import('@aws-sdk/client-cloudformation');
  ec2: typeof import('@aws-sdk/client-ec2');
  sq: typeof import('@aws-sdk/client-service-quotas');
  fsx: typeof import('@aws-sdk/client-fsx');
  eks: typeof import('@aws-sdk/client-eks');
};
type Clients = {
  sts: import('@aws-sdk/client-sts').STSClient;
  cfn: import('@aws-sdk/client-cloudformation').CloudFormationClient;
  ec2: import('@aws-sdk/client-ec2').EC2Client;
  sq: import('@aws-sdk/client-service-quotas').ServiceQuotasClient;
  fsx: import('@aws-sdk/client-fsx').FSxClient;
  eks: import('@aws-sdk/client-eks').EKSClient;
};

/** The AccountApi over given clients (tests pass clients whose middleware returns recorded payloads). */
export function accountApiOn(c: Clients, m: Modules, region: string): AccountApi {
  const collect = async <T>(pages: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const p of pages) out.push(p);
    return out;
  };
  return {
    region,
    async callerIdentity() {
      const out = await c.sts.send(new m.sts.GetCallerIdentityCommand({}));
      return { account: out.Account ?? '?', arn: out.Arn ?? '?' };
    },
    async describeStack(name) {
      try {
        return toStackInfo(await c.cfn.send(new m.cfn.DescribeStacksCommand({ StackName: name })), name);
      } catch (err) {
        // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
        if (errorName(err) === 'ValidationError' && /does not exist/.test((err as Error).message)) return undefined;
        throw err;
      }
    },
    async instanceTypeZones(instanceType) {
      const pages = await collect(m.ec2.paginateDescribeInstanceTypeOfferings({ client: c.ec2 }, {
        LocationType: 'availability-zone',
        Filters: [{ Name: 'instance-type', Values: [instanceType] }],
      }));
      return toOfferedZones(pages, instanceType);
    },
    async serviceQuota(ref) {
      const input = { ServiceCode: ref.serviceCode, QuotaCode: ref.quotaCode };
      try {
        return toQuotaValue(await c.sq.send(new m.sq.GetServiceQuotaCommand(input)), 'applied', ref);
      } catch (err) {
        if (errorName(err) !== 'NoSuchResourceException') throw err;
      }
      // No applied value: the account runs on AWS's default (absent too when the region lacks the quota).
      try {
        return toQuotaValue(await c.sq.send(new m.sq.GetAWSDefaultServiceQuotaCommand(input)), 'default', ref);
      } catch (err) {
        if (errorName(err) === 'NoSuchResourceException') return undefined;
        throw err;
      }
    },
    async lustreFileSystems() {
      return toLustreFileSystems(await collect(m.fsx.paginateDescribeFileSystems({ client: c.fsx }, {})));
    },
    async addonVersions(addonName, kubernetesVersion) {
      const pages = await collect(m.eks.paginateDescribeAddonVersions({ client: c.eks }, { addonName, kubernetesVersion }));
      return toAddonVersions(pages, addonName);
    },
    async describeCluster(name) {
      try {
        const out = await c.eks.send(new m.eks.DescribeClusterCommand({ name }));
        return out.cluster ? { status: out.cluster.status ?? 'UNKNOWN', version: out.cluster.version ?? '?' } : undefined;
      } catch (err) {
        if (errorName(err) === 'ResourceNotFoundException') return undefined;
        throw err;
      }
    },
  };
}
