/**
 * `<env>-cluster`: the network (given or created), the environment's load balancer with its
 * listeners, the ECS cluster, EC2 capacity (launch template, Auto Scaling group, capacity provider
 * with managed scaling and draining, scheduled scaling, optional lifecycle-hook draining) and
 * Fargate capacity. Its outputs are what service stacks read through remote state. An environment
 * on an existing cluster or load balancer (`cluster.existing`, `loadBalancer.existing`) reads them
 * with data sources instead, creates nothing for them, and gives the same outputs.
 */
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsEcsCluster } from '@cdktf/provider-aws/lib/data-aws-ecs-cluster';
import { DataAwsLb } from '@cdktf/provider-aws/lib/data-aws-lb';
import { DataAwsLbListener } from '@cdktf/provider-aws/lib/data-aws-lb-listener';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ServiceDiscoveryHttpNamespace } from '@cdktf/provider-aws/lib/service-discovery-http-namespace';
import { AssetType, Fn, TerraformAsset, TerraformOutput, TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, assumeRole, awsName, policy } from './base';
import { addEgress } from './egress';
import type { ClusterStackProps, Ec2CapacityProps, NetworkProps } from './props';

/** Ports ECS gives bridge-mode containers with a dynamic host port. */
export const EPHEMERAL_PORTS = { from: 32768, to: 65535 } as const;

/** What service stacks read about the load balancer (the cluster stack's outputs). */
interface LoadBalancerOutputs {
  readonly securityGroupId: string;
  readonly arn: string;
  readonly arnSuffix: string;
  readonly dnsName: string;
  readonly listenerArn: string;
  readonly testListenerArn: string;
}

interface Network {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly publicSubnets: string[];
  readonly privateSubnets: string[];
}

/** The cluster as the outputs name it, and its EC2 capacity when it has some. */
interface ClusterOutputs {
  readonly name: string;
  readonly arn: string;
  readonly ec2Provider?: EcsCapacityProvider;
  /** Security group of the EC2 container instances ('' without EC2 capacity). */
  readonly instanceSgId: string;
}

export class ClusterStack extends EcsdeployStack {
  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const prefix = awsName([props.project, props.environment]);
    const net = this.network(props.network, prefix);

    // --- Load balancer: only it is reachable from outside; it reaches only the tasks' ports. An
    // existing one (loadBalancer.existing) is read, never changed: services add rules to its listener.
    const lb =
      props.loadBalancer.existing !== undefined
        ? this.existingLoadBalancer(props.loadBalancer.existing)
        : this.loadBalancer(props, prefix, net);

    // --- Cluster and capacity.
    const namespace = this.serviceConnectNamespace(props, prefix);
    const cluster =
      props.existingCluster !== undefined
        ? this.existingCluster(props.existingCluster)
        : this.cluster(props, prefix, net, lb, namespace);

