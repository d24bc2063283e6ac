/**
 * The configuration users write, as zod schemas: `ecsdeploy.yaml` (project), `environments/<env>.yaml`
 * and `services/<service>.yaml`. Every key is documented in docs/configuration.md; `ecsdeploy config
 * schema` prints these as JSON Schema for editors.
 *
 * Objects are strict (an unknown key is an error with a "did you mean" hint). Names follow the ECS
 * API where one exists (minimumHealthyPercent, healthCheckGracePeriod), and AWS Copilot where the
 * ECS API has none (count, variables, secrets, http).
 */
import { z } from 'zod';
import { AdoptSchema, LISTENER_ARN } from './adopt';
import { ContainerFields, SidecarSchema } from './container';
import { isValidCron } from './cron';
import { checkService } from './service-rules';
import { ServiceLevelFields } from './service-options';
import { DURATION, DURATION_EXAMPLES } from '../duration';

// zod compiles a fast parser for each object schema (new Function) on its first parse. A command
// parses a handful of small files once, so that compile never pays for itself, and generated code
// is not in the CLI's V8 code cache. Set before any schema below is built: zod reads it then.
z.config({ jitless: true });

const NAME = /^[a-z][a-z0-9-]*$/;
const name = (what: string, max: number) =>
  z
    .string()
    .regex(NAME, `${what} must start with a letter and use only lowercase letters, digits and '-'`)
    .max(max, `${what} must be at most ${max} characters (it is part of AWS resource names)`);

const count = z.number().int().min(0, 'must be 0 or more');
const positive = z.number().int().min(1, 'must be 1 or more');
const percent = (min: number, max: number) =>
  z.number().int().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
const seconds = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min, `must be between ${min} and ${max} seconds`)
    .max(max, `must be between ${min} and ${max} seconds`);
const cron = z.string().refine(isValidCron, {
  message: "must be a 5-field cron expression 'minute hour day-of-month month day-of-week', e.g. '0 8 * * MON-FRI'",
});
/** A time span in the one duration grammar (src/duration.ts): 30m, 48h, 7d, 1h30m. */
const duration = z.string().regex(DURATION, `must be a duration such as ${DURATION_EXAMPLES}`);
const tags = z.record(z.string(), z.string()).default({}).describe('Extra tags for every resource.');

// ---------------------------------------------------------------------------------------------
// AWS accounts: an environment (or the registry) in an account of its own, reached through a role.

/** A 12-digit account id, as a string: a YAML number would lose leading zeros. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An IAM role ARN in any partition (aws, aws-cn, aws-us-gov, ...); group 1 is its account. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

const account = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? `must be a quoted string such as "${String(iss.input).padStart(12, '0')}": a YAML number loses leading zeros, so write the 12 digits in quotes`
        : undefined,
  })
  .regex(ACCOUNT_ID, 'must be a 12-digit AWS account id, quoted, such as "123456789012"');
const roleArn = z.string().regex(ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/deployer');

/** The keys that put something in an AWS account of its own (an environment, the registry). */
export const AccountFields = {
  account: account
    .optional()
    .describe(
      'The AWS account (12 digits, quoted) the credentials must belong to: every plan, apply, deploy and roll stops before changing anything when they belong to another one.',
    ),
  role: roleArn
    .optional()
    .describe(
      "IAM role assumed (STS AssumeRole) for everything in this account: the engine's provider and every AWS call of the CLI. Its account must be `account`.",
    ),
  externalId: z
    .string()
    .min(2)
    .max(1224)
    .optional()
    .describe("ExternalId of the AssumeRole call, when the role's trust policy requires one."),
  sessionName: z
    .string()
    .regex(/^[\w+=,.@-]{2,64}$/, "must be 2 to 64 letters, digits or '+=,.@_-'")
    .optional()
    .describe('RoleSessionName of the AssumeRole call (what CloudTrail shows). @default ecsdeploy-<user>'),
};

