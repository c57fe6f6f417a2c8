/**
 * The real AwsApi on the AWS SDK v3 (EKS DescribeCluster, FSx DescribeFileSystems). The SDK is
 * required lazily so commands that never call AWS (report, cost) do not load it.
 */
import type { DescribeClusterCommandOutput } from '@aws-sdk/client-eks';
import type { DescribeFileSystemsCommandOutput } from '@aws-sdk/client-fsx';
import { BenchError } from '../errors';
import type { AwsApi, EksClusterInfo, FsxFileSystemInfo } from './types';

/** The fields the CLI uses from a DescribeCluster answer. */
export function toClusterInfo(out: Pick<DescribeClusterCommandOutput, 'cluster'>, name: string): EksClusterInfo | undefined {
  const c = out.cluster;
  if (!c) return undefined;
  return {
    name: c.name ?? name,
    status: c.status ?? 'UNKNOWN',
    version: c.version ?? '?',
    endpoint: c.endpoint ?? '',
    certificateAuthorityData: c.certificateAuthority?.data ?? '',
  };
}

/** The fields the CLI uses from a DescribeFileSystems answer. */
export function toFileSystemInfo(out: Pick<DescribeFileSystemsCommandOutput, 'FileSystems'>, fileSystemId: string): FsxFileSystemInfo | undefined {
  const f = out.FileSystems?.find((x) => x.FileSystemId === fileSystemId) ?? out.FileSystems?.[0];
  if (!f) return undefined;
  return { fileSystemId: f.FileSystemId ?? fileSystemId, lifecycle: f.Lifecycle ?? 'UNKNOWN', mountName: f.LustreConfiguration?.MountName, dnsName: f.DNSName };
}

/** Maps SDK errors to messages that say what to do. */
export function awsError(err: unknown, what: string): BenchError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    return new BenchError(`${what}: no AWS credentials`, { hint: 'configure credentials (aws configure / AWS_PROFILE / SSO login; check with `aws sts get-caller-identity`), or pass --skip-aws', cause: err });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || e?.$metadata?.httpStatusCode === 403) {
    return new BenchError(`${what}: access denied (${e?.message ?? name})`, { hint: 'your IAM identity needs eks:DescribeCluster and fsx:DescribeFileSystems', cause: err });
  }
  return new BenchError(`${what}: ${name}: ${e?.message ?? String(err)}`, { cause: err });
}

export function createAwsApi(region: string): AwsApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const eks = require('@aws-sdk/client-eks') as typeof import('@aws-sdk/client-eks');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fsx = require('@aws-sdk/client-fsx') as typeof import('@aws-sdk/client-fsx');
  const eksClient = new eks.EKSClient({ region });
  const fsxClient = new fsx.FSxClient({ region });
  return {
    region,
    async describeCluster(name: string): Promise<EksClusterInfo | undefined> {
      try {
        return toClusterInfo(await eksClient.send(new eks.DescribeClusterCommand({ name })), name);
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw awsError(err, `eks:DescribeCluster ${name} in ${region}`);
      }
    },
    async describeFileSystem(fileSystemId: string): Promise<FsxFileSystemInfo | undefined> {
      try {
        return toFileSystemInfo(await fsxClient.send(new fsx.DescribeFileSystemsCommand({ FileSystemIds: [fileSystemId] })), fileSystemId);
      } catch (err) {
        if ((err as { name?: string }).name === 'FileSystemNotFound') return undefined;
        throw awsError(err, `fsx:DescribeFileSystems ${fileSystemId} in ${region}`);
      }
    },
  };
}
