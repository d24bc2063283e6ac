/**
 * `environments.<env>.adopt` of a service file: the ECS service (and what goes with it) that already
 * runs in that environment, created outside ecsdeploy, which the service stack takes over instead of
 * creating new resources. `ecsdeploy import service` writes it from the live service.
 *
 * Two uses, both forever:
 * - until the first apply that adopted them, Terraform `import` blocks for the existing resources
 *   (their import IDs are the ARNs and names here, or derived from them: ./adopt.ts importIds);
 * - the names the synthesized resources keep, because changing them would make Terraform replace
 *   the resource (ECS service name and cluster, target group name and port, log group name, scaling
 *   policy names): keep this section in the file after the adoption.
 *
 * Keys follow the ECS, Elastic Load Balancing and Application Auto Scaling API names.
 */
import { z } from 'zod';

const ARN_PARTITION = 'arn:aws[a-z-]*';
export const TARGET_GROUP_ARN = new RegExp(
  `^${ARN_PARTITION}:elasticloadbalancing:[a-z0-9-]+:\\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$`,
);
export const LISTENER_ARN = new RegExp(
  `^${ARN_PARTITION}:elasticloadbalancing:[a-z0-9-]+:\\d{12}:listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+/[0-9a-f]+$`,
);
export const LISTENER_RULE_ARN = new RegExp(
  `^${ARN_PARTITION}:elasticloadbalancing:[a-z0-9-]+:\\d{12}:listener-rule/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+$`,
);

/** ECS service and cluster names: up to 255 letters, digits, '-' and '_' (ECS CreateService). */
const ecsName = (what: string) =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/,
      `must be an ECS ${what} name: letters, digits, '-' and '_', at most 255`,
    );

/** An Application Auto Scaling policy name (PutScalingPolicy PolicyName). */
const policyName = z
  .string()
  .regex(/^[\p{L}\p{N}_+=,.@ -]{1,256}$/u, 'must be a scaling policy name (no ":" or "/", at most 256 characters)');

export const AdoptSchema = z
  .strictObject({
    serviceName: ecsName('service').describe(
      'The existing ECS service (CreateService serviceName). The service keeps this name: renaming would replace it.',
    ),
    cluster: ecsName('cluster').describe(
      "The cluster it runs on, by name. Must be this environment's cluster: its `cluster.existing`, or the cluster ecsdeploy created for it.",
    ),
    launchType: z
      .enum(['EC2', 'FARGATE', 'EXTERNAL'])
      .optional()
      .describe(
        'The launch type of a service created with one (DescribeServices launchType) rather than a capacity provider strategy: moving from one to the other replaces the service, so ecsdeploy keeps it.',
      ),
    taskDefinitionFamily: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,255}$/, "must be a task definition family: letters, digits, '-' and '_', at most 255")
      .optional()
      .describe(
        "Family of the service's task definition: new revisions are registered in it (default: ecsdeploy's own family name).",
      ),
    logGroup: z
      .string()
      .regex(/^[\w#/.-]{1,512}$/, "must be a CloudWatch Logs group name: letters, digits, '_', '-', '/', '.' and '#'")
      .optional()
      .describe(
        "The existing log group of the main container's logs; it is imported and keeps its name (a rename replaces it).",
      ),
    targetGroup: z
      .strictObject({
        arn: z
          .string()
          .regex(
            TARGET_GROUP_ARN,
            'must be a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)',
          )
          .describe('Its ARN: the Terraform import ID.'),
        name: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,32}$/, "must be a target group name: letters, digits and '-', at most 32")
          .describe('Its name, kept (a rename replaces it).'),
        port: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .optional()
          .describe('Its port, kept (a change replaces it); default: the container port.'),
      })
      .optional()
      .describe("The target group the service registers its tasks in (the service's loadBalancers)."),
    listenerRule: z
      .strictObject({
        arn: z
          .string()
          .regex(
            LISTENER_RULE_ARN,
            'must be a listener rule ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener-rule/app/...)',
          )
          .describe('Its ARN: the Terraform import ID.'),
        priority: z
          .number()
          .int()
          .min(1)
          .max(50000)
          .describe(
            "Its priority, kept: the rule keeps its place among the listener's rules (it takes the place of http.priority).",
          ),
      })
      .optional()
      .describe(
        "The rule of `loadBalancer.existing` that forwards to the target group. Its listener must be the environment's listener.",
      ),
    scaling: z
      .strictObject({
        policies: z
          .strictObject({
            cpu: policyName
              .optional()
              .describe('The target tracking policy on ECSServiceAverageCPUUtilization (scaling.cpu).'),
            memory: policyName
              .optional()
              .describe('The target tracking policy on ECSServiceAverageMemoryUtilization (scaling.memory).'),
            requests: policyName
              .optional()
              .describe('The target tracking policy on ALBRequestCountPerTarget (scaling.requestsPerTarget).'),
            step: policyName.optional().describe('The step scaling policy (scaling.step).'),
          })
          .default({})
          .describe(
            'Existing scaling policies by the scaling key of this file they become; they are imported and keep their names.',
          ),
      })
      .optional()
      .describe(
        "The service's scalable target (service/<cluster>/<serviceName>, imported) and its policies. Needs `scaling` in the service.",
      ),
  })
  .describe(
    'An ECS service that already runs in this environment, created outside ecsdeploy, to take over without replacing it (`ecsdeploy import service` writes it). The first plan imports the resources named here; keep this section afterwards: it keeps their names.',
  );