/** The cross-key rules of AccountFields: the role belongs to the account, and the role's options need a role. */
function checkAccount(
  v: {
    account?: string | undefined;
    role?: string | undefined;
    externalId?: string | undefined;
    sessionName?: string | undefined;
  },
  ctx: z.RefinementCtx,
  label = '',
): void {
  if (v.role !== undefined) {
    const roleAccount = ROLE_ARN.exec(v.role)?.[1];
    if (v.account === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['role'],
        message: `needs ${label}account: the account the role belongs to${roleAccount ? ` ("${roleAccount}")` : ''}, which the CLI and the engine check before changing anything`,
      });
    } else if (roleAccount !== undefined && roleAccount !== v.account) {
      ctx.addIssue({
        code: 'custom',
        path: ['role'],
        message: `belongs to account ${roleAccount}, not to ${label}account ${v.account}: the role must be in the account it deploys to`,
      });
    }
  }
  for (const key of ['externalId', 'sessionName'] as const) {
    if (v[key] !== undefined && v.role === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `needs ${label}role: it is an option of assuming that role`,
      });
  }
}

/** A rule of the policy suite (docs/security.md) by the Checkov ID it mirrors. */
export const POLICY_RULE_ID = /^CKV2?_AWS_\d+$/;

/** Rules of the policy suite (docs/security.md) allowed to fail here, each with the reason `plan` shows. */
const PolicySchema = z
  .strictObject({
    allow: z
      .array(
        z.strictObject({
          rule: z
            .string()
            .regex(POLICY_RULE_ID, 'must be the Checkov ID of a rule of docs/security.md, such as CKV_AWS_91')
            .describe('The Checkov ID of the rule allowed to fail.'),
          reason: z
            .string()
            .trim()
            .min(10, 'must say why, in a sentence (plan shows it)')
            .describe('Why: shown by `ecsdeploy plan` and in docs/security.md.'),
        }),
      )
      .default([])
      .superRefine((allow, ctx) => {
        const seen = new Set<string>();
        allow.forEach((a, i) => {
          if (seen.has(a.rule))
            ctx.addIssue({ code: 'custom', path: [i, 'rule'], message: `${a.rule} is allowed twice: keep one reason` });
          seen.add(a.rule);
        });
      }),
  })
  .describe('Security policy rules (docs/security.md) allowed to fail, each with a written reason.');

