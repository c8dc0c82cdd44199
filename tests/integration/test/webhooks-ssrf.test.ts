// Webhook URLs that point inside the network are refused with typed errors when saved (and the delivery task checks
// again on every attempt: packages/webhooks/test/ssrf.test.ts). Here loopback is not allowed, as in production.
import { loadConfig } from '@arvlite/config';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUp, type CallerUser } from '../src/index.ts';

let owner: CallerUser;
let companyId: string;

beforeAll(async () => {
  const deps = await createTestDeps({ WEBHOOK_ALLOW_LOOPBACK: 'false' });
  owner = await signUp(deps);
  companyId = (await owner.caller.company.create({ name: 'Careful Inc' })).id;
});

async function refusal(url: string) {
  const err = await owner.caller.webhook
    .create({ companyId, url, events: ['video.ready'] })
    .catch((e: unknown) => e as TRPCError);
  expect(err, url).toBeInstanceOf(TRPCError);
  const e = err as TRPCError & { cause?: { details?: { reason?: string; field?: string } } };
  expect(e.code).toBe('BAD_REQUEST');
  return e.cause?.details;
}

describe('webhook URLs inside the network are refused', () => {
  it.each([
    'https://127.0.0.1/hook',
    'https://[::1]/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/',
    'https://10.20.30.40/hook',
    'https://172.16.5.4/hook',
    'https://192.168.1.1/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://0.0.0.0/hook',
    'https://localhost/hook',
  ])('%s', async (url) => {
    expect(await refusal(url)).toEqual({ reason: 'WEBHOOK_URL_FORBIDDEN_ADDRESS', field: 'url' });
  });

  it('plain http, even on loopback, when the flag is off (as in production)', async () => {
    expect(await refusal('http://127.0.0.1:8080/hook')).toEqual({ reason: 'WEBHOOK_URL_NOT_HTTPS', field: 'url' });
    expect(await refusal('http://hooks.example.com/hook')).toEqual({ reason: 'WEBHOOK_URL_NOT_HTTPS', field: 'url' });
  });

  it('URLs with credentials and other schemes', async () => {
    expect(await refusal('https://user:pw@hooks.example.com/')).toEqual({
      reason: 'WEBHOOK_URL_INVALID',
      field: 'url',
    });
    const err = (await owner.caller.webhook
      .create({ companyId, url: 'file:///etc/passwd', events: ['video.ready'] })
      .catch((e: unknown) => e)) as TRPCError;
    expect(err.code).toBe('BAD_REQUEST');
  });

  it('an update to a forbidden URL too', async () => {
    const ok = await owner.caller.webhook.create({
      companyId,
      url: 'https://hooks.invalid/arvlite',
      events: ['video.ready'],
    });
    const err = (await owner.caller.webhook
      .update({ id: ok.endpoint.id, url: 'https://169.254.169.254/' })
      .catch((e: unknown) => e)) as TRPCError & { cause?: { details?: unknown } };
    expect(err.cause?.details).toEqual({ reason: 'WEBHOOK_URL_FORBIDDEN_ADDRESS', field: 'url' });
  });

  it('the loopback flag is refused in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_LOOPBACK: 'true', AUTH_JWT_SECRET: 'x'.repeat(40) }),
    ).toThrow(/WEBHOOK_ALLOW_LOOPBACK/);
  });
});
