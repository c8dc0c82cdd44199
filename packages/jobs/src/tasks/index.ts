import type { TaskList } from 'graphile-worker';
import type { TaskDeps } from '../define-task.ts';
import type { JobName } from '../job-map.ts';
import { systemNoop } from './system-noop.task.ts';
import { systemReapWorkers } from './system-reap-workers.task.ts';

const tasks = {
  'system:noop': systemNoop,
  'system:reap-workers': systemReapWorkers,
} satisfies Record<JobName, unknown>;

export function createTaskList(deps: TaskDeps): TaskList {
  return Object.fromEntries(Object.entries(tasks).map(([name, make]) => [name, make(deps)]));
}

/** Recurring work, in graphile-worker's crontab format. */
export const crontab = ['* * * * * system:reap-workers ?max=1&jobKey=system:reap-workers'].join('\n');
