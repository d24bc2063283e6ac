/**
 * Which of its dependencies a synthesized stack actually reads at plan time: their outputs through
 * `terraform_remote_state` (a state file or key named `<stack>.tfstate`), or their resources through
 * data sources of a type they manage (a service's `data.aws_ecr_repository` of the registry's
 * repository). Only those can make its plan wrong or impossible before they are applied; the other
 * dependencies only order the applies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface StackJson {
  readonly resource?: Record<string, unknown>;
  readonly data?: Record<string, Record<string, { readonly config?: Record<string, unknown> }>>;
}

export interface ReadableStack {
  readonly name: string;
  readonly dir: string;
  readonly dependsOn: readonly string[];
}

function load(dir: string): StackJson {
  return JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as StackJson;
}

/** stack → the dependencies (among `stacks`) it reads from. */
export function readsFrom(stacks: readonly ReadableStack[]): Map<string, string[]> {
  const json = new Map(stacks.map((s) => [s.name, load(s.dir)]));
  const out = new Map<string, string[]>();
  for (const s of stacks) {
    const data = json.get(s.name)!.data ?? {};
    const remoteStates = Object.values(data['terraform_remote_state'] ?? {}).map((r) => JSON.stringify(r.config ?? {}));
    const dataTypes = Object.keys(data).filter((t) => t !== 'terraform_remote_state');
    out.set(
      s.name,
      s.dependsOn.filter((dep) => {
        const dependency = json.get(dep);
        if (dependency === undefined) return false; // not part of this run
        const managed = dependency.resource ?? {};
        return (
          remoteStates.some((c) => c.includes(`/${dep}.tfstate"`) || c.includes(`"${dep}.tfstate"`)) ||
          dataTypes.some((t) => t in managed)
        );
      }),
    );
  }
  return out;
}
