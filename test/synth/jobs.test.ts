/**
 * Scheduled jobs: what a job file synthesizes (its own stack `<env>-job-<job>` with an EventBridge
 * Scheduler schedule and a narrow scheduler role), and that its task definition is built by the
 * service stack's code: the same keys give the same container definitions, roles and log group.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectWith } from '../config/fixture-project';
import { awsCronProblem, isTimeZone, toAwsCron, toAwsRate } from '../../src/config/cron';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { selectStacks } from '../../src/synth/stack-order';
import { only, resources, synthProject, type Synthesized, type TfJson } from './helpers';

describe('schedule expressions', () => {
  it("convert the config's 5-field cron and rates to EventBridge Scheduler's forms", () => {
    expect(toAwsCron('0 2 * * *')).toBe('cron(0 2 * * ? *)');
    expect(toAwsCron('30 6 * * MON-FRI')).toBe('cron(30 6 ? * MON-FRI *)');
    expect(toAwsRate('1 hours')).toBe('rate(1 hour)');
    expect(toAwsRate('15 minute')).toBe('rate(15 minutes)');
    expect(awsCronProblem('0 6 1 * MON')).toMatch(/both day-of-month/);
    expect(awsCronProblem('0 6 1 * *')).toBeUndefined();
  });
  it('take IANA time zones the runtime knows, aliases included', () => {
    expect(['Europe/Paris', 'UTC', 'Etc/UTC', 'America/New_York'].filter(isTimeZone)).toHaveLength(4);
    expect(['Europe/Pariss', 'CEST', '+01:00', ''].filter(isTimeZone)).toEqual([]);
  });
});

describe('the bundled example job', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthProject();
  });
  afterAll(() => s.cleanup());
  const json = (stack = 'dev-job-nightly-report'): TfJson => s.json(stack);

  it('is one stack per environment, after the registry and the cluster', () => {
    const ref = s.stacks.find((x) => x.name === 'prod-job-nightly-report')!;
    expect(ref).toMatchObject({
      kind: 'job',
      environment: 'prod',
      job: 'nightly-report',
      dependsOn: ['registry', 'prod-cluster'],
    });
  });

  it('runs on a schedule: cron in its time zone, flexible window, retries, dead-letter queue, paused in dev', () => {
    const schedule = only(json(), 'aws_scheduler_schedule');
    expect(schedule).toMatchObject({
      name: 'shop-dev-job-nightly-report',
      group_name: 'default',
      schedule_expression: 'cron(0 2 * * ? *)',
      schedule_expression_timezone: 'Europe/Paris',
      state: 'DISABLED',
      flexible_time_window: { mode: 'FLEXIBLE', maximum_window_in_minutes: 15 },
    });
    expect(only(json('prod-job-nightly-report'), 'aws_scheduler_schedule')['state']).toBe('ENABLED');
    const target = schedule['target'] as Record<string, Record<string, unknown>>;
    expect(target['retry_policy']).toEqual({ maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 });
    expect(target['dead_letter_config']).toEqual({ arn: '${aws_sqs_queue.DeadLetterQueue.arn}' });
    expect(target['ecs_parameters']).toMatchObject({
      task_definition_arn: '${aws_ecs_task_definition.TaskDefinition.arn}',
      task_count: 1,
      group: 'job:nightly-report',
      capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
      network_configuration: {
        assign_public_ip: false,
        security_groups: ['${aws_security_group.TaskSecurityGroup.id}'],
      },
      propagate_tags: 'TASK_DEFINITION',
    });
    expect(only(json(), 'aws_sqs_queue')).toMatchObject({
      name: 'shop-dev-job-nightly-report-dlq',
      sqs_managed_sse_enabled: true,
    });
  });

  it('gives the scheduler RunTask of this family in this cluster, PassRole of its two roles, and the queue', () => {
    const doc = JSON.parse(only(json(), 'aws_iam_role_policy', 'SchedulerPolicy')['policy'] as string) as {
      Statement: Array<Record<string, unknown>>;
    };
    const bySid = Object.fromEntries(doc.Statement.map((st) => [st['Sid'], st]));
    expect(Object.keys(bySid)).toEqual(['RunTask', 'TagTasks', 'PassTaskRoles', 'DeadLetters']);
    expect(bySid['RunTask']).toMatchObject({
      Action: 'ecs:RunTask',
      Resource:
        'arn:aws:ecs:eu-west-1:${data.aws_caller_identity.Account.account_id}:task-definition/shop-dev-job-nightly-report:*',
    });
    expect(bySid['RunTask']!['Condition']).toEqual({
      ArnEquals: { 'ecs:cluster': '${data.terraform_remote_state.Cluster.outputs.cluster_arn}' },
    });
    expect(bySid['PassTaskRoles']!['Resource']).toEqual([
      '${aws_iam_role.ExecutionRole.arn}',
      '${aws_iam_role.TaskRole.arn}',
    ]);
    expect(
      JSON.parse(only(json(), 'aws_iam_role', 'SchedulerRole')['assume_role_policy'] as string).Statement[0].Principal,
    ).toEqual({ Service: 'scheduler.amazonaws.com' });
  });

  it("has its own repository in the registry, apart from the services'", () => {
    const repos = Object.values(resources(s.json('registry'), 'aws_ecr_repository')).map((r) => r['name']);
    expect(repos).toContain('shop/jobs/nightly-report');
    expect(json().data?.['aws_ecr_repository']?.['Repository']).toMatchObject({ name: 'shop/jobs/nightly-report' });
  });
});

describe("a job's task definition is a service's", () => {
  const task = `image:\n  tag: "1.0.0"\nlaunchType: fargate\ncpu: 512\nmemory: 1024\ncommand: [run]\nvariables:\n  A: "1"\nsecrets:\n  B: /app/b\npermissions:\n  - actions: [s3:GetObject]\n    resources: [arn:aws:s3:::bucket/*]\nsidecars:\n  agent:\n    image: public.ecr.aws/x/agent:1\n    memory: 64\n    essential: false\n`;
  it('same container definitions, execution and task policies, for the same keys', () => {
    const p = projectWith({
      'services/api.yaml': `${task}containerName: app\n`,
      'jobs/batch.yaml': `${task}containerName: app\nschedule:\n  rate: 1 hour\n`,
    });
    const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-jobs-'));
    try {
      const project = loadProject(p.dir);
      const stacks = synthesize(project, project.environments, { outDir: out, cache: false });
      expect(stacks.map((x) => x.name)).toEqual(['registry', 'dev-cluster', 'dev-api', 'dev-job-batch']);
      const read = (name: string) =>
        JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8')) as TfJson;
      const svc = read('dev-api');
      const job = read('dev-job-batch');
      const defs = (j: TfJson) =>
        JSON.parse(only(j, 'aws_ecs_task_definition')['container_definitions'] as string) as Array<
          Record<string, unknown>
        >;
      const normalize = (text: string) => text.replace(/\/ecs\/acme\/dev\/(jobs\/batch|api)/g, 'GROUP');
      expect(normalize(JSON.stringify(defs(job)))).toBe(normalize(JSON.stringify(defs(svc))));
      for (const id of ['ExecutionPolicy', 'TaskPolicy'])
        expect(only(job, 'aws_iam_role_policy', id)['policy']).toBe(only(svc, 'aws_iam_role_policy', id)['policy']);
      expect(only(job, 'aws_ecs_task_definition')).toMatchObject({
        family: 'acme-dev-job-batch',
        cpu: '512',
        memory: '1024',
        network_mode: 'awsvpc',
        skip_destroy: true,
      });
      expect(only(job, 'aws_scheduler_schedule')).toMatchObject({
        schedule_expression: 'rate(1 hour)',
        schedule_expression_timezone: 'UTC',
        state: 'ENABLED',
        flexible_time_window: { mode: 'OFF' },
      });
      expect(resources(job, 'aws_sqs_queue')).toEqual({});
      expect(selectStacks(project.environments, ['job-batch']).map((r) => r.name)).toEqual(['dev-job-batch']);
      expect(() => selectStacks(project.environments, ['batch'])).toThrow(/did you mean 'job-batch'/);
    } finally {
      p.cleanup();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
