// The steady mixed load every scenario runs: video uploads (single PUT and multipart, through @arvlite/client and the
// load balancer), their processing, viewer manifest reads and view sessions on a published AR item, and the outbox
// events that follow (webhooks, in-app notifications, mails). Every item a client got an acknowledgement for goes into
// the ledger, which the accounting checks at the end.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, uploadVideo, uploadVideoFile, type ArvliteClient } from '@arvlite/client/node';
import { encodeClip, multipartClip, poisonClip, smallClip } from '@arvlite/integration-tests/media-fixtures';
import { busyImage } from '@arvlite/marker/testing';
import type { Cluster } from './cluster.ts';

export type UploadKind = 'single' | 'multipart' | 'encode' | 'poison';

export interface UploadItem {
  videoId: string;
  kind: UploadKind;
  tenant: number;
  /** The video is expected to end READY, or FAILED (poison). */
  expect: 'READY' | 'FAILED';
  /** completeUpload answered (the platform owns it from then on). */
  completed: boolean;
  /** The client gave up (an error it cannot recover from, or the load stopped before completion). */
  abandoned?: string;
  /** Calls that failed and were retried (resumed). */
  retries: number;
  startedAt: number;
}

export interface SessionItem {
  sessionId: string;
  /** endSession answered ok. */
  ended: boolean;
}

export interface Tenant {
  index: number;
  email: string;
  ip: string;
  /** The current access token (refreshed in the background). */
  accessToken: () => string;
  userId: string;
  client: ArvliteClient;
  companyId: string;
  projectId: string;
  webhookEndpointId: string;
}

export interface World {
  tenants: Tenant[];
  /** A published AR item of tenant 0 with a READY video: what manifest reads and view sessions hit. */
  publicId: string | undefined;
}

/** An SSE client following one video's status (`video.onStatus`) from completion to its final state. */
export interface WatchItem {
  videoId: string;
  /** The statuses it received, in order (repeats after a reconnect included). */
  seen: string[];
  /** Times the stream broke and the client subscribed again. */
  reconnects: number;
  /** The server the first subscription went to (straight to one server when `watchOn` is set). */
  via: string;
  close(): void;
}

export interface Ledger {
  uploads: UploadItem[];
  watches: WatchItem[];
  sessions: SessionItem[];
  manifestReads: { ok: number; failed: number; byCode: Record<string, number> };
  /** Errors seen by clients per API error code or HTTP status (retried calls included). */
  clientErrors: Record<string, number>;
  /**
   * Each tRPC error answer with a 5xx status other than 503 a client saw (INTERNAL_SERVER_ERROR, …): what was called,
   * the HTTP status and the request id, so a scenario can say where it came from (first 200 kept). The load
   * balancer's 502 has no tRPC body: tRPC's client reports it without a status, and it is counted only in
   * clientErrors, as TRPCClientError (like a broken connection).
   */
  serverErrors: ServerErrorSeen[];
}

export interface ServerErrorSeen {
  /** What the load was doing (e.g. 'upload', 'manifest', 'endSession'). */
  what: string;
  /** The procedure as the server named it, when the answer was tRPC's. */
  path: string | undefined;
  /** The HTTP status of the answer (undefined: no answer, e.g. a reset connection). */
  httpStatus: number | undefined;
  code: string;
  requestId: string | undefined;
  message: string;
}

/** Counts a failed call under its code, and keeps the details of a server error other than 503. */
export function noteClientError(ledger: Ledger, what: string, err: unknown, fallback?: string): string {
  const code = errorCode(err) ?? fallback ?? (err instanceof Error ? err.name : 'unknown');
  ledger.clientErrors[code] = (ledger.clientErrors[code] ?? 0) + 1;
  const e = err as {
    data?: { path?: string; httpStatus?: number; requestId?: string };
    meta?: { response?: { status?: number } };
    message?: string;
  };
  const httpStatus = e?.data?.httpStatus ?? e?.meta?.response?.status;
  const serverError =
    httpStatus !== undefined ? httpStatus >= 500 && httpStatus !== 503 : code === 'INTERNAL_SERVER_ERROR';
  if (serverError && ledger.serverErrors.length < 200) {
    ledger.serverErrors.push({
      what,
      path: e?.data?.path,
      httpStatus,
      code,
      requestId: e?.data?.requestId,
      message: String(e?.message ?? '').slice(0, 200),
    });
  }
  return code;
}

