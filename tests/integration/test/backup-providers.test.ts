// Backups and `arvlite doctor` on every storage provider: with STORAGE_PROVIDER=local (a directory) and
// STORAGE_PROVIDER=azure (Azurite), `arvlite backup` copies every object (type and Cache-Control included) and
// `arvlite restore` puts them back into a new, empty database and store, byte for byte; a second restore refuses the
// now non-empty store; the scheduled backup (system:backup) copies every object too. Doctor probes the configured
// provider and, when it is broken, names that provider's settings.
// (S3 is covered by backup.test.ts and cli.test.ts.)
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Company } from '@arvlite/db';
import { AzureObjectStore, LocalDiskStorage, type ObjectStore } from '@arvlite/storage';
import { createTestDeps, waitFor, withDatabase, type TestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, startTestAzurite } from '../src/index.ts';

/** Each CLI run is a new Node process loading the platform's modules: seconds apiece on a loaded machine. */
const SLOW = { timeout: 600_000 };
const secret = randomBytes(32).toString('base64url');
const work = mkdtempSync(join(tmpdir(), 'arvlite-backup-providers-'));
const stamp = `${process.pid}_${Date.now().toString(36)}`;
let deps: TestDeps;
let base: Record<string, string>;
let azure: Awaited<ReturnType<typeof startTestAzurite>>;
const stores: ObjectStore[] = [];

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: inject('testServices').adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function rowsOf(url: string, table: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ r: string }>(`select to_jsonb(t)::text as r from public."${table}" t`);
    return rows.map((x) => x.r).sort();
  } finally {
    await client.end();
  }
}

/** Every object: key, size, type, Cache-Control and the bytes' hex (ETags are the provider's own). */
async function objectsOf(store: ObjectStore) {
  const keys = await store.listKeys('');
  return Promise.all(
    keys.map(async (key) => {
      const head = await store.head(key);
      return {
        key,
        size: head?.size,
        contentType: head?.contentType,
        cacheControl: head?.cacheControl,
        bytes: Buffer.from(await store.getBytes(key)).toString('hex'),
      };
    }),
  );
}

/** A video-sized object, a playlist written as a file with Cache-Control, and a small text. */
async function seed(store: ObjectStore) {
  await store.put('companies/c1/videos/v1/source.mp4', randomBytes(3 * 2 ** 20 + 17), 'video/mp4');
  const file = join(work, `playlist-${randomBytes(4).toString('hex')}.m3u8`);
  writeFileSync(file, '#EXTM3U\n#EXT-X-VERSION:7\n');
  await store.putFile('companies/c1/videos/v1/hls/index.m3u8', file, 'application/vnd.apple.mpegurl', 'max-age=60');
  await store.put('companies/c1/notes/readme.txt', 'kept in every backup', 'text/plain');
}

beforeAll(async () => {
  deps = await createTestDeps();
  const em = deps.orm.fork();
  em.create(Company, { name: 'Providers Co', storageQuotaBytes: 5000 });
  await em.flush();
  base = {
    DATABASE_URL: deps.config.database.url,
    S3_ENDPOINT: deps.config.s3.endpoint,
    S3_BUCKET: deps.config.s3.bucket,
    DEV_SMTP_PORT: String(inject('testServices').smtpPort),
    DATA_DIR: work,
    AUTH_JWT_SECRET: secret,
  };
  azure = await startTestAzurite();
}, 180_000);
afterAll(async () => {
  for (const s of stores) s.destroy();
  await azure?.close();
  for (const p of ['local', 'azure']) await admin(`drop database if exists arvlite_restore_${p}_${stamp} with (force)`);
  rmSync(work, { recursive: true, force: true });
});