/** A KMS key by ARN (an alias would be stored as the key's ARN, and show a change on every plan). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
/** A KMS key given by its ARN (an alias would show as a change on every plan). */
const kmsKeyArn = () =>
  z
    .string()
    .regex(
      KMS_KEY_ARN,
      'must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );

/**
 * How the registry's ECR repositories are encrypted at rest, as ECR's CreateRepository names it.
 * ECR cannot change it on an existing repository: a change replaces the repository (plan shows it;
 * apply refuses without --allow-replace).
 */
const EcrEncryptionSchema = z
  .strictObject({
    encryptionType: z
      .enum(['AES256', 'KMS'])
      .describe("AES256: ECR's own keys (S3-managed). KMS: a KMS key, kmsKey or else the AWS-managed aws/ecr key."),
    kmsKey: kmsKeyArn()
      .optional()
      .describe(
        'encryptionType KMS: the customer managed key. Whoever applies the registry stack needs kms:CreateGrant, kms:RetireGrant and kms:DescribeKey on it. @default the AWS-managed key aws/ecr',
      ),
  })
  .superRefine((e, ctx) => {
    if (e.kmsKey !== undefined && e.encryptionType !== 'KMS')
      ctx.addIssue({
        code: 'custom',
        path: ['kmsKey'],
        message: `needs encryptionType: KMS (it is ${e.encryptionType}, which encrypts with ECR's own keys and takes no KMS key)`,
      });
  })
  .describe(
    "How every repository of the registry is encrypted at rest (ECR's encryptionConfiguration). Changing it replaces the repositories, deleting their images. @default encryptionType AES256",
  );

// ---------------------------------------------------------------------------------------------
// Project file: ecsdeploy.yaml

export const ProjectSchema = z.strictObject({
  $schema: z.string().optional(),
  project: name('project', 20).describe('Project name: the first part of every AWS resource name.'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
    .describe('Default AWS region.'),
  state: z
    .discriminatedUnion('backend', [
      z.strictObject({ backend: z.literal('local'), path: z.string().default('.ecsdeploy/state') }),
      z.strictObject({
        backend: z.literal('s3'),
        bucket: z.string().min(3),
        prefix: z.string().default('ecsdeploy'),
        region: z.string().optional(),
        lockTable: z.string().optional().describe('DynamoDB lock table, for engines without use_lockfile.'),
        role: roleArn
          .optional()
          .describe(
            "IAM role the engine assumes to read and write the state bucket. @default the environment's role (the registry's for the registry stack)",
          ),
      }),
    ])
    .default({ backend: 'local', path: '.ecsdeploy/state' })
    .describe('Where Terraform state is kept: one state per stack.'),
  releases: z
    .discriminatedUnion('store', [
      z.strictObject({ store: z.literal('local'), path: z.string().default('.ecsdeploy/releases') }),
      z.strictObject({
        store: z.literal('s3'),
        bucket: z.string().min(3),
        prefix: z.string().default('ecsdeploy/releases'),
        role: roleArn
          .optional()
          .describe(
            "IAM role the CLI assumes to read and write release records. @default the environment's role, else the registry's",
          ),
      }),
    ])
    .default({ store: 'local', path: '.ecsdeploy/releases' })
    .describe('Where release records (which image runs where) are kept.'),
  endpoint: z
    .url()
    .optional()
    .describe(
      'A custom AWS API endpoint (LocalStack, moto) for the shared registry stack, and the default of every environment. Leave unset for AWS.',
    ),
  registry: z
    .strictObject({ ...AccountFields, encryptionConfiguration: EcrEncryptionSchema.optional() })
    .superRefine((r, ctx) => checkAccount(r, ctx, 'registry.'))
    .optional()
    .describe(
      "The shared registry stack (ECR repositories): the account it is in (its repositories let every environment's account pull), and how its repositories are encrypted. @default the standard credentials' account",
    ),
  engine: z
    .string()
    .min(1)
    .default('auto')
    .describe("Terraform engine: 'auto' (terraform, then tofu), 'terraform', 'tofu' or a path to a binary."),
  defaultEnvironment: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The environment of a command run without --env (ECSDEPLOY_ENV overrides it). A command that changes an environment never takes a protected one by default.',
    ),
  ephemeral: z
    .strictObject({
      defaultBase: z
        .string()
        .min(1)
        .optional()
        .describe('The permanent environment `env create NAME` makes environments from when --from is not given.'),
    })
    .optional()
    .describe('Defaults of the environments on demand.'),
  policy: PolicySchema.optional().describe(
    'Security policy rules (docs/security.md) allowed to fail in every stack of the project, each with a written reason.',
  ),
  tags,
});
export type ProjectConfig = z.infer<typeof ProjectSchema>;

// ---------------------------------------------------------------------------------------------
// Environment files: environments/<env>.yaml

const ScheduleSchema = z.strictObject({
  name: name('schedule name', 40),
  cron: cron.describe('When, as 5-field cron in UTC unless timezone is set.'),
  timezone: z.string().optional(),
  min: count.optional(),
  max: count.optional(),
  desired: count.optional(),
});

/** Service auto scaling schedules set the task-count bounds; the desired count follows them. */
const ScalingScheduleSchema = ScheduleSchema.omit({ desired: true });

/** The retention periods CloudWatch Logs accepts (0: never expire). */
const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The destinations of an outbound rule, as EC2's security group rules name them: exactly one per rule. */
const EGRESS_DESTINATIONS = ['cidrIpv4', 'cidrIpv6', 'prefixListId', 'referencedGroupId'] as const;

/**
 * One outbound rule of the tasks' and instances' security groups, named as EC2's security group
 * rules name it (AuthorizeSecurityGroupEgress, SecurityGroupRuleRequest): one protocol, one port
 * range, one destination.
 */
const EgressRuleSchema = z
  .strictObject({
    ipProtocol: z
      .enum(['tcp', 'udp', 'icmp', 'icmpv6', '-1'])
      .describe("tcp, udp, icmp, icmpv6, or '-1' for every protocol and port."),
    fromPort: z
      .number()
      .int()
      .optional()
      .describe('tcp and udp: the first port of the range (0-65535); icmp: the ICMP type (-1: every type).'),
    toPort: z
      .number()
      .int()
      .optional()
      .describe('tcp and udp: the last port of the range; icmp: the ICMP code (-1: every code). @default fromPort'),
    cidrIpv4: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/16 or 0.0.0.0/0')
      .optional()
      .describe('Destination: an IPv4 range.'),
    cidrIpv6: z
      .string()
      .regex(/^[0-9a-fA-F:]+\/\d{1,3}$/, 'must be an IPv6 CIDR such as 2001:db8::/32 or ::/0')
      .optional()
      .describe('Destination: an IPv6 range.'),
    prefixListId: z
      .string()
      .regex(/^pl-[0-9a-f]+$/, 'must be a prefix list id such as pl-6da54004')
      .optional()
      .describe("Destination: a managed prefix list (such as S3's, for a gateway endpoint)."),
    referencedGroupId: z
      .string()
      .regex(/^sg-[0-9a-f]+$/, 'must be a security group id such as sg-0abc123')
      .optional()
      .describe("Destination: a security group's members (a database's, VPC endpoints')."),
    description: z.string().max(255).optional(),
  })
  .superRefine((r, ctx) => {
    const destinations = EGRESS_DESTINATIONS.filter((d) => r[d] !== undefined);
    if (destinations.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `needs a destination: one of ${EGRESS_DESTINATIONS.join(', ')}`,
      });
    for (const extra of destinations.slice(1))
      ctx.addIssue({
        code: 'custom',
        path: [extra],
        message: `is a second destination beside ${destinations[0]}: write one rule per destination`,
      });
    if (r.ipProtocol === '-1') {
      for (const key of ['fromPort', 'toPort'] as const)
        if (r[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: "must not be set with ipProtocol '-1', which is every protocol on every port",
          });
      return;
    }
    const [min, max, what] =
      r.ipProtocol === 'tcp' || r.ipProtocol === 'udp' ? [0, 65535, 'a port'] : [-1, 255, 'an ICMP type or code'];
    if (r.fromPort === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromPort'],
        message: `is required with ipProtocol ${r.ipProtocol}: ${r.ipProtocol === 'tcp' || r.ipProtocol === 'udp' ? 'the first port of the range (toPort defaults to it)' : 'the ICMP type, -1 for every type'}`,
      });
      return;
    }
    for (const key of ['fromPort', 'toPort'] as const) {
      const v = r[key];
      if (v !== undefined && (v < min || v > max))
        ctx.addIssue({ code: 'custom', path: [key], message: `must be ${what} from ${min} to ${max}` });
    }
    if (
      (r.ipProtocol === 'tcp' || r.ipProtocol === 'udp') &&
      r.toPort !== undefined &&
      r.toPort < r.fromPort &&
      r.fromPort <= max
    )
      ctx.addIssue({
        code: 'custom',
        path: ['toPort'],
        message: `must be fromPort (${r.fromPort}) or more: the range runs from fromPort to toPort`,
      });
  });
