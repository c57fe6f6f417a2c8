/**
 * The pinned EKS add-on and node versions (lib/config/tables/eks-versions.ts): one row per Kubernetes
 * version the kubectl-layer table allows, every cell well-formed and sourced, and the rules that
 * catch a wrong row (kube-proxy of another minor, a VPC CNI without Pod Identity, a node release of
 * another version).
 */
import { EKS_ADDON_NAMES, EKS_VERSION_PINS, type EksVersionPins, eksVersionRowProblems, parseAddonVersion } from '../../lib/config/tables/eks-versions';
import { KUBECTL_LAYER_PACKAGES } from '../../lib/config/tables/kubectl-layers';

const clone = (row: EksVersionPins): any => JSON.parse(JSON.stringify(row));

describe('EKS version pins', () => {
  test('exactly the Kubernetes versions that have a kubectl layer have a row (validated the same way)', () => {
    expect(Object.keys(EKS_VERSION_PINS).sort()).toEqual(Object.keys(KUBECTL_LAYER_PACKAGES).sort());
  });

  test.each(Object.entries(EKS_VERSION_PINS))('Kubernetes %s: a version for every add-on, every value well-formed and sourced', (version, row) => {
    expect(Object.keys(row.addons).sort()).toEqual([...EKS_ADDON_NAMES].sort());
    expect(eksVersionRowProblems(version, row)).toEqual([]);
    for (const cell of [...Object.values(row.addons), row.nodeReleaseVersion]) {
      expect(cell.source.length).toBeGreaterThan(40);
      expect(typeof cell.verified).toBe('boolean');
    }
    // The node AMI release comes from the amazon-eks-ami release notes (AWS's own source).
    expect(row.nodeReleaseVersion.verified).toBe(true);
    expect(row.nodeReleaseVersion.version.startsWith(`${version}.`)).toBe(true);
  });

  test('a row with kube-proxy of another minor, a VPC CNI older than Pod Identity support or a foreign node release is refused', () => {
    const row = clone(EKS_VERSION_PINS['1.36']);
    row.addons['kube-proxy'].version = 'v1.35.3-eksbuild.5';
    row.addons['vpc-cni'].version = 'v1.15.4-eksbuild.1';
    row.addons.coredns.version = '1.14.3';
    row.nodeReleaseVersion.version = '1.35.6-20260714';
    expect(eksVersionRowProblems('1.36', row)).toEqual([
      'vpc-cni v1.15.4-eksbuild.1 is older than v1.15.5 (EKS Pod Identity for aws-node)',
      'kube-proxy v1.35.3-eksbuild.5 does not match Kubernetes 1.36',
      'coredns 1.14.3 is not vX.Y.Z-eksbuild.N',
      'node release 1.35.6-20260714 is not 1.36.<patch>-<YYYYMMDD>',
    ]);
  });

  test('version parsing', () => {
    expect(parseAddonVersion('v1.22.4-eksbuild.3')).toEqual([1, 22, 4]);
    expect(parseAddonVersion('v1.22.4')).toBeUndefined();
  });
});