interface Provider {
  name: 'local' | 'azure';
  /** The check's name in doctor's output. */
  check: string;
  /** A store of the source (already holding objects after `seed`) and its environment. */
  source(): Promise<{ store: ObjectStore; env: Record<string, string> }>;
  /** A new, empty store of the same provider and its environment. */
  target(): Promise<{ store: ObjectStore; env: Record<string, string> }>;
  /** An environment in which the provider cannot work, and what doctor then says. */
  broken(): { env: Record<string, string>; detail: RegExp; fix: RegExp };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const localStore = (root: string) => {
  const store = new LocalDiskStorage({ root, publicUrl: 'http://localhost:3000', signingKey: secret });
  stores.push(store);
  return store;
};

const PROVIDERS: Provider[] = [
  {
    name: 'local',
    check: 'local disk',
    source: async () => {
      const dir = join(work, 'objects-source');
      mkdirSync(dir, { recursive: true });
      return { store: localStore(dir), env: { STORAGE_PROVIDER: 'local', LOCAL_STORAGE_DIR: dir } };
    },
    target: async () => {
      const dir = join(work, 'objects-target');
      mkdirSync(dir, { recursive: true });
      return { store: localStore(dir), env: { STORAGE_PROVIDER: 'local', LOCAL_STORAGE_DIR: dir } };
    },
    broken: () => {
      const file = join(work, 'not-a-directory');
      writeFileSync(file, 'a file where the objects directory should be');
      return {
        env: { STORAGE_PROVIDER: 'local', LOCAL_STORAGE_DIR: join(file, 'objects') },
        detail: /^FAIL local disk: directory \S+not-a-directory\/objects: /m,
        fix: /^ {5}fix: check LOCAL_STORAGE_DIR \(\S+not-a-directory\/objects\): it must be a directory/m,
      };
    },
  },
  {
    name: 'azure',
    check: 'azure',
    source: async () => ({ store: azure.store, env: azureEnv(azure.settings.container) }),
    target: async () => {
      const container = `r-${randomBytes(6).toString('hex')}`;
      const store = new AzureObjectStore({ ...azure.settings, container });
      stores.push(store);
      await store.setup([]);
      return { store, env: azureEnv(container) };
    },
    broken: () => ({
      env: { ...azureEnv(azure.settings.container), AZURE_STORAGE_KEY: randomBytes(64).toString('base64') },
      detail: new RegExp(
        `^FAIL azure: container ${azure.settings.container} at ${escape(azure.settings.endpoint)}: `,
        'm',
      ),
      fix: new RegExp(
        `^ {5}fix: check AZURE_STORAGE_ENDPOINT \\(${escape(azure.settings.endpoint)}\\), AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY`,
        'm',
      ),
    }),
  },
];

function azureEnv(container: string): Record<string, string> {
  return {
    STORAGE_PROVIDER: 'azure',
    AZURE_STORAGE_ENDPOINT: azure.settings.endpoint,
    AZURE_STORAGE_ACCOUNT: azure.settings.accountName,
    AZURE_STORAGE_KEY: azure.settings.accountKey,
    AZURE_STORAGE_CONTAINER: container,
  };
}

describe.each(PROVIDERS)('backups and doctor on $name storage', (provider) => {
  it('arvlite backup, then restore into an empty database and store: the same rows and objects', SLOW, async () => {
    const source = await provider.source();
    await seed(source.store);
    const before = await objectsOf(source.store);
    expect(before).toHaveLength(3);
    expect(before.find((o) => o.key.endsWith('index.m3u8'))?.cacheControl).toBe('max-age=60');

    const dir = join(work, `backup-${provider.name}`);
    const backup = await runCli(['backup', '--out', dir], { ...base, ...source.env });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`backup written to ${dir}`);
    expect(backup.stdout).toMatch(
      new RegExp(`^ {2}3 objects, ${before.reduce((n, o) => n + (o.size ?? 0), 0)} bytes`, 'm'),
    );

    const db = `arvlite_restore_${provider.name}_${stamp}`;
    await admin(`create database ${db}`);
    const target = await provider.target();
    const targetEnv = { ...base, ...target.env, DATABASE_URL: withDatabase(inject('testServices').adminUrl, db) };
    const restored = await runCli(['restore', dir], targetEnv);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^restored \d+ rows in \d+ tables and 3 objects/m);

    expect(await objectsOf(target.store)).toEqual(before);
    expect(await rowsOf(targetEnv.DATABASE_URL, 'company')).toEqual(await rowsOf(base.DATABASE_URL!, 'company'));

    const again = await runCli(['restore', dir], targetEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the bucket has objects');
    expect(await objectsOf(target.store)).toEqual(before);
  });

  it('doctor probes the configured provider, and names its settings when it is broken', SLOW, async () => {
    const { store, env } = await provider.source();
    const where = provider.name === 'local' ? `directory ${store.bucket}` : `container ${store.bucket} at `;
    const ok = await runCli(['doctor'], { ...base, ...env });
    expect(ok.stdout).toContain(`ok   ${provider.check}: ${where}`);
    expect(ok.stdout).toMatch(new RegExp(`^ok {3}${provider.check}: .*: write, read, delete ok$`, 'm'));
    expect(ok.stdout).not.toMatch(/^ok {3}s3:/m);
    expect(ok.code).toBe(0);

    const broken = provider.broken();
    const failed = await runCli(['doctor'], { ...base, ...broken.env });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(broken.detail);
    expect(failed.stdout).toMatch(broken.fix);
    expect(failed.stdout).not.toContain('S3_ENDPOINT');
  });

  it('the scheduled backup (system:backup on a worker) copies every object of this store', SLOW, async () => {
    const { store } = await provider.source();
    await seed(store);
    const dir = join(work, `scheduled-${provider.name}`);
    mkdirSync(dir);
    const scheduled = await createTestDeps({ BACKUP_CRON: '0 0 1 1 *', BACKUP_DIR: dir, BACKUP_KEEP: '2' });
    const worker = await startWorker({ ...scheduled, storage: store }, { concurrency: 1, tasks: ['system:backup'] });
    try {
      await scheduled.orm
        .fork()
        .execute(`select graphile_worker.add_job('system:backup', '{}'::json, job_key := 'system:backup')`);
      const name = await waitFor(
        'the scheduled backup',
        () =>
          readdirSync(dir, { withFileTypes: true }).find(
            (e) => e.isDirectory() && /^backup-\d{8}T\d{6}Z$/.test(e.name),
          ),
        { timeout: 120_000, interval: 250 },
      );
      const manifest = JSON.parse(readFileSync(join(dir, name.name, 'manifest.json'), 'utf8')) as {
        objects: { bucket: string; items: { key: string; size: number; sha256: string; cacheControl?: string }[] };
      };
      expect(manifest.objects.bucket).toBe(store.bucket);
      const expected = await Promise.all(
        (await store.listKeys('')).map(async (key) => {
          const bytes = await store.getBytes(key);
          return { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
        }),
      );
      expect(expected).toHaveLength(3);
      expect(manifest.objects.items.map(({ key, size, sha256 }) => ({ key, size, sha256 }))).toEqual(expected);
      expect(manifest.objects.items.find((o) => o.key.endsWith('index.m3u8'))?.cacheControl).toBe('max-age=60');
    } finally {
      await worker.stop();
    }
  });
});
