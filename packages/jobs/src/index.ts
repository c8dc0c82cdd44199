export { enqueue, type EnqueueOptions } from './enqueue.ts';
export { jobMap, isJobName, type JobName, type JobPayload, type ParsedJobPayload } from './job-map.ts';
export { defineTask, InvalidJobPayloadError, type TaskContext, type TaskDeps } from './define-task.ts';
export { createTaskList, crontab } from './tasks/index.ts';
export { reapDeadWorkers } from './reap-workers.ts';
export { notifyVideo, STEP, VIDEO_CHANNEL } from './pipeline/pipeline-state.ts';
export type { VideoOutputs, StoredRendition } from './pipeline/video-outputs.ts';
export {
  arContentPrefix,
  MARKER_CONTENT_TYPES,
  MARKER_MAX_BYTES,
  markerKey,
  markerRevisionPrefix,
  type ArContentKeyIds,
} from './marker/marker-keys.ts';
