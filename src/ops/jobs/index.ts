/** Scheduled jobs: deploy, promote, history (releases like services'), list (schedules, next and last runs), run now. */
export { awsJobApis, jobNames, openJob, type JobApis, type JobContext, type JobDeps, type JobNames } from './context';
export {
  deployJob,
  jobDeps,
  jobHistory,
  promoteJob,
  type JobDeliveryOptions,
  type JobDeployInput,
  type JobDeployResult,
  type JobHistory,
  type JobPromoteInput,
} from './deploy';
export { describeSchedule, listJobs, nextRun, runOf, type JobList, type JobRun, type JobSummary } from './list';
export { runJob, type JobRunInput, type JobRunResult } from './run';
