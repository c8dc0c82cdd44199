import { describe, expect, it } from 'vitest';
import { AZURITE_PUBLIC_KEY, ConfigError, loadConfig, requireServices } from './index.ts';

describe('loadConfig', () => {
  it('applies defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.http.publicUrl).toBe('http://localhost:3000');
    expect(config.s3.bucket).toBe('arvlite');
    expect(config.worker.concurrency).toBe(4);
  });

  it('names the variable and the bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/PORT: expected a number.*"eighty"/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrowError(/DATABASE_URL: expected a URL/);
    expect(() => loadConfig({ S3_FORCE_PATH_STYLE: 'maybe' })).toThrowError(
      /S3_FORCE_PATH_STYLE: expected true or false/,
    );
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: '-1', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });

  it('names missing service URLs', () => {
    expect(() => requireServices(loadConfig({}))).toThrowError(/DATABASE_URL: required[\s\S]*S3_ENDPOINT: required/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(3000);
  });

  describe('NODE_ENV=production', () => {
    const external = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://arvlite@db.internal:5432/arvlite',
      S3_ENDPOINT: 'https://s3.eu-central-1.amazonaws.com',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY',
      S3_SECRET_ACCESS_KEY: 'an-example-secret-access-key',
      AUTH_JWT_SECRET: 'x'.repeat(20) + 'q9f8w7e6r5t4y3u2i1',
      SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
      MAIL_FROM: 'ARVlite <no-reply@example.com>',
      PUBLIC_URL: 'https://ar.example.com',
    };

    it('starts with explicit external services and secrets', () => {
      expect(loadConfig(external).env).toBe('production');
    });

    it("with STORAGE_PROVIDER=azure asks for the Azure settings instead of S3, and refuses Azurite's published ones", () => {
      const { S3_ENDPOINT: _e, S3_ACCESS_KEY_ID: _a, S3_SECRET_ACCESS_KEY: _s, ...noS3 } = external;
      const issues = (env: Record<string, string>) => {
        try {
          loadConfig(env);
          return [];
        } catch (e) {
          return (e as ConfigError).issues.map((i) => i.variable).sort();
        }
      };
      expect(issues({ ...noS3, STORAGE_PROVIDER: 'azure' })).toEqual([
        'AZURE_STORAGE_ACCOUNT',
        'AZURE_STORAGE_ENDPOINT',
        'AZURE_STORAGE_KEY',
      ]);
      const azure = {
        ...noS3,
        STORAGE_PROVIDER: 'azure',
        AZURE_STORAGE_ENDPOINT: 'https://arvlite.blob.core.windows.net',
        AZURE_STORAGE_ACCOUNT: 'arvlite',
        AZURE_STORAGE_KEY: Buffer.from('k'.repeat(64)).toString('base64'),
      };
      expect(loadConfig(azure).azure).toMatchObject({ accountName: 'arvlite', container: 'arvlite' });
      expect(issues({ ...azure, AZURE_STORAGE_KEY: AZURITE_PUBLIC_KEY })).toEqual(['AZURE_STORAGE_KEY']);
      expect(issues({ ...azure, AZURE_STORAGE_ACCOUNT: 'devstoreaccount1' })).toEqual(['AZURE_STORAGE_KEY']);
    });

    it('refuses every development default at once, naming each variable', () => {
      try {
        loadConfig({ NODE_ENV: 'production' });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
          'AUTH_JWT_SECRET',
          'DATABASE_URL',
          'MAIL_FROM',
          'PUBLIC_URL',
          'S3_ACCESS_KEY_ID',
          'S3_ENDPOINT',
          'S3_SECRET_ACCESS_KEY',
          'SMTP_URL',
        ]);
      }
    });

    it.each([
      ['S3_ACCESS_KEY_ID', 'S3RVER'],
      ['S3_SECRET_ACCESS_KEY', 'S3RVER'],
      ['PUBLIC_URL', 'http://ar.example.com'],
      ['MAIL_FROM', 'ARVlite <no-reply@arvlite.localhost>'],
      ['WEBHOOK_ALLOW_LOOPBACK', 'true'],
      ['MEDIA_EXTERNAL_ANALYZER_ALLOW_PRIVATE', 'true'],
      [
        'OIDC_PROVIDERS',
        JSON.stringify([{ id: 'dev', issuer: 'http://127.0.0.1:9', clientId: 'c', allowInsecure: true }]),
      ],
    ])('refuses %s=%s', (variable, value) => {
      expect(() => loadConfig({ ...external, [variable]: value })).toThrowError(new RegExp(`${variable}: `));
    });

    it('keeps development and test environments as they were', () => {
      expect(loadConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true' }).webhooks.allowLoopback).toBe(true);
    });
  });
});

describe('payment provider endpoints', () => {
  it('default to the providers and YooKassa’s published notification addresses', () => {
    const { payments } = loadConfig({});
    expect(payments.yookassaApiUrl).toBe('https://api.yookassa.ru');
    expect(payments.stripeApiUrl).toBe('https://api.stripe.com');
    expect(payments.yookassaNotificationIps).toEqual([
      '185.71.76.0/27',
      '185.71.77.0/27',
      '77.75.153.0/25',
      '77.75.156.11',
      '77.75.156.35',
      '77.75.154.128/25',
      '2a02:5180::/32',
    ]);
  });

  it('take addresses and CIDRs only', () => {
    expect(
      loadConfig({ PAYMENTS_YOOKASSA_NOTIFICATION_IPS: ' 10.0.0.0/8, ::1 ' }).payments.yookassaNotificationIps,
    ).toEqual(['10.0.0.0/8', '::1']);
    for (const bad of ['loopback', '10.0.0.0/33', 'example.com', '1.2.3.4/8/1']) {
      expect(() => loadConfig({ PAYMENTS_YOOKASSA_NOTIFICATION_IPS: bad })).toThrowError(
        /PAYMENTS_YOOKASSA_NOTIFICATION_IPS: expected addresses or CIDRs/,
      );
    }
    expect(() => loadConfig({ PAYMENTS_STRIPE_API_URL: 'ftp://x' })).toThrowError(/PAYMENTS_STRIPE_API_URL/);
  });
});
