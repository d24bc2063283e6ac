/**
 * `ecsdeploy import task-definition` goldens: each folder of test/adopt/task-definition holds a
 * real task definition shape (input.json), the service file it becomes (expected.yaml) and the
 * mapping table (table.txt). Every expected.yaml must pass the loader's checks (schema and
 * whole-task rules). After an intended change of the mapping, regenerate them and review the diff:
 *
 *   UPDATE_GOLDENS=1 npx jest --selectProjects unit test/adopt/task-definition.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTaskDefinitionJson, renderServiceFile, renderTable, taskDefinitionImport } from '../../src/ops/adopt';
import { defaultName } from '../../src/ops/adopt/map';
import { schemaProblems } from '../../src/ops/adopt/validate';

const ROOT = join(__dirname, 'task-definition');
const UPDATE = process.env['UPDATE_GOLDENS'] === '1';
const cases = readdirSync(ROOT)
  .filter((d) => existsSync(join(ROOT, d, 'input.json')))
  .sort();

describe('import task-definition goldens', () => {
  it('has at least the five documented shapes', () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        'arm64-worker-efs-secrets',
        'ec2-bridge-hostport',
        'fargate-web-firelens',
        'multi-container-depends-on',
        'overrides-only',
      ]),
    );
  });

  describe.each(cases)('%s', (name) => {
    const dir = join(ROOT, name);
    const parsed = parseTaskDefinitionJson(readFileSync(join(dir, 'input.json'), 'utf8'), 'input.json');
    const service = defaultName(parsed.taskDefinition.family!, 16)!;
    const { mapping, source, command } = taskDefinitionImport(parsed, service, 'input.json');
    const yaml = renderServiceFile(mapping, { source, command });
    const table = renderTable(mapping.rows);
    if (UPDATE) {
      writeFileSync(join(dir, 'expected.yaml'), yaml);
      writeFileSync(join(dir, 'table.txt'), table);
    }

    it('writes the expected service file', () => {
      expect(yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
    });
    it('prints the expected mapping table', () => {
      expect(table).toBe(readFileSync(join(dir, 'table.txt'), 'utf8'));
    });
    it('writes a file the loader accepts', () => {
      expect(schemaProblems(yaml, service)).toEqual([]);
    });
    it('accounts for every container field of the input', () => {
      for (const c of parsed.taskDefinition.containerDefinitions) {
        for (const [field, value] of Object.entries(c)) {
          // Left out on purpose: nothing, the name (listed when renamed), and ECS's defaults.
          const nothing = value === undefined || (Array.isArray(value) && value.length === 0);
          const defaults =
            field === 'name' ||
            (field === 'essential' && value === true) ||
            (field === 'readonlyRootFilesystem' && value === false) ||
            (field === 'cpu' && value === 0);
          if (nothing || defaults) continue;
          const listed = mapping.rows.some((r) => r.field.startsWith(`containerDefinitions[${c.name}].${field}`));
          if (!listed) throw new Error(`containerDefinitions[${c.name}].${field} is in the input but not in the table`);
        }
      }
    });
  });
});
