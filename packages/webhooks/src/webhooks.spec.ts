import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { webhookPayloadSchema } from '@arvlite/contract';
import { eventBody, webhookPayloadJsonSchemas } from './payloads.ts';
import { nextAttemptDelayS, RETRY_SCHEDULE_S } from './schedule.ts';
import { decryptSecret, encryptSecret, generateSecret, signHeaders } from './signing.ts';
import { checkAddress, checkUrl, resolveChecked } from './ssrf.ts';

const strict = { allowLoopback: false };
const dev = { allowLoopback: true };

describe('signing', () => {
  it('makes Standard Webhooks secrets and headers that the standardwebhooks package verifies', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'video.ready', hello: 'мир' });
    const headers = signHeaders([secret], 'msg_1', new Date(), body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is HMAC-SHA256 over id.timestamp.body with the base64-decoded key (byte for byte)', () => {
    const secret = generateSecret();
    const at = new Date('2026-03-01T10:00:00.900Z');
    const body = '{"a":1}';
    const mac = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`msg_x.${Math.floor(at.getTime() / 1000)}.${body}`)
      .digest('base64');
    expect(signHeaders([secret], 'msg_x', at, body)['webhook-signature']).toBe(`v1,${mac}`);
  });

  it('signs with every secret given, space-separated; each verifies alone', () => {
    const [a, b] = [generateSecret(), generateSecret()];
    const body = '{}';
    const headers = signHeaders([a, b], 'msg_2', new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(a).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(b).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow('No matching signature found');
  });

  it('encrypts secrets bound to their endpoint', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    const secret = generateSecret();
    const stored = encryptSecret(key, 'endpoint-1', secret);
    expect(stored).not.toContain(secret.slice(6, 20));
    expect(decryptSecret(key, 'endpoint-1', stored)).toBe(secret);
    expect(() => decryptSecret(key, 'endpoint-2', stored)).toThrow('unable to authenticate data');
    expect(() => decryptSecret(Buffer.alloc(32, 8).toString('base64url'), 'endpoint-1', stored)).toThrow(
      'unable to authenticate data',
    );
  });
});

describe('address checks', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '0.0.0.0',
    '::',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.1.1',
    'fd00:ec2::254',
    'fe80::1',
    'fc00::1',
    '224.0.0.1',
    'ff02::1',
    '100.64.0.1',
    '255.255.255.255',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '::127.0.0.1',
    '::7f00:1',
    '::a00:1',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    '2001::1',
  ])('refuses %s', (ip) => {
    expect(checkAddress(ip, strict).ok).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) => {
    expect(checkAddress(ip, strict).ok).toBe(true);
  });

  it('allows loopback only with the development flag, and never private or metadata addresses', () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(checkAddress(ip, dev).ok).toBe(true);
    for (const ip of ['10.0.0.1', '169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '0.0.0.0']) {
      expect(checkAddress(ip, dev).ok).toBe(false);
    }
  });

  it('refuses non-https URLs unless loopback is allowed, and URLs with credentials', () => {
    expect(() => checkUrl('http://example.com/hook', strict)).toThrow(/https/);
    expect(() => checkUrl('ftp://example.com/hook', dev)).toThrow(/https/);
    expect(() => checkUrl('https://user:pw@example.com/', strict)).toThrow(/credentials/);
    expect(() => checkUrl('not a url', strict)).toThrow(/valid URL/);
    expect(checkUrl('https://example.com/hook', strict).hostname).toBe('example.com');
  });

  it('refuses a host when any of its addresses is forbidden', async () => {
    const resolver = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expect(resolveChecked(new URL('https://mixed.example'), strict, resolver)).rejects.toThrow(/10\.0\.0\.5/);
    await expect(resolveChecked(new URL('https://[::1]:8443/'), strict)).rejects.toThrow(/loopback/);
  });
});

describe('payloads', () => {
  it('builds versioned bodies that match the documented schema', () => {
    const body = eventBody('42', new Date('2026-01-02T03:04:05Z'), {
      type: 'video.failed',
      companyId: crypto.randomUUID(),
      projectId: crypto.randomUUID(),
      videoId: crypto.randomUUID(),
      reason: 'ENCODE_FAILED',
      step: 'rendition:720p',
    });
    const parsed = webhookPayloadSchema.parse(JSON.parse(body));
    expect(parsed).toMatchObject({
      type: 'video.failed',
      version: 1,
      id: 'evt_42',
      timestamp: '2026-01-02T03:04:05.000Z',
    });
    const schemas = webhookPayloadJsonSchemas();
    expect(Object.keys(schemas)).toContain('ar-content.expiring');
    expect(JSON.stringify(schemas['video.failed'])).toContain('"reason"');
  });

  it('retries for about 24 hours', () => {
    const total = RETRY_SCHEDULE_S.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(23 * 3600);
    expect(total).toBeLessThanOrEqual(24 * 3600);
    expect(nextAttemptDelayS(1)).toBe(30);
    expect(nextAttemptDelayS(RETRY_SCHEDULE_S.length + 1)).toBeNull();
  });
});
