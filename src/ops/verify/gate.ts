/**
 * The checks `service deploy` and `service promote` run for the service they deliver, before the
 * release is recorded or any stack applied: a problem stops the command with nothing changed.
 */
import type { ResolvedEnvironment, ResolvedProject, ResolvedService } from '../../config/load';
import { EcsdeployError, ExitCode } from '../../errors';
import type { ReleaseImage } from '../releases';
import { verifyServices } from './run';
import type { CheckResult, VerifyDeps, VerifyReport } from './types';

/** One report line as plain text: `problem  secret  orders  /shop/db-url: there is no ...`. */
export function checkLine(c: CheckResult): string {
  const status = c.status === 'not-checked' ? 'not checked' : c.status;
  return `${status.padEnd(11)} ${c.check.padEnd(16)} ${c.service ? `${c.service}  ` : ''}${c.subject}: ${c.detail}`;
}

/** verify found problems: exit 1, nothing changed; carries the report (for --json). */
export class VerifyError extends EcsdeployError {
  constructor(
    readonly report: VerifyReport,
    command: string,
  ) {
    const problems = report.checks.filter((c) => c.status === 'problem');
    super(
      `${command} stopped before changing anything: ${problems.length} check${problems.length === 1 ? '' : 's'} found what would make the deploy fail after it started:\n` +
        problems.map((c) => `  ${checkLine(c)}`).join('\n'),
      {
        code: 'ECSDEPLOY_VERIFY_FAILED',
        exitCode: ExitCode.Failed,
        suggestions: [
          'Fix what the lines say, then run the command again.',
          `See every check: ecsdeploy verify ${report.services.join(' ')} --env ${report.environment}.`,
          `To deploy anyway, pass --no-verify.`,
        ],
      },
    );
    this.name = 'VerifyError';
  }
}

export interface GateInput {
  readonly project: ResolvedProject;
  readonly env: ResolvedEnvironment;
  readonly service: ResolvedService;
  readonly image: ReleaseImage;
  /** `service deploy`, `service promote` (for the message). */
  readonly command: string;
}

/** Runs the checks; throws a VerifyError on any problem; returns the report otherwise. */
export async function verifyBeforeDelivery(input: GateInput, deps: VerifyDeps): Promise<VerifyReport> {
  const report = await verifyServices(input.project, input.env, [{ service: input.service, image: input.image }], deps);
  if (report.problems > 0) throw new VerifyError(report, input.command);
  return report;
}