export const randomIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]! || 1}`;

/** Retries a call that failed for a passing reason (network, 5xx, 503 with a hint); records each failure. */
export async function retrying<T>(
  ledger: Ledger,
  what: string,
  fn: () => Promise<T>,
  { attempts = 60, delayMs = 500 }: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = noteClientError(ledger, what, err);
      const permanent = ['BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'CONFLICT'];
      if (permanent.includes(code) || i >= attempts)
        throw new Error(`${what}: ${code}: ${(err as Error).message}`, { cause: err });
      await sleep(Math.min(delayMs * i, 3_000));
    }
  }
}

export function newLedger(): Ledger {
  return {
    uploads: [],
    watches: [],
    sessions: [],
    manifestReads: { ok: 0, failed: 0, byCode: {} },
    clientErrors: {},
    serverErrors: [],
  };
}

/** Tenants (a user, a company, a project and a webhook endpoint each) and, with `arItem`, a published AR item. */
export async function seedWorld(
  cluster: Cluster,
  ledger: Ledger,
  { tenants = 2, arItem = true }: { tenants?: number; arItem?: boolean } = {},
): Promise<World> {
  const list: Tenant[] = [];
  for (let index = 0; index < tenants; index++) {
    const ip = randomIp();
    const email = `chaos-${randomBytes(5).toString('hex')}@example.com`;
    const password = `Sturdy-${randomBytes(8).toString('hex')}`;
    const anon = cluster.client({ ip });
    await retrying(ledger, 'register', () => anon.auth.register.mutate({ email, password, name: `Chaos ${index}` }));
    const session = await retrying(ledger, 'login', () => anon.auth.login.mutate({ email, password }));
    let token = session.accessToken;
    let refresh = session.refreshToken;
    const client = cluster.client({ ip, accessToken: () => token });
    // Access tokens live AUTH_ACCESS_TOKEN_TTL_S (15 min): a long scenario refreshes them every 10 minutes, as an app
    // does, keeping the rotated refresh token; a refresh whose answer was lost (a killed server) ends that session,
    // and the client signs in again.
    const timer = setInterval(() => {
      void anon.auth.refresh
        .mutate({ refreshToken: refresh })
        .catch(() => anon.auth.login.mutate({ email, password }))
        .then((r) => {
          token = r.accessToken;
          refresh = r.refreshToken;
        })
        .catch(() => {});
    }, 600_000);
    timer.unref();
    const companyId = (
      await retrying(ledger, 'company', () => client.company.create.mutate({ name: `Chaos ${index}` }))
    ).id;
    const projectId = (
      await retrying(ledger, 'project', () => client.project.create.mutate({ companyId, name: 'Load' }))
    ).id;
    const endpoint = await retrying(ledger, 'webhook', () =>
      client.webhook.create.mutate({ companyId, url: cluster.webhookUrl, events: ['video.ready', 'video.failed'] }),
    );
    list.push({
      index,
      email,
      ip,
      accessToken: () => token,
      userId: session.user.id,
      client,
      companyId,
      projectId,
      webhookEndpointId: endpoint.endpoint.id,
    });
  }
  let publicId: string | undefined;
  if (arItem) {
    const t = list[0]!;
    const videoId = await uploadOne(cluster, ledger, t, 'single');
    await waitVideo(cluster, videoId, 'READY', 240_000);
    const item = await t.client.arContent.create.mutate({ projectId: t.projectId, title: 'Chaos print' });
    const image = await busyImage(640, 480);
    const up = await t.client.arContent.createMarkerUpload.mutate({
      id: item.id,
      contentType: 'image/png',
      size: image.length,
    });
    const put = await fetch(up.url, { method: 'PUT', body: new Uint8Array(image), headers: up.headers });
    if (!put.ok) throw new Error(`marker PUT: ${put.status}`);
    await t.client.arContent.completeMarkerUpload.mutate({ id: item.id });
    await t.client.playlist.set.mutate({ id: item.id, videoIds: [videoId], defaultVideoId: videoId });
    const until = Date.now() + 300_000;
    for (;;) {
      const c = await t.client.arContent.byId.query({ id: item.id });
      if (c.status !== 'MARKER_PROCESSING') {
        if (c.status !== 'READY') throw new Error(`AR item ended ${c.status}`);
        break;
      }
      if (Date.now() > until) throw new Error('marker not compiled within 300 s');
      await sleep(1_000);
    }
    publicId = item.publicId;
  }
  return { tenants: list, publicId };
}

const bytesOf = (kind: UploadKind) =>
  kind === 'single'
    ? smallClip()
    : kind === 'multipart'
      ? multipartClip()
      : kind === 'encode'
        ? encodeClip()
        : poisonClip();

const source = (bytes: Uint8Array<ArrayBuffer>) => ({
  size: bytes.length,
  slice: (start: number, end: number) => bytes.subarray(start, end),
});

/**
 * One upload as a client does it: create, send (resuming after any failure), complete. Returns the video id once
 * completeUpload answered; an upload the client had to give up is recorded as abandoned (and is not the platform's to
 * finish).
 */
export async function uploadOne(
  cluster: Cluster,
  ledger: Ledger,
  tenant: Tenant,
  kind: UploadKind,
  { deadline = Date.now() + 300_000 }: { deadline?: number } = {},
): Promise<string> {
  const bytes = bytesOf(kind);
  const contentType = kind === 'encode' ? 'video/webm' : 'video/mp4';
  let videoId: string | undefined;
  let item: UploadItem | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      if (!videoId) {
        await uploadVideo(
          tenant.client,
          { projectId: tenant.projectId, fileName: `${kind}.${kind === 'encode' ? 'webm' : 'mp4'}`, contentType },
          source(bytes),
          {
            concurrency: 2,
            retries: 3,
            onStarted: (created: { videoId: string }) => {
              videoId = created.videoId;
              item = {
                videoId,
                kind,
                tenant: tenant.index,
                expect: kind === 'poison' ? 'FAILED' : 'READY',
                completed: false,
                retries: 0,
                startedAt: Date.now(),
              };
              ledger.uploads.push(item);
            },
          } as Parameters<typeof uploadVideo>[3],
        );
      } else if (kind === 'multipart') {
        await uploadVideoFile(tenant.client, videoId, source(bytes), { concurrency: 2, retries: 3 });
      } else {
        // A single PUT: sign again and send; a 412 means the first one got through.
        const signed = await tenant.client.video.signUpload.mutate({ videoId });
        const put = await fetch(signed.url, { method: 'PUT', body: bytes, headers: signed.headers });
        if (!put.ok && put.status !== 412) throw new Error(`PUT answered ${put.status}`);
        await tenant.client.video.completeUpload.mutate({ videoId });
      }
      item!.completed = true;
      return videoId!;
    } catch (err) {
      const code = noteClientError(ledger, `upload ${kind}`, err);
      if (item) item.retries++;
      // Completion raced with an earlier try that did complete: the video is past AWAITING_UPLOAD.
      if (videoId && code === 'CONFLICT') {
        const v = await tenant.client.video.byId.query({ id: videoId }).catch(() => undefined);
        if (v && v.status !== 'AWAITING_UPLOAD') {
          item!.completed = true;
          return videoId;
        }
      }
      if (Date.now() > deadline || ['FORBIDDEN', 'PAYLOAD_TOO_LARGE'].includes(code)) {
        if (item) item.abandoned = `${code}: ${(err as Error).message}`;
        throw err;
      }
      await sleep(Math.min(500 * attempt, 3_000));
    }
  }
}

/**
 * Follows a video's status over SSE as an app does: on a broken stream it subscribes again (the server answers the
 * current state first), until a final state arrives.
 */
export function watchStatus(
  cluster: Cluster,
  tenant: Tenant,
  videoId: string,
  serverUrl?: string,
  ledger?: Ledger,
): WatchItem {
  const client = serverUrl
    ? cluster.client({ ip: tenant.ip, accessToken: tenant.accessToken, serverUrl })
    : tenant.client;
  const item: WatchItem = { videoId, seen: [], reconnects: 0, via: serverUrl ?? 'load balancer', close: () => {} };
  let closed = false;
  const subscribe = () => {
    const sub = client.video.onStatus.subscribe(
      { id: videoId },
      {
        onData: (snapshot: { status: string }) => {
          item.seen.push(snapshot.status);
          if (snapshot.status === 'READY' || snapshot.status === 'FAILED') stop();
        },
        // tRPC's SSE link resubscribes by itself after a 5xx error event (onError is not called): such an error
        // (INTERNAL_SERVER_ERROR from inside a stream, or SERVICE_UNAVAILABLE) shows in the connection state.
        onConnectionStateChange: (state: { error: unknown }) => {
          if (ledger && state.error) noteClientError(ledger, 'watch', state.error);
        },
        onError: (err: unknown) => {
          if (ledger) noteClientError(ledger, 'watch', err);
          sub.unsubscribe();
          if (closed) return;
          item.reconnects++;
          setTimeout(() => !closed && (current = subscribe()), 1_000).unref();
        },
      },
    );
    return sub;
  };
  let current = subscribe();
  const stop = () => {
    closed = true;
    current.unsubscribe();
  };
  item.close = stop;
  return item;
}

export async function waitVideo(cluster: Cluster, videoId: string, status: 'READY' | 'FAILED', timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await cluster.services
      .query<{ status: string }>(`select status from video where id = $1`, [videoId])
      .catch(() => []);
    if (row?.status === status) return;
    if (row && ['READY', 'FAILED'].includes(row.status) && row.status !== status)
      throw new Error(`video ${videoId} ended ${row.status}, expected ${status}`);
    if (Date.now() > until) throw new Error(`video ${videoId} not ${status} within ${timeoutMs} ms (${row?.status})`);
    await sleep(500);
  }
}

export interface LoadOptions {
  /** Upload kinds to draw from, with weights. Default: 3 single, 1 multipart. */
  mix?: Partial<Record<UploadKind, number>>;
  /** Concurrent uploaders. */
  uploaders?: number;
  /** Pause between one uploader's uploads. */
  uploadGapMs?: number;
  /** Stop after this many uploads in total (default: until stop()). */
  maxUploads?: number;
  /** Manifest reads and view sessions per second (0: none; needs world.publicId). */
  viewerRate?: number;
  /** Follow each completed upload with an SSE client until its final status. */
  watch?: boolean;
  /** Subscribe straight to this server (e.g. server A while the load balancer spreads the uploads). */
  watchOn?: () => string | undefined;
}

export interface Load {
  ledger: Ledger;
  /** Stops generating; resolves once every uploader and viewer loop has returned. */
  stop(): Promise<void>;
  /** Resolves when maxUploads uploads have been started and finished (or failed). */
  done: Promise<void>;
}

export function startLoad(cluster: Cluster, world: World, ledger: Ledger, opts: LoadOptions = {}): Load {
  const mix = Object.entries(opts.mix ?? { single: 3, multipart: 1 }) as [UploadKind, number][];
  const total = mix.reduce((a, [, w]) => a + w, 0);
  const draw = (): UploadKind => {
    let r = Math.random() * total;
    for (const [k, w] of mix) if ((r -= w) < 0) return k;
    return mix[0]![0];
  };
  let stopping = false;
  let started = 0;
  const loops: Promise<void>[] = [];
  for (let u = 0; u < (opts.uploaders ?? 2); u++) {
    loops.push(
      (async () => {
        while (!stopping && (opts.maxUploads === undefined || started < opts.maxUploads)) {
          started++;
          const tenant = world.tenants[(started + u) % world.tenants.length]!;
          const videoId = await uploadOne(cluster, ledger, tenant, draw()).catch(() => undefined);
          if (videoId && opts.watch)
            ledger.watches.push(watchStatus(cluster, tenant, videoId, opts.watchOn?.(), ledger));
          if (opts.uploadGapMs) await sleep(opts.uploadGapMs);
        }
      })(),
    );
  }
  const uploadsDone = Promise.all(loops).then(() => undefined);
  const viewer = (async () => {
    if (!opts.viewerRate || !world.publicId) return;
    const gap = 1000 / opts.viewerRate;
    const publicId = world.publicId;
    while (!stopping) {
      const ip = randomIp();
      const anon = cluster.client({ ip });
      try {
        const m = await anon.viewer.manifest.query({ publicId });
        if (m.ok) ledger.manifestReads.ok++;
        else {
          ledger.manifestReads.failed++;
          ledger.manifestReads.byCode[m.reason] = (ledger.manifestReads.byCode[m.reason] ?? 0) + 1;
        }
        const { sessionId } = await anon.viewer.startSession.mutate({ publicId, device: { platform: 'web' } });
        const s: SessionItem = { sessionId, ended: false };
        ledger.sessions.push(s);
        await retrying(ledger, 'endSession', () =>
          anon.viewer.endSession.mutate({ sessionId, watchedMs: 0, trackingLostCount: 0, completed: false }),
        ).then(
          () => (s.ended = true),
          (err: Error) => {
            // An end that arrived before its answer was lost answers CONFLICT: it is recorded.
            if (/CONFLICT/.test(err.message)) s.ended = true;
          },
        );
      } catch (err) {
        const code = noteClientError(ledger, 'viewer', err, 'network');
        ledger.manifestReads.byCode[code] = (ledger.manifestReads.byCode[code] ?? 0) + 1;
      }
      await sleep(gap);
    }
  })();
  return {
    ledger,
    done: uploadsDone,
    async stop() {
      stopping = true;
      await Promise.all([uploadsDone, viewer]);
    },
  };
}