    this.outputs(net, lb, cluster, namespace);
    this.applyOverrides(id, props.overrides);
  }

  /** Service Connect: one Cloud Map HTTP namespace per environment, the cluster's default. */
  private serviceConnectNamespace(props: ClusterStackProps, prefix: string): ServiceDiscoveryHttpNamespace | undefined {
    return props.serviceConnectNamespace === undefined
      ? undefined
      : new ServiceDiscoveryHttpNamespace(this, 'ServiceConnectNamespace', {
          name: props.serviceConnectNamespace,
          description: `Service Connect of ${prefix}`,
        });
  }

  /** An existing cluster keeps its settings and capacity (config refuses cluster.ec2 with it). */
  private existingCluster(name: string): ClusterOutputs {
    const existing = new DataAwsEcsCluster(this, 'Cluster', { clusterName: name });
    return { name, arn: existing.arn, instanceSgId: '' };
  }

  /** The environment's own cluster, its EC2 capacity (if any) and its capacity providers. */
  private cluster(
    props: ClusterStackProps,
    prefix: string,
    net: Network,
    lb: LoadBalancerOutputs,
    namespace: ServiceDiscoveryHttpNamespace | undefined,
  ): ClusterOutputs {
    const cluster = new EcsCluster(this, 'Cluster', {
      name: prefix,
      setting: [{ name: 'containerInsights', value: props.containerInsights ? 'enabled' : 'disabled' }],
      ...(namespace ? { serviceConnectDefaults: { namespace: namespace.arn } } : {}),
    });
    let ec2Provider: EcsCapacityProvider | undefined;
    let instanceSgId = '';
    const providers: string[] = [];
    if (props.ec2 !== undefined) {
      const capacity = this.ec2Capacity(props, prefix, cluster, net, lb.securityGroupId);
      ec2Provider = capacity.provider;
      instanceSgId = capacity.securityGroupId;
      providers.push(ec2Provider.name);
      if (namespace !== undefined) {
        // Bridge-mode tasks publish Service Connect ports on dynamic host ports of the instances.
        new VpcSecurityGroupIngressRule(this, 'InstanceIngressServiceConnect', {
          securityGroupId: instanceSgId,
          cidrIpv4: net.vpcCidr,
          ipProtocol: 'tcp',
          fromPort: EPHEMERAL_PORTS.from,
          toPort: EPHEMERAL_PORTS.to,
          description: 'Service Connect clients in the VPC to bridge-mode tasks',
        });
      }
    }
    if (props.fargate) providers.push('FARGATE');
    if (props.fargateSpot) providers.push('FARGATE_SPOT');
    new EcsClusterCapacityProviders(this, 'CapacityProviders', {
      clusterName: cluster.name,
      capacityProviders: providers,
      defaultCapacityProviderStrategy:
        ec2Provider !== undefined
          ? [{ capacityProvider: ec2Provider.name, weight: 1, base: 0 }]
          : providers.length > 0
            ? [{ capacityProvider: providers[0]!, weight: 1, base: 0 }]
            : [],
    });
    return { name: cluster.name, arn: cluster.arn, ...(ec2Provider ? { ec2Provider } : {}), instanceSgId };
  }

  /** What service stacks read through remote state. */
  private outputs(
    net: Network,
    lb: LoadBalancerOutputs,
    cluster: ClusterOutputs,
    namespace: ServiceDiscoveryHttpNamespace | undefined,
  ): void {
    const out = (name: string, value: string | string[], description: string) =>
      new TerraformOutput(this, name, { value, description });
    out('cluster_name', cluster.name, 'ECS cluster name');
    out('cluster_arn', cluster.arn, 'ECS cluster ARN');
    out('vpc_id', net.vpcId, 'VPC of the environment');
    out('vpc_cidr', net.vpcCidr, 'CIDR of the VPC');
    out('public_subnet_ids', net.publicSubnets, 'Public subnets');
    out('private_subnet_ids', net.privateSubnets, 'Private subnets (tasks run here)');
    out('alb_security_group_id', lb.securityGroupId, 'Security group of the load balancer');
    out(
      'instance_security_group_id',
      cluster.instanceSgId,
      'Security group of the EC2 container instances (empty without EC2 capacity)',
    );
    out('alb_arn', lb.arn, 'Load balancer ARN');
    out('alb_arn_suffix', lb.arnSuffix, 'Load balancer ARN suffix (CloudWatch dimension)');
    out('alb_dns_name', lb.dnsName, 'Load balancer DNS name');
    out('listener_arn', lb.listenerArn, 'Production listener (HTTPS when a certificate is set)');
    out('test_listener_arn', lb.testListenerArn, 'CodeDeploy test listener (empty without blue/green services)');
    out(
      'capacity_provider_name',
      cluster.ec2Provider?.name ?? '',
      'EC2 capacity provider (empty without EC2 capacity)',
    );
    out(
      'service_connect_namespace_arn',
      namespace?.arn ?? '',
      'Cloud Map namespace of Service Connect (empty when no service uses it)',
    );
  }

  /** `overrides:` of the environment, on the resources they name. */
  private applyOverrides(id: string, overrides: ClusterStackProps['overrides']): void {
    for (const o of overrides) {
      const target = this.node.tryFindChild(o.resource);
      if (!(target instanceof TerraformResource))
        throw new Error(`overrides.${o.resource}: ${id} has no such resource`);
      target.addOverride(o.path, o.value);
    }
  }

  /** The environment's own load balancer, its security group and listeners. */
  private loadBalancer(props: ClusterStackProps, prefix: string, net: Network): LoadBalancerOutputs {
    const albSg = new SecurityGroup(this, 'AlbSecurityGroup', {
      name: `${prefix}-alb`,
      description: `Load balancer of ${prefix}`,
      vpcId: net.vpcId,
    });
    const clientCidr = props.loadBalancer.internal ? net.vpcCidr : '0.0.0.0/0';
    const listenerPorts = [
      80,
      ...(props.loadBalancer.certificateArn ? [443] : []),
      ...(props.loadBalancer.testListenerPort ? [props.loadBalancer.testListenerPort] : []),
    ];
    for (const port of listenerPorts) {
      new VpcSecurityGroupIngressRule(this, `AlbIngress${port}`, {
        securityGroupId: albSg.id,
        cidrIpv4: clientCidr,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: `Clients to listener ${port}`,
      });
    }
    new VpcSecurityGroupEgressRule(this, 'AlbEgress', {
      securityGroupId: albSg.id,
      cidrIpv4: net.vpcCidr,
      ipProtocol: 'tcp',
      fromPort: 1,
      toPort: 65535,
      description: 'To targets inside the VPC only',
    });
    const alb = new Lb(this, 'LoadBalancer', {
      name: awsName([prefix], 32),
      loadBalancerType: 'application',
      internal: props.loadBalancer.internal,
      securityGroups: [albSg.id],
      subnets: props.loadBalancer.internal ? net.privateSubnets : net.publicSubnets,
      idleTimeout: props.loadBalancer.idleTimeout,
      dropInvalidHeaderFields: true,
      // A protected environment's load balancer cannot be deleted by accident (loadBalancer.deletionProtection).
      enableDeletionProtection: props.loadBalancer.deletionProtection,
      ...(props.loadBalancer.accessLogs
        ? {
            accessLogs: {
              bucket: props.loadBalancer.accessLogs.bucket,
              ...(props.loadBalancer.accessLogs.prefix ? { prefix: props.loadBalancer.accessLogs.prefix } : {}),
              enabled: true,
            },
          }
        : {}),
    });
    const notFound = [
      {
        type: 'fixed-response',
        fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not found' },
      },
    ];
    let productionListener: LbListener;
    if (props.loadBalancer.certificateArn) {
      new LbListener(this, 'HttpListener', {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' } }],
      });
      productionListener = new LbListener(this, 'HttpsListener', {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        certificateArn: props.loadBalancer.certificateArn,
        defaultAction: notFound,
      });
    } else {
      productionListener = new LbListener(this, 'HttpListener', {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: notFound,
      });
    }
    const testListener = props.loadBalancer.testListenerPort
      ? new LbListener(this, 'TestListener', {
          loadBalancerArn: alb.arn,
          port: props.loadBalancer.testListenerPort,
          protocol: props.loadBalancer.certificateArn ? 'HTTPS' : 'HTTP',
          ...(props.loadBalancer.certificateArn
            ? { sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificateArn: props.loadBalancer.certificateArn }
            : {}),
          defaultAction: notFound,
        })
      : undefined;
    return {
      securityGroupId: albSg.id,
      arn: alb.arn,
      arnSuffix: alb.arnSuffix,
      dnsName: alb.dnsName,
      listenerArn: productionListener.arn,
      testListenerArn: testListener?.arn ?? '',
    };
  }

  /** An existing load balancer, read through its listener (loadBalancer.existing). */
  private existingLoadBalancer(
    existing: NonNullable<ClusterStackProps['loadBalancer']['existing']>,
  ): LoadBalancerOutputs {
    const listener = new DataAwsLbListener(this, 'Listener', { arn: existing.listenerArn });
    const alb = new DataAwsLb(this, 'LoadBalancer', { arn: listener.loadBalancerArn });
    return {
      securityGroupId: existing.securityGroupId ?? Fn.element(alb.securityGroups, 0),
      arn: alb.arn,
      arnSuffix: alb.arnSuffix,
      dnsName: alb.dnsName,
      listenerArn: existing.listenerArn,
      testListenerArn: '',
    };
  }

  private network(props: NetworkProps, prefix: string): Network {
    if (props.kind === 'existing') {
      const vpc = new DataAwsVpc(this, 'Vpc', { id: props.vpcId });
      return {
        vpcId: props.vpcId,
        vpcCidr: vpc.cidrBlock,
        publicSubnets: [...props.publicSubnets],
        privateSubnets: [...props.privateSubnets],
      };
    }
    const azs = new DataAwsAvailabilityZones(this, 'Zones', { state: 'available' });
    const vpc = new Vpc(this, 'Vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: prefix },
    });
    const igw = new InternetGateway(this, 'InternetGateway', { vpcId: vpc.id, tags: { Name: prefix } });
    const publicRoutes = new RouteTable(this, 'PublicRoutes', { vpcId: vpc.id, tags: { Name: `${prefix}-public` } });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    const nats: NatGateway[] = [];
    for (let i = 0; i < props.availabilityZones; i++) {
      const az = Fn.element(azs.names, i);
      const pub = new Subnet(this, `PublicSubnet${i}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(vpc.cidrBlock, 4, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${prefix}-public-${i}`, tier: 'public' },
      });
      new RouteTableAssociation(this, `PublicSubnet${i}Routes`, { subnetId: pub.id, routeTableId: publicRoutes.id });
      publicSubnets.push(pub);
      privateSubnets.push(
        new Subnet(this, `PrivateSubnet${i}`, {
          vpcId: vpc.id,
          availabilityZone: az,
          cidrBlock: Fn.cidrsubnet(vpc.cidrBlock, 4, 8 + i),
          tags: { Name: `${prefix}-private-${i}`, tier: 'private' },
        }),
      );
      if (props.natGateways === 'per-az' || (props.natGateways === 'single' && i === 0)) {
        const eip = new Eip(this, `NatIp${i}`, { domain: 'vpc', tags: { Name: `${prefix}-nat-${i}` } });
        nats.push(
          new NatGateway(this, `Nat${i}`, {
            allocationId: eip.id,
            subnetId: pub.id,
            tags: { Name: `${prefix}-nat-${i}` },
            dependsOn: [igw],
          }),
        );
      }
    }
    privateSubnets.forEach((subnet, i) => {
      const routes = new RouteTable(this, `PrivateRoutes${i}`, {
        vpcId: vpc.id,
        tags: { Name: `${prefix}-private-${i}` },
      });
      const nat = nats[Math.min(i, nats.length - 1)];
      if (nat !== undefined)
        new Route(this, `PrivateDefaultRoute${i}`, {
          routeTableId: routes.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: nat.id,
        });
      new RouteTableAssociation(this, `PrivateSubnet${i}Routes`, { subnetId: subnet.id, routeTableId: routes.id });
    });
    return {
      vpcId: vpc.id,
      vpcCidr: vpc.cidrBlock,
      publicSubnets: publicSubnets.map((s) => s.id),
      privateSubnets: privateSubnets.map((s) => s.id),
    };
  }

  /** EC2 capacity: instance role and profile, security group, launch template, Auto Scaling group, schedules, capacity provider. */
  private ec2Capacity(props: ClusterStackProps, prefix: string, cluster: EcsCluster, net: Network, albSgId: string) {
    const ec2 = props.ec2 as Ec2CapacityProps;
    const ami = new DataAwsSsmParameter(this, 'EcsOptimizedAmi', { name: ec2.amiParameter });
    const profile = this.instanceProfile(prefix);
    const sg = this.instanceSecurityGroup(prefix, net, albSgId, props.egress);
    const template = this.launchTemplate(prefix, ec2, ami, profile, sg);
    const group = this.autoScalingGroup(props, prefix, ec2, net, template);
    this.scheduledActions(ec2, group);
    const provider = this.capacityProvider(prefix, ec2, group);
    if (ec2.draining === 'lifecycle-hook') this.lifecycleHookDraining(props, prefix, cluster, group);
    return { provider, securityGroupId: sg.id };
  }

  /** The instances' role: the ECS agent's managed policy, nothing else. */
  private instanceProfile(prefix: string): IamInstanceProfile {
    const role = new IamRole(this, 'InstanceRole', {
      name: `${prefix}-instance`,
      assumeRolePolicy: assumeRole('ec2.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'InstanceAgentPolicy', {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
    });
    return new IamInstanceProfile(this, 'InstanceProfile', { name: `${prefix}-instance`, role: role.name });
  }

  /** Instances take traffic from the load balancer only, on the dynamic host ports of bridge mode. */
  private instanceSecurityGroup(
    prefix: string,
    net: Network,
    albSgId: string,
    egress: ClusterStackProps['egress'],
  ): SecurityGroup {
    const sg = new SecurityGroup(this, 'InstanceSecurityGroup', {
      name: `${prefix}-instances`,
      description: `ECS container instances of ${prefix}`,
      vpcId: net.vpcId,
    });
    new VpcSecurityGroupIngressRule(this, 'InstanceIngressFromAlb', {
      securityGroupId: sg.id,
      referencedSecurityGroupId: albSgId,
      ipProtocol: 'tcp',
      fromPort: EPHEMERAL_PORTS.from,
      toPort: EPHEMERAL_PORTS.to,
      description: 'Load balancer to bridge-mode containers on dynamic host ports',
    });
    addEgress(this, 'InstanceEgress', sg.id, egress, "ECS, ECR, CloudWatch and the tasks' own dependencies");

    return sg;
  }

  /** IMDSv2 only, encrypted gp3 root volume, the cluster's name in the agent's config. */
  private launchTemplate(
    prefix: string,
    ec2: Ec2CapacityProps,
    ami: DataAwsSsmParameter,
    profile: IamInstanceProfile,
    sg: SecurityGroup,
  ): LaunchTemplate {
    const userData = [
      '#!/bin/bash',
      `echo ECS_CLUSTER=${prefix} >> /etc/ecs/ecs.config`,
      'echo ECS_ENABLE_CONTAINER_METADATA=true >> /etc/ecs/ecs.config',
      '',
    ].join('\n');
    return new LaunchTemplate(this, 'LaunchTemplate', {
      name: `${prefix}-ecs`,
      imageId: ami.value,
      instanceType: ec2.instanceTypes[0],
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [sg.id],
      userData: Buffer.from(userData).toString('base64'),
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: ec2.rootVolumeSize, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      monitoring: { enabled: true },
    });
  }

  /** One instance type on `$Latest`, or a mixed-instances policy for several types or Spot. */
  private autoScalingGroup(
    props: ClusterStackProps,
    prefix: string,
    ec2: Ec2CapacityProps,
    net: Network,
    template: LaunchTemplate,
  ): AutoscalingGroup {
    const launchTemplate = { launchTemplateId: template.id, version: '$Latest' };
    const multipleTypes = ec2.instanceTypes.length > 1 || ec2.spot !== undefined;
    return new AutoscalingGroup(this, 'AutoScalingGroup', {
      name: `${prefix}-ecs`,
      minSize: ec2.minSize,
      maxSize: ec2.maxSize,
      desiredCapacity: ec2.desiredCapacity ?? ec2.minSize,
      vpcZoneIdentifier: net.privateSubnets,
      healthCheckType: 'EC2',
      defaultInstanceWarmup: 60,
      ...(multipleTypes
        ? {
            mixedInstancesPolicy: {
              instancesDistribution: ec2.spot
                ? {
                    onDemandBaseCapacity: ec2.spot.onDemandBaseCapacity,
                    onDemandPercentageAboveBaseCapacity: ec2.spot.onDemandPercentage,
                    spotAllocationStrategy: ec2.spot.allocationStrategy,
                  }
                : { onDemandPercentageAboveBaseCapacity: 100 },
              launchTemplate: {
                launchTemplateSpecification: launchTemplate,
                override: ec2.instanceTypes.map((t) => ({ instanceType: t })),
              },
            },
          }
        : { launchTemplate: { id: template.id, version: '$Latest' } }),
      tag: Object.entries({ ...props.tags, Name: `${prefix}-ecs`, AmazonECSManaged: 'true' })
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      // The capacity provider's managed scaling owns the group's size once it runs.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
    });
  }

  private scheduledActions(ec2: Ec2CapacityProps, group: AutoscalingGroup): void {
    ec2.schedules.forEach((s) => {
      new AutoscalingSchedule(this, `Schedule-${s.name}`, {
        scheduledActionName: s.name,
        autoscalingGroupName: group.name,
        recurrence: s.cron,
        timeZone: s.timezone ?? 'Etc/UTC',
        minSize: s.min ?? -1,
        maxSize: s.max ?? -1,
        desiredCapacity: s.desired ?? -1,
      });
    });
  }

  /** Managed scaling owns the group's size; draining by ECS (managed) or by our hook. */
  private capacityProvider(prefix: string, ec2: Ec2CapacityProps, group: AutoscalingGroup): EcsCapacityProvider {
    return new EcsCapacityProvider(this, 'CapacityProvider', {
      name: `${prefix}-ec2`,
      autoScalingGroupProvider: {
        autoScalingGroupArn: group.arn,
        managedTerminationProtection: 'DISABLED',
        managedDraining: ec2.draining === 'managed' ? 'ENABLED' : 'DISABLED',
        managedScaling: {
          status: 'ENABLED',
          targetCapacity: ec2.targetCapacity,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: 10,
          instanceWarmupPeriod: 60,
        },
      },
    });
  }

  /** For clusters without managed draining: a termination hook, an EventBridge rule and a Lambda that drains. */
  private lifecycleHookDraining(
    props: ClusterStackProps,
    prefix: string,
    cluster: EcsCluster,
    group: AutoscalingGroup,
  ): void {
    const hookName = 'ecsdeploy-drain';
    new AutoscalingLifecycleHook(this, 'DrainHook', {
      name: hookName,
      autoscalingGroupName: group.name,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      defaultResult: 'CONTINUE',
      heartbeatTimeout: 900,
    });
    const code = new TerraformAsset(this, 'DrainLambdaCode', {
      path: props.drainLambdaSource,
      type: AssetType.ARCHIVE,
    });
    const logGroup = new CloudwatchLogGroup(this, 'DrainLambdaLogs', {
      name: `/aws/lambda/${prefix}-drain`,
      retentionInDays: 30,
    });
    const role = new IamRole(this, 'DrainLambdaRole', {
      name: `${prefix}-drain`,
      assumeRolePolicy: assumeRole('lambda.amazonaws.com'),
    });
    new IamRolePolicy(this, 'DrainLambdaPolicy', {
      role: role.id,
      name: 'drain',
      policy: policy([
        // Narrowed to this cluster: ListContainerInstances acts on the cluster, the others on its
        // container instances (ARNs `container-instance/<cluster>/<id>`).
        { Effect: 'Allow', Action: 'ecs:ListContainerInstances', Resource: cluster.arn },
        {
          Effect: 'Allow',
          Action: ['ecs:DescribeContainerInstances', 'ecs:UpdateContainerInstancesState', 'ecs:ListTasks'],
          Resource: `${Fn.replace(cluster.arn, ':cluster/', ':container-instance/')}/*`,
          Condition: { ArnEquals: { 'ecs:cluster': cluster.arn } },
        },
        {
          Effect: 'Allow',
          Action: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
          Resource: group.arn,
        },
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup.arn}:*` },
      ]),
    });
    const fn = new LambdaFunction(this, 'DrainLambda', {
      functionName: `${prefix}-drain`,
      role: role.arn,
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      filename: code.path,
      sourceCodeHash: code.assetHash,
      timeout: 900,
      environment: { variables: { CLUSTER: cluster.name } },
      dependsOn: [logGroup],
    });
    const rule = new CloudwatchEventRule(this, 'DrainRule', {
      name: `${prefix}-drain`,
      description: 'Instance terminating in the ECS Auto Scaling group',
      eventPattern: JSON.stringify({
        'source': ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
        'detail': { AutoScalingGroupName: [group.name], LifecycleHookName: [hookName] },
      }),
    });
    new CloudwatchEventTarget(this, 'DrainRuleTarget', { rule: rule.name, arn: fn.arn });
    new LambdaPermission(this, 'DrainRuleInvoke', {
      statementId: 'events',
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    });
  }
}
