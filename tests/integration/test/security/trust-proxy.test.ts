// Client addresses and per-IP limits (security review, finding 5): TRUST_PROXY names the proxies in front (a number of
// hops or their addresses/CIDRs) instead of believing any X-Forwarded-For, IPv6 clients are counted per /64, and
// expired rate-limit rows are purged by a cron job.
import { TRPCClientError } from '@arvlite/client';
import { loadConfig } from '@arvlite/config';
import { cronItems } from '@arvlite/jobs/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform } from '../../src/index.ts';

// One proxy in front (hops = 1): the address it appends is the client's; whatever the client wrote before is not.
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: { TRUST_PROXY: '1', VIEWER_RATE_LIMIT_PER_MINUTE: '5', WORKER_TASKS: 'rate-limit:purge' },
  });
});

/** viewer.manifest over raw HTTP with the given X-Forwarded-For, as the proxy forwards it. */
async function manifest(forwardedFor: string): Promise<number> {
  const input = encodeURIComponent(JSON.stringify({ json: { publicId: 'aaaaaaaaaaaaaaaa' } }));
  const res = await fetch(`${platform.baseUrl}/trpc/viewer.manifest?input=${input}`, {
    headers: { 'x-forwarded-for': forwardedFor },
  });
  await res.arrayBuffer();
  return res.status;
}

async function rateLimitKeys(like: string): Promise<string[]> {
  const rows = await platform.deps.orm
    .fork()
    .execute<{ key: string }[]>('select key from rate_limit where key like ? order by key', [like]);
  return rows.map((r) => r.key);
}

describe('TRUST_PROXY', () => {
  it('takes a number of hops or addresses/CIDRs, never a blanket true', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
    for (const bad of ['true', 'yes', '10.0.0.0/33', 'proxy.example.com', '0', '1.2.3']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrowError(/TRUST_PROXY: /);
    }
  });

  it('a client cannot choose its address by writing X-Forwarded-For itself', async () => {
    // The proxy appends the real client address (203.0.113.7) after whatever the client sent.
    const statuses: number[] = [];
    for (let i = 1; i <= 7; i++) statuses.push(await manifest(`198.51.100.${i}, 203.0.113.7`));
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(await rateLimitKeys('viewer:ip:%')).toContain('viewer:ip:203.0.113.7');
    expect((await rateLimitKeys('viewer:ip:198.51.100.%')).length).toBe(0);
  });
});

describe('IPv6 clients', () => {
  it('share one viewer limit per /64', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push(await manifest(`2001:db8:1:2::${i.toString(16)}`));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Another /64 is another client.
    expect(await manifest('2001:db8:1:3::1')).toBe(200);
    // An IPv4 address written as IPv6 counts as the IPv4 address.
    expect(await manifest('::ffff:203.0.113.99')).toBe(200);
    expect(await rateLimitKeys('viewer:ip:%203.0.113.99')).toEqual(['viewer:ip:203.0.113.99']);
  });

  it('every per-IP limit of the sign-in procedures counts the /64, never the full address', async () => {
    const ip = '2001:0db8:00aa:00bb:1:2:3:4';
    const anon = platform.client(undefined, ip);
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof TRPCClientError ? String(e.data?.code) : String(e)),
      );
    await outcome(anon.auth.login.mutate({ email: 'nobody@example.com', password: 'not-the-password' }));
    await outcome(anon.auth.refresh.mutate({ refreshToken: 'x'.repeat(43) }));
    await outcome(
      anon.auth.register.mutate({
        email: `v6-${Date.now()}@example.com`,
        password: 'Sturdy-password-v6',
        name: 'IPv6 user',
      }),
    );
    const user = await registerUser(platform.client);
    await outcome(platform.client(() => user.accessToken, ip).auth.acceptInvite.mutate({ token: 'y'.repeat(43) }));
    await manifest(ip);

    const keys = await rateLimitKeys('%2001:db8:aa:%');
    expect(keys.map((k) => k.split(':')[0])).toEqual(
      expect.arrayContaining(['invite', 'login', 'refresh', 'register', 'viewer']),
    );
    for (const key of keys) {
      expect(key).toContain('2001:db8:aa:bb::/64');
    }
    expect(await rateLimitKeys('%:1:2:3:4%')).toEqual([]);
  });
});

describe('rate-limit rows', () => {
  it('are purged by a cron job once their window is long over', async () => {
    expect(cronItems.map((i) => i.task)).toContain('rate-limit:purge');
    const em = platform.deps.orm.fork();
    await em.execute(
      `insert into rate_limit (key, window_started_at, hits) values
         ('purge-test:old', now() - interval '2 days', 3), ('purge-test:fresh', now(), 1)`,
    );
    await em.execute(`select graphile_worker.add_job('rate-limit:purge', '{}'::json)`);
    const deadline = Date.now() + 20_000;
    while ((await rateLimitKeys('purge-test:%')).length > 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await rateLimitKeys('purge-test:%')).toEqual(['purge-test:fresh']);
  });
});
