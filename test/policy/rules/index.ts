/** Every rule of the policy suite, in the order docs/security.md lists them. */
import type { Rule } from '../types';
import { albRules } from './alb';
import { computeRules } from './compute';
import { ecrRules } from './ecr';
import { ecsRules } from './ecs';
import { iamRules } from './iam';
import { logRules } from './logs';
import { networkRules } from './network';
import { s3Rules } from './s3';
import { secretRules } from './secrets';

export const RULES: readonly Rule[] = [
  ...ecsRules,
  ...secretRules,
  ...ecrRules,
  ...albRules,
  ...iamRules,
  ...networkRules,
  ...computeRules,
  ...logRules,
  ...s3Rules,
];
