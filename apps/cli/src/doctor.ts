// `arvlite doctor`: checks what the platform needs and says how to fix what is wrong.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, statfs } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { ConfigError } from '@arvlite/config';
import { migrationsPath } from '@arvlite/db';
import { resolveFfmpeg, runProcess } from '@arvlite/media';
import type { ObjectStore } from '@arvlite/storage';
import pg from 'pg';
import { loadPlatform, openStorage, storageLocation, type Platform } from './platform.ts';

interface Finding {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** Encoders, filters and muxers the processing pipeline uses (packages/media). */
export const REQUIRED_FFMPEG = {
  encoders: ['libx264', 'aac', 'libwebp', 'mjpeg'],
  filters: ['scale', 'setsar', 'split', 'fps', 'tile', 'select', 'ebur128', 'silencedetect', 'blackdetect'],
  muxers: ['hls', 'mp4'],
};
/** Below this much free space at DATA_DIR or the scratch directory, processing and backups fail. */
const MIN_FREE_BYTES = 2 * 2 ** 30;
/** Clock difference past which signed URLs and token expiry go wrong. */
const MAX_SKEW_MS = 10_000;
const TIMEOUT_MS = 5_000;

const message = (err: unknown) => (err instanceof Error ? err.message || err.name : String(err));

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function checkPostgres(p: Platform, findings: Finding[]): Promise<void> {
  const client = new pg.Client({ connectionString: p.databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => undefined);
  const where = p.embedded.postgres ? 'the embedded Postgres of `pnpm start`' : 'DATABASE_URL';
  try {
    await client.connect();
  } catch (err) {
    findings.push({
      check: 'postgres',
      ok: false,
      detail: `cannot connect to ${where}: ${message(err)}`,
      fix: p.embedded.postgres
        ? 'start the platform (`pnpm start`) in another terminal, or set DATABASE_URL'
        : 'check DATABASE_URL (host, port, user, password, database) and that Postgres accepts connections from here',
    });
    return;
  }
  try {
    const before = Date.now();
    const { rows } = await client.query<{ version: string; num: number; now: Date }>(
      `select current_setting('server_version') as version, current_setting('server_version_num')::int as num, clock_timestamp() as now`,
    );
    const local = (before + Date.now()) / 2;
    const r = rows[0]!;
    findings.push(
      r.num >= 140000
        ? { check: 'postgres', ok: true, detail: `PostgreSQL ${r.version} reachable` }
        : {
            check: 'postgres',
            ok: false,
            detail: `PostgreSQL ${r.version} is too old`,
            fix: 'use PostgreSQL 14 or later',
          },
    );
    const skew = r.now.getTime() - local;
    findings.push(
      Math.abs(skew) <= MAX_SKEW_MS
        ? { check: 'clock (Postgres)', ok: true, detail: `${Math.round(skew)} ms from this machine` }
        : {
            check: 'clock (Postgres)',
            ok: false,
            detail: `Postgres' clock is ${Math.round(skew / 1000)} s off this machine's`,
            fix: 'synchronise both clocks with NTP (timedatectl set-ntp true, or chrony)',
          },
    );
    const known = (await readdir(migrationsPath))
      .filter((f) => /^Migration[0-9]{14}\.ts$/.test(f))
      .map((f) => f.slice(0, -3));
    const reg = await client.query<{ t: string | null }>(
      `select to_regclass('public.mikro_orm_migrations')::text as t`,
    );
    const applied = reg.rows[0]!.t
      ? new Set((await client.query<{ name: string }>('select name from mikro_orm_migrations')).rows.map((x) => x.name))
      : new Set<string>();
    const pending = known.filter((m) => !applied.has(m));
    findings.push(
      pending.length === 0
        ? { check: 'migrations', ok: true, detail: `all ${known.length} applied` }
        : {
            check: 'migrations',
            ok: false,
            detail: `${pending.length} pending (${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''})`,
            fix: 'run `pnpm arvlite migrate`',
          },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What to check when the storage probe fails, naming the provider's settings. */
function storageFix(p: Platform, storage: ObjectStore | null): string {
  switch (p.config.storage.provider) {
    case 's3':
      return p.embedded.s3
        ? 'start the platform (`pnpm start`) in another terminal, or set S3_ENDPOINT and its credentials'
        : `check S3_ENDPOINT (${p.s3Endpoint}), S3_REGION, S3_BUCKET (${p.config.s3.bucket}) and the key pair; the key needs s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on the bucket`;
    case 'azure':
      return `check AZURE_STORAGE_ENDPOINT (${p.config.azure.endpoint ?? 'not set'}), AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY and AZURE_STORAGE_CONTAINER (${storage?.bucket ?? p.config.azure.container}); the account key must be current and the endpoint reachable from here`;
    case 'local':
      if (!storage && !p.config.localStorage.signingKey)
        return 'set AUTH_JWT_SECRET (or run `pnpm start` once: it writes DATA_DIR/secrets.json); local disk storage signs its URLs with a key derived from it';
      return `check LOCAL_STORAGE_DIR (${storage?.bucket ?? path.resolve(p.config.localStorage.dir)}): it must be a directory on a local disk that this user can create, write and delete files in`;
  }
}

/** The check's name: `s3`, `azure` or `local disk`. */
const storageCheck = (p: Platform) =>
  p.config.storage.provider === 'local' ? 'local disk' : p.config.storage.provider;

async function checkStorage(p: Platform, storage: ObjectStore, findings: Finding[]): Promise<void> {
  const check = storageCheck(p);
  const where = storageLocation(p, storage);
  const what = check.toUpperCase();
  const key = `doctor/probe-${randomBytes(8).toString('hex')}`;
  const body = randomBytes(32).toString('hex');
  try {
    await withTimeout(storage.put(key, body, 'text/plain'), `${what} PUT`);
    const back = await withTimeout(storage.getText(key), `${what} GET`);
    await withTimeout(storage.delete(key), `${what} DELETE`);
    if (back !== body) throw new Error('the object read back differs from the one written');
    findings.push({ check, ok: true, detail: `${where}: write, read, delete ok` });
  } catch (err) {
    findings.push({ check, ok: false, detail: `${where}: ${message(err)}`, fix: storageFix(p, storage) });
    return;
  }
  // Signed URLs (S3 signatures, Azure SAS) go wrong when the store's clock is off; local disk is this machine's clock.
  const endpoint = p.config.storage.provider === 's3' ? p.s3Endpoint : p.config.azure.endpoint;
  if (p.config.storage.provider === 'local' || !endpoint) return;
  try {
    const before = Date.now();
    const res = await fetch(endpoint, { method: 'HEAD', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const date = res.headers.get('date');
    if (!date) return;
    // The Date header has second resolution: compare with the middle of the request, allowing that second.
    const skew = Date.parse(date) - (before + Date.now()) / 2;
    const off = Math.abs(skew) > MAX_SKEW_MS + 1000;
    const name = p.config.storage.provider === 's3' ? 'S3' : 'Azure';
    findings.push(
      off
        ? {
            check: `clock (${name})`,
            ok: false,
            detail: `${name}'s clock is ${Math.round(skew / 1000)} s off this machine's`,
            fix: `synchronise this machine with NTP: ${name} refuses signatures more than 15 minutes off, and signed URLs expire early or late`,
          }
        : { check: `clock (${name})`, ok: true, detail: `within ${Math.round(Math.abs(skew) / 1000)} s` },
    );
  } catch {
    // The probe above succeeded; a HEAD without a Date is nothing to report.
  }
}

function smtpGreeting(url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const port = Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587);
    const socket: Socket =
      url.protocol === 'smtps:'
        ? tlsConnect({ host: url.hostname, port, servername: url.hostname })
        : netConnect({ host: url.hostname, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no greeting within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!buffer.includes('\n')) return;
      clearTimeout(timer);
      socket.end('QUIT\r\n');
      const line = buffer.split('\n')[0]!.trim();
      if (line.startsWith('220')) resolve(line);
      else reject(new Error(`unexpected greeting: ${line.slice(0, 200)}`));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function checkSmtp(p: Platform, findings: Finding[]): Promise<void> {
  const url = new URL(p.config.mail.smtpUrl);
  const shown = `${url.protocol}//${url.hostname}:${url.port}`;
  try {
    const greeting = await smtpGreeting(url);
    findings.push({ check: 'smtp', ok: true, detail: `${shown} answered: ${greeting.slice(0, 80)}` });
  } catch (err) {
    findings.push({
      check: 'smtp',
      ok: false,
      detail: `${shown}: ${message(err)}`,
      fix: p.config.mail.embedded
        ? 'start the platform (`pnpm start`), which runs the embedded SMTP server, or set SMTP_URL to your relay'
        : 'check SMTP_URL (host, port; smtps:// for port 465) and that the relay accepts connections from here',
    });
  }
}

async function checkFfmpeg(p: Platform, findings: Finding[]): Promise<void> {
  let bin;
  try {
    bin = await resolveFfmpeg({
      ffmpegPath: p.config.media.ffmpegPath,
      ffprobePath: p.config.media.ffprobePath,
      production: p.config.env === 'production',
    });
  } catch (err) {
    findings.push({
      check: 'ffmpeg',
      ok: false,
      detail: message(err),
      fix: 'install ffmpeg 5 or later (apt-get install ffmpeg) or set FFMPEG_PATH and FFPROBE_PATH',
    });
    return;
  }
  const list = async (what: 'encoders' | 'filters' | 'muxers') =>
    (await runProcess(bin.ffmpeg, ['-hide_banner', `-${what}`], { dieWithParent: false })).stdout;
  const missing: string[] = [];
  for (const what of ['encoders', 'filters', 'muxers'] as const) {
    const text = await list(what);
    const names = new Set(text.split('\n').map((l) => l.trim().split(/\s+/)[1] ?? ''));
    for (const name of REQUIRED_FFMPEG[what]) if (!names.has(name)) missing.push(`${what.slice(0, -1)} ${name}`);
  }
  const old = bin.major !== null && bin.major < 5;
  findings.push(
    missing.length === 0 && !old && bin.source.ffmpeg !== 'installer'
      ? {
          check: 'ffmpeg',
          ok: true,
          detail: `${bin.version} (${bin.ffmpeg}) with ${Object.values(REQUIRED_FFMPEG).flat().join(', ')}`,
        }
      : {
          check: 'ffmpeg',
          ok: false,
          detail: [
            `${bin.version} (${bin.ffmpeg})`,
            bin.source.ffmpeg === 'installer' && 'the npm-shipped 4.1 build',
            old && 'older than 5',
            missing.length > 0 && `missing ${missing.join(', ')}`,
          ]
            .filter(Boolean)
            .join('; '),
          fix: 'install a full ffmpeg 5 or later (Debian/Ubuntu: apt-get install ffmpeg) or point FFMPEG_PATH at one',
        },
  );
}

async function checkDisk(label: string, dir: string, findings: Finding[]): Promise<void> {
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    const s = await statfs(at);
    const free = s.bavail * s.bsize;
    const gib = (free / 2 ** 30).toFixed(1);
    findings.push(
      free >= MIN_FREE_BYTES
        ? { check: `disk (${label})`, ok: true, detail: `${gib} GiB free at ${at}` }
        : {
            check: `disk (${label})`,
            ok: false,
            detail: `only ${gib} GiB free at ${at}`,
            fix: `free space or move ${label} to a larger disk (at least ${MIN_FREE_BYTES / 2 ** 30} GiB free)`,
          },
    );
  } catch (err) {
    findings.push({
      check: `disk (${label})`,
      ok: false,
      detail: `${at}: ${message(err)}`,
      fix: `make ${label} readable`,
    });
  }
}

/** Runs every check, prints each, and answers whether all passed. */
export async function runDoctor(print: (line: string) => void): Promise<boolean> {
  const findings: Finding[] = [];
  let p: Platform;
  try {
    p = loadPlatform();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) {
      findings.push({
        check: 'config',
        ok: false,
        detail: `${issue.variable}: ${issue.message}`,
        fix: `correct ${issue.variable}`,
      });
    }
    report(findings, print);
    return false;
  }
  findings.push(
    p.secretSource === 'missing'
      ? {
          check: 'config',
          ok: false,
          detail: 'AUTH_JWT_SECRET is not set and DATA_DIR/secrets.json does not exist',
          fix: 'run `pnpm start` once (it generates DATA_DIR/secrets.json) or set AUTH_JWT_SECRET to 32+ random characters',
        }
      : {
          check: 'config',
          ok: true,
          detail: `valid (${p.config.env}; secrets from ${p.secretSource}; DATA_DIR ${p.dataDir})`,
        },
  );
  await checkPostgres(p, findings);
  let storage: ObjectStore | undefined;
  try {
    storage = openStorage(p);
  } catch (err) {
    findings.push({
      check: storageCheck(p),
      ok: false,
      detail: `STORAGE_PROVIDER=${p.config.storage.provider}: ${message(err)}`,
      fix: storageFix(p, null),
    });
  }
  if (storage) {
    try {
      await checkStorage(p, storage, findings);
    } finally {
      storage.destroy();
    }
  }
  await checkSmtp(p, findings);
  await checkFfmpeg(p, findings);
  await checkDisk('DATA_DIR', p.dataDir, findings);
  await checkDisk('MEDIA_SCRATCH_DIR', p.config.media.scratchDir, findings);
  report(findings, print);
  return findings.every((f) => f.ok);
}

function report(findings: Finding[], print: (line: string) => void): void {
  for (const f of findings) {
    print(`${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.detail}`);
    if (!f.ok && f.fix) print(`     fix: ${f.fix}`);
  }
  const failed = findings.filter((f) => !f.ok).length;
  print(failed === 0 ? 'everything looks right' : `${failed} problem(s) found`);
}
