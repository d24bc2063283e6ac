/**
 * docs/security.md's tables are the suite's own: the rules (id, Checkov ID, title, resource types)
 * and every allowance of the projects the suite checks, with its reason. UPDATE_SECURITY_DOC=1
 * rewrites them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support/example-project';
import { allowancesOf } from './evaluate';
import { RULES } from './rules';

const FILE = join(REPO, 'docs', 'security.md');

const cell = (s: string) => s.replace(/\|/g, '\\|');

function rulesTable(): string {
  return [
    '| Checkov ID | rule | checks | resource types |',
    '| --- | --- | --- | --- |',
    ...RULES.map(
      (r) =>
        `| \`${r.checkovId}\` | \`${r.id}\` | ${cell(r.title)} | ${r.resourceTypes.map((t) => `\`${t}\``).join(', ')} |`,
    ),
  ].join('\n');
}

/** The projects whose allowances are documented (the every-option project's are the test's own). */
const PROJECTS: ReadonlyArray<readonly [string, string]> = [
  ['bundled example', REPO],
  ['examples/', join(REPO, 'examples')],
];

function allowancesTable(): string {
  const rows = PROJECTS.flatMap(([name, dir]) => {
    const { project, byEnvironment } = allowancesOf(dir);
    return [...project, ...[...byEnvironment.values()].flat()].map(
      (a) => `| ${name} | \`${a.file}\` | \`${a.rule}\` | ${cell(a.reason)} |`,
    );
  });
  return ['| project | file | rule | reason |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function section(doc: string, name: string, body: string): string {
  const start = `<!-- policy:${name}:start -->`;
  const end = `<!-- policy:${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/security.md lacks ${start} … ${end}`);
  return `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`;
}

it('docs/security.md lists every rule and every allowance with its reason (UPDATE_SECURITY_DOC=1 rewrites them)', () => {
  const doc = readFileSync(FILE, 'utf8');
  const expected = section(section(doc, 'rules', rulesTable()), 'allowances', allowancesTable());
  if (process.env['UPDATE_SECURITY_DOC'] === '1' && expected !== doc) writeFileSync(FILE, expected);
  else expect(doc).toBe(expected);
});

it('every Checkov ID docs/security.md names in its rules table is a rule of the suite', () => {
  const doc = readFileSync(FILE, 'utf8');
  const table = doc.slice(doc.indexOf('<!-- policy:rules:start -->'), doc.indexOf('<!-- policy:rules:end -->'));
  const ids = [...table.matchAll(/^\| `(CKV2?_AWS_\d+)`/gm)].map((m) => m[1]);
  expect(ids).toEqual(RULES.map((r) => r.checkovId));
});
