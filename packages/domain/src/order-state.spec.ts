import { ORDER_STATES, type OrderState } from '@arvlite/contract';
import { describe, expect, it } from 'vitest';
import { ConflictError } from './errors.ts';
import { canTransitionOrder, REFUNDABLE_ORDER_STATES, transitionOrder } from './order-state.ts';

describe('order state table', () => {
  it('allows exactly these changes', () => {
    const table = Object.fromEntries(
      ORDER_STATES.map((from) => [from, ORDER_STATES.filter((to) => canTransitionOrder(from, to))]),
    );
    expect(table).toEqual({
      DRAFT: ['PLACED', 'CANCELLED'],
      PLACED: ['PAID', 'CANCELLED'],
      PAID: ['IN_PRODUCTION', 'REFUNDED'],
      IN_PRODUCTION: ['SHIPPED', 'REFUNDED'],
      SHIPPED: ['DELIVERED', 'REFUNDED'],
      DELIVERED: ['REFUNDED'],
      CANCELLED: [],
      REFUNDED: [],
    });
  });

  it('walks the happy path and ends in a full refund', () => {
    const order: { state: OrderState } = { state: 'DRAFT' };
    for (const to of ['PLACED', 'PAID', 'IN_PRODUCTION', 'SHIPPED', 'DELIVERED', 'REFUNDED'] as const) {
      transitionOrder(order, to);
      expect(order.state).toBe(to);
    }
  });

  it.each(
    ORDER_STATES.flatMap((from) =>
      ORDER_STATES.filter((to) => !canTransitionOrder(from, to)).map((to) => [from, to] as const),
    ),
  )('refuses %s → %s with a typed CONFLICT and leaves the order as it was', (from, to) => {
    const order: { state: OrderState } = { state: from };
    let error: unknown;
    try {
      transitionOrder(order, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toEqual({ reason: 'ILLEGAL_ORDER_TRANSITION', from, to });
    expect(order.state).toBe(from);
  });

  it('refunds only what was paid for', () => {
    expect(REFUNDABLE_ORDER_STATES).toEqual(ORDER_STATES.filter((s) => canTransitionOrder(s, 'REFUNDED')));
  });
});
