/** JSON Schemas of the configuration files, generated from the zod schemas (never hand-written). */
import { z } from 'zod';
import { JobFileSchema, JobOverrideSchema } from './job';
import { EnvironmentSchema, ProjectSchema, ServiceFileSchema, ServiceOverrideSchema } from './schema';

export const SCHEMA_KINDS = ['project', 'environment', 'service', 'job'] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

const TITLES: Record<SchemaKind, string> = {
  project: 'ecsdeploy project file (ecsdeploy.yaml)',
  environment: 'ecsdeploy environment file (environments/<env>.yaml)',
  service: 'ecsdeploy service file (services/<service>.yaml)',
  job: 'ecsdeploy scheduled job file (jobs/<job>.yaml)',
};

export function jsonSchema(kind: SchemaKind): Record<string, unknown> {
  const schema =
    kind === 'project'
      ? ProjectSchema
      : kind === 'environment'
        ? EnvironmentSchema
        : kind === 'job'
          ? JobFileSchema.extend({
              environments: z
                .record(z.string(), JobOverrideSchema)
                .optional()
                .describe('Per-environment overrides: environments.<env>.<key> replaces <key> in that environment.'),
            })
          : ServiceFileSchema.extend({
              environments: z
                .record(z.string(), ServiceOverrideSchema)
                .optional()
                .describe('Per-environment overrides: environments.<env>.<key> replaces <key> in that environment.'),
            });
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return { $id: `https://ecsdeploy.dev/schemas/${kind}.schema.json`, title: TITLES[kind], ...out };
}
