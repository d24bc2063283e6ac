/**
 * What docs/security.md says the CLI never does, kept true by reading its sources: no call of an
 * AWS API that returns a secret's value, and no file written with AWS credentials in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder } from '../environments/helpers';
import { REPO } from '../support/example-project';

const SRC = join(REPO, 'src');
const sources = filesUnder(SRC)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => [f, readFileSync(join(SRC, f), 'utf8')] as const);

/** Commands of the SDK that answer with a secret value. */
const READS_SECRET_VALUE = [
  'GetSecretValueCommand',
  'BatchGetSecretValueCommand',
  'GetParameterCommand',
  'GetParametersCommand',
  'GetParametersByPathCommand',
  'paginateGetParametersByPath',
];

it('reads the sources it checks', () => {
  expect(sources.length).toBeGreaterThan(50);
  expect(sources.some(([f]) => f === join('aws', 'secrets-manager.ts') || f === 'aws/secrets-manager.ts')).toBe(true);
});

it.each(READS_SECRET_VALUE)('no source calls %s (secrets are checked by metadata only)', (command) => {
  expect(sources.filter(([, text]) => new RegExp(`\\b${command}\\b`).test(text)).map(([f]) => f)).toEqual([]);
});

it('no source writes AWS credentials to a file', () => {
  const writes = sources.flatMap(([f, text]) =>
    text
      .split('\n')
      .filter((line) => /write(File|FileSync)?\(|appendFile|createWriteStream/.test(line))
      .filter((line) =>
        /accessKeyId|secretAccessKey|sessionToken|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|credentials/i.test(line),
      )
      .map((line) => `${f}: ${line.trim()}`),
  );
  expect(writes).toEqual([]);
});
