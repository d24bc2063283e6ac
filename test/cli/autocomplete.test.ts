/**
 * Shell completion through the built binary: `ecsdeploy autocomplete script bash` builds the cache
 * and prints the line a user adds to ~/.bashrc; bash, given that line, completes topics, commands
 * (the CLI separates them with spaces) and flags. Also that the plugin is not loaded by other
 * commands (it would slow every start).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'run.js');
let cache: string;
const env = () => ({ ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1', SHELL: '/bin/bash' });

beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'ecsdeploy-ac-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function ecsdeploy(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: env() });
}

/** What bash offers for the words typed so far (the last one being completed). */
function complete(setupLine: string, words: string[]): string[] {
  const line = words.join(' ');
  const script = `${setupLine}
f=$(complete -p ecsdeploy | sed -E 's/.* -F ([^ ]+) .*/\\1/')
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
COMP_LINE='${line}'; COMP_POINT=${line.length}
"$f"; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: env() });
  expect(r.stderr).toBe('');
  return [...new Set(r.stdout.split('\n').filter(Boolean))].sort();
}

test('autocomplete script bash prints a line that makes bash complete commands and flags', () => {
  const r = ecsdeploy(['autocomplete', 'script', 'bash']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('ECSDEPLOY_AC_BASH_SETUP_PATH=');
  const setup = r.stdout.trim();
  expect(complete(setup, ['ecsdeploy', 'serv'])).toEqual(['service']);
  expect(complete(setup, ['ecsdeploy', 'service', 'de'])).toEqual(['deploy']);
  expect(complete(setup, ['ecsdeploy', 'service', 'deploy', '--im'])).toEqual(['--image']);
  expect(complete(setup, ['ecsdeploy', 'cluster', ''])).toEqual(['roll', 'status']);
});

test('autocomplete prints the set-up instructions for the shell asked for, and rejects an unknown one', () => {
  const r = ecsdeploy(['autocomplete', 'zsh']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('ecsdeploy autocomplete script zsh');
  const bad = ecsdeploy(['autocomplete', 'fish']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/fish/);
  expect(bad.stderr).not.toMatch(/\n\s+at /);
});

test('other commands do not load the completion plugin', () => {
  const run = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '-e',
        `process.argv = [process.argv[0], 'ecsdeploy', ...${JSON.stringify(args)}];
require(${JSON.stringify(BIN)});
process.on('exit', () => console.error('plugin loaded: ' + Object.keys(require.cache).some((f) => f.endsWith('autocomplete.js'))));`,
      ],
      { encoding: 'utf8', env: env() },
    );
  expect(run(['--help']).stderr).toContain('plugin loaded: false');
  expect(run(['config', 'schema', 'project']).stderr).toContain('plugin loaded: false');
  expect(run(['autocomplete', 'bash']).stderr).toContain('plugin loaded: true');
});
