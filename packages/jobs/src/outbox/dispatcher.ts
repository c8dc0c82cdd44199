// Hands pending outbox events to the registered consumers, in id order, recording each consumer's delivery.
import { domainEventSchema } from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import type { Logger } from 'pino';
import type { DeliveredEvent, OutboxConsumer } from './consumer.ts';

interface PendingRow {
  id: string;
  aggregate: string;
  payload: unknown;
  created_at: Date;
}

export interface DispatchResult {
  delivered: number;
  /** Events that failed in this run (each holds back the later events of its aggregate until it succeeds). */
  failed: { id: string; error: string }[];
}

const BATCH = 100;

/**
 * Delivers every event not yet delivered, oldest first. Each (event, consumer) pair runs in its own transaction that
 * first inserts outbox_delivery(event_id, consumer): a pair already recorded is skipped, so a redelivered event (a
 * dispatcher killed mid-run, two dispatchers at once) has each consumer's effect once. When an event fails, the later
 * events of the same aggregate wait for the next run; other aggregates go on.
 */
export async function dispatchPending(
  em: EntityManager,
  consumers: readonly OutboxConsumer[],
  log: Logger,
  signal?: AbortSignal,
): Promise<DispatchResult> {
  const result: DispatchResult = { delivered: 0, failed: [] };
  const held = new Set<string>();
  let after = '0';
  for (;;) {
    const rows = await em.execute<PendingRow[]>(
      // Order by the column, not the text alias: '10' sorts before '9'.
      `select e.id::text as id, e.aggregate_type || ':' || e.aggregate_id as aggregate, e.payload, e.created_at
         from outbox_event e where e.delivered_at is null and e.id > ?::bigint order by e.id limit ?`,
      [after, BATCH],
    );
    for (const row of rows) {
      if (signal?.aborted) return result;
      after = row.id;
      if (held.has(row.aggregate)) continue;
      try {
        await deliverEvent(em, consumers, row, log);
        result.delivered++;
      } catch (err) {
        held.add(row.aggregate);
        const error = err instanceof Error ? err.message : String(err);
        result.failed.push({ id: row.id, error });
        log.warn({ err, eventId: row.id }, 'outbox event not delivered; its aggregate waits for the next run');
        await em.execute('update outbox_event set attempts = attempts + 1, last_error = ? where id = ?::bigint', [
          error.slice(0, 1000),
          row.id,
        ]);
      }
    }
    if (rows.length < BATCH) return result;
  }
}

async function deliverEvent(em: EntityManager, consumers: readonly OutboxConsumer[], row: PendingRow, log: Logger) {
  // Events outlive the code that wrote them: read them with today's schema, as tasks do their payloads.
  const parsed = domainEventSchema.safeParse(row.payload);
  if (!parsed.success) throw new Error(`event ${row.id} does not match the event schema: ${parsed.error.message}`);
  const delivered: DeliveredEvent = { id: row.id, createdAt: new Date(row.created_at), event: parsed.data };
  for (const consumer of consumers) {
    if (!consumer.accepts(delivered.event)) continue;
    // A fresh fork per delivery: nothing from one consumer's transaction lingers in the next.
    await em.fork().transactional(async (tem) => {
      const recorded = await tem.execute<{ id: string }[]>(
        `insert into outbox_delivery (event_id, consumer) values (?::bigint, ?)
           on conflict do nothing returning event_id::text as id`,
        [row.id, consumer.name],
      );
      if (recorded.length === 0) return; // done before (a redelivery)
      await consumer.deliver(tem, delivered, log.child({ consumer: consumer.name, eventId: row.id }));
    });
  }
  await em.execute('update outbox_event set delivered_at = now() where id = ?::bigint', [row.id]);
}
