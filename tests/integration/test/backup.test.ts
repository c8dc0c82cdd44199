// Backups that restore: `arvlite backup` while a video is being processed, then `arvlite restore` into a new, empty
// database and bucket. Rows, objects and viewer manifests come back the same, and the video that was processing
// finishes on the restored installation. A restore into a non-empty installation refuses unless --force.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { Video, VideoStep, type Orm } from '@arvlite/db';
import { ensureBucket } from '@arvlite/dev-services';
import { buildServer } from '@arvlite/server';
import { ObjectStorage } from '@arvlite/storage';
import { createTestDeps, reservePort, waitFor, withDatabase, type TestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { busyImage, registerUser, runCli, startTestPlatform, tinyMp4, type TestUser } from '../src/index.ts';

const TIMEOUT = 600_000;

/** What this test reads of manifest.json (its schema is @arvlite/backup's manifestSchema). */
interface BackupManifest {
  migrations: { arvlite: string[]; graphileWorker: number };
  tables: { schema: string; name: string; rows: number }[];
  objects: { count: number };
}
let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let projectId: string;
const work = mkdtempSync(join(tmpdir(), 'arvlite-backup-'));
const backupDir = join(work, 'backup-1');
const targetDb = `arvlite_restore_${process.pid}_${Date.now().toString(36)}`;
const targetBucket = `restore-${Date.now().toString(36)}`;
const cleanups: (() => Promise<void>)[] = [];

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: inject('testServices').adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  platform = await startTestPlatform({
    worker: true,
    env: { MEDIA_X264_PRESET: 'ultrafast', MEDIA_ENCODE_CONCURRENCY: '1', WORKER_CONCURRENCY: '3', LOG_LEVEL: 'error' },
  });
  owner = await registerUser(platform.client);
  await registerUser(platform.client, 'Second User');
  const companyId = (await owner.client.company.create.mutate({ name: 'Backup Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Prints' })).id;
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await admin(`drop database if exists ${targetDb} with (force)`);
  await admin(`drop database if exists ${targetDb}_b with (force)`);
  rmSync(work, { recursive: true, force: true });
});

const poll = { timeout: 240_000, interval: 300, retry: false };

async function uploadVideo(title: string, bytes: Uint8Array): Promise<string> {
  const created = await owner.client.video.createUpload.mutate({
    projectId,
    fileName: `${title}.mp4`,
    contentType: 'video/mp4',
    size: bytes.length,
    title,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  expect((await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers })).ok).toBe(true);
  await owner.client.video.completeUpload.mutate({ videoId: created.videoId });
  return created.videoId;
}

const statusOf = async (orm: Orm, id: string) => (await orm.fork().findOne(Video, { id }, { refresh: true }))?.status;

/** Every row of a table, as sorted JSON texts. */
async function rowsOf(url: string, schema: string, table: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ r: string }>(`select to_jsonb(t)::text as r from "${schema}"."${table}" t`);
    return rows.map((x) => x.r).sort();
  } finally {
    await client.end();
  }
}

async function objectsOf(storage: ObjectStorage) {
  const keys = await storage.listKeys('');
  return Promise.all(keys.map(async (key) => ({ key, ...(await storage.head(key)) })));
}

/**
 * A manifest with each URL reduced to its path without the bucket: signatures, expiry, the server's origin and the
 * bucket's name (path-style URLs) differ by design between the two installations.
 */
function withoutSignatures(value: unknown, bucket: string): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'string' && /^https?:\/\//.test(v) ? new URL(v).pathname.replace(`/${bucket}/`, '/(bucket)/') : v,
    ),
  );
}

function urlsIn(value: unknown): string[] {
  const out: string[] = [];
  JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'string' && /^https?:\/\//.test(v)) out.push(v);
    return v;
  });
  return out;
}

