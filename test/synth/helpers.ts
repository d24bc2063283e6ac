/** Synthesizes a project for real (the same code path as `ecsdeploy synth`) and reads stacks back. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import { loadProject } from '../../src/config/load';
import { synthesize, type SynthesizedStack } from '../../src/synth';
import { filesUnder } from '../environments/helpers';

export const REPO = join(__dirname, '..', '..');

export interface Synthesized {
  readonly stacks: readonly SynthesizedStack[];
  /** The stack's cdk.tf.json as text (what cdktf's matchers take). */
  text(stack: string): string;
  json(stack: string): TfJson;
  cleanup(): void;
}

export interface TfJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  provider?: { aws?: Array<Record<string, unknown>> };
  terraform?: Record<string, unknown>;
}

export function synthProject(dir = REPO, envs?: readonly string[]): Synthesized {
  const project = loadProject(dir);
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-synth-'));
  const selected = envs ? project.environments.filter((e) => envs.includes(e.name)) : project.environments;
  const stacks = synthesize(project, selected, { outDir: out });
  const text = (stack: string) => readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8');
  return {
    stacks,
    text,
    json: (s) => JSON.parse(text(s)) as TfJson,
    cleanup: () => rmSync(out, { recursive: true, force: true }),
  };
}

/** All resources of one type in a stack, by logical id. */
export function resources(json: TfJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The one resource of a type in a stack (or, with `id`, the one of that logical id). */
export function only(json: TfJson, type: string, id?: string): Record<string, unknown> {
  if (id !== undefined) {
    const r = resources(json, type)[id];
    if (r === undefined) throw new Error(`no ${type}.${id}`);
    return r;
  }
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0]!;
}

/** Every IAM policy document in a stack (inline policies and trust policies), parsed. */
export function policyDocuments(json: TfJson): Array<{ Statement: Array<Record<string, unknown>> }> {
  const docs: string[] = [];
  for (const r of Object.values(resources(json, 'aws_iam_role'))) docs.push(r['assume_role_policy'] as string);
  for (const r of Object.values(resources(json, 'aws_iam_role_policy'))) docs.push(r['policy'] as string);
  return docs.map((d) => JSON.parse(d) as { Statement: Array<Record<string, unknown>> });
}

/** Every file under `dir` (relative path → text). */
export function readTree(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** The record of a ready environment on demand created from dev. */
export function ephemeralRecord(name: string, slot: number, over: Partial<EphemeralRecord> = {}): EphemeralRecord {
  return {
    version: 1,
    name,
    base: 'dev',
    owner: 'ci',
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-26T10:00:00.000Z',
    isolated: false,
    services: ['orders', 'payments', 'web'],
    slot,
    images: {},
    status: 'ready',
    ...over,
  };
}
