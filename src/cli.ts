/**
 * The CLI's one entry point, bundled into dist/bundle/cli.js (scripts/bundle.js) and run by
 * bin/run.js through a V8 code cache (src/code-cache.ts).
 *
 * oclif finds the commands here (the "explicit" command discovery in package.json) and reads
 * their flags and help from oclif.manifest.json. Each command module is required only when that
 * command runs: `--help` loads none, `config validate` loads zod and js-yaml but not cdktf.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each command module loads when it runs, not at start. */
import type { Command } from '@oclif/core/command';

export { execute } from '@oclif/core/execute';

interface CommandModule {
  readonly default: Command.Class;
}

const loaders: Record<string, () => Command.Class> = {
  'apply': () => (require('./commands/apply') as CommandModule).default,
  'autocomplete': () => (require('./commands/autocomplete') as CommandModule).default,
  'autocomplete:script': () => (require('./commands/autocomplete/script') as CommandModule).default,
  'cluster:roll': () => (require('./commands/cluster/roll') as CommandModule).default,
  'cluster:status': () => (require('./commands/cluster/status') as CommandModule).default,
  'config:schema': () => (require('./commands/config/schema') as CommandModule).default,
  'config:validate': () => (require('./commands/config/validate') as CommandModule).default,
  'destroy': () => (require('./commands/destroy') as CommandModule).default,
  'env:create': () => (require('./commands/env/create') as CommandModule).default,
  'env:destroy': () => (require('./commands/env/destroy') as CommandModule).default,
  'env:extend': () => (require('./commands/env/extend') as CommandModule).default,
  'env:gc': () => (require('./commands/env/gc') as CommandModule).default,
  'env:list': () => (require('./commands/env/list') as CommandModule).default,
  'env:show': () => (require('./commands/env/show') as CommandModule).default,
  'iam-policy': () => (require('./commands/iam-policy') as CommandModule).default,
  'import:compose': () => (require('./commands/import/compose') as CommandModule).default,
  'import:service': () => (require('./commands/import/service') as CommandModule).default,
  'import:task-definition': () => (require('./commands/import/task-definition') as CommandModule).default,
  'init': () => (require('./commands/init') as CommandModule).default,
  'job:deploy': () => (require('./commands/job/deploy') as CommandModule).default,
  'job:history': () => (require('./commands/job/history') as CommandModule).default,
  'job:list': () => (require('./commands/job/list') as CommandModule).default,
  'job:promote': () => (require('./commands/job/promote') as CommandModule).default,
  'job:run': () => (require('./commands/job/run') as CommandModule).default,
  'plan': () => (require('./commands/plan') as CommandModule).default,
  'service:deploy': () => (require('./commands/service/deploy') as CommandModule).default,
  'service:exec': () => (require('./commands/service/exec') as CommandModule).default,
  'service:history': () => (require('./commands/service/history') as CommandModule).default,
  'service:list': () => (require('./commands/service/list') as CommandModule).default,
  'service:logs': () => (require('./commands/service/logs') as CommandModule).default,
  'service:promote': () => (require('./commands/service/promote') as CommandModule).default,
  'service:rollback': () => (require('./commands/service/rollback') as CommandModule).default,
  'service:status': () => (require('./commands/service/status') as CommandModule).default,
  'service:watch': () => (require('./commands/service/watch') as CommandModule).default,
  'synth': () => (require('./commands/synth') as CommandModule).default,
  'task:list': () => (require('./commands/task/list') as CommandModule).default,
  'task:logs': () => (require('./commands/task/logs') as CommandModule).default,
  'task:run': () => (require('./commands/task/run') as CommandModule).default,
  'task:stop': () => (require('./commands/task/stop') as CommandModule).default,
  'verify': () => (require('./commands/verify') as CommandModule).default,
};

/** Every command by oclif id, each a getter that loads its module on first use. */
export const COMMANDS: Record<string, Command.Class> = {};
for (const [id, load] of Object.entries(loaders)) Object.defineProperty(COMMANDS, id, { enumerable: true, get: load });
