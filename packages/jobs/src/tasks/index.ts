import type { TaskList } from 'graphile-worker';
import type { TaskDeps } from '../define-task.ts';
import type { JobName } from '../job-map.ts';
import { arContentDelete, arContentExpire, markerRecover } from './ar-content.task.ts';
import { markerCompile } from './marker-compile.task.ts';
import { systemNoop } from './system-noop.task.ts';
import { systemReapWorkers } from './system-reap-workers.task.ts';
import { uploadExpire } from './upload-expire.task.ts';
import { videoDelete } from './video-delete.task.ts';
import { viewerCloseSessions } from './viewer-close-sessions.task.ts';
import { videoAnalyze, videoFinalize, videoImages, videoProcess, videoRendition } from './video-pipeline.task.ts';

const tasks = {
  'system:noop': systemNoop,
  'system:reap-workers': systemReapWorkers,
  'upload:expire': uploadExpire,
  'video:delete': videoDelete,
  'video:process': videoProcess,
  'video:rendition': videoRendition,
  'video:images': videoImages,
  'video:analyze': videoAnalyze,
  'video:finalize': videoFinalize,
  'marker:compile': markerCompile,
  'marker:recover': markerRecover,
  'ar-content:delete': arContentDelete,
  'ar-content:expire': arContentExpire,
  'viewer:close-sessions': viewerCloseSessions,
} satisfies Record<JobName, unknown>;

export function createTaskList(deps: TaskDeps): TaskList {
  return Object.fromEntries(Object.entries(tasks).map(([name, make]) => [name, make(deps)]));
}

/** Recurring work, in graphile-worker's crontab format. */
export const crontab = [
  '* * * * * system:reap-workers ?max=1&jobKey=system:reap-workers',
  '*/5 * * * * upload:expire ?max=1&jobKey=upload:expire',
  '*/5 * * * * ar-content:expire ?max=1&jobKey=ar-content:expire',
  '*/5 * * * * marker:recover ?max=1&jobKey=marker:recover',
  '*/5 * * * * viewer:close-sessions ?max=1&jobKey=viewer:close-sessions',
].join('\n');
