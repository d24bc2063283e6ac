/** One-off tasks of a service (task run/logs/stop/list), the migrations that gate a deploy, and ECS Exec. */
export {
  DEFAULT_TASK_TIMEOUT_MS,
  listTasks,
  runTask,
  stopTask,
  TaskError,
  taskDeps,
  taskLogs,
  type TaskDeps,
  type TaskList,
  type TaskLogsInput,
  type TaskRunEvent,
  type TaskRunInput,
  type TaskRunResult,
  type TaskStopResult,
  type TaskSummary,
} from './run';
export { planExec, type ExecDeps, type ExecInput, type ExecPlan } from './exec';
export {
  taskExitCode,
  watchTask,
  type TaskEvent,
  type TaskOutcome,
  type TaskTarget,
  type TaskWatchOptions,
} from './watch';