export type AdoptConfig = z.infer<typeof AdoptSchema>;

/** The Terraform import IDs of an adopted service's resources, by what they are. */
export interface AdoptImportIds {
  /** aws_ecs_service: `<cluster>/<service>`. */
  readonly service: string;
  readonly targetGroup?: string;
  readonly listenerRule?: string;
  readonly logGroup?: string;
  /** aws_appautoscaling_target: `ecs/service/<cluster>/<service>/ecs:service:DesiredCount`. */
  readonly scalingTarget?: string;
  /** aws_appautoscaling_policy: `ecs/service/<cluster>/<service>/ecs:service:DesiredCount/<policy>`. */
  readonly scalingPolicies: Readonly<Partial<Record<'cpu' | 'memory' | 'requests' | 'step', string>>>;
}

/** What Terraform's `import` blocks name, per resource type's documented import ID format. */
export function importIds(adopt: AdoptConfig): AdoptImportIds {
  const scalable = `ecs/service/${adopt.cluster}/${adopt.serviceName}/ecs:service:DesiredCount`;
  const policies = adopt.scaling?.policies ?? {};
  return {
    service: `${adopt.cluster}/${adopt.serviceName}`,
    ...(adopt.targetGroup ? { targetGroup: adopt.targetGroup.arn } : {}),
    ...(adopt.listenerRule ? { listenerRule: adopt.listenerRule.arn } : {}),
    ...(adopt.logGroup ? { logGroup: adopt.logGroup } : {}),
    ...(adopt.scaling ? { scalingTarget: scalable } : {}),
    scalingPolicies: Object.fromEntries(
      Object.entries(policies)
        .filter(([, n]) => n !== undefined)
        .map(([k, n]) => [k, `${scalable}/${n}`]),
    ),
  };
}

type Path = Array<string | number>;

/**
 * The combinations of `adopt` with the rest of the service that would make the first plan create
 * or replace what it is meant to import (called from ./service-rules checkService).
 */
export function checkAdopt(
  s: {
    adopt?: AdoptConfig | undefined;
    http?: unknown;
    scaling?:
      | {
          cpu?: number | undefined;
          memory?: number | undefined;
          requestsPerTarget?: number | undefined;
          step?: unknown;
        }
      | undefined;
    launchType: 'ec2' | 'fargate';
    capacityProviderStrategy?: unknown;
  },
  issue: (path: Path, message: string) => void,
): void {
  const a = s.adopt;
  if (a === undefined) return;
  if (a.targetGroup !== undefined && s.http === undefined)
    issue(
      ['adopt', 'targetGroup'],
      "an adopted target group needs the service's http block (it becomes the target group of http)",
    );
  if (a.listenerRule !== undefined && s.http === undefined)
    issue(
      ['adopt', 'listenerRule'],
      "an adopted listener rule needs the service's http block (it becomes the rule of http.paths / http.hosts)",
    );
  if (s.http !== undefined && a.targetGroup === undefined)
    issue(
      ['adopt'],
      'the service has http: give adopt.targetGroup (the existing target group its tasks are registered in), or the first apply creates a new one and moves the service to it',
    );
  if (a.scaling !== undefined && s.scaling === undefined)
    issue(['adopt', 'scaling'], "adopted scaling needs the service's scaling block (min, max and the policies)");
  if (a.scaling !== undefined && s.scaling !== undefined) {
    const uses = {
      cpu: s.scaling.cpu !== undefined,
      memory: s.scaling.memory !== undefined,
      requests: s.scaling.requestsPerTarget !== undefined,
      step: s.scaling.step !== undefined,
    };
    const key = {
      cpu: 'scaling.cpu',
      memory: 'scaling.memory',
      requests: 'scaling.requestsPerTarget',
      step: 'scaling.step',
    } as const;
    for (const [k, name] of Object.entries(a.scaling.policies) as Array<[keyof typeof key, string | undefined]>) {
      if (name !== undefined && !uses[k])
        issue(
          ['adopt', 'scaling', 'policies', k],
          `the policy '${name}' becomes the service's ${key[k]}, which is not set: set ${key[k]}, or remove this line (the policy then stays as it is, outside ecsdeploy)`,
        );
    }
  }
  if (a.launchType !== undefined) {
    const wanted = a.launchType === 'FARGATE' ? 'fargate' : a.launchType === 'EC2' ? 'ec2' : undefined;
    if (wanted === undefined)
      issue(
        ['adopt', 'launchType'],
        'ecsdeploy runs services on EC2 or Fargate; an EXTERNAL service cannot be adopted',
      );
    else if (s.launchType !== wanted)
      issue(
        ['launchType'],
        `must be ${wanted}: the adopted service runs with launchType ${a.launchType}, and changing it replaces the service`,
      );
    if (s.capacityProviderStrategy !== undefined)
      issue(
        ['capacityProviderStrategy'],
        `the adopted service runs with launchType ${a.launchType}: moving it to a capacity provider strategy replaces the service; remove capacityProviderStrategy (or adopt.launchType, if the service has a strategy)`,
      );
  }
}
