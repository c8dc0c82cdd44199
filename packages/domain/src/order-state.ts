// The order lifecycle: DRAFT → PLACED → PAID → IN_PRODUCTION → SHIPPED → DELIVERED; CANCELLED before payment;
// REFUNDED once everything paid was given back (a partial refund keeps the state and only adds to refundedMinor).
// Every state change goes through transitionOrder().
import type { OrderState } from '@arvlite/contract';
import { ConflictError } from './errors.ts';

const ALLOWED: Record<OrderState, readonly OrderState[]> = {
  DRAFT: ['PLACED', 'CANCELLED'],
  PLACED: ['PAID', 'CANCELLED'],
  PAID: ['IN_PRODUCTION', 'REFUNDED'],
  IN_PRODUCTION: ['SHIPPED', 'REFUNDED'],
  SHIPPED: ['DELIVERED', 'REFUNDED'],
  DELIVERED: ['REFUNDED'],
  CANCELLED: [],
  REFUNDED: [],
};

/** States in which money was taken and may be refunded (in part, keeping the state, or in full). */
export const REFUNDABLE_ORDER_STATES: readonly OrderState[] = ['PAID', 'IN_PRODUCTION', 'SHIPPED', 'DELIVERED'];

export function canTransitionOrder(from: OrderState, to: OrderState): boolean {
  return ALLOWED[from].includes(to);
}

/** Sets `order.state` to `to`, or throws CONFLICT (reason ILLEGAL_ORDER_TRANSITION) and leaves it as it was. */
export function transitionOrder(order: { state: OrderState }, to: OrderState): void {
  if (!canTransitionOrder(order.state, to)) {
    throw new ConflictError(`An order cannot go from ${order.state} to ${to}`, {
      reason: 'ILLEGAL_ORDER_TRANSITION',
      from: order.state,
      to,
    });
  }
  order.state = to;
}
