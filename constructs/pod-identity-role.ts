/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: trusted by
 * pods.eks.amazonaws.com only (sts:AssumeRole + sts:TagSession), one inline least-privilege policy,
 * and the association (cluster, namespace, service account) -> role. The service account may be
 * created later (by a chart); the association waits for it.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  /** The cluster (its name goes into the association). */
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** What the pods may do. At least one statement. */
  readonly statements: iam.PolicyStatement[];
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

export class PodIdentityRole extends Construct {
  readonly role: iam.Role;
  readonly association?: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    if (props.statements.length === 0) throw new Error(`PodIdentityRole ${id}: give at least one policy statement`);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal(POD_IDENTITY_PRINCIPAL)),
      description: props.description,
      inlinePolicies: { least: new iam.PolicyDocument({ statements: props.statements }) },
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
