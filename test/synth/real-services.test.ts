/**
 * What each key of the service model synthesizes, asserted on examples/services/ (realistic
 * production services, synthesized as `ecsdeploy synth -C examples` does) and on small projects
 * for single keys: container definition fields, IAM statements exactly as narrow as asked,
 * Service Connect blocks, volumes, networking, placement, overrides.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectWith } from '../config/fixture-project';
import { loadProject } from '../../src/config/load';
import { resolveEphemeral } from '../../src/config/ephemeral';
import { SERVICE_RESOURCES } from '../../src/config/overrides';
import { synthesize } from '../../src/synth';
import { environmentStacks } from '../../src/synth/stack-order';
import { ecrRepositoryArn, partitionOf } from '../../src/synth/task-props';
import { secretGrants } from '../../stacks/service-stack';
import { REPO, ephemeralRecord, only, resources, synthProject, type Synthesized, type TfJson } from './helpers';

const EXAMPLES = join(REPO, 'examples');

let s: Synthesized;
beforeAll(() => {
  s = synthProject(EXAMPLES);
});
afterAll(() => s.cleanup());

type Container = Record<string, unknown> & { name: string };
const containers = (json: TfJson): Container[] =>
  JSON.parse(only(json, 'aws_ecs_task_definition')['container_definitions'] as string) as Container[];
const container = (json: TfJson, name: string): Container => containers(json).find((c) => c.name === name)!;
const statements = (json: TfJson, id: string): Array<Record<string, unknown>> =>
  (
    JSON.parse(only(json, 'aws_iam_role_policy', id)['policy'] as string) as {
      Statement: Array<Record<string, unknown>>;
    }
  ).Statement;
const bySid = (json: TfJson, id: string) => Object.fromEntries(statements(json, id).map((st) => [st['Sid'], st]));

describe('examples/services', () => {
  it('are eight services, each with its own stack; the legacy environment adopts one of them', () => {
    expect(
      s.stacks
        .map((x) => x.name)
        .filter((n) => n.startsWith('dev-') && n !== 'dev-cluster')
        .sort(),
    ).toEqual([
      'dev-accounts',
      'dev-billing',
      'dev-catalog',
      'dev-files',
      'dev-ingest',
      'dev-search',
      'dev-storefront',
      'dev-thumbnailer',
    ]);
    expect(s.stacks.map((x) => x.name).filter((n) => n.startsWith('legacy-'))).toEqual([
      'legacy-cluster',
      'legacy-accounts',
    ]);
  });

  describe('accounts: adopted in legacy, an ordinary service in dev', () => {
    it('legacy imports the running service and what goes with it, keeping their names', () => {
      const json = s.json('legacy-accounts') as TfJson & { import?: Array<{ to: string; id: string }> };
      expect((json.import ?? []).map((i) => i.to).sort()).toEqual(
        [
          'aws_appautoscaling_policy.CpuScaling',
          'aws_appautoscaling_policy.MemoryScaling',
          'aws_appautoscaling_policy.RequestScaling',
          'aws_appautoscaling_policy.StepScaling',
          'aws_appautoscaling_target.ScalingTarget',
          'aws_cloudwatch_log_group.Logs',
          'aws_ecs_service.Service',
          'aws_lb_listener_rule.ListenerRule',
          'aws_lb_target_group.TargetGroup',
        ].sort(),
      );
      expect(only(json, 'aws_ecs_service')).toMatchObject({ name: 'accounts-api', launch_type: 'FARGATE' });
      expect(
        Object.values(resources(json, 'aws_appautoscaling_policy'))
          .map((p) => p['name'])
          .sort(),
      ).toEqual(['accounts-cpu', 'accounts-memory', 'accounts-queue', 'accounts-requests']);
    });

    it('dev has no import blocks and its own names', () => {
      const json = s.json('dev-accounts') as TfJson & { import?: unknown };
      expect(json).not.toHaveProperty('import');
      expect(only(json, 'aws_ecs_service')).toMatchObject({ name: 'accounts' });
    });
  });

  describe('files: FireLens and EFS on Fargate', () => {
    it('mounts EFS through its access point with transit encryption and IAM, and a task volume for /tmp', () => {
      const td = only(s.json('dev-files'), 'aws_ecs_task_definition');
      expect(td['volume']).toEqual([
        {
          name: 'uploads',
          efs_volume_configuration: {
            file_system_id: 'fs-0a1b2c3d4e5f60789',
            transit_encryption: 'ENABLED',
            authorization_config: { iam: 'ENABLED', access_point_id: 'fsap-0a1b2c3d4e5f60789' },
          },
        },
        {
          name: 'shared-config',
          efs_volume_configuration: {
            file_system_id: 'fs-0a1b2c3d4e5f60999',
            root_directory: '/files',
            transit_encryption: 'ENABLED',
            transit_encryption_port: 2999,
            authorization_config: { iam: 'ENABLED' },
          },
        },
        { name: 'tmp' },
      ]);
      expect(td['ephemeral_storage']).toEqual({ size_in_gib: 40 });
      expect(container(s.json('dev-files'), 'files')['mountPoints']).toEqual([
        { sourceVolume: 'uploads', containerPath: '/srv/uploads', readOnly: false },
        { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
        { sourceVolume: 'shared-config', containerPath: '/etc/files', readOnly: true },
      ]);
    });

    it('grants the task role ClientMount and ClientWrite on that file system, only through that access point', () => {
      expect(bySid(s.json('dev-files'), 'TaskPolicy')['EfsClient1']).toEqual({
        Sid: 'EfsClient1',
        Effect: 'Allow',
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource:
          'arn:aws:elasticfilesystem:eu-west-1:${data.aws_caller_identity.Account.account_id}:file-system/fs-0a1b2c3d4e5f60789',
        Condition: {
          StringEquals: {
            'elasticfilesystem:AccessPointArn':
              'arn:aws:elasticfilesystem:eu-west-1:${data.aws_caller_identity.Account.account_id}:access-point/fsap-0a1b2c3d4e5f60789',
          },
        },
      });
      // Mounted read-only everywhere: ClientMount alone, on the whole file system (no access point).
      expect(bySid(s.json('dev-files'), 'TaskPolicy')['EfsClient2']).toEqual({
        Sid: 'EfsClient2',
        Effect: 'Allow',
        Action: ['elasticfilesystem:ClientMount'],
        Resource:
          'arn:aws:elasticfilesystem:eu-west-1:${data.aws_caller_identity.Account.account_id}:file-system/fs-0a1b2c3d4e5f60999',
      });
    });

    it('sends the application through the FireLens router, which logs to a group of its own', () => {
      const json = s.json('dev-files');
      expect(container(json, 'files')).toMatchObject({
        readonlyRootFilesystem: true,
        dependsOn: [{ containerName: 'log-router', condition: 'START' }],
        logConfiguration: {
          logDriver: 'awsfirelens',
          options: {
            Name: 'cloudwatch_logs',
            region: 'eu-west-1',
            log_group_name: '/acme/files/app',
            log_stream_prefix: 'files/',
            auto_create_group: 'false',
          },
        },
      });
      expect(container(json, 'log-router')).toMatchObject({
        essential: true,
        user: '0',
        firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '${aws_cloudwatch_log_group.Logs-log-router.name}',
            'awslogs-stream-prefix': 'log-router',
          },
        },
      });
      expect(only(json, 'aws_cloudwatch_log_group', 'Logs-log-router')).toMatchObject({
        name: '/ecs/acme/dev/files/log-router',
        retention_in_days: 30,
      });
      expect(bySid(json, 'ExecutionPolicy')['WriteOwnLogs']!['Resource']).toEqual([
        '${aws_cloudwatch_log_group.Logs.arn}:*',
        '${aws_cloudwatch_log_group.Logs-log-router.arn}:*',
      ]);
    });
  });

  describe('thumbnailer: an ARM64 worker with task-role permissions and no load balancer', () => {
    it('runs on Graviton Fargate, no target group, no listener rule', () => {
      const json = s.json('dev-thumbnailer');
      expect(only(json, 'aws_ecs_task_definition')['runtime_platform']).toEqual({
        cpu_architecture: 'ARM64',
        operating_system_family: 'LINUX',
      });
      expect(resources(json, 'aws_lb_target_group')).toEqual({});
      expect(resources(json, 'aws_lb_listener_rule')).toEqual({});
      expect(only(json, 'aws_ecs_service')['load_balancer']).toBeUndefined();
      expect(only(json, 'aws_ecs_service')['capacity_provider_strategy']).toEqual([
        { capacity_provider: 'FARGATE', weight: 1, base: 0 },
      ]);
    });

    it('grants exactly the listed statements (with their conditions), plus ECS Exec, and nothing else', () => {
      expect(statements(s.json('dev-thumbnailer'), 'TaskPolicy')).toEqual([
        {
          Sid: 'ConsumeJobs',
          Effect: 'Allow',
          Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
          Resource: ['arn:aws:sqs:eu-west-1:123456789012:acme-thumbnails'],
        },
        {
          Sid: 'ReadOriginals',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::acme-media/originals/*'],
        },
        {
          Sid: 'WriteThumbnails',
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: ['arn:aws:s3:::acme-media/thumbnails/*'],
          Condition: { StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
        },
        {
          Sid: 'NeverDeleteOriginals',
          Effect: 'Deny',
          Action: ['s3:DeleteObject'],
          Resource: ['arn:aws:s3:::acme-media/originals/*'],
        },
        {
          Sid: 'EcsExec',
          Effect: 'Allow',
          Action: [
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
          ],
          Resource: '*',
        },
      ]);
    });

    it('turns on ECS Exec with an init process, command, stop timeout and environment files', () => {
      const json = s.json('dev-thumbnailer');
      expect(only(json, 'aws_ecs_service')['enable_execute_command']).toBe(true);
      expect(container(json, 'thumbnailer')).toMatchObject({
        linuxParameters: { initProcessEnabled: true },
        command: ['worker', '--queue', 'thumbnails', '--concurrency', '8'],
        stopTimeout: 120,
        environmentFiles: [{ value: 'arn:aws:s3:::acme-config/thumbnailer/dev.env', type: 's3' }],
        secrets: [{ name: 'SENTRY_DSN', valueFrom: '/acme/thumbnailer/sentry-dsn' }],
      });
    });

    it('lets the execution role read exactly the environment file and the parameter (its path made an ARN)', () => {
      const sids = bySid(s.json('dev-thumbnailer'), 'ExecutionPolicy');
      expect(sids['ReadEnvironmentFiles']).toMatchObject({
        Action: 's3:GetObject',
        Resource: ['arn:aws:s3:::acme-config/thumbnailer/dev.env'],
      });
      expect(sids['LocateEnvironmentFiles']).toMatchObject({
        Action: 's3:GetBucketLocation',
        Resource: ['arn:aws:s3:::acme-config'],
      });
      expect(sids['ReadOwnParameters']).toMatchObject({
        Resource: [
          'arn:aws:ssm:eu-west-1:${data.aws_caller_identity.Account.account_id}:parameter/acme/thumbnailer/sentry-dsn',
        ],
      });
    });

    it("adds the extra security group to the service's own, in the private subnets without a public IP", () => {
      expect(only(s.json('dev-thumbnailer'), 'aws_ecs_service')['network_configuration']).toEqual({
        subnets: '${data.terraform_remote_state.Cluster.outputs.private_subnet_ids}',
        security_groups: ['${aws_security_group.TaskSecurityGroup.id}', 'sg-0a1b2c3d4e5f60789'],
        assign_public_ip: false,
      });
    });
  });

  describe('ingest: EC2 bridge with two ports and a UDP sidecar', () => {
    it("maps both ports (dynamic host ports) and the sidecar's UDP port on its fixed host port", () => {
      const json = s.json('dev-ingest');
      expect(only(json, 'aws_ecs_task_definition')['network_mode']).toBe('bridge');
      expect(container(json, 'ingest')['portMappings']).toEqual([
        { name: 'http', containerPort: 8080, hostPort: 0, protocol: 'tcp', appProtocol: 'http' },
        { name: 'metrics', containerPort: 9090, hostPort: 0, protocol: 'tcp' },
      ]);
      expect(container(json, 'datadog-agent')['portMappings']).toEqual([
        { name: 'dogstatsd', containerPort: 8125, hostPort: 8125, protocol: 'udp' },
      ]);
      expect(container(json, 'ingest')).toMatchObject({
        memoryReservation: 1536,
        ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
        dependsOn: [{ containerName: 'datadog-agent', condition: 'HEALTHY' }],
      });
    });

    it('binds the host folders read-only and places tasks on distinct instances, spread, then binpacked on cpu', () => {
      const json = s.json('dev-ingest');
      expect(only(json, 'aws_ecs_task_definition')['volume']).toEqual([
        { name: 'docker-socket', host_path: '/var/run/docker.sock' },
        { name: 'proc', host_path: '/proc/' },
        { name: 'cgroup', host_path: '/sys/fs/cgroup/' },
      ]);
      expect(
        (container(json, 'datadog-agent')['mountPoints'] as unknown[]).every(
          (m) => (m as { readOnly: boolean }).readOnly,
        ),
      ).toBe(true);
      const svc = only(json, 'aws_ecs_service');
      expect(svc['placement_constraints']).toEqual([{ type: 'distinctInstance' }]);
      expect(svc['ordered_placement_strategy']).toEqual([
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'binpack', field: 'cpu' },
      ]);
      expect(svc['load_balancer']).toEqual([
        { container_name: 'ingest', container_port: 8080, target_group_arn: '${aws_lb_target_group.TargetGroup.arn}' },
      ]);
    });

    it('grants the secret by its own ARN, not the JSON-key suffixed reference the container reads', () => {
      const json = s.json('dev-ingest');
      expect(container(json, 'datadog-agent')['secrets']).toEqual([
        {
          name: 'DD_API_KEY',
          valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/datadog-Xy12Ab:api_key::',
        },
      ]);
      expect(bySid(json, 'ExecutionPolicy')['ReadOwnSecrets']!['Resource']).toEqual([
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/datadog-Xy12Ab',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/splunk-hec-Zx98Yw', // the Splunk token of the log driver
      ]);
    });

    it('logs to Splunk with the token as a secret option, and attaches the X-Ray managed policy', () => {
      const json = s.json('dev-ingest');
      expect(container(json, 'ingest')['logConfiguration']).toEqual({
        logDriver: 'splunk',
        options: {
          'splunk-url': 'https://splunk.acme.example:8088',
          'splunk-source': 'ingest',
          'splunk-format': 'json',
        },
        secretOptions: [
          {
            name: 'splunk-token',
            valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/splunk-hec-Zx98Yw',
          },
        ],
      });
      expect(Object.values(resources(json, 'aws_iam_role_policy_attachment')).map((a) => a['policy_arn'])).toEqual([
        'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
      ]);
    });
  });

  describe('catalog and storefront: Service Connect producer and consumer', () => {
    it('publishes catalog:50051 (grpc) from an awsvpc task on EC2, with the proxy logging to the service group', () => {
      const json = s.json('dev-catalog');
      expect(only(json, 'aws_ecs_task_definition')).toMatchObject({
        network_mode: 'awsvpc',
        requires_compatibilities: ['EC2'],
      });
      expect(only(json, 'aws_ecs_service')['service_connect_configuration']).toEqual({
        enabled: true,
        namespace: '${data.terraform_remote_state.Cluster.outputs.service_connect_namespace_arn}',
        service: [
          {
            port_name: 'grpc',
            discovery_name: 'catalog',
            ingress_port_override: 15051,
            client_alias: { port: 50051, dns_name: 'catalog' },
          },
        ],
        log_configuration: {
          log_driver: 'awslogs',
          options: {
            'awslogs-group': '${aws_cloudwatch_log_group.Logs-service-connect.name}',
            'awslogs-region': 'eu-west-1',
            'awslogs-stream-prefix': 'service-connect',
            'mode': 'non-blocking',
            'max-buffer-size': '4m',
          },
        },
      });
      expect(only(json, 'aws_ecs_service')['network_configuration']).toMatchObject({
        subnets: ['subnet-0a1b2c3d4e5f60021', 'subnet-0a1b2c3d4e5f60022'],
        assign_public_ip: false,
      });
      expect(only(json, 'aws_ecs_service')['propagate_tags']).toBe('TASK_DEFINITION');
      // Its clients in the VPC reach the published port; nothing else does.
      const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
      expect(ingress).toEqual([
        expect.objectContaining({
          cidr_ipv4: '${data.terraform_remote_state.Cluster.outputs.vpc_cidr}',
          from_port: 15051,
          to_port: 15051,
          ip_protocol: 'tcp',
        }),
      ]);
    });

    it('makes storefront a client of the namespace that publishes nothing', () => {
      const sc = only(s.json('dev-storefront'), 'aws_ecs_service')['service_connect_configuration'] as Record<
        string,
        unknown
      >;
      expect(sc).toMatchObject({
        enabled: true,
        namespace: '${data.terraform_remote_state.Cluster.outputs.service_connect_namespace_arn}',
      });
      expect(sc['service']).toBeUndefined();
    });

    it("creates the environment's namespace in the cluster stack, as the cluster's default", () => {
      const cluster = s.json('dev-cluster');
      // (and the environment file's overrides reach the load balancer)
      expect(only(cluster, 'aws_lb')).toMatchObject({
        drop_invalid_header_fields: true,
        desync_mitigation_mode: 'strictest',
      });
      expect(only(cluster, 'aws_service_discovery_http_namespace')).toMatchObject({ name: 'acme-dev' });
      expect(cluster.output?.['service_connect_namespace_arn']).toMatchObject({
        value: '${aws_service_discovery_http_namespace.ServiceConnectNamespace.arn}',
      });
    });
  });

  describe("billing: images from a private registry and from another account's ECR", () => {
    it("pulls the main image with its registry credentials and the sidecar from the other account's repository", () => {
      const json = s.json('dev-billing');
      expect(container(json, 'app')).toMatchObject({
        image: 'ghcr.io/acme-vendor/billing@sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b',
        repositoryCredentials: {
          credentialsParameter: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/ghcr-pull-Qw12Er',
        },
        user: '1000:1000',
        workingDirectory: '/app',
        entryPoint: ['/app/bin/start'],
        command: ['--listen', ':8000', '--spool', '/var/spool/billing'],
        dockerLabels: { 'com.acme.owner': 'finance', 'com.acme.vendor': 'acme-vendor' },
      });
      expect(container(json, 'otel-collector')).toMatchObject({
        essential: false,
        image: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/platform/otel-collector:0.98.0',
        volumesFrom: [{ sourceContainer: 'app', readOnly: true }],
      });
      expect(only(json, 'aws_ecs_service')['load_balancer']).toEqual([
        { container_name: 'app', container_port: 8000, target_group_arn: '${aws_lb_target_group.TargetGroup.arn}' },
      ]);
      expect(json.data?.['aws_ecr_repository']).toBeUndefined(); // its own repository is not used
      const sids = bySid(json, 'ExecutionPolicy');
      expect(Object.keys(sids).sort()).toEqual([
        'EcrLogin',
        'PullImages',
        'ReadOwnParameters',
        'ReadOwnSecrets',
        'WriteOwnLogs',
      ]);
      expect(sids['PullImages']!['Resource']).toEqual([
        'arn:aws:ecr:eu-west-1:210987654321:repository/platform/otel-collector',
      ]);
      expect(sids['ReadOwnSecrets']!['Resource']).toEqual([
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/ghcr-pull-Qw12Er',
      ]);
      expect(sids['ReadOwnParameters']!['Resource']).toEqual([
        'arn:aws:ssm:eu-west-1:123456789012:parameter/acme/billing/license',
      ]);
    });
  });

  describe('search: the overrides escape hatch', () => {
    it('sets container definition fields and service arguments the keys do not have', () => {
      const json = s.json('dev-search');
      expect(container(json, 'search')).toMatchObject({
        systemControls: [{ namespace: 'vm.max_map_count', value: '262144' }],
        linuxParameters: {
          initProcessEnabled: true,
          capabilities: { add: ['IPC_LOCK'], drop: ['NET_RAW', 'MKNOD'] },
          sharedMemorySize: 512,
          maxSwap: 0,
        },
        ulimits: [{ name: 'memlock', softLimit: -1, hardLimit: -1 }],
      });
      expect(only(json, 'aws_ecs_service')['availability_zone_rebalancing']).toBe('ENABLED');
    });

    it('runs with an existing task role, a fixed host port on distinct m6i instances, and a shared Docker volume', () => {
      const json = s.json('dev-search');
      const td = only(json, 'aws_ecs_task_definition');
      expect(td).toMatchObject({
        task_role_arn: 'arn:aws:iam::123456789012:role/acme-search-task',
        pid_mode: 'task',
        ipc_mode: 'task',
      });
      expect(resources(json, 'aws_iam_role')['TaskRole']).toBeUndefined();
      expect(td['volume']).toEqual([
        {
          name: 'data',
          docker_volume_configuration: {
            scope: 'shared',
            autoprovision: true,
            driver: 'local',
            driver_opts: { type: 'none', device: '/data/search', o: 'bind' },
            labels: { 'com.acme.backup': 'daily' },
          },
        },
      ]);
      expect(container(json, 'search')['portMappings']).toEqual([
        { containerPort: 9200, hostPort: 9200, protocol: 'tcp' },
      ]);
      expect(only(json, 'aws_ecs_service')['placement_constraints']).toEqual([
        { type: 'distinctInstance' },
        { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ m6i.*' },
      ]);
    });
  });
});

describe('single keys', () => {
  const synthOne = (service: string, env = ''): { json: TfJson; cleanup: () => void } => {
    const p = projectWith({ 'services/api.yaml': service, ...(env ? { 'environments/dev.yaml': env } : {}) });
    const out = synthProject(p.dir);
    return { json: out.json('dev-api'), cleanup: () => (out.cleanup(), p.cleanup()) };
  };

  it('attach managed policies, or use an existing task role instead of creating one', () => {
    const a = synthOne(
      'image:\n  tag: "1"\nmanagedPolicies:\n  - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n  - arn:aws:iam::123456789012:policy/acme-read\n',
    );
    try {
      expect(Object.values(resources(a.json, 'aws_iam_role_policy_attachment')).map((x) => x['policy_arn'])).toEqual([
        'arn:aws:iam::123456789012:policy/acme-read',
        'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      ]);
      expect(resources(a.json, 'aws_iam_role_policy')['TaskPolicy']).toBeUndefined(); // nothing granted inline
    } finally {
      a.cleanup();
    }
    const b = synthOne('image:\n  tag: "1"\ntaskRoleArn: arn:aws:iam::123456789012:role/legacy-app\n');
    try {
      expect(resources(b.json, 'aws_iam_role')['TaskRole']).toBeUndefined();
      expect(only(b.json, 'aws_ecs_task_definition')['task_role_arn']).toBe(
        'arn:aws:iam::123456789012:role/legacy-app',
      );
    } finally {
      b.cleanup();
    }
  });

  it('keeps sidecars essential unless told otherwise, with their own size, as ECS does', () => {
    const a = synthOne(
      'image:\n  tag: "1"\nmemory: 1024\nsidecars:\n  envoy:\n    image: envoyproxy/envoy:v1.31.0\n    memory: 256\n    memoryReservation: 128\n    cpu: 64\n',
    );
    try {
      expect(container(a.json, 'envoy')).toMatchObject({
        essential: true,
        memory: 256,
        memoryReservation: 128,
        cpu: 64,
      });
      expect(container(a.json, 'api')['essential']).toBe(true);
    } finally {
      a.cleanup();
    }
  });

  it('name the main container and target another port of it', () => {
    const a = synthOne(
      'image:\n  tag: "1"\ncontainerName: app\nportMappings:\n  - containerPort: 9000\n  - containerPort: 8080\nhttp:\n  containerPort: 8080\n  paths: [/api/*]\n',
    );
    try {
      expect(containers(a.json).map((c) => c.name)).toEqual(['app']);
      expect(only(a.json, 'aws_ecs_service')['load_balancer']).toEqual([
        { container_name: 'app', container_port: 8080, target_group_arn: '${aws_lb_target_group.TargetGroup.arn}' },
      ]);
      expect(only(a.json, 'aws_lb_target_group')['port']).toBe(8080);
    } finally {
      a.cleanup();
    }
  });

  it('turn logging off, or send it elsewhere with secret options', () => {
    const a = synthOne(
      'image:\n  tag: "1"\nlogConfiguration:\n  logDriver: splunk\n  options:\n    splunk-url: https://splunk.example.com:8088\n  secretOptions:\n    splunk-token: /acme/splunk-token\nsidecars:\n  quiet:\n    image: busybox:1.36\n    logConfiguration:\n      logDriver: none\n',
    );
    try {
      expect(container(a.json, 'api')['logConfiguration']).toEqual({
        logDriver: 'splunk',
        options: { 'splunk-url': 'https://splunk.example.com:8088' },
        secretOptions: [{ name: 'splunk-token', valueFrom: '/acme/splunk-token' }],
      });
      expect(container(a.json, 'quiet')['logConfiguration']).toBeUndefined();
      expect(bySid(a.json, 'ExecutionPolicy')['ReadOwnParameters']!['Resource']).toEqual([
        'arn:aws:ssm:us-east-1:${data.aws_caller_identity.Account.account_id}:parameter/acme/splunk-token',
      ]);
    } finally {
      a.cleanup();
    }
  });

  it('take EC2 awsvpc networking with subnets and a public IP, pid and ipc modes, docker volumes and capabilities', () => {
    const a = synthOne(
      [
        'image:\n  tag: "1"',
        'networkMode: awsvpc',
        'networkConfiguration:\n  subnets: [subnet-0abc1230000000001]\n  assignPublicIp: true',
        'pidMode: task\nipcMode: task',
        'volumes:\n  - name: cache\n    dockerVolumeConfiguration:\n      scope: shared\n      autoprovision: true\n      driver: local\n      labels:\n        team: search',
        'mountPoints:\n  - sourceVolume: cache\n    containerPath: /cache',
        'linuxParameters:\n  capabilities:\n    add: [NET_ADMIN]\n    drop: [MKNOD]\n  sharedMemorySize: 256',
      ].join('\n') + '\n',
    );
    try {
      const td = only(a.json, 'aws_ecs_task_definition');
      expect(td).toMatchObject({ network_mode: 'awsvpc', pid_mode: 'task', ipc_mode: 'task' });
      expect(td['volume']).toEqual([
        {
          name: 'cache',
          docker_volume_configuration: {
            scope: 'shared',
            autoprovision: true,
            driver: 'local',
            labels: { team: 'search' },
          },
        },
      ]);
      expect(container(a.json, 'api')['linuxParameters']).toEqual({
        capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] },
        sharedMemorySize: 256,
      });
      expect(only(a.json, 'aws_ecs_service')['network_configuration']).toEqual({
        subnets: ['subnet-0abc1230000000001'],
        security_groups: ['${aws_security_group.TaskSecurityGroup.id}'],
        assign_public_ip: true,
      });
    } finally {
      a.cleanup();
    }
  });

  it('give the Service Connect proxy a log group of its own when asked', () => {
    const a = synthOne(
      'image:\n  tag: "1"\nportMappings:\n  - name: http\n    containerPort: 8080\nserviceConnect:\n  services:\n    - portName: http\n  logConfiguration:\n    ownLogGroup: true\n',
    );
    try {
      expect(only(a.json, 'aws_cloudwatch_log_group', 'Logs-service-connect')).toMatchObject({
        name: '/ecs/acme/dev/api/service-connect',
      });
      expect(only(a.json, 'aws_ecs_service')['service_connect_configuration']).toMatchObject({
        service: [{ port_name: 'http', discovery_name: 'http' }],
        log_configuration: {
          log_driver: 'awslogs',
          options: {
            'awslogs-group': '${aws_cloudwatch_log_group.Logs-service-connect.name}',
            'awslogs-stream-prefix': 'service-connect',
          },
        },
      });
      expect(bySid(a.json, 'ExecutionPolicy')['WriteOwnLogs']!['Resource']).toEqual([
        '${aws_cloudwatch_log_group.Logs.arn}:*',
        '${aws_cloudwatch_log_group.Logs-service-connect.arn}:*',
      ]);
    } finally {
      a.cleanup();
    }
  });

  it("keep the ECS service's tag settings as given", () => {
    const a = synthOne('image:\n  tag: "1"\npropagateTags: NONE\nenableECSManagedTags: false\n');
    try {
      expect(only(a.json, 'aws_ecs_service')).toMatchObject({ propagate_tags: 'NONE', enable_ecs_managed_tags: false });
    } finally {
      a.cleanup();
    }
  });

  it('override per environment: the environments.<env> block sets and changes the new keys too', () => {
    const p = projectWith({
      'services/api.yaml':
        'image:\n  tag: "1"\npermissions:\n  - actions: [sqs:SendMessage]\n    resources: [arn:aws:sqs:us-east-1:123456789012:dev-q]\nenvironments:\n  prod:\n    permissions:\n      - actions: [sqs:SendMessage]\n        resources: [arn:aws:sqs:us-east-1:123456789012:prod-q]\n    enableExecuteCommand: true\n',
      'environments/prod.yaml':
        'network:\n  create:\n    cidr: 10.1.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n',
    });
    const out = synthProject(p.dir);
    try {
      expect(statements(out.json('dev-api'), 'TaskPolicy')).toEqual([
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:us-east-1:123456789012:dev-q'] },
      ]);
      expect(statements(out.json('prod-api'), 'TaskPolicy').map((st) => st['Resource'])).toEqual([
        ['arn:aws:sqs:us-east-1:123456789012:prod-q'],
        '*',
      ]);
      expect(only(out.json('prod-api'), 'aws_ecs_service')['enable_execute_command']).toBe(true);
    } finally {
      out.cleanup();
      p.cleanup();
    }
  });

  it("cluster overrides set arguments of the cluster stack's resources", () => {
    const env =
      'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\noverrides:\n  LoadBalancer:\n    drop_invalid_header_fields: true\n  LaunchTemplate:\n    metadata_options.http_put_response_hop_limit: 1\n';
    const p = projectWith({ 'environments/dev.yaml': env });
    const out = synthProject(p.dir);
    try {
      const cluster = out.json('dev-cluster');
      expect(only(cluster, 'aws_lb')['drop_invalid_header_fields']).toBe(true);
      expect(only(cluster, 'aws_launch_template')['metadata_options']).toMatchObject({
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
      });
    } finally {
      out.cleanup();
      p.cleanup();
    }
  });
});

describe('Service Connect in a shared environment on demand', () => {
  it('gets a namespace of its own, created by its first Service Connect service, which the others follow', () => {
    const project = loadProject(REPO);
    const dev = project.environments.find((e) => e.name === 'dev')!;
    const env = resolveEphemeral(dev, ephemeralRecord('feature-x', 3));
    const stacks = environmentStacks(env);
    expect(stacks.find((x) => x.name === 'feature-x-orders')!.dependsOn).toEqual(['dev-cluster']);
    expect(stacks.find((x) => x.name === 'feature-x-web')!.dependsOn).toEqual(['dev-cluster', 'feature-x-orders']);
    expect(stacks.find((x) => x.name === 'feature-x-payments')!.dependsOn).toEqual(['dev-cluster']); // no Service Connect
    const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-sc-'));
    try {
      synthesize(project, [env], { outDir: dir, cache: false });
      const orders = JSON.parse(readFileSync(join(dir, 'stacks', 'feature-x-orders', 'cdk.tf.json'), 'utf8')) as TfJson;
      const web = JSON.parse(readFileSync(join(dir, 'stacks', 'feature-x-web', 'cdk.tf.json'), 'utf8')) as TfJson;
      expect(only(orders, 'aws_service_discovery_http_namespace')).toMatchObject({ name: 'shop-feature-x' });
      expect(only(orders, 'aws_ecs_service')['service_connect_configuration']).toMatchObject({
        namespace: '${aws_service_discovery_http_namespace.ServiceConnectNamespace.arn}',
      });
      expect(resources(web, 'aws_service_discovery_http_namespace')).toEqual({});
      expect(only(web, 'aws_ecs_service')['service_connect_configuration']).toMatchObject({
        namespace: 'shop-feature-x',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('helpers', () => {
  it('grant Secrets Manager secrets on their own ARN: no JSON-key suffix, and -?????? for a partial ARN', () => {
    const grants = secretGrants(
      [
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:username:AWSCURRENT:',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe',
        'arn:aws:ssm:eu-west-1:123456789012:parameter/a',
        '/b/c',
      ],
      'eu-west-1',
      'aws',
      () => '111122223333',
    );
    expect(grants).toEqual({
      secretsManager: [
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-??????',
      ],
      ssm: ['arn:aws:ssm:eu-west-1:111122223333:parameter/b/c', 'arn:aws:ssm:eu-west-1:123456789012:parameter/a'],
    });
  });

  it('know ECR repositories from image references, in every partition, and nothing of other registries', () => {
    expect(ecrRepositoryArn('210987654321.dkr.ecr.eu-west-1.amazonaws.com/platform/otel:1')).toBe(
      'arn:aws:ecr:eu-west-1:210987654321:repository/platform/otel',
    );
    expect(ecrRepositoryArn('210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:' + 'a'.repeat(64))).toBe(
      'arn:aws-cn:ecr:cn-north-1:210987654321:repository/app',
    );
    expect(ecrRepositoryArn('210987654321.dkr.ecr.us-gov-west-1.amazonaws.com/app:2')).toBe(
      'arn:aws-us-gov:ecr:us-gov-west-1:210987654321:repository/app',
    );
    for (const other of [
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
      'ghcr.io/acme/app:1',
      'nginx:1.27',
      'docker.io/library/redis:7',
    ])
      expect(ecrRepositoryArn(other)).toBeUndefined();
    expect([partitionOf('eu-west-1'), partitionOf('cn-northwest-1'), partitionOf('us-gov-east-1')]).toEqual([
      'aws',
      'aws-cn',
      'aws-us-gov',
    ]);
  });

  it('every resource overrides may name exists in some synthesized service stack', () => {
    const present = new Set<string>();
    for (const st of [...s.stacks]) {
      if (!st.name.startsWith('dev-') || st.name === 'dev-cluster') continue;
      for (const byId of Object.values(s.json(st.name).resource ?? {}))
        for (const id of Object.keys(byId)) present.add(id);
    }
    const bundled = synthProject(REPO, ['dev']);
    try {
      for (const st of bundled.stacks)
        for (const byId of Object.values(bundled.json(st.name).resource ?? {}))
          for (const id of Object.keys(byId)) present.add(id);
    } finally {
      bundled.cleanup();
    }
    expect(Object.keys(SERVICE_RESOURCES).filter((r) => !present.has(r))).toEqual([]);
  });
});