export type EgressRule = z.infer<typeof EgressRuleSchema>;

const egress = z
  .array(EgressRuleSchema)
  .min(
    1,
    'tasks reach ECR, CloudWatch Logs and Secrets Manager over HTTPS (443) at least; leave egress out to allow all outbound traffic',
  )
  .superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((r, i) => {
      const key = [r.ipProtocol, r.fromPort, r.toPort ?? r.fromPort, ...EGRESS_DESTINATIONS.map((d) => r[d])].join(' ');
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: [i], message: `is the same rule as network.egress[${first}]: keep one` });
      else seen.set(key, i);
    });
  })
  .optional()
  .describe(
    "Outbound rules of the tasks' (awsvpc) and container instances' security groups, instead of all traffic to anywhere. DNS, the instance and task metadata endpoints and NTP are not filtered by security groups; tasks need HTTPS (443) to ECR, S3 (image layers), CloudWatch Logs, Secrets Manager and SSM. @default all traffic to 0.0.0.0/0",
  );

const NetworkSchema = z.union([
  z.strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id such as vpc-0abc123'),
    publicSubnets: z
      .array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id'))
      .min(2, 'an ALB needs subnets in at least 2 availability zones'),
    privateSubnets: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id')).min(1),
    egress,
  }),
  z.strictObject({
    create: z.strictObject({
      cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/(1[6-9]|2[0-4])$/, 'must be an IPv4 CIDR from /16 to /24'),
      availabilityZones: z.number().int().min(2).max(3).default(2),
      natGateways: z.enum(['none', 'single', 'per-az']).default('single'),
    }),
    egress,
  }),
]);

