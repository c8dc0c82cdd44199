// The worker's side of the jobs package: the tasks, the cron items, task wiring and dead-worker reaping.
// Only apps/worker imports it; it loads the media stack (ffmpeg, sharp, MindAR), which the server never does.
export { defineTask, InvalidJobPayloadError, type TaskContext, type TaskDeps } from './define-task.ts';
export { createTaskList, cronItems, cronItemsFor } from './tasks/index.ts';
export { reapDeadWorkers, repairCronClock } from './reap-workers.ts';
export { notifyVideo } from './pipeline/pipeline-state.ts';
export { mediaToolkit } from './pipeline/media-toolkit.ts';
