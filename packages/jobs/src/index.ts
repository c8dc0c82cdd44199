// The jobs contract: the job map (payload schema and job key per job), enqueue, and what the API needs of the
// pipeline. It loads no media library; the tasks and cron items are in ./runtime.ts, for the worker only.
export { enqueue, isMediaJob, type EnqueueOptions } from './enqueue.ts';
export { emit, InvalidEventError, type DeliveredEvent, type OutboxConsumer } from './outbox/index.ts';
export { jobMap, jobKey, isJobName, type JobName, type JobPayload, type ParsedJobPayload } from './job-map.ts';
export {
  queueMail,
  InvalidMailError,
  MailHeaderInjectionError,
  MAIL_MAX_ATTEMPTS,
  type QueueMailInput,
} from './mail/queue-mail.ts';
export { restartProcessing, resumeProcessing } from './pipeline/resume.ts';
export { lockLiveVideo, lockVideo, VIDEO_CHANNEL } from './pipeline/pipeline-state.ts';
export { NOTIFICATION_CHANNEL } from './outbox/notification.consumer.ts';
export { abandonUpload } from './upload/abandon-upload.ts';
export { closeAttempts, extendAttempt, openAttempt } from './upload/upload-attempts.ts';
export { queueWebhookDelivery, webhookQueue, type NewDelivery } from './webhooks/webhook-deliveries.ts';
export {
  awaitingMarker,
  keyIds as markerKeyIds,
  publishLocked as publishMarkerLocked,
  readReport as readMarkerReport,
  removeRevision as removeMarkerRevision,
  type AwaitingMarker,
} from './marker/marker-state.ts';
