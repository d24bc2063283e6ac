/** `ecsdeploy verify`: one line per check (ok / problem / not checked, and why), then a summary. --json prints the report itself. */
import type { CheckResult, VerifyReport } from '../ops/verify';

const MARK: Record<CheckResult['status'], string> = {
  'ok': 'ok         ',
  'problem': 'PROBLEM    ',
  'not-checked': 'not checked',
};

export function formatCheck(c: CheckResult): string {
  return `${MARK[c.status]}  ${c.check.padEnd(16)} ${c.service ? `${c.service}: ` : ''}${c.subject}: ${c.detail}`;
}

export function formatVerify(report: VerifyReport): string {
  const lines = report.checks.map(formatCheck);
  const summary =
    report.problems > 0
      ? `${report.problems} problem${report.problems === 1 ? '' : 's'} in ${report.environment} (${report.ok} ok, ${report.notChecked} not checked): a deploy would fail after it started.`
      : `No problem found in ${report.environment}: ${report.ok} ok, ${report.notChecked} not checked.`;
  return [...lines, '', summary].join('\n');
}
