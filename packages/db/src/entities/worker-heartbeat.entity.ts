// One row per running worker process, refreshed on an interval; stale rows mean dead workers.
import { defineEntity, p } from '@mikro-orm/core';
import { WorkerHeartbeatRepository } from '../repositories/worker-heartbeat.repository.ts';

export const WorkerHeartbeatSchema = defineEntity({
  name: 'WorkerHeartbeat',
  tableName: 'worker_heartbeat',
  repository: () => WorkerHeartbeatRepository,
  properties: {
    id: p.string().length(64).primary(),
    hostname: p.string().length(255),
    pid: p.integer(),
    /** graphile-worker's own worker ids inside this process, used to force-unlock after a crash. */
    graphileWorkerIds: p.array().default([]),
    startedAt: p.datetime().onCreate(() => new Date()),
    lastSeenAt: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
    stoppedAt: p.datetime().nullable(),
    jobsCompleted: p.integer().default(0),
    jobsFailed: p.integer().default(0),
    /** Jobs running in this process at the last beat, and how many it runs at once. */
    jobsRunning: p.integer().default(0),
    concurrency: p.integer().default(0),
    /** The tasks this process runs (its WORKER_TASKS, or every task). */
    taskNames: p.array().default([]),
  },
});

export class WorkerHeartbeat extends WorkerHeartbeatSchema.class {}
WorkerHeartbeatSchema.setClass(WorkerHeartbeat);