export const EnvironmentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    region: z.string().optional().describe('AWS region; defaults to the project region.'),
    protected: z
      .boolean()
      .default(false)
      .describe('Refuse destroy unless forced; commands that change it need --env typed (never a default).'),
    endpoint: z
      .url()
      .optional()
      .describe('A custom AWS API endpoint for every service (LocalStack, moto). Leave unset for AWS.'),
    ...AccountFields,
    network: NetworkSchema.describe('An existing VPC by id, or one to create.'),
    loadBalancer: z
      .strictObject({
        existing: z
          .strictObject({
            listenerArn: z
              .string()
              .regex(
                LISTENER_ARN,
                'must be an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
              )
              .describe("The existing listener services' rules are added to."),
            securityGroupId: z
              .string()
              .regex(/^sg-[0-9a-f]+$/, 'must be a security group id such as sg-0abc123')
              .optional()
              .describe(
                "The load balancer's security group, which the tasks' security groups let in (awsvpc services).",
              ),
          })
          .optional()
          .describe(
            'Use an existing Application Load Balancer instead of creating one: its listener, by ARN. Rolling deployments only (no test listener).',
          ),
        certificateArn: z.string().startsWith('arn:', 'must be an ACM certificate ARN').optional(),
        domain: z.string().optional().describe('Domain of this environment, e.g. dev.example.com.'),
        internal: z.boolean().default(false),
        idleTimeout: seconds(1, 4000).default(60),
        testListenerPort: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .default(8443)
          .describe(
            'Port of the test listener that blue/green, canary and linear deployments use before shifting traffic.',
          ),
        deletionProtection: z
          .boolean()
          .optional()
          .describe(
            "The load balancer's deletion protection (enable_deletion_protection). @default the environment's `protected`",
          ),
        accessLogs: z
          .strictObject({
            bucket: z
              .string()
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
              .describe('The S3 bucket of the access logs (its policy must let Elastic Load Balancing write).'),
            prefix: z.string().min(1).optional().describe('Key prefix of the logs in the bucket. @default none'),
          })
          .optional()
          .describe("The load balancer's access logs, to an S3 bucket. @default off"),
      })
      .default({ internal: false, idleTimeout: 60, testListenerPort: 8443 }),
    cluster: z
      .strictObject({
        existing: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, "must be an ECS cluster name: letters, digits, '-' and '_'")
          .optional()
          .describe(
            'Use an existing ECS cluster, by name, instead of creating one (with Fargate, or the EC2 capacity it already has).',
          ),
        containerInsights: z.boolean().default(true),
        ec2: z
          .strictObject({
            instanceTypes: z
              .array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'must be an instance type such as t3.medium'))
              .min(1),
            ami: z
              .string()
              .default('/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id')
              .describe('SSM parameter of the ECS-optimized AMI.'),
            minSize: count,
            maxSize: count,
            desiredCapacity: count.optional(),
            targetCapacity: percent(1, 100).default(100).describe('Capacity provider managed scaling target, %.'),
            rootVolumeSize: z.number().int().min(30).max(16384).default(30),
            spot: z
              .strictObject({
                onDemandBaseCapacity: count.default(0),
                onDemandPercentage: percent(0, 100).default(0),
                allocationStrategy: z
                  .enum(['price-capacity-optimized', 'capacity-optimized', 'lowest-price'])
                  .default('price-capacity-optimized'),
              })
              .optional(),
            draining: z.enum(['managed', 'lifecycle-hook']).default('managed'),
            schedules: z.array(ScheduleSchema).default([]),
          })
          .optional(),
        fargate: z.boolean().default(false),
        fargateSpot: z.boolean().default(false),
      })
      .default({ containerInsights: true, fargate: false, fargateSpot: false }),
    services: z
      .array(z.string())
      .optional()
      .describe('Services deployed here (file names in services/); all when omitted.'),
    jobs: z
      .array(z.string())
      .optional()
      .describe('Scheduled jobs deployed here (file names in jobs/); all when omitted.'),
    ephemeral: z
      .strictObject({
        ttl: duration
          .default('48h')
          .describe('Default time to live of an environment created from this one (e.g. 48h, 7d).'),
        maxTtl: duration.default('14d').describe('Longest time to live (and extension) allowed.'),
        count: count.default(1).describe('Desired tasks of each service.'),
        maxCount: positive.default(2).describe('Auto scaling never goes beyond this many tasks.'),
      })
      .default({ ttl: '48h', maxTtl: '14d', count: 1, maxCount: 2 })
      .describe('Defaults of the environments on demand created from this one (`env create NAME --from <this>`).'),
    overrides: z
      .record(z.string(), z.record(z.string().min(1), z.unknown()))
      .default({})
      .describe('Last resort: set any argument of a resource of the cluster stack, by resource and Terraform path.'),
    policy: PolicySchema.optional().describe(
      "Security policy rules (docs/security.md) allowed to fail in this environment's stacks, each with a written reason.",
    ),
    tags,
  })
  .superRefine((e, ctx) => checkAccount(e, ctx));
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;

