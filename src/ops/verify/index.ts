/** `ecsdeploy verify`: what would make a deploy fail after it started, checked without changing anything. */
export { verifyEnvironment, type VerifyInput } from './environment';
export { verifyServices, type ServiceToVerify } from './run';
export {
  CHECKS,
  liveVerifyApis,
  liveVerifyDeps,
  type CheckName,
  type CheckResult,
  type CheckStatus,
  type VerifyApis,
  type VerifyDeps,
  type VerifyReport,
} from './types';
export { serviceSubject, type ServiceSubject } from './subject';
export { trustsEcsTasks } from './access';
export { parseEcrReference } from './images';
export { checkLine, verifyBeforeDelivery, VerifyError, type GateInput } from './gate';
