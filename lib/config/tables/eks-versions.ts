/**
 * What a cluster of each Kubernetes version runs, pinned: the version of every EKS add-on and the AMI
 * release of both managed node groups. EKS picks an add-on's default version only when the add-on
 * is created and never updates it afterwards ("Amazon EKS doesn't automatically update an add-on when
 * new versions are released or after you update your cluster to a new Kubernetes minor version",
 * EKS user guide, updating-an-add-on), and a node group without a release version keeps the AMI it
 * was created with. Pinning both here means: two deploys weeks apart run the same bits, and a
 * `cluster.kubernetesVersion` bump changes every value that differs between the rows, so
 * CloudFormation updates the add-ons and rolls the nodes (docs/platform.md "Upgrading").
 *
 * Rules (lib/config/checks/platform.ts and test/platform/eks-versions.test.ts enforce them): every
 * version of kubectl-layers.ts has a row here and vice versa; add-on versions are `vX.Y.Z-eksbuild.N`;
 * kube-proxy's minor equals the Kubernetes minor; the node release is `<minor>.<patch>-<YYYYMMDD>`;
 * vpc-cni is at least 1.15.5 (EKS Pod Identity for aws-node, EKS best practices guide) and so above
 * 1.14 (network policy enforcement, EKS user guide cni-network-policy-configure).
 *
 * Where the value comes from is written per cell. AWS's own per-version add-on tables were not
 * available for 1.35/1.36 here (the EKS user guide copies in reach stop at 1.33), so the add-on rows
 * are the builds public deployments resolved to or pinned; `verified: false` says so. Before a first
 * deploy, `npx llmd-bench account-check` asks EKS (DescribeAddonVersions) whether every pinned
 * add-on version exists for the configured Kubernetes version.
 */

/** The EKS add-ons this project installs (constructs/core-addons.ts, constructs/fsx-csi-driver-addon.ts). */
export const EKS_ADDON_NAMES = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent', 'coredns', 'metrics-server', 'aws-fsx-csi-driver'] as const;
export type EksAddonName = (typeof EKS_ADDON_NAMES)[number];

export interface PinnedValue {
  readonly version: string;
  /** Where the value was read. */
  readonly source: string;
  /** True when the source is AWS itself (release notes, user guide), false for a third-party record. */
  readonly verified: boolean;
}

export interface EksVersionPins {
  readonly addons: Readonly<Record<EksAddonName, PinnedValue>>;
  /**
   * AMI release version of both node groups (AL2023_x86_64_NVIDIA and AL2023_x86_64_STANDARD share
   * it: one amazon-eks-ami release builds every AL2023 AMI type of a Kubernetes version).
   */
  readonly nodeReleaseVersion: PinnedValue;
}

const EKS_AMI_RELEASE_V20260714 = 'awslabs/amazon-eks-ami CHANGELOG.md, "AMI Release v20260714" (repository commit 81fec2e, 2026-07-23): one release version per Kubernetes version for all five AL2023 AMI types';
const DEPLOY_136 = 'add-on versions a public Kubernetes 1.36 deploy in us-west-2 resolved to on 2026-09-16 (compatibility record of a public EKS GPU template, indexed copy); not cross-checked with an AWS table';
const CDK_135 = 'a public CDK stack pinning its Kubernetes 1.35 add-ons (_ADDON_VERSIONS_K8S_135), the same builds an eksctl 1.35 upgrade guide lists; not cross-checked with an AWS table';
const FSX_CSI = 'public Terraform modules pin v1.9.0-eksbuild.1 ("confirmed" in their notes); v1.9.0 is the newest driver tag (kubernetes-sigs/aws-fsx-csi-driver, 2026-04-21). Availability for this Kubernetes version not verified';

export const EKS_VERSION_PINS: Readonly<Record<string, EksVersionPins>> = {
  '1.35': {
    addons: {
      'vpc-cni': { version: 'v1.21.1-eksbuild.8', source: CDK_135, verified: false },
      'kube-proxy': { version: 'v1.35.3-eksbuild.5', source: CDK_135, verified: false },
      'eks-pod-identity-agent': { version: 'v1.3.10-eksbuild.3', source: CDK_135, verified: false },
      'coredns': { version: 'v1.14.2-eksbuild.4', source: CDK_135, verified: false },
      'metrics-server': { version: 'v0.8.1-eksbuild.6', source: CDK_135, verified: false },
      'aws-fsx-csi-driver': { version: 'v1.9.0-eksbuild.1', source: FSX_CSI, verified: false },
    },
    nodeReleaseVersion: { version: '1.35.6-20260714', source: EKS_AMI_RELEASE_V20260714, verified: true },
  },
  '1.36': {
    addons: {
      'vpc-cni': { version: 'v1.22.4-eksbuild.3', source: DEPLOY_136, verified: false },
      'kube-proxy': { version: 'v1.36.0-eksbuild.21', source: DEPLOY_136, verified: false },
      'eks-pod-identity-agent': { version: 'v1.3.10-eksbuild.3', source: DEPLOY_136, verified: false },
      'coredns': { version: 'v1.14.3-eksbuild.16', source: DEPLOY_136, verified: false },
      'metrics-server': {
        version: 'v0.8.1-eksbuild.10',
        source: 'named "the current default for 1.35" in a public CDK stack (2026); community add-on builds are not tied to one minor, availability for 1.36 not verified',
        verified: false,
      },
      'aws-fsx-csi-driver': { version: 'v1.9.0-eksbuild.1', source: FSX_CSI, verified: false },
    },
    nodeReleaseVersion: { version: '1.36.2-20260714', source: EKS_AMI_RELEASE_V20260714, verified: true },
  },
};

const ADDON_VERSION = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.\d+$/;
const NODE_RELEASE = /^(\d+\.\d+)\.\d+-\d{8}$/;
/** aws-node gets credentials through EKS Pod Identity from this vpc-cni version on (EKS best practices guide, IAM). */
export const VPC_CNI_MIN_POD_IDENTITY = [1, 15, 5] as const;

/** Numeric [major, minor, patch] of an add-on version, or undefined when it is not `vX.Y.Z-eksbuild.N`. */
export function parseAddonVersion(version: string): [number, number, number] | undefined {
  const m = ADDON_VERSION.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

/** What is wrong with the row of `kubernetesVersion` (empty when nothing); the config checks report these. */
export function eksVersionRowProblems(kubernetesVersion: string, row: EksVersionPins): string[] {
  const out: string[] = [];
  for (const name of EKS_ADDON_NAMES) {
    const v = row.addons[name]?.version;
    const parsed = v === undefined ? undefined : parseAddonVersion(v);
    if (!parsed) out.push(`${name} ${v ?? '(missing)'} is not vX.Y.Z-eksbuild.N`);
    else if (name === 'kube-proxy' && `${parsed[0]}.${parsed[1]}` !== kubernetesVersion) out.push(`kube-proxy ${v} does not match Kubernetes ${kubernetesVersion}`);
    else if (name === 'vpc-cni' && !atLeast(parsed, VPC_CNI_MIN_POD_IDENTITY)) out.push(`vpc-cni ${v} is older than v${VPC_CNI_MIN_POD_IDENTITY.join('.')} (EKS Pod Identity for aws-node)`);
  }
  const node = NODE_RELEASE.exec(row.nodeReleaseVersion.version);
  if (!node || node[1] !== kubernetesVersion) out.push(`node release ${row.nodeReleaseVersion.version} is not ${kubernetesVersion}.<patch>-<YYYYMMDD>`);
  return out;
}
