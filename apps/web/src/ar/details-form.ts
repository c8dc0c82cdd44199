// The AR content details form without React: the item as form values (times as wall clock in the company's time
// zone) and back as `arContent.update` input, with per-field checks.
import { fromWallTime, inputs, toWallTime, type RouterInputs } from '@arvlite/client';
import { t } from '../i18n/dashboard.ts';
import type { ArContentDetail } from './ar-status.tsx';

export type UpdateInput = RouterInputs['arContent']['update'];

export interface DetailsValues {
  title: string;
  description: string;
  /** Wall-clock `YYYY-MM-DD HH:mm:ss` in the company's time zone. */
  activeFrom: string | null;
  expiresAt: string | null;
  customerName: string;
  customerEmail: string;
  customerPhone: string;
  orderRef: string;
  autoplay: boolean;
  loop: boolean;
  muted: boolean;
  widthMm: number | string;
}

export function detailsValues(c: ArContentDetail, timeZone: string): DetailsValues {
  return {
    title: c.title,
    description: c.description ?? '',
    activeFrom: c.activeFrom ? toWallTime(c.activeFrom, timeZone) : null,
    expiresAt: c.expiresAt ? toWallTime(c.expiresAt, timeZone) : null,
    customerName: c.customer.name ?? '',
    customerEmail: c.customer.email ?? '',
    customerPhone: c.customer.phone ?? '',
    orderRef: c.customer.orderRef ?? '',
    autoplay: c.playback.autoplay,
    loop: c.playback.loop,
    muted: c.playback.muted,
    widthMm: c.marker.widthMm ?? '',
  };
}

/** Whether the server's own schema for a field (the contract's) refuses the value. */
const refused = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown) =>
  !schema.safeParse(value).success;

/** The form as `arContent.update` input, with the mistakes the server would refuse caught per field first. */
export function toUpdateInput(
  id: string,
  v: DetailsValues,
  timeZone: string,
): { input: UpdateInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const when = (s: string | null) => (s ? fromWallTime(s, timeZone) : null);
  const activeFrom = when(v.activeFrom);
  const expiresAt = when(v.expiresAt);
  if (refused(inputs.title, v.title)) errors.title = t('ar.errors.title');
  if (activeFrom && expiresAt && expiresAt <= activeFrom) errors.expiresAt = t('ar.errors.expiresAt');
  const email = text(v.customerEmail);
  if (email && refused(inputs.email, email)) errors.customerEmail = t('ar.errors.email');
  const phone = text(v.customerPhone);
  if (phone && refused(inputs.customerPhone, phone)) errors.customerPhone = t('ar.errors.phone');
  const width = v.widthMm === '' ? null : Number(v.widthMm);
  if (width !== null && refused(inputs.widthMm, width)) errors.widthMm = t('ar.errors.width');
  return {
    errors,
    input: {
      id,
      title: v.title.trim(),
      description: text(v.description),
      activeFrom,
      expiresAt,
      customer: { name: text(v.customerName), email, phone, orderRef: text(v.orderRef) },
      playback: { autoplay: v.autoplay, loop: v.loop, muted: v.muted },
      widthMm: width,
    },
  };
}
