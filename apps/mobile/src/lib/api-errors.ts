// What a person reads about a failed call, in their language: the server's error code (and the app's own UserError
// keys) map to catalog texts; server messages are never shown, they are English. Telling permanent from transient
// failures is the shared client's (@arvlite/client), re-exported here for the app's modules.
import { errorCode, TRPCClientError } from '@arvlite/client';
import type { TFunction } from 'i18next';
import { tDynamic } from '../i18n/index.ts';
import { UserError } from './user-error.ts';

export { errorCode, isAbort, isPermanentError, isTransientError } from '@arvlite/client';

/** Texts a screen puts in place of a code's usual one (a refused sign-in is not "sign in to continue"). */
export type ErrorOverrides = Partial<Record<string, string>>;

type Details = { reason?: unknown; retryAfterS?: unknown };

/** The text to show a person for any failure. */
export function errorText(err: unknown, t: TFunction, overrides: ErrorOverrides = {}): string {
  const tr = (key: string | string[], options?: Record<string, unknown>) => tDynamic(t, key, options);
  if (err instanceof UserError) return tr(`errors.${err.key}`, err.values);
  if (err instanceof TRPCClientError) {
    const data = err.data as { fieldErrors?: Record<string, string[] | undefined>; details?: Details } | undefined;
    const field = data?.fieldErrors && Object.entries(data.fieldErrors).find(([, v]) => v?.length)?.[0];
    if (field) return tr('errors.invalidField', { field: tr(`fields.${field}`, { defaultValue: field }) });
    const code = errorCode(err);
    if (!code) return tr('errors.NETWORK');
    const override = overrides[code];
    if (override) return tr(override);
    const details = data?.details;
    if (typeof details?.reason === 'string')
      return tr([`errors.${details.reason}`, `common:errors.${details.reason}`, `common:errors.${code}`]);
    if (code === 'TOO_MANY_REQUESTS' && typeof details?.retryAfterS === 'number')
      return tr('errors.retryAfter', { count: Math.ceil(details.retryAfterS) });
    return tr([`common:errors.${code}`, 'common:errors.UNKNOWN']);
  }
  // fetch's failure to reach a host (offline, DNS) is a TypeError in browsers and React Native alike.
  if (err instanceof TypeError) return tr('errors.NETWORK');
  return tr('common:errors.UNKNOWN');
}

/** A failure in English for logs and stored diagnostics (never shown as such). */
export function errorDetail(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const data = err.data as { fieldErrors?: Record<string, string[] | undefined> } | undefined;
    const first = data?.fieldErrors && Object.entries(data.fieldErrors).find(([, v]) => v?.length);
    if (first) return `${first[0]}: ${first[1]![0]}`;
    if (!errorCode(err)) return 'Could not reach the server';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
