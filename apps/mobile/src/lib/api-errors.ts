// The message a person sees for a failed call. Telling permanent from transient failures is the shared client's
// (@arvlite/client), re-exported here for the app's modules.
import { errorCode, TRPCClientError } from '@arvlite/client';

export { errorCode, isAbort, isPermanentError, isTransientError } from '@arvlite/client';

/** The message to show a person: server messages are written for people; validation ones name the field. */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const data = err.data as { fieldErrors?: Record<string, string[] | undefined> } | undefined;
    const first = data?.fieldErrors && Object.entries(data.fieldErrors).find(([, v]) => v?.length);
    if (first) return `${first[0]}: ${first[1]![0]}`;
    if (!errorCode(err)) return 'Could not reach the server. Check your connection and try again.';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