// ---------------------------------------------------------------------------------------------
// Service files: services/<service>.yaml

const TargetHealthSchema = z.strictObject({
  path: z.string().startsWith('/').default('/'),
  interval: seconds(5, 300).default(15),
  timeout: seconds(2, 120).default(5),
  healthyThreshold: z.number().int().min(2).max(10).default(2),
  unhealthyThreshold: z.number().int().min(2).max(10).default(3),
  matcher: z
    .string()
    .regex(/^\d{3}([-,]\d{3})*$/, "must be HTTP codes such as '200' or '200-299'")
    .default('200-399'),
});

const TrafficShift = z.strictObject({
  percent: percent(1, 99).describe('Traffic shifted per step, %.'),
  minutes: z.number().int().min(1).max(2880).describe('Minutes between steps.'),
});

const MetricSchema = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  statistic: z.enum(['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount']).default('Average'),
  dimensions: z.record(z.string(), z.string()).default({}),
});

/** The keys of a service file (and, all but the service-only ones, of a job file: ./job.ts). */
export const ServiceBody = {
  description: z.string().optional(),
  image: z
    .strictObject({
      repository: z.string().optional().describe("Image repository; defaults to the service's own ECR repository."),
      tag: z
        .string()
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag')
        .optional(),
      digest: z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 hex digits')
        .optional(),
    })
    .refine((i) => i.tag !== undefined || i.digest !== undefined, { message: 'give image.tag or image.digest' })
    .describe('The image; its digest is pinned by each release.'),
  launchType: z.enum(['ec2', 'fargate']).default('ec2').describe('EC2 capacity of the cluster, or Fargate.'),
  capacityProviderStrategy: z
    .array(
      z.strictObject({
        provider: z.enum(['ec2', 'fargate', 'fargate-spot']),
        weight: z.number().int().min(0).max(1000).default(1),
        base: z.number().int().min(0).max(100000).default(0),
      }),
    )
    .optional(),
  containerName: name('container name', 64)
    .optional()
    .describe("Name of the main container (default: the service's name)."),
  ...ContainerFields,
  cpu: positive.default(256).describe('Task CPU units (1024 = 1 vCPU).'),
  memory: positive.default(512).describe('Task memory, MiB.'),
  count: count.default(1).describe('Desired number of tasks (the scaling minimum when scaling is on).'),
  sidecars: z.record(name('sidecar name', 32), SidecarSchema).default({}),
  ...ServiceLevelFields,
  http: z
    .strictObject({
      containerName: z
        .string()
        .min(1)
        .optional()
        .describe('The container the load balancer sends requests to (default: the main container).'),
      containerPort: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .optional()
        .describe("Its port (default: that container's first port mapping)."),
      paths: z.array(z.string().startsWith('/')).min(1).optional(),
      hosts: z.array(z.string().min(1)).min(1).optional(),
      priority: z
        .number()
        .int()
        .min(20000, 'must be between 20000 and 50000 (priorities below 20000 are reserved for environments on demand)')
        .max(50000, 'must be between 20000 and 50000')
        .optional(),
      healthCheck: TargetHealthSchema.default(TargetHealthSchema.parse({})),
      deregistrationDelay: seconds(0, 3600).default(30),
      healthCheckGracePeriod: seconds(0, 2147483647).default(30),
    })
    .refine((h) => h.paths !== undefined || h.hosts !== undefined, { message: 'give http.paths, http.hosts or both' })
    .refine((h) => (h.paths?.length ?? 0) + (h.hosts?.length ?? 0) <= 4, {
      message:
        'at most 4 paths and hosts together: a listener rule holds 5 condition values, and environments on demand add one',
    })
    .optional()
    .describe('Route requests from the load balancer; omit for a worker service.'),
  deployment: z
    .strictObject({
      strategy: z.enum(['rolling', 'blue-green', 'canary', 'linear']).default('rolling'),
      minimumHealthyPercent: percent(0, 100).default(100),
      maximumPercent: percent(100, 200).default(200),
      circuitBreaker: z
        .boolean()
        .optional()
        .describe('Rolling only: stop and roll back a failing deployment (default true for rolling).'),
      alarms: z.array(z.string().min(1)).default([]).describe('CloudWatch alarm names that roll a deployment back.'),
      canary: TrafficShift.optional(),
      linear: TrafficShift.optional(),
      terminationWait: z
        .number()
        .int()
        .min(0)
        .max(2880)
        .default(5)
        .describe('Blue/green: minutes the old tasks are kept.'),
      before: z
        .array(
          z.strictObject({
            command: z
              .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
              .describe(
                'What to run: a string runs through `sh -c` in the container; a list is the exec form (no shell).',
              ),
            container: z
              .string()
              .min(1)
              .optional()
              .describe(
                'Container whose command is replaced and whose exit code decides (default: the main container).',
              ),
            timeout: duration
              .default('10m')
              .describe('How long it may run; then it is stopped and the deploy fails (e.g. 10m, 1h).'),
          }),
        )
        .default([])
        .describe(
          "One-off tasks (migrations) of the new release's task definition, run in order after it is registered and before the ECS service is updated; one that fails stops the deploy.",
        ),
    })
    .default({
      strategy: 'rolling',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      alarms: [],
      terminationWait: 5,
      before: [],
    }),
  scaling: z
    .strictObject({
      min: count,
      max: positive,
      cpu: percent(1, 100).optional().describe('Target average CPU, %.'),
      memory: percent(1, 100).optional().describe('Target average memory, %.'),
      requestsPerTarget: positive.optional(),
      scaleInCooldown: seconds(0, 3600).default(300),
      scaleOutCooldown: seconds(0, 3600).default(60),
      step: z
        .strictObject({
          metric: MetricSchema,
          steps: z.array(z.strictObject({ above: z.number(), change: z.number().int() })).min(1),
        })
        .optional(),
      schedules: z.array(ScalingScheduleSchema).default([]),
    })
    .optional(),
  logs: z
    .strictObject({
      retention: z
        .number()
        .int()
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
          message: `must be a CloudWatch Logs retention in days: ${LOG_RETENTION_DAYS.join(', ')} (0 keeps logs forever)`,
        })
        .default(30),
      kmsKeyId: kmsKeyArn()
        .optional()
        .describe(
          "The KMS key that encrypts the task's log groups (CreateLogGroup's kmsKeyId); its key policy must let CloudWatch Logs use it. @default CloudWatch Logs' own encryption",
        ),
    })
    .default({ retention: 30 }),
  ecr: z.strictObject({ keepImages: positive.default(30) }).default({ keepImages: 30 }),
  adopt: AdoptSchema.optional(),
  tags,
};

