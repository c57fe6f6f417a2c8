/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: trusted by
 * pods.eks.amazonaws.com only (sts:AssumeRole + sts:TagSession), least-privilege permissions, and
 * the association (cluster, namespace, service account) -> role. The service account may be created
 * later (by a chart); the association waits for it.
 *
 * The trust policy ties the role to this cluster, namespace and service account with the session
 * tags EKS Pod Identity sends on every AssumeRole (EKS user guide, pod-id-role: "You can use these
 * tags in the condition keys in the trust policy to restrict which service accounts, namespaces, and
 * clusters can use this role": eks-cluster-arn, kubernetes-namespace, kubernetes-service-account).
 * The cluster ARN carries the account and region, so an association in another cluster or account
 * cannot use the role even with iam:PassRole. (Disabling session tags on the association would then
 * break it; nothing here does.)
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  /** The cluster (its name goes into the association, its ARN into the trust policy). */
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** What the pods may do (inline policy). */
  readonly statements?: iam.PolicyStatement[];
  /** AWS managed policies, for add-ons whose permissions AWS maintains (the VPC CNI). */
  readonly managedPolicies?: iam.IManagedPolicy[];
  /** One line for the role's description. */
  readonly description: string;
  /**
   * Create the CfnPodIdentityAssociation. Set false when an EKS add-on creates it
   * (CfnAddon.podIdentityAssociations).
   * @default true
   */
  readonly createAssociation?: boolean;
}

/** The principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';
/** Session tags EKS Pod Identity sets (EKS user guide, pod-id-abac "Enable session tags"). */
export const POD_IDENTITY_TAGS = {
  clusterArn: 'aws:RequestTag/eks-cluster-arn',
  namespace: 'aws:RequestTag/kubernetes-namespace',
  serviceAccount: 'aws:RequestTag/kubernetes-service-account',
} as const;

export class PodIdentityRole extends Construct {
  readonly role: iam.Role;
  readonly association?: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const statements = props.statements ?? [];
    if (statements.length === 0 && (props.managedPolicies ?? []).length === 0) {
      throw new Error(`PodIdentityRole ${id}: give at least one policy statement or managed policy`);
    }
    const principal = new iam.SessionTagsPrincipal(new iam.ServicePrincipal(POD_IDENTITY_PRINCIPAL)).withConditions({
      StringEquals: {
        [POD_IDENTITY_TAGS.clusterArn]: props.cluster.clusterArn,
        [POD_IDENTITY_TAGS.namespace]: props.namespace,
        [POD_IDENTITY_TAGS.serviceAccount]: props.serviceAccount,
      },
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: principal,
      description: props.description,
      managedPolicies: props.managedPolicies,
      inlinePolicies: statements.length > 0 ? { least: new iam.PolicyDocument({ statements }) } : undefined,
    });
    if (props.createAssociation ?? true) {
      this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
        clusterName: props.cluster.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.roleArn,
      });
    }
  }
}
