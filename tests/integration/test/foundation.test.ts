import { randomBytes } from 'node:crypto';
import { TRPCClientError, type AppRouter } from '@arvlite/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../src/index.ts';

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  platform = await startTestPlatform({ worker: true, env: { OPERATOR_TOKEN } });
});

describe('server over real HTTP', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${platform.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${platform.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', database: true, storage: true, queue: true, workers: 1 });
    expect(ready.headers.get('x-request-id')).toBeTruthy();
  });

  it('reports health through the typed client, with the live worker for the operator', async () => {
    const health = await platform.client(() => OPERATOR_TOKEN).health.check.query();
    expect(health.status).toBe('ok');
    if (!('workers' in health)) throw new Error('expected the operator details');
    expect(health.database.ok && health.storage.ok && health.queue.ok).toBe(true);
    expect(health.workers.map((w) => w.id)).toContain(platform.worker!.id);
    expect(health.checkedAt).toBeInstanceOf(Date); // superjson round-trip
  });

  it('batches calls into one request', async () => {
    const c = platform.client();
    const [a, b] = await Promise.all([c.health.check.query(), c.health.check.query()]);
    expect(a.status).toBe('ok');
    expect(b.status).toBe('ok');
  });

  it('streams a subscription over SSE', async () => {
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = platform.client().health.watch.subscribe(
        { intervalMs: 5000 },
        {
          onData(data) {
            seen.push(data.status);
            if (seen.length === 2) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(seen).toEqual(['ok', 'ok']);
  });

  it('rejects unknown keys and bad values with fieldErrors', async () => {
    const error = await new Promise<unknown>((resolve) => {
      const sub = platform.client().health.watch.subscribe(
        // @ts-expect-error unknown key, rejected at run time too
        { intervalMs: 10, extra: 1 },
        {
          onError: (e: unknown) => {
            sub.unsubscribe();
            resolve(e);
          },
        },
      );
    });
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data as {
      code: string;
      fieldErrors?: Record<string, string[]>;
      formErrors?: string[];
    };
    expect(data.code).toBe('BAD_REQUEST');
    expect(data.fieldErrors?.intervalMs?.[0]).toMatch(/>=5000/);
    expect(data.formErrors?.join()).toMatch(/extra/);
  });

  it('answers an unknown procedure with NOT_FOUND', async () => {
    const res = await fetch(`${platform.baseUrl}/trpc/nope.nothing`);
    expect(res.status).toBe(404);
  });
});