describe('backup and restore', () => {
  it(
    'restores rows, objects and viewer manifests into an empty installation, and the video that was processing finishes',
    { timeout: TIMEOUT },
    async () => {
      const { deps } = platform;
      // 1. Data: users (two, above), a READY video, AR content with a compiled marker and a playlist, analytics rows.
      const ready = await uploadVideo('Ready', tinyMp4(1));
      await waitFor('the first video READY', async () => (await statusOf(deps.orm, ready)) === 'READY', poll);
      const content = await owner.client.arContent.create.mutate({ projectId, title: 'Anniversary' });
      const marker = await busyImage(640, 480);
      const upload = await owner.client.arContent.createMarkerUpload.mutate({
        id: content.id,
        contentType: 'image/png',
        size: marker.length,
      });
      await fetch(upload.url, { method: 'PUT', body: new Uint8Array(marker), headers: upload.headers });
      await owner.client.arContent.completeMarkerUpload.mutate({ id: content.id, widthMm: 150 });
      const compiled = await waitFor(
        'the marker compiled',
        async () => {
          const c = await owner.client.arContent.byId.query({ id: content.id });
          return c.status !== 'MARKER_PROCESSING' ? c : null;
        },
        poll,
      );
      expect(compiled.marker.published).toBe(true);
      await owner.client.playlist.set.mutate({ id: content.id, videoIds: [ready] });
      const phone = platform.client(undefined, '172.20.0.9');
      const manifestBefore = await phone.viewer.manifest.query({ publicId: content.publicId });
      expect(manifestBefore.ok).toBe(true);
      const session = await phone.viewer.startSession.mutate({
        publicId: content.publicId,
        device: { platform: 'ios' },
      });
      await phone.viewer.endSession.mutate({
        sessionId: session.sessionId,
        watchedMs: 4000,
        trackingLostCount: 1,
        completed: true,
      });

      // 2. A second video is mid-processing at the backup: a worker that only probes it has made it playable, and its
      // renditions, images and analysis wait in the queue.
      await platform.worker!.stop();
      const probeOnly = await startWorker(deps, { concurrency: 1, tasks: ['video:process'] });
      const processing = await uploadVideo('Processing', tinyMp4(2));
      await waitFor(
        'the second video probed',
        async () => {
          const steps = await deps.orm.fork().find(VideoStep, { video: processing });
          return (
            steps.some((s) => s.name === 'playable' && s.status === 'done') && steps.some((s) => s.status === 'pending')
          );
        },
        poll,
      );
      await probeOnly.stop();
      expect(await statusOf(deps.orm, processing)).toBe('PROCESSING');

      const source = {
        DATABASE_URL: deps.config.database.url,
        S3_ENDPOINT: deps.config.s3.endpoint,
        S3_BUCKET: deps.config.s3.bucket,
        DATA_DIR: work,
      };
      const backup = await runCli(['backup', '--out', backupDir], source);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain(`backup written to ${backupDir}`);
      const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as BackupManifest;
      const count = (schema: string, name: string) =>
        manifest.tables.find((t) => t.schema === schema && t.name === name)?.rows;
      expect(count('public', 'app_user')).toBe(2);
      expect(count('public', 'video')).toBe(2);
      expect(count('public', 'view_session')).toBe(1);
      expect(count('graphile_worker', '_private_jobs')).toBeGreaterThan(0);
      expect(manifest.migrations.arvlite.length).toBeGreaterThan(0);
      expect(manifest.objects.count).toBe((await deps.storage.listKeys('')).length);

      // A restore into this installation (it has data) refuses and changes nothing.
      const usersBefore = await rowsOf(source.DATABASE_URL, 'public', 'app_user');
      const refused = await runCli(['restore', backupDir], source);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('the installation is not empty');
      expect(refused.stderr).toContain('--force');
      expect(await rowsOf(source.DATABASE_URL, 'public', 'app_user')).toEqual(usersBefore);

      // 3. A new installation: an empty database (not even migrated) and an empty bucket.
      await admin(`create database ${targetDb}`);
      const targetUrl = withDatabase(inject('testServices').adminUrl, targetDb);
      await ensureBucket({ ...deps.config.s3, bucket: targetBucket, corsOrigins: [] });
      const target = { ...source, DATABASE_URL: targetUrl, S3_BUCKET: targetBucket };
      const restored = await runCli(['restore', backupDir], target);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.stdout).toMatch(/^restored \d+ rows in \d+ tables and \d+ objects/m);

      // 4. The same rows, table by table, and the same objects (bytes, through their ETags, and types).
      for (const t of manifest.tables.filter((x) => x.schema === 'public')) {
        expect(await rowsOf(targetUrl, t.schema, t.name), t.name).toEqual(
          await rowsOf(source.DATABASE_URL, t.schema, t.name),
        );
      }
      const targetStorage = new ObjectStorage({ ...deps.config.s3, bucket: targetBucket });
      cleanups.push(async () => targetStorage.destroy());
      expect(await objectsOf(targetStorage)).toEqual(await objectsOf(deps.storage));

      // Restoring again into the now non-empty installation refuses; --force replaces.
      const again = await runCli(['restore', backupDir], target);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('the installation is not empty');
      const forced = await runCli(['restore', backupDir, '--force'], target);
      expect(forced.stderr).toBe('');
      expect(forced.code).toBe(0);
      expect(await rowsOf(targetUrl, 'public', 'video')).toEqual(await rowsOf(source.DATABASE_URL, 'public', 'video'));

      // The restored installation serves the same viewer manifest, and its media URLs answer.
      const reserved = await reservePort(); // held until the server binds it
      const { port } = reserved;
      const restoredDeps: TestDeps = await createTestDeps({
        DATABASE_URL: targetUrl,
        S3_BUCKET: targetBucket,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TRUST_PROXY: '1',
        MEDIA_X264_PRESET: 'ultrafast',
        WORKER_POLL_INTERVAL_MS: '200',
      });
      const app = await buildServer(restoredDeps);
      await reserved.listen(app);
      cleanups.push(() => app.close());
      const restoredViewer = createArvliteNodeClient({ url: `http://127.0.0.1:${port}/trpc` });
      const manifestAfter = await restoredViewer.viewer.manifest.query({ publicId: content.publicId });
      const manifestNow = await phone.viewer.manifest.query({ publicId: content.publicId });
      const sourceBucket = deps.config.s3.bucket;
      expect(withoutSignatures(manifestAfter, targetBucket)).toEqual(withoutSignatures(manifestNow, sourceBucket));
      expect(withoutSignatures(manifestAfter, targetBucket)).toEqual(withoutSignatures(manifestBefore, sourceBucket));
      expect(JSON.stringify(withoutSignatures(manifestAfter, targetBucket))).toContain('/(bucket)/pub/');
      for (const url of urlsIn(manifestAfter)) expect((await fetch(url)).status, url).toBe(200);

      // The video that was processing at the backup finishes on the restored installation.
      expect(await statusOf(restoredDeps.orm, processing)).toBe('PROCESSING');
      const worker = await startWorker(restoredDeps, { concurrency: 3 });
      cleanups.push(() => worker.stop());
      await waitFor(
        'the restored processing video READY',
        async () => (await statusOf(restoredDeps.orm, processing)) === 'READY',
        poll,
      );
      const detail = await restoredDeps.orm.fork().findOneOrFail(Video, { id: processing });
      expect(Object.keys(detail.outputs?.renditions ?? {}).length).toBeGreaterThan(0);
    },
  );
  it(
    'a restore that fails while loading rows leaves the installation as empty as it was',
    { timeout: TIMEOUT },
    async () => {
      // The backup of the test above, with one table's row count changed in its manifest (the files still check out):
      // the load notices after its COPY, inside the transaction.
      const broken = join(work, 'backup-broken');
      cpSync(backupDir, broken, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(broken, 'manifest.json'), 'utf8')) as {
        tables: { schema: string; name: string; rows: number }[];
      };
      manifest.tables.find((t) => t.schema === 'public' && t.name === 'video')!.rows += 1;
      writeFileSync(join(broken, 'manifest.json'), JSON.stringify(manifest));

      const { deps } = platform;
      await admin(`create database ${targetDb}_b`);
      const url = withDatabase(inject('testServices').adminUrl, `${targetDb}_b`);
      const bucket = `${targetBucket}-b`;
      await ensureBucket({ ...deps.config.s3, bucket, corsOrigins: [] });
      const failed = await runCli(['restore', broken], {
        DATABASE_URL: url,
        S3_ENDPOINT: deps.config.s3.endpoint,
        S3_BUCKET: bucket,
        DATA_DIR: work,
      });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/table public\.video: loaded \d+ rows, the backup has \d+/);
      // Migrated (step 3) but without a row, and the objects that had been put are gone again.
      for (const table of ['app_user', 'company', 'video', 'ar_content', 'view_session']) {
        expect(await rowsOf(url, 'public', table), table).toEqual([]);
      }
      const storage = new ObjectStorage({ ...deps.config.s3, bucket });
      cleanups.push(async () => storage.destroy());
      expect(await storage.listKeys('')).toEqual([]);
    },
  );
});
