// The viewer's own client: public procedures only, no session, so this page never loads the dashboard's auth code.
import { createArvliteClient, isPermanentError, type RouterInputs, type RouterOutputs } from '@arvlite/client';
import type { LateEnd, SendOutcome } from './unsent-ends.ts';

export type Manifest = RouterOutputs['viewer']['manifest'];
export type PlayableManifest = Extract<Manifest, { ok: true }>;
export type ManifestReason = Extract<Manifest, { ok: false }>['reason'];
export type EndSessionInput = RouterInputs['viewer']['endSession'];
export type StageInput = RouterInputs['viewer']['reportStage'];

const TRPC_URL = '/trpc';

export const viewerApi = createArvliteClient({ url: TRPC_URL });

/**
 * For asking again after a reason: the manifest is cacheable (10 s for a reason), and "try again" must reach the server.
 * `no-cache` revalidates with the ETag, so an unchanged answer still costs only a 304.
 */
export const freshViewerApi = createArvliteClient({
  url: TRPC_URL,
  fetch: (input, init) => fetch(input, { ...init, cache: 'no-cache' }),
});

export { errorCode } from '@arvlite/client';

/**
 * Ends a view session while the page is going away. Not sendBeacon: tRPC takes a POST only as application/json, and
 * Chromium refuses a beacon whose Blob type is not CORS-safelisted; a keepalive fetch outlives the page the same way.
 * The body is what superjson makes of this plain input: `{ json: input }`. Resolves to whether the server took it, if
 * the page lives to hear (never rejects: analytics never break the page).
 */
export function sendEndSession(input: EndSessionInput, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  return fetchImpl(`${TRPC_URL}/viewer.endSession`, {
    method: 'POST',
    keepalive: true,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  }).then(
    (res) => res.ok,
    () => false,
  );
}

/**
 * Sends an end a page left behind (unsent-ends.ts). An answer the server meant (taken, CONFLICT when it already has
 * it, NOT_FOUND) is 'done'; none, or "later" (offline, 429, 5xx), is 'retry'.
 */
export function sendUnsentEnd(input: LateEnd, api: typeof viewerApi = viewerApi): Promise<SendOutcome> {
  return api.viewer.endSession.mutate(input).then(
    () => 'done',
    (err: unknown) => (isPermanentError(err) ? 'done' : 'retry'),
  );
}

/**
 * Reports one stage of a view (view-stages.ts) as a keepalive request, so a stage reached just before the page goes
 * away still leaves. Resolves once answered, and never rejects; a report that did not arrive rides with the view's end.
 */
export function sendStage(input: StageInput, fetchImpl: typeof fetch = fetch): Promise<void> {
  return fetchImpl(`${TRPC_URL}/viewer.reportStage`, {
    method: 'POST',
    keepalive: true,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  }).then(
    () => undefined,
    () => undefined,
  );
}
