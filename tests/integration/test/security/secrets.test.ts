// No public default secret (security review, finding 3): the value once written in the repository signs nothing, a
// process without a secret refuses to start, the launcher keeps random secrets in the data directory, tokens, /media
// signatures and viewer hashes use separate keys derived from one root, and the embedded S3 never serves the network
// with its public default credentials.
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@arvlite/client';
import { ConfigError, loadConfig, requireServices } from '@arvlite/config';
import { loadOrCreateSecrets, platformSecretEnv, spawnDevServices } from '@arvlite/dev-services';
import { freePort } from '@arvlite/test-utils';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform } from '../../src/index.ts';

/** The development default that used to be written in packages/config. */
const PUBLIC_SECRET = 'arvlite-insecure-development-secret-change-me';
const services = { DATABASE_URL: 'postgres://x@127.0.0.1/x', S3_ENDPOINT: 'http://127.0.0.1:9' };

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
const dirs: string[] = [];
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'arvlite-secrets-'));
  dirs.push(dir);
  return dir;
}

describe('secrets', () => {
  it('a token signed with the old public development secret is refused', async () => {
    const user = await registerUser(platform.client);
    const { auth } = platform.deps.config;
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.userId)
      .setIssuer(auth.issuer)
      .setAudience(auth.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(PUBLIC_SECRET));
    const failure = await platform
      .client(() => forged)
      .auth.me.query()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(TRPCClientError);
    expect((failure as TRPCClientError<never>).data).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses the old public value in every environment, and starts no process without a secret', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(() => loadConfig({ NODE_ENV, AUTH_JWT_SECRET: PUBLIC_SECRET }), NODE_ENV).toThrowError(
        /AUTH_JWT_SECRET: .*public/,
      );
      expect(() => requireServices(loadConfig({ NODE_ENV, ...services })), NODE_ENV).toThrowError(
        /AUTH_JWT_SECRET: required/,
      );
    }
  });

  it('derives separate keys for tokens, /media URLs and viewer hashes from the root secret with HKDF', () => {
    const root = randomBytes(32).toString('base64url');
    const config = requireServices(loadConfig({ ...services, AUTH_JWT_SECRET: root }));
    const keys = [config.auth.jwtSecret, config.media.urlSigningKey, config.viewer.hashKey];
    expect(new Set([...keys, root]).size).toBe(4);
    const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', root, 'arvlite', info, 32)).toString('base64url');
    expect(keys).toEqual([
      hkdf('arvlite/access-tokens/v1'),
      hkdf('arvlite/media-urls/v1'),
      hkdf('arvlite/viewer-hashes/v1'),
    ]);
    // Another root, other keys.
    const other = requireServices(loadConfig({ ...services, AUTH_JWT_SECRET: randomBytes(32).toString('base64url') }));
    expect(other.auth.jwtSecret).not.toBe(config.auth.jwtSecret);
  });

  it('the launcher generates random secrets on first start and keeps them in the data directory, mode 0600', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateSecrets(dir);
    expect(first.rootSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.s3SecretAccessKey).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    // A data directory it creates can be passed through (not listed) by other users: as root, embedded Postgres's
    // initdb runs as `postgres` and must reach its own directory inside (0700 made a fresh DATA_DIR fail to start).
    const fresh = join(await tempDir(), 'data');
    await loadOrCreateSecrets(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o711);
    expect(JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8'))).toMatchObject(first);
    expect(await loadOrCreateSecrets(dir)).toEqual(first);
    expect((await loadOrCreateSecrets(await tempDir())).rootSecret).not.toBe(first.rootSecret);

    // The processes it starts get the root secret unless the operator set one, and random S3 credentials as soon as
    // the embedded S3 listens beyond loopback.
    const loopback = platformSecretEnv(loadConfig({}), first, { embeddedS3: true });
    expect(loopback).toEqual({ AUTH_JWT_SECRET: first.rootSecret });
    const lan = platformSecretEnv(loadConfig({ HOST: '0.0.0.0' }), first, { embeddedS3: true });
    expect(lan).toEqual({
      AUTH_JWT_SECRET: first.rootSecret,
      S3_ACCESS_KEY_ID: first.s3AccessKeyId,
      S3_SECRET_ACCESS_KEY: first.s3SecretAccessKey,
    });
    const own = 'o'.repeat(40);
    expect(platformSecretEnv(loadConfig({ AUTH_JWT_SECRET: own }), first, { embeddedS3: true })).toEqual({});
    expect(platformSecretEnv(loadConfig({ HOST: '0.0.0.0' }), first, { embeddedS3: false })).toEqual({
      AUTH_JWT_SECRET: first.rootSecret,
    });
  });

  it('the embedded S3 refuses to listen beyond loopback with the public default credentials', async () => {
    const dataDir = await tempDir();
    await expect(
      spawnDevServices({
        dataDir,
        s3Port: await freePort(),
        env: { ...services, S3_ENDPOINT: '', HOST: '0.0.0.0', LOG_LEVEL: 'error' },
        onOutput: () => {},
      }),
    ).rejects.toThrow(/public default credentials/);
  });

  it('the error names the variable', () => {
    const error = (() => {
      try {
        requireServices(loadConfig(services));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.variable)).toContain('AUTH_JWT_SECRET');
  });
});
