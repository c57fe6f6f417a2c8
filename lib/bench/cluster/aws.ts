/**
 * The real AwsApi on the AWS SDK v3 (EKS DescribeCluster, FSx DescribeFileSystems). The SDK is
 * required lazily so commands that never call AWS (report, cost) do not load it.
 */
import type { DescribeClusterCommandOutput } from '@aws-sdk/client-eks';
import type { DescribeFileSystemsCommandOutput } from '@aws-sdk/client-fsx';
import { awsClientConfig, DEFAULT_AWS_TIMEOUT_MS } from '../aws/client-config';
import { DeadlineExceededError, withDeadline } from '../deadline';
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
  if (err instanceof DeadlineExceededError) {
    return new BenchError(`${what}: no answer from AWS within ${err.timeoutMs / 1000} s`, { hint: 'check the network path to the AWS API (proxy, VPC endpoints); raise --timeout if it is just slow', cause: err });
  }
  if (name === 'TimeoutError' || /timed? ?out|ETIMEDOUT|socket hang up/i.test(`${e?.message ?? ''} ${(err as { code?: string })?.code ?? ''}`)) {
    return new BenchError(`${what}: no answer from AWS in time (${e?.message ?? name})`, { hint: 'check the network path to the AWS API (proxy, VPC endpoints); raise --timeout if it is just slow', cause: err });
  }
  return new BenchError(`${what}: ${name}: ${e?.message ?? String(err)}`, { cause: err });
}

export interface AwsApiOptions {
  /** Upper bound of one AWS request, ms (--timeout); see awsClientConfig. */
  readonly timeoutMs?: number;
  /** Tests only: a loopback endpoint and fixed credentials, so the SDK never leaves the machine. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createAwsApi(region: string, options: AwsApiOptions = {}): AwsApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const eks = require('@aws-sdk/client-eks') as typeof import('@aws-sdk/client-eks');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fsx = require('@aws-sdk/client-fsx') as typeof import('@aws-sdk/client-fsx');
  const config = {
    ...awsClientConfig({ region, timeoutMs: options.timeoutMs }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const eksClient = new eks.EKSClient(config);
  const fsxClient = new fsx.FSxClient(config);
  // Each attempt is bounded by the handler; the whole call (retries included) by the same --timeout.
  const timeoutMs = options.timeoutMs ?? DEFAULT_AWS_TIMEOUT_MS;
  const bounded = <T>(what: string, send: (abortSignal: AbortSignal) => Promise<T>) => withDeadline(timeoutMs, what, send);
  return {
    region,
    async describeCluster(name: string): Promise<EksClusterInfo | undefined> {
      try {
        return toClusterInfo(await bounded(`eks:DescribeCluster ${name}`, (abortSignal) => eksClient.send(new eks.DescribeClusterCommand({ name }), { abortSignal })), name);
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw awsError(err, `eks:DescribeCluster ${name} in ${region}`);
      }
    },
    async describeFileSystem(fileSystemId: string): Promise<FsxFileSystemInfo | undefined> {
      try {
        return toFileSystemInfo(await bounded(`fsx:DescribeFileSystems ${fileSystemId}`, (abortSignal) => fsxClient.send(new fsx.DescribeFileSystemsCommand({ FileSystemIds: [fileSystemId] }), { abortSignal })), fileSystemId);
      } catch (err) {
        if ((err as { name?: string }).name === 'FileSystemNotFound') return undefined;
        throw awsError(err, `fsx:DescribeFileSystems ${fileSystemId} in ${region}`);
      }
    },
  };
}
