import { z } from 'zod';
import { dnsLabel, imageDigest } from '../fields';

/**
 * A container image reference pinned to a release tag (optionally with a digest): `repo/name:1.2.3`.
 * `latest` and untagged references are refused, so a rerun pulls the same bits.
 */
export const pinnedImage = () =>
  z.string()
    .regex(/^[a-z0-9]+([._\-/][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?$/, {
      error: 'must be an image reference with a pinned tag, such as public.ecr.aws/aws-cli/aws-cli:2.36.15',
    })
    .refine((ref) => !/:latest(@|$)/.test(ref), { error: 'must be pinned to a release tag, not "latest" (runs must be reproducible)' });

export const projectSchema = z.object({
  namespace: dnsLabel().default('llmd-bench')
    .describe('Kubernetes namespace of the vLLM replicas, the render server, the router and the benchmark Jobs (Pod Security restricted). The weights loader runs in <namespace>-loader (baseline), the only namespace with the read-write claim.'),
  awsCliImage: pinnedImage().default('public.ecr.aws/aws-cli/aws-cli:2.36.15')
    .describe('AWS CLI image of the init containers that read Secrets Manager through EKS Pod Identity (Grafana admin password, optional HF token). CloudFormation dynamic references do not resolve inside Kubernetes manifests, so secrets are fetched in-cluster.'),
  awsCliImageDigest: imageDigest().optional()
    .describe('Digest (sha256:…) of project.awsCliImage; the init containers then pull it by digest. Unset: the digest table pins the default tag.'),
}).strict().prefault({});
