/**
 * LlmdBench-Network: the VPC across the pinned AZs.
 * - private subnets (1/8 of the VPC each) for nodes and pods; the VPC CNI gives every pod a VPC address.
 * - public subnets (1/64 each) for the NAT gateway(s) only: nothing else gets a public address.
 * - NAT gateways: config `network.natGateways` (default 1, placed in the GPU AZ so the GPU nodes'
 *   image and weight downloads do not cross AZs).
 * - S3 gateway endpoint: ECR image layers and S3 model sources bypass NAT (faster, no NAT data charge).
 * - VPC flow logs (`network.flowLogTrafficType`, default REJECT) to a CloudWatch log group that the
 *   stack deletes on destroy, written through a role only the flow-logs service of this account may
 *   assume (aws:SourceAccount / aws:SourceArn, the confused-deputy guard the VPC user guide
 *   recommends in flow-logs-iam-role).
 */
import { Arn, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { parseCidr } from '../config/cidr';
import { PRIVATE_SUBNET_EXTRA_BITS, PUBLIC_SUBNET_EXTRA_BITS } from '../config/checks/platform';
import type { BenchConfig } from '../config';
import { PinnedAzStack } from './pinned-az-stack';

export { NETWORK_STACK_NAME } from '../names';

export interface NetworkStackProps extends StackProps {
  readonly config: BenchConfig;
}

export class NetworkStack extends PinnedAzStack {
  readonly vpc: ec2.Vpc;
  readonly flowLogGroup: logs.LogGroup;
  readonly flowLogRole: iam.Role;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, { ...props, pinnedAvailabilityZones: props.config.aws.availabilityZones });
    const c = props.config;
    const vpcCidr = parseCidr(c.network.vpcCidr);
    if (!vpcCidr) throw new Error(`network.vpcCidr ${c.network.vpcCidr} does not parse (the config checks should have caught this)`);

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: c.network.flowLogRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.flowLogRole = new iam.Role(this, 'FlowLogRole', {
      description: 'VPC flow logs of this stack: write to its log group',
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
        ArnLike: { 'aws:SourceArn': Arn.format({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }, this) },
      }),
    });

    const gpuAz = c.aws.gpuAvailabilityZone;
    // NAT gateways go to the GPU AZ first, then the others in order.
    const natAzs = [gpuAz, ...c.aws.availabilityZones.filter((az) => az !== gpuAz)].slice(0, c.network.natGateways);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(c.network.vpcCidr),
      availabilityZones: [...c.aws.availabilityZones],
      natGateways: c.network.natGateways,
      natGatewaySubnets: { subnetGroupName: 'public', availabilityZones: natAzs },
      enableDnsHostnames: true,
      enableDnsSupport: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: vpcCidr.prefix + PUBLIC_SUBNET_EXTRA_BITS, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: vpcCidr.prefix + PRIVATE_SUBNET_EXTRA_BITS },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        // One flow log; its traffic type is immutable, so changing it replaces the flow log.
        flowLog: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, this.flowLogRole),
          trafficType: ec2.FlowLogTrafficType[c.network.flowLogTrafficType],
        },
      },
    });
  }

  /** The private subnet of the GPU AZ: GPU nodes and the FSx file system. */
  gpuSubnet(gpuAz: string): ec2.ISubnet {
    const subnets = this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [gpuAz] }).subnets;
    if (subnets.length !== 1) throw new Error(`expected one private subnet in ${gpuAz}, found ${subnets.length}`);
    return subnets[0];
  }
}
