/**
 * The written form of an import: the service file as YAML with the schema header and teaching
 * comments, as the bundled services have them, and the mapping table.
 */
import { Document, isMap, isScalar, type Pair } from 'yaml';
import type { Mapping, MappingRow, RowStatus } from './map';

/** Comments above top-level keys: what the key is and where it came from. */
const KEY_COMMENTS: Readonly<Record<string, string>> = {
  image:
    " The main container's image: the repository it ran from, and its tag or digest.\n Each deploy pins the digest in a release (ecsdeploy service deploy).",
  containerName: ' The main container keeps its name from the task definition.',
  logConfiguration: ' Logs go where they went before; for awslogs, ecsdeploy fills in what the options leave out.',
  cpu: ' Task size: CPU units (1024 = 1 vCPU) and MiB.',
  sidecars: ' The other containers of the task, with the same keys as the main container.',
  taskRoleArn: ' The existing task role, kept by ARN: ecsdeploy creates no task role and grants nothing more.',
  http: " Routing from the load balancer: the rule's conditions and the target group's health check.",
  deployment: ' How a new release replaces the running tasks.',
  overrides:
    " What no ecsdeploy key says, set on the Terraform resource that has it (docs/adoption.md lists each).\n The field names inside container_definitions are ECS's.",
  environments: ' What is specific to one environment.',
};
const ENV_COMMENTS: Readonly<Record<string, string>> = {
  adopt:
    ' The running ECS service and what goes with it: the first plan imports them (no replacement),\n and they keep these names afterwards. Keep this section.',
  scaling: ' Application Auto Scaling: the scalable target and its target tracking policies.',
  networkConfiguration: ' The subnets and security groups the tasks ran in.',
};

function commentKeys(node: unknown, comments: Readonly<Record<string, string>>): void {
  if (!isMap(node)) return;
  for (const pair of node.items as Pair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key !== undefined && comments[key] !== undefined && isScalar(pair.key)) pair.key.commentBefore = comments[key];
  }
}

export interface RenderContext {
  /** Where it came from, for the first comment: a file, an ARN, or an ECS service. */
  readonly source: string;
  /** The command that wrote it. */
  readonly command: string;
}

/** The service file's text. */
export function renderServiceFile(mapping: Mapping, ctx: RenderContext): string {
  const doc = new Document(mapping.file);
  doc.commentBefore = [
    ' yaml-language-server: $schema=../schemas/service.schema.json',
    ` Imported from ${ctx.source} by \`${ctx.command}\`.`,
    ' docs/adoption.md says how each field maps; `ecsdeploy config validate` checks this file.',
  ].join('\n');
  commentKeys(doc.contents, KEY_COMMENTS);
  if (isMap(doc.contents)) {
    const envs = doc.contents.get('environments', true);
    if (isMap(envs)) for (const pair of envs.items as Pair[]) commentKeys(pair.value, ENV_COMMENTS);
  }
  return doc.toString({ lineWidth: 0 });
}

const ORDER: readonly RowStatus[] = ['mapped', 'approximated', 'overrides', 'replaced', 'not imported'];

/** The mapping table, grouped by status: FIELD, BECOMES, NOTE. */
export function renderTable(rows: readonly MappingRow[]): string {
  const out: string[] = [];
  for (const status of ORDER) {
    const group = rows.filter((r) => r.status === status);
    if (group.length === 0) continue;
    out.push(`${status} (${group.length})`);
    const w = Math.max(...group.map((r) => r.field.length));
    const b = Math.max(...group.map((r) => r.becomes.length));
    for (const r of group)
      out.push(`  ${r.field.padEnd(w)}  ${r.note ? `${r.becomes.padEnd(b)}  ${r.note}` : r.becomes}`.trimEnd());
  }
  return out.join('\n') + '\n';
}
