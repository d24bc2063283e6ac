/** CloudWatch log groups (Checkov's CloudWatchLogGroup* checks). */
import type { Rule } from '../types';

const LOGS = ['aws_cloudwatch_log_group'] as const;

export const logRules: readonly Rule[] = [
  {
    id: 'logs-retention-set',
    checkovId: 'CKV_AWS_66',
    title: 'CloudWatch log groups specify a retention',
    resourceTypes: LOGS,
    check: (g) => (g['retention_in_days'] === undefined ? ['retention_in_days is not set'] : []),
  },
  {
    id: 'logs-retention-year',
    checkovId: 'CKV_AWS_338',
    title: 'CloudWatch log groups keep logs for at least 1 year',
    resourceTypes: LOGS,
    check: (g) => {
      const days = g['retention_in_days'];
      return typeof days === 'number' && (days === 0 || days >= 365)
        ? []
        : [`retention_in_days is ${String(days ?? 'unset')}, under 365`];
    },
  },
  {
    id: 'logs-kms',
    checkovId: 'CKV_AWS_158',
    title: 'CloudWatch log groups are encrypted with a KMS key',
    resourceTypes: LOGS,
    check: (g) => (g['kms_key_id'] ? [] : ['kms_key_id is not set']),
  },
];
