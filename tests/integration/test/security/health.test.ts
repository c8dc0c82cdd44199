// Health endpoints (security review, finding 9): anonymous callers learn up or down only; hostnames, PIDs and job
// counts need the operator token (OPERATOR_TOKEN, a Bearer token); health.watch has a minimum interval and caps on
// open streams, per client address and per process.
import { randomBytes } from 'node:crypto';
import { TRPCClientError } from '@arvlite/client';
import { loadConfig } from '@arvlite/config';
import { waitFor } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform } from '../../src/index.ts';

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  platform = await startTestPlatform({ worker: true, env: { OPERATOR_TOKEN } });
});

/** Opens health.watch over raw SSE and resolves with the first data or serialized-error event. */
async function openWatch(ip: string, intervalMs = 5000, token?: string) {
  const controller = new AbortController();
  const input = encodeURIComponent(JSON.stringify({ json: { intervalMs } }));
  const res = await fetch(`${platform.baseUrl}/trpc/health.watch?input=${input}`, {
    headers: {
      accept: 'text/event-stream',
      'x-forwarded-for': ip,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    signal: controller.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    const m = /event: (serialized-error)\ndata: (.*)\n|\ndata: (\{"json".*)\n/.exec(text);
    if (m) {
      const error = m[1] ? (JSON.parse(m[2]!) as { json: { data: { code: string } } }).json.data.code : null;
      return { error, close: () => controller.abort() };
    }
  }
  return { error: 'closed', close: () => controller.abort() };
}

describe('health', () => {
  it('tells anonymous callers up or down, nothing more', async () => {
    const health = await platform.client().health.check.query();
    expect(health.status).toBe('ok');
    expect(Object.keys(health).sort()).toEqual(['checkedAt', 'status']);
    const raw = await (await fetch(`${platform.baseUrl}/trpc/health.check`)).text();
    expect(raw).not.toMatch(/hostname|pid|jobsCompleted|latencyMs|workers/);
  });

  it('a signed-in user or a wrong token gets the same public answer', async () => {
    const user = await registerUser(platform.client);
    expect(Object.keys(await user.client.health.check.query()).sort()).toEqual(['checkedAt', 'status']);
    const wrong = `${OPERATOR_TOKEN.slice(0, -1)}${OPERATOR_TOKEN.endsWith('A') ? 'B' : 'A'}`;
    expect(Object.keys(await platform.client(() => wrong).health.check.query()).sort()).toEqual([
      'checkedAt',
      'status',
    ]);
  });

  it('the operator token shows the details', async () => {
    const health = await platform.client(() => OPERATOR_TOKEN).health.check.query();
    expect(health).toMatchObject({ status: 'ok', database: { ok: true }, storage: { ok: true }, queue: { ok: true } });
    expect('workers' in health && health.workers.map((w) => w.id)).toContain(platform.worker!.id);
  });

  it('OPERATOR_TOKEN has no default and must be long', () => {
    expect(loadConfig({}).operator.tokenSha256).toBeUndefined();
    expect(() => loadConfig({ OPERATOR_TOKEN: 'short' })).toThrowError(/OPERATOR_TOKEN: expected at least 32/);
    // Only its hash is kept.
    expect(JSON.stringify(loadConfig({ OPERATOR_TOKEN }))).not.toContain(OPERATOR_TOKEN);
  });

  it('health.watch refuses intervals under 5 s', async () => {
    const error = await new Promise<unknown>((resolve) => {
      const sub = platform.client().health.watch.subscribe(
        { intervalMs: 1000 },
        {
          onData: () => resolve(null),
          onError: (e: unknown) => {
            sub.unsubscribe();
            resolve(e);
          },
        },
      );
    });
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('health.watch caps open streams per client and per process', async () => {
    const open: { close: () => void }[] = [];
    try {
      // Two per client address.
      const a1 = await openWatch('198.51.100.1');
      const a2 = await openWatch('198.51.100.1');
      open.push(a1, a2);
      expect([a1.error, a2.error]).toEqual([null, null]);
      const a3 = await openWatch('198.51.100.1');
      open.push(a3);
      expect(a3.error).toBe('TOO_MANY_REQUESTS');
      // Closing one frees its place.
      a1.close();
      // Once the server has seen the close, a new watch from the same address is accepted (refused ones are closed).
      const a4 = await waitFor('a freed place', async () => {
        const next = await openWatch('198.51.100.1');
        if (next.error === null) return next;
        expect(next.error).toBe('TOO_MANY_REQUESTS');
        next.close();
        return undefined;
      });
      open.push(a4);
      expect(a4.error).toBeNull();

      // 20 public streams per process; the next one is told to come back later.
      for (let i = 2; open.filter((s) => s !== a1 && s !== a3).length < 20; i++) {
        const s = await openWatch(`198.51.100.${i}`);
        expect(s.error).toBeNull();
        open.push(s);
      }
      const over = await openWatch('198.51.100.200');
      open.push(over);
      expect(over.error).toBe('SERVICE_UNAVAILABLE');
      // The operator is not counted against the public cap.
      const operator = await openWatch('198.51.100.201', 5000, OPERATOR_TOKEN);
      open.push(operator);
      expect(operator.error).toBeNull();
    } finally {
      for (const s of open) s.close();
    }
  });
});