/**
 * The keys a service may override per environment: everything but `environments` itself and `ecr`
 * (the repository is shared by every environment).
 */
const { ecr: _ecr, ...OverridableBody } = ServiceBody;
export const ServiceOverrideSchema = z.strictObject(
  Object.fromEntries(Object.entries(OverridableBody).map(([k, v]) => [k, (v as z.ZodType).optional()])) as {
    [K in keyof typeof OverridableBody]: z.ZodOptional<(typeof OverridableBody)[K]>;
  },
);

export const ServiceFileSchema = z.strictObject({
  $schema: z.string().optional(),
  ...ServiceBody,
  environments: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Per-environment overrides: environments.<env>.<key> replaces <key> in that environment.'),
});

const ServiceObject = z.strictObject({ ...ServiceBody });
/** A service file's keys after its environment's overrides were merged in, before the whole-task checks. */
export type ServiceShape = z.infer<typeof ServiceObject>;

/** A service after its environment's overrides were merged in, checked as a whole (./service-rules.ts). */
export const ServiceSchema = ServiceObject.superRefine((s, ctx) => checkService(s, ctx, FARGATE_SIZES));
export type ServiceConfig = z.infer<typeof ServiceSchema>;

/** cpu → allowed memory (MiB) for Fargate tasks. */
export const FARGATE_SIZES: ReadonlyArray<readonly [number, readonly number[]]> = [
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
];

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
