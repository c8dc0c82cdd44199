// Failed calls as people read them, in their language: by the error's code and `details.reason`, never the server's
// English message. Used by every page (through api.ts) and by the uploader.
import { errorCode, TRPCClientError } from '@arvlite/client';
import { i18n, t } from './dashboard.ts';

/** What a call site says for a code (or a `details.reason`): a dashboard key, e.g. `{ CONFLICT: 'auth.emailTaken' }`. */
export type ErrorTexts = Partial<Record<string, string>>;

interface ErrorData {
  code?: string;
  requestId?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  details?: { reason?: unknown; field?: unknown };
}

/**
 * The message to show a person, in their language. Server messages are never shown: a failed call is read by its
 * code and `details.reason` (the call site's own texts first, then the dashboard's reasons, then `common.errors`).
 * Errors this app throws itself (uploads) already carry a translated message.
 */
export function errorMessage(err: unknown, texts: ErrorTexts = {}): string {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as ErrorData;
    const code = errorCode(err);
    const reason = typeof data.details?.reason === 'string' ? data.details.reason : undefined;
    const own = (reason && texts[reason]) || (code && texts[code]);
    if (own) return t(own);
    if (reason && i18n.exists(`errors.reason.${reason}`)) return t(`errors.reason.${reason}`);
    if (reason && i18n.exists(`common:errors.${reason}`)) return t(`common:errors.${reason}`);
    if (data.fieldErrors && Object.values(data.fieldErrors).some((v) => v?.length)) return t('errors.invalid');
    if (code === 'INTERNAL_SERVER_ERROR' && data.requestId) return t('errors.internal', { requestId: data.requestId });
    if (code && i18n.exists(`common:errors.${code}`)) return t(`common:errors.${code}`);
    return t(code ? 'common:errors.UNKNOWN' : 'common:errors.NETWORK');
  }
  return err instanceof Error && err.message ? err.message : t('common:errors.UNKNOWN');
}

/** The text for an input the server refused: the field's own hint in the person's language. */
function fieldText(field: string): string {
  return i18n.exists(`fields.${field}`) ? t(`fields.${field}`) : t('fields.default');
}

/** Per input, what to fix, for the inputs a failed call names (zod's fields, or a domain error's `details.field`). */
export function fieldErrors(err: unknown): Record<string, string | undefined> {
  if (!(err instanceof TRPCClientError)) return {};
  const data = (err.data ?? {}) as ErrorData;
  const out: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(data.fieldErrors ?? {})
      .filter(([, v]) => v?.length)
      .map(([k]) => [k, fieldText(k)]),
  );
  const field = data.details?.field;
  if (typeof field === 'string') out[field] = fieldText(field);
  return out;
}
