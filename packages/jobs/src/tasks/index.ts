import type { ServiceConfig } from '@arvlite/config';
import type { CronItem, TaskList } from 'graphile-worker';
import type { TaskDeps } from '../define-task.ts';
import { jobKey, jobSchema, type JobName } from '../job-map.ts';
import { arContentDelete, arContentExpire, markerRecover } from './ar-content.task.ts';
import { mailSend } from './mail-send.task.ts';
import { markerCompile } from './marker-compile.task.ts';
import { markerReport } from './marker-report.task.ts';
import { invoiceMail, invoiceRender, printRender } from './documents.task.ts';
import { pushReceipts, pushSend } from '../notifications/push.task.ts';
import { outboxDispatch, outboxSweep } from '../outbox/outbox.task.ts';
import { arContentExpiring, quotaWarn } from '../outbox/watch.task.ts';
import { rateLimitPurge } from './rate-limit-purge.task.ts';
import { systemBackup } from './system-backup.task.ts';
import { systemNoop } from './system-noop.task.ts';
import { systemReapWorkers } from './system-reap-workers.task.ts';
import { uploadExpire } from './upload-expire.task.ts';
import { videoDelete } from './video-delete.task.ts';
import { viewerCloseSessions } from './viewer-close-sessions.task.ts';
import { webhookDeliver } from './webhook-deliver.task.ts';
import { webhookPurge } from './webhook-purge.task.ts';
import { paymentRefund } from './payment-refund.task.ts';
import {
  videoAnalyze,
  videoFinalize,
  videoImages,
  videoLadder,
  videoProcess,
  videoRendition,
} from './video-pipeline.task.ts';

const tasks = {
  'system:noop': systemNoop,
  'system:reap-workers': systemReapWorkers,
  'system:backup': systemBackup,
  'upload:expire': uploadExpire,
  'video:delete': videoDelete,
  'video:process': videoProcess,
  'video:rendition': videoRendition,
  'video:ladder': videoLadder,
  'video:images': videoImages,
  'video:analyze': videoAnalyze,
  'video:finalize': videoFinalize,
  'marker:compile': markerCompile,
  'marker:recover': markerRecover,
  'marker:report': markerReport,
  'ar-content:delete': arContentDelete,
  'ar-content:expire': arContentExpire,
  'viewer:close-sessions': viewerCloseSessions,
  'outbox:dispatch': outboxDispatch,
  'outbox:sweep': outboxSweep,
  'ar-content:expiring': arContentExpiring,
  'quota:warn': quotaWarn,
  'mail:send': mailSend,
  'rate-limit:purge': rateLimitPurge,
  'push:send': pushSend,
  'push:receipts': pushReceipts,
  'webhook:deliver': webhookDeliver,
  'webhook:purge': webhookPurge,
  'payment:refund': paymentRefund,
  'invoice:render': invoiceRender,
  'invoice:mail': invoiceMail,
  'print:render': printRender,
} satisfies Record<JobName, unknown>;

export function createTaskList(deps: TaskDeps): TaskList {
  return Object.fromEntries(Object.entries(tasks).map(([name, make]) => [name, make(deps)]));
}

/** A recurring job: at most one attempt, keyed by the job map so a slow run is never doubled. */
function every(match: string, task: JobName): CronItem {
  const key = jobKey(task, jobSchema(task).parse({}));
  return { task, match, identifier: task, options: { maxAttempts: 1, ...(key ? { jobKey: key } : {}) } };
}

/** Recurring work, as graphile-worker cron items (the worker parses them with parseCronItems). */
export const cronItems: readonly CronItem[] = [
  every('* * * * *', 'system:reap-workers'),
  every('*/5 * * * *', 'upload:expire'),
  every('*/5 * * * *', 'ar-content:expire'),
  every('*/5 * * * *', 'marker:recover'),
  every('*/5 * * * *', 'viewer:close-sessions'),
  every('* * * * *', 'outbox:sweep'),
  every('17 * * * *', 'ar-content:expiring'),
  every('*/5 * * * *', 'quota:warn'),
  every('23 * * * *', 'rate-limit:purge'),
  every('41 3 * * *', 'webhook:purge'),
];

/** The cron items of this configuration: the recurring work above, and scheduled backups when BACKUP_CRON is set. */
export function cronItemsFor(config: Pick<ServiceConfig, 'backups'>): CronItem[] {
  return [...cronItems, ...(config.backups.cron ? [every(config.backups.cron, 'system:backup')] : [])];
}
