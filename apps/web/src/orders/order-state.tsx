// An order's state as a badge, and which actions the order page offers in each state (the server's transition table
// decides; an action it refuses answers CONFLICT and changes nothing).
import type { OrderState } from '@arvlite/client';
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const COLOR: Record<OrderState, string> = {
  DRAFT: 'gray',
  PLACED: 'blue',
  PAID: 'teal',
  IN_PRODUCTION: 'violet',
  SHIPPED: 'indigo',
  DELIVERED: 'green',
  CANCELLED: 'gray',
  REFUNDED: 'orange',
};

export function OrderStateBadge({ state }: { state: OrderState }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLOR[state]} variant="light" data-state={state}>
      {t(`orderState.${state}`)}
    </Badge>
  );
}

export type OrderAction = 'place' | 'cancel' | 'markPaid' | 'markInProduction' | 'markShipped' | 'markDelivered';

/** The next steps of each state, in the order the page shows them. */
export const NEXT_ACTIONS: Record<OrderState, readonly OrderAction[]> = {
  DRAFT: ['place', 'cancel'],
  PLACED: ['markPaid', 'cancel'],
  PAID: ['markInProduction'],
  IN_PRODUCTION: ['markShipped'],
  SHIPPED: ['markDelivered'],
  DELIVERED: [],
  CANCELLED: [],
  REFUNDED: [],
};

/** States in which what was paid may be refunded, in part or in full. */
export const REFUNDABLE: readonly OrderState[] = ['PAID', 'IN_PRODUCTION', 'SHIPPED', 'DELIVERED'];
