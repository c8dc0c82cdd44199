import type { DomainEvent } from '@arvlite/contract';
import type { EntityManager } from '@arvlite/db';
import type { Logger } from 'pino';

/** An event as the dispatcher hands it over: the validated event plus its outbox id and time. */
export interface DeliveredEvent {
  /** The outbox id: unique, increasing; use it as the idempotency key for effects outside Postgres. */
  id: string;
  createdAt: Date;
  event: DomainEvent;
}

/**
 * Something that reacts to events. `deliver` runs inside the transaction that records the delivery
 * (outbox_delivery), so an effect written with `tem` happens exactly once even when the event comes again.
 * An effect outside Postgres (an e-mail, a webhook) must be keyed by the event id, as it may be attempted twice.
 */
export interface OutboxConsumer {
  /** Stable name, stored with each delivery (max 64 characters). Renaming a consumer makes it a new one. */
  name: string;
  /** The events it wants; others are not recorded for it. */
  accepts(event: DomainEvent): boolean;
  deliver(tem: EntityManager, delivered: DeliveredEvent, log: Logger): Promise<void>;
}
