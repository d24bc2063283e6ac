/** Runs the rules over Terraform JSON, and over every stack of a project with its allowances. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { RULES } from './rules';
import { allResources, type Allowance, type Finding, type Rule, type TfJson } from './types';

/** Every failure of `rules` in one document; `name` prefixes where each is. */
export function evaluate(json: TfJson, name: string, rules: readonly Rule[] = RULES): Finding[] {
  const findings: Finding[] = [];
  for (const [type, id, body] of allResources(json))
    for (const rule of rules)
      if (rule.resourceTypes.includes(type))
        for (const message of rule.check(body, { json, id, type }))
          findings.push({ rule: rule.id, checkovId: rule.checkovId, where: `${name}: ${type}.${id}`, message });
  return findings;
}

/** How many resources each rule looked at in one document (a rule that saw nothing proves nothing). */
export function coverage(json: TfJson, rules: readonly Rule[] = RULES): Map<string, number> {
  const seen = new Map<string, number>();
  for (const [type] of allResources(json))
    for (const rule of rules) if (rule.resourceTypes.includes(type)) seen.set(rule.id, (seen.get(rule.id) ?? 0) + 1);
  return seen;
}

export interface StackResult {
  readonly stack: string;
  readonly json: TfJson;
  /** Failures no allowance covers. */
  readonly failed: Finding[];
  /** Failures an allowance covers, with the allowance. */
  readonly allowed: Array<Finding & { readonly allowance: Allowance }>;
  /** The allowances that apply to this stack. */
  readonly allowances: readonly Allowance[];
}

/** The allowances of a project: ecsdeploy.yaml's for every stack, an environment file's for its stacks. */
export function allowancesOf(dir: string): { project: Allowance[]; byEnvironment: Map<string, Allowance[]> } {
  const project = loadProject(dir);
  return {
    project: (project.config.policy?.allow ?? []).map((a) => ({ ...a, file: 'ecsdeploy.yaml' })),
    byEnvironment: new Map(
      project.environments.map((e) => [e.name, (e.config.policy?.allow ?? []).map((a) => ({ ...a, file: e.file }))]),
    ),
  };
}

/** Synthesizes every stack of the project in `dir` (as `ecsdeploy synth` does) and checks each. */
export function checkProject(dir: string): StackResult[] {
  const project = loadProject(dir);
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-policy-'));
  try {
    const { project: shared, byEnvironment } = allowancesOf(dir);
    return synthesize(project, project.environments, { outDir: out }).map((s) => {
      const json = JSON.parse(readFileSync(join(out, 'stacks', s.name, 'cdk.tf.json'), 'utf8')) as TfJson;
      const allowances = [...shared, ...(s.environment ? (byEnvironment.get(s.environment) ?? []) : [])];
      const findings = evaluate(json, s.name);
      const allowed = findings.flatMap((f) => {
        const allowance = allowances.find((a) => a.rule === f.checkovId);
        return allowance ? [{ ...f, allowance }] : [];
      });
      const failed = findings.filter((f) => !allowances.some((a) => a.rule === f.checkovId));
      return { stack: s.name, json, failed, allowed, allowances };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
