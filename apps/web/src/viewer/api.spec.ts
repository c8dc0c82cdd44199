import { describe, expect, it } from 'vitest';
import { TRPCClientError } from '@arvlite/client';
import { sendEndSession, sendUnsentEnd, type viewerApi } from './api.ts';

describe('sendEndSession', () => {
  it('POSTs the input as tRPC expects it (application/json, superjson envelope) with keepalive, so it outlives the page', async () => {
    const calls: [string, RequestInit][] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return new Response('{}');
    }) as unknown as typeof fetch;
    const input = {
      sessionId: '6f1c4b58-0000-4000-8000-000000000001',
      watchedMs: 1234,
      trackingLostCount: 2,
      completed: true,
    };
    expect(await sendEndSession(input, fetchImpl)).toBe(true);
    expect(calls).toHaveLength(1);
    const [url, init] = calls[0]!;
    expect(url).toBe('/trpc/viewer.endSession');
    expect(init).toMatchObject({ method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(init.body as string)).toEqual({ json: input });
  });

  it('swallows a failed request (analytics never break the page) and says the server did not take it', async () => {
    const offline = (() => Promise.reject(new TypeError('offline'))) as unknown as typeof fetch;
    const input = { sessionId: 'x', watchedMs: 0, trackingLostCount: 0, completed: false };
    expect(await sendEndSession(input, offline)).toBe(false);
    const refused = (async () => new Response('{}', { status: 429 })) as unknown as typeof fetch;
    expect(await sendEndSession(input, refused)).toBe(false);
  });
});

describe('sendUnsentEnd', () => {
  const input = {
    sessionId: '6f1c4b58-0000-4000-8000-000000000001',
    watchedMs: 1234,
    trackingLostCount: 1,
    completed: false,
    endedAgoMs: 60_000,
  };
  const api = (mutate: () => Promise<unknown>) =>
    ({ viewer: { endSession: { mutate } } }) as unknown as typeof viewerApi;
  const answered = (code: string, httpStatus: number) => () =>
    Promise.reject(TRPCClientError.from({ error: { message: code, code: -32600, data: { code, httpStatus } } }));

  it('is done when the server took the end or already has it, and retries when there was no answer or "later"', async () => {
    expect(
      await sendUnsentEnd(
        input,
        api(() => Promise.resolve({ ok: true })),
      ),
    ).toBe('done');
    expect(await sendUnsentEnd(input, api(answered('CONFLICT', 409)))).toBe('done');
    expect(await sendUnsentEnd(input, api(answered('NOT_FOUND', 404)))).toBe('done');
    expect(await sendUnsentEnd(input, api(answered('TOO_MANY_REQUESTS', 429)))).toBe('retry');
    expect(
      await sendUnsentEnd(
        input,
        api(() => Promise.reject(new TRPCClientError('fetch failed'))),
      ),
    ).toBe('retry');
  });
});
