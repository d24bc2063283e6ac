/**
 * The registry's ECR repositories are not replaced by accident (src/ops/infra/repository-guard): a
 * plan that replaces one (ECR cannot change `registry.encryptionConfiguration` in place) shows the
 * replacement and what forces it, and apply refuses it before asking or applying anything, unless
 * --allow-replace. Through the infra runner with a scripted engine.
 */
import { ReplaceRefusedError, type InfraEvent } from '../../src/ops/infra';
import { summarizePlan, type PlannedStack } from '../../src/terraform';
import { formatPlan } from '../../src/ui/infra-view';
import { projectWith } from '../config/fixture-project';
import { refusal, scriptedRunner } from './scripted-runner';

/** `terraform show -json` of the registry stack: the api repository replaced (or changed in place). */
function registryPlan(actions: string[], replacePaths?: Array<Array<string | number>>): PlannedStack {
  return {
    planFile: 'registry.tfplan',
    summary: summarizePlan({
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_ecr_repository.Repository-api',
          type: 'aws_ecr_repository',
          name: 'Repository-api',
          change: {
            actions,
            before: { name: 'acme/api' },
            after: { name: 'acme/api' },
            ...(replacePaths ? { replace_paths: replacePaths } : {}),
          },
        },
      ],
    }),
  };
}
const encryptionChange = () => registryPlan(['delete', 'create'], [['encryption_configuration', 0, 'encryption_type']]);

let project: ReturnType<typeof projectWith>;
let calls: string[];
beforeEach(() => {
  project = projectWith({
    'ecsdeploy.yaml':
      'project: acme\nregion: us-east-1\nregistry:\n  encryptionConfiguration:\n    encryptionType: KMS\n',
  });
  calls = [];
});
afterEach(() => project.cleanup());

const runner = (plans: PlannedStack[]) => scriptedRunner(calls, plans);
const request = (extra: Record<string, unknown> = {}) => ({
  dir: project.dir,
  env: 'dev',
  stacks: ['registry'],
  onEvent: (_e: InfraEvent) => undefined,
  ...extra,
});

it('plan shows the replaced repository and the attribute that forces it', async () => {
  const report = await runner([encryptionChange()]).plan(request());
  expect(report.stacks[0]!.summary).toMatchObject({ replace: 1 });
  expect(formatPlan(report)).toContain(
    '-/+ aws_ecr_repository.Repository-api  (replace, forced by encryption_configuration.0.encryption_type)',
  );
});

it('apply refuses a plan that replaces a repository, before asking or applying anything', async () => {
  const { err, asked } = await refusal((confirm) => runner([encryptionChange()]).apply(request({ confirm })));
  expect(err).toBeInstanceOf(ReplaceRefusedError);
  expect((err as ReplaceRefusedError).exitCode).toBe(1);
  expect((err as Error).message).toBe(
    'Refusing to apply: registry would replace the ECR repository aws_ecr_repository.Repository-api (encryption_configuration.0.encryption_type cannot change in place). Replacing a repository deletes it with every image in it, the images the release records point at; the delete fails while it holds images. Nothing was applied.',
  );
  expect((err as ReplaceRefusedError).suggestions[0]).toMatch(
    /^ECR cannot change the encryption of an existing repository/,
  );
  expect((err as ReplaceRefusedError).suggestions.at(-1)).toMatch(/--allow-replace\.$/);
  expect(asked).toBe(false);
  expect(calls).toEqual(['registry plan']);
});

it('--allow-replace applies it', async () => {
  const report = await runner([encryptionChange()]).apply(request({ allowReplace: true, confirm: async () => true }));
  expect(report.stacks.map((s) => s.applied)).toEqual([true]);
  expect(calls).toEqual(['registry plan', 'registry apply registry.tfplan']);
});

it('a repository changed in place (its scanning, its tags) is applied without asking for more', async () => {
  await runner([registryPlan(['update'])]).apply(request({ confirm: async () => true }));
  expect(calls).toEqual(['registry plan', 'registry apply registry.tfplan']);
});
