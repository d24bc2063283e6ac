/** docs/configuration.md documents every key the schemas accept (a new key without docs fails here). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchema, SCHEMA_KINDS } from '../../src/config/json-schema';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');

type Json = {
  properties?: Record<string, Json>;
  anyOf?: Json[];
  oneOf?: Json[];
  allOf?: Json[];
  items?: Json;
  additionalProperties?: Json | boolean;
};

function keyPaths(schema: Json, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    if (k === '$schema' || (prefix === '' && k === 'environments')) {
      if (k === 'environments') out.push(k);
      continue;
    }
    out.push(prefix + k);
    out.push(...keyPaths(v, `${prefix}${k}.`));
  }
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    out.push(...keyPaths(branch, prefix));
  if (schema.items) out.push(...keyPaths(schema.items, `${prefix.replace(/\.$/, '')}[].`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    out.push(...keyPaths(schema.additionalProperties, `${prefix}<name>.`));
  return [...new Set(out)];
}

/** `a.b.c` is documented as `a.b.c`, or in a row of siblings written `a.b.x` / `.c`. */
function documented(path: string): boolean {
  if (DOC.includes(`\`${path}\``)) return true;
  const cut = path.lastIndexOf('.');
  if (cut < 0) return false;
  const parent = path.slice(0, cut);
  const last = path.slice(cut + 1);
  return DOC.split('\n').some((line) => line.includes(`\`${parent}.`) && line.includes(`\`.${last}\``));
}

it.each([...SCHEMA_KINDS])('every key of the %s file is in docs/configuration.md', (kind) => {
  const paths = keyPaths(jsonSchema(kind) as Json);
  expect(paths.length).toBeGreaterThan(10);
  expect(paths.filter((p) => !documented(p))).toEqual([]);
});
