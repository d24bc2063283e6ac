/**
 * Every key a service file may hold is shown in at least one example (examples/services/ or the
 * bundled services/), so a user can copy a working line for each. Keys are compared in the JSON
 * Schema's form: `sidecars.<name>.image`, `volumes[].name`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { jsonSchema } from '../../src/config/json-schema';

type Json = {
  properties?: Record<string, Json>;
  anyOf?: Json[];
  oneOf?: Json[];
  allOf?: Json[];
  items?: Json;
  additionalProperties?: Json | boolean;
};
const REPO = join(__dirname, '..', '..');

function branches(schema: Json): Json[] {
  return [schema, ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap(branches)];
}

/** Schema-form key paths of every key in a schema. */
function schemaPaths(schema: Json, prefix = ''): string[] {
  const out: string[] = [];
  for (const b of branches(schema)) {
    for (const [k, v] of Object.entries(b.properties ?? {})) {
      if (k === '$schema' || (prefix === '' && k === 'environments')) continue;
      out.push(prefix + k, ...schemaPaths(v, `${prefix}${k}.`));
    }
    if (b.items) out.push(...schemaPaths(b.items, `${prefix.replace(/\.$/, '')}[].`));
    if (b.additionalProperties && typeof b.additionalProperties === 'object')
      out.push(...schemaPaths(b.additionalProperties, `${prefix}<name>.`));
  }
  return [...new Set(out)];
}

/** Schema-form key paths of the keys a YAML value uses. */
function usedPaths(value: unknown, schema: Json, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  const bs = branches(schema);
  if (Array.isArray(value)) {
    const items = bs.find((b) => b.items)?.items;
    return items ? value.flatMap((v) => usedPaths(v, items, `${prefix.replace(/\.$/, '')}[].`)) : [];
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const prop = bs.find((b) => b.properties?.[k])?.properties?.[k];
    const extra = bs.find((b) => b.additionalProperties && typeof b.additionalProperties === 'object')
      ?.additionalProperties as Json | undefined;
    if (prop) out.push(prefix + k, ...usedPaths(v, prop, `${prefix}${k}.`));
    else if (extra) out.push(...usedPaths(v, extra, `${prefix}<name>.`));
  }
  return out;
}

it('every key of the service file is used in at least one example', () => {
  const schema = jsonSchema('service') as Json;
  const files = [
    ...readdirSync(join(REPO, 'examples', 'services')).map((f) => join(REPO, 'examples', 'services', f)),
    ...readdirSync(join(REPO, 'services')).map((f) => join(REPO, 'services', f)),
  ];
  const used = new Set<string>();
  for (const f of files) {
    const doc = load(readFileSync(f, 'utf8')) as Record<string, unknown>;
    const { environments, ...base } = doc;
    for (const p of usedPaths(base, schema)) used.add(p);
    for (const block of Object.values((environments ?? {}) as Record<string, unknown>))
      for (const p of usedPaths(block, schema)) used.add(p);
  }
  // One container model: a container key shown on the main container or on any sidecar counts for both.
  const all = schemaPaths(schema);
  const container = (p: string) => {
    const rest = p.replace(/^sidecars\.<name>\./, '');
    return rest !== p && all.includes(rest) ? rest : p;
  };
  const shown = new Set([...used].map(container));
  // overrides.<Resource>.<path> values are free-form: their keys are not schema keys. The Service
  // Connect proxy's log configuration is a container's (logConfiguration.secretOptions is shown).
  const sameAsContainer = ['serviceConnect.logConfiguration.secretOptions'];
  const missing = [...new Set(all.map(container))].filter(
    (p) => !shown.has(p) && !/^overrides\.<name>\./.test(p) && !sameAsContainer.includes(p),
  );
  expect(missing).toEqual([]);
});
