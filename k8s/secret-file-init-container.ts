/**
 * An init container that copies one Secrets Manager secret into a file of an in-memory volume, with
 * credentials from EKS Pod Identity (the pod's service account has an association whose role may read
 * exactly that secret).
 *
 * Why not a CloudFormation dynamic reference: `{{resolve:secretsmanager:...}}` is not resolved inside
 * custom-resource properties, and every Kubernetes manifest and Helm value is one (the kubectl
 * provider); the secret would reach the cluster as the literal string. Why not the Secrets Store CSI
 * driver: it adds a privileged DaemonSet, a CRD and a SecretProviderClass per consumer for two small
 * values read once at start-up. The value never enters a template, a Kubernetes Secret or etcd.
 *
 * Plain JSON (camelCase Kubernetes fields) so Helm values and cdk8s charts can both use it.
 */

/** A Kubernetes container, as plain JSON. */
export interface ContainerJson {
  readonly name: string;
  readonly image: string;
  readonly command: string[];
  readonly env: { name: string; value: string }[];
  readonly volumeMounts: { name: string; mountPath: string }[];
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly securityContext: Record<string, unknown>;
}

export interface SecretFileInitContainerProps {
  /** Container name. */
  readonly name: string;
  /** Pinned AWS CLI image (config `project.awsCliImage`). */
  readonly image: string;
  /** Secret name or ARN. */
  readonly secretId: string;
  /** AWS region of the secret. */
  readonly region: string;
  /** Volume (an emptyDir with medium Memory) to write into. */
  readonly volumeName: string;
  /** Where the volume is mounted in this container. */
  readonly mountPath: string;
  /** File name inside the volume. */
  readonly fileName: string;
  /**
   * UID to run as: the UID of the container that reads the file (the file is mode 0600; a reader with
   * every capability dropped, even root, cannot read another UID's private file).
   */
  readonly runAsUser: number;
}

/**
 * Shell run by the container. The value goes through a command substitution (which drops the newline
 * `--output text` appends) straight into the file; it is never echoed. Fails loudly when the secret is
 * missing, empty or not readable (no Pod Identity association, or a wrong secret name).
 */
export const SECRET_FILE_SCRIPT = [
  'set -eu',
  'umask 077',
  'value="$(aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$SECRET_ID" --query SecretString --output text)"',
  'if [ -z "$value" ] || [ "$value" = "None" ]; then echo "llmd-bench: secret $SECRET_ID has no SecretString" >&2; exit 1; fi',
  'printf "%s" "$value" > "$TARGET_FILE.tmp"',
  'mv "$TARGET_FILE.tmp" "$TARGET_FILE"',
  'echo "llmd-bench: wrote secret $SECRET_ID to $TARGET_FILE"',
].join('\n');

export function secretFileInitContainer(p: SecretFileInitContainerProps): ContainerJson {
  return {
    name: p.name,
    image: p.image,
    command: ['/bin/sh', '-c', SECRET_FILE_SCRIPT],
    env: [
      { name: 'AWS_REGION', value: p.region },
      { name: 'SECRET_ID', value: p.secretId },
      { name: 'TARGET_FILE', value: `${p.mountPath.replace(/\/$/, '')}/${p.fileName}` },
      // The CLI may write caches under $HOME; the image's HOME is /root, not writable for a non-root UID.
      { name: 'HOME', value: '/tmp' },
      { name: 'AWS_PAGER', value: '' },
    ],
    volumeMounts: [{ name: p.volumeName, mountPath: p.mountPath }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: {
      runAsNonRoot: p.runAsUser !== 0,
      runAsUser: p.runAsUser,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** The in-memory volume the init container writes into (never on disk, 1 MiB at most). */
export function secretVolume(name: string): { name: string; emptyDir: { medium: 'Memory'; sizeLimit: string } } {
  return { name, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
}
