// The outbox's contract side: emit() for any transaction. The dispatcher and its jobs are runtime (tasks/index.ts).
export { emit, InvalidEventError, streamOf } from './emit.ts';
export type { DeliveredEvent, OutboxConsumer } from './consumer.ts';
