import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetBucketCorsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { lanS3Endpoint, spawnDevServices, type DevServicesProcess } from './index.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const tempDirs: string[] = [];
const running = new Set<DevServicesProcess>();

afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  await Promise.all(tempDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function tempDataDir(): Promise<string> {
  const dir = path.join(repoRoot, '.data', `tmp-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(dir, { recursive: true });
  tempDirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A pid that is certainly not running any more. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}

async function start(
  options: Parameters<typeof spawnDevServices>[0],
  output: string[] = [],
): Promise<DevServicesProcess> {
  const services = await spawnDevServices({
    ...options,
    // The test run's own SMTP server already holds the inherited DEV_SMTP_PORT: each child gets a port of its own.
    env: { LOG_LEVEL: 'warn', DEV_SMTP_PORT: String(await freePort()), ...options?.env },
    onOutput: (line) => output.push(line),
  });
  running.add(services);
  return services;
}

async function stop(services: DevServicesProcess): Promise<void> {
  await services.stop();
  running.delete(services);
  expect(await services.exited).toEqual({ code: 0, signal: null });
}

function s3Client(endpoint: string, credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

describe('dev services', () => {
  it('keeps Postgres rows and S3 objects across restarts', async () => {
    const dataDir = await tempDataDir();
    const ports = { postgresPort: await freePort(), s3Port: await freePort() };
    const env = { DATABASE_URL: '', S3_ENDPOINT: '', S3_BUCKET: 'arvlite-test' };

    const first = await start({ dataDir, ...ports, env });
    expect(first.databaseUrl).toBe(`postgres://postgres:postgres@127.0.0.1:${ports.postgresPort}/arvlite`);
    expect(first.s3Endpoint).toBe(`http://127.0.0.1:${ports.s3Port}`);

    const db = new pg.Client({ connectionString: first.databaseUrl });
    await db.connect();
    await db.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
    await db.query("INSERT INTO notes VALUES (1, 'survives restarts ✓')");
    await db.end();

    const s3 = s3Client(first.s3Endpoint);
    await s3.send(new PutObjectCommand({ Bucket: 'arvlite-test', Key: 'dir/hello.txt', Body: 'hello s3' }));
    s3.destroy();

    await stop(first);

    // Simulate a killed run: a postmaster.pid whose process no longer exists.
    const pid = await deadPid();
    await fs.writeFile(
      path.join(dataDir, 'postgres', 'postmaster.pid'),
      `${pid}\n${path.join(dataDir, 'postgres')}\n0\n${ports.postgresPort}\n\n127.0.0.1\n0 0\nready\n`,
    );

    const second = await start({ dataDir, ...ports, env });
    const db2 = new pg.Client({ connectionString: second.databaseUrl });
    await db2.connect();
    const { rows } = await db2.query('SELECT body FROM notes WHERE id = 1');
    await db2.end();
    expect(rows).toEqual([{ body: 'survives restarts ✓' }]);

    const s3b = s3Client(second.s3Endpoint);
    const object = await s3b.send(new GetObjectCommand({ Bucket: 'arvlite-test', Key: 'dir/hello.txt' }));
    expect(await object.Body!.transformToString()).toBe('hello s3');
    const cors = await s3b.send(new GetBucketCorsCommand({ Bucket: 'arvlite-test' }));
    s3b.destroy();
    expect(cors.CORSRules?.[0]?.ExposeHeaders).toContain('ETag');
    expect(cors.CORSRules?.[0]?.AllowedMethods).toEqual(
      expect.arrayContaining(['GET', 'PUT', 'POST', 'HEAD', 'DELETE']),
    );

    await stop(second);
  }, 90_000);

  it('starts neither service when DATABASE_URL and S3_ENDPOINT are given', async () => {
    const dataDir = await tempDataDir();
    const databaseUrl = 'postgres://someone:secret@127.0.0.1:5999/elsewhere';
    const s3Endpoint = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const output: string[] = [];

    const services = await start(
      {
        dataDir,
        postgresPort: await freePort(),
        s3Port: await freePort(),
        env: { DATABASE_URL: databaseUrl, S3_ENDPOINT: s3Endpoint },
      },
      output,
    );
    expect(services.databaseUrl).toBe(databaseUrl);
    expect(services.s3Endpoint).toBe(s3Endpoint);
    expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
    expect(existsSync(path.join(dataDir, 's3'))).toBe(false);
    // The unreachable external S3 only earns a warning.
    expect(output.join('\n')).toMatch(/could not set up bucket/);

    await stop(services);
  }, 60_000);

  it('reports why the services could not start', async () => {
    const dataDir = await tempDataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        start({
          dataDir,
          s3Port: busyPort,
          env: { DATABASE_URL: 'postgres://x@127.0.0.1/x', S3_ENDPOINT: '' },
        }),
      ).rejects.toThrow(/could not listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('serves dev media to the LAN when HOST is a wildcard, and names the LAN host for browsers and phones', async () => {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    expect(lan, 'this test needs a non-loopback IPv4 interface').toBeDefined();
    const dataDir = await tempDataDir();
    const s3Port = await freePort();
    const credentials = { accessKeyId: 'lan-key', secretAccessKey: randomBytes(24).toString('base64url') };
    const env = {
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      S3_ENDPOINT: '',
      S3_BUCKET: 'arvlite-lan',
      HOST: '0.0.0.0',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const services = await start({ dataDir, s3Port, env });
    // This machine still talks to it on loopback…
    expect(services.s3Endpoint).toBe(`http://127.0.0.1:${s3Port}`);
    const s3 = s3Client(services.s3Endpoint, credentials);
    await s3.send(new PutObjectCommand({ Bucket: 'arvlite-lan', Key: 'hello.txt', Body: 'from the LAN' }));
    s3.destroy();
    // …and a phone reaches it at the LAN address that PUBLIC_URL names, with a signature (unsigned is refused).
    const publicEndpoint = lanS3Endpoint(services.s3Endpoint, `http://${lan!.address}:3000`);
    expect(publicEndpoint).toBe(`http://${lan!.address}:${s3Port}`);
    expect((await fetch(`${publicEndpoint}/arvlite-lan/hello.txt`)).status).toBe(403);
    const phone = s3Client(publicEndpoint!, credentials);
    const object = await phone.send(new GetObjectCommand({ Bucket: 'arvlite-lan', Key: 'hello.txt' }));
    expect(await object.Body!.transformToString()).toBe('from the LAN');
    phone.destroy();
    expect(lanS3Endpoint(services.s3Endpoint, 'http://localhost:3000')).toBeUndefined();
    await stop(services);
  }, 60_000);

  it('refuses to serve the LAN with the public default S3 credentials', async () => {
    const dataDir = await tempDataDir();
    const env = { DATABASE_URL: 'postgres://x@127.0.0.1/x', S3_ENDPOINT: '', HOST: '0.0.0.0' };
    await expect(start({ dataDir, s3Port: await freePort(), env })).rejects.toThrow(/public default credentials/);
  }, 30_000);
});
