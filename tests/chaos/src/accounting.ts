// The accounting: after a scenario, every item a client was given an acknowledgement for is looked up in the
// database, the bucket, the webhook receiver and the mailbox, and counted as completed, lost, stuck or duplicated.
//
// - completed: an upload whose video ended as expected (READY, or FAILED with a reason for the poison), with exactly
//   its outputs in storage; a view session recorded once (and ended when the client was told so).
// - lost: acknowledged but gone or wrong: a completed upload whose row is missing, still AWAITING_UPLOAD, or FAILED
//   though a fault that passed was the only reason; a session the server answered for but did not record.
// - stuck: not final when the wait ends (the scenario's bound on draining the backlog).
// - duplicated (in effect): output objects beyond the video's outputs or orphaned outputs prefixes; more than one
//   webhook message (distinct webhook-id) per event and endpoint; more than one in-app notification or mail per
//   event and recipient.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from './cluster.ts';
import type { Ledger, World } from './load.ts';

export interface Problem {
  item: string;
  what: 'lost' | 'stuck' | 'duplicated';
  detail: string;
}

export interface Accounting {
  uploads: { acknowledged: number; completed: number; abandonedByClient: number };
  sessions: { acknowledged: number; completed: number };
  /** SSE status streams that saw their video's final state / streams followed. */
  streams?: { followed: number; sawFinal: number; reconnects: number };
  webhooks: { messages: number; redeliveries: number };
  notifications: number;
  mails: number;
  manifestReads: { ok: number; failed: number };
  lost: number;
  stuck: number;
  duplicated: number;
  problems: Problem[];
}

interface VideoRow {
  id: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  output_id: string | null;
  outputs: {
    master: string;
    renditions: Record<string, { files: string[] }>;
    poster: { jpeg: string; webp: string };
    storyboard: { sprite: string; vtt: string };
  } | null;
  company_id: string;
  project_id: string;
}

/** Waits until every acknowledged upload is final or `drainMs` passed; returns when the last one became final. */
export async function drain(cluster: Cluster, ledger: Ledger, drainMs: number): Promise<number> {
  const until = Date.now() + drainMs;
  const ids = () => ledger.uploads.filter((u) => u.completed).map((u) => u.videoId);
  for (;;) {
    const rows = await cluster.services
      .query<{ n: string }>(
        `select count(*) as n from video where id = any($1::uuid[]) and status not in ('READY','FAILED')`,
        [ids()],
      )
      .catch(() => [{ n: '-1' }]);
    if (rows[0]!.n === '0') {
      // Outbox consumers (webhooks, notifications) run after the state change: let them settle too.
      await settleOutbox(cluster, Math.max(5_000, until - Date.now()));
      return performance.now();
    }
    if (Date.now() > until) return performance.now();
    await sleep(500);
  }
}

async function settleOutbox(cluster: Cluster, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await cluster.services
      .query<{ n: string }>(
        `select (select count(*) from graphile_worker._private_jobs j join graphile_worker._private_tasks t
                   on t.id = j.task_id
                  where t.identifier like 'outbox%' or t.identifier like 'webhook%' or t.identifier like 'mail%'
                     or t.identifier like 'push%')
               + (select count(*) from webhook_delivery where status = 'PENDING') as n`,
      )
      .catch(() => [{ n: '-1' }]);
    if (row?.n === '0' || Date.now() > until) return;
    await sleep(500);
  }
}

export async function account(cluster: Cluster, world: World, ledger: Ledger): Promise<Accounting> {
  const problems: Problem[] = [];
  const q = cluster.services.query;
  const acked = ledger.uploads.filter((u) => u.completed);
  const rows = await q<VideoRow>(
    `select id, status, failure_code, failure_message, output_id, outputs, company_id, project_id
       from video where id = any($1::uuid[])`,
    [ledger.uploads.map((u) => u.videoId)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  let completed = 0;
  for (const u of acked) {
    const v = byId.get(u.videoId);
    const item = `video ${u.videoId} (${u.kind})`;
    if (!v) {
      problems.push({ item, what: 'lost', detail: 'acknowledged upload has no row' });
      continue;
    }
    if (v.status === 'AWAITING_UPLOAD') {
      problems.push({ item, what: 'lost', detail: 'completeUpload answered but the row is AWAITING_UPLOAD' });
      continue;
    }
    if (v.status !== 'READY' && v.status !== 'FAILED') {
      problems.push({ item, what: 'stuck', detail: `still ${v.status}` });
      continue;
    }
    if (v.status !== u.expect) {
      problems.push({
        item,
        what: 'lost',
        detail: `ended ${v.status} (${v.failure_code}: ${v.failure_message}), expected ${u.expect}`,
      });
      continue;
    }
    if (v.status === 'FAILED' && !v.failure_message) {
      problems.push({ item, what: 'lost', detail: 'FAILED without a reason' });
      continue;
    }
    if (v.status === 'READY') {
      const extra = await exactOutputs(cluster, v);
      if (extra) {
        problems.push({ item, what: 'duplicated', detail: extra });
        continue;
      }
    }
    completed++;
  }
  problems.push(...(await orphanPrefixes(cluster)));

  // Webhooks: one message per event and endpoint (redeliveries of one webhook-id are at-least-once, and allowed).
  const messages = new Map<string, Set<string>>();
  let deliveries = 0;
  for (const w of cluster.webhooks) {
    if (w.type !== 'video.ready' && w.type !== 'video.failed') continue;
    deliveries++;
    const key = `${w.type}:${String(w.data.videoId)}`;
    (messages.get(key) ?? messages.set(key, new Set()).get(key)!).add(w.messageId);
  }
  for (const u of acked) {
    const v = byId.get(u.videoId);
    if (!v || (v.status !== 'READY' && v.status !== 'FAILED')) continue;
    const key = `${v.status === 'READY' ? 'video.ready' : 'video.failed'}:${u.videoId}`;
    const n = messages.get(key)?.size ?? 0;
    if (n === 0) problems.push({ item: `webhook ${key}`, what: 'lost', detail: 'no webhook message' });
    if (n > 1) problems.push({ item: `webhook ${key}`, what: 'duplicated', detail: `${n} distinct messages` });
  }

  // In-app notifications: one per event, kind and user.
  const notes = await q<{ user_id: string; kind: string; video: string; n: string }>(
    `select user_id, kind, params->>'videoId' as video, count(*) as n from notification
      where params->>'videoId' = any($1::text[]) group by 1, 2, 3`,
    [acked.map((u) => u.videoId)],
  ).catch(async () => [] as { user_id: string; kind: string; video: string; n: string }[]);
  for (const n of notes)
    if (Number(n.n) > 1)
      problems.push({ item: `notification ${n.kind} ${n.video}`, what: 'duplicated', detail: `${n.n} rows` });
  const owners = new Map(world.tenants.map((t) => [t.index, t.userId]));
  for (const u of acked) {
    const v = byId.get(u.videoId);
    if (!v || (v.status !== 'READY' && v.status !== 'FAILED')) continue;
    const kind = v.status === 'READY' ? 'video.ready' : 'video.failed';
    if (!notes.some((n) => n.video === u.videoId && n.kind === kind && n.user_id === owners.get(u.tenant)))
      problems.push({ item: `notification ${kind} ${u.videoId}`, what: 'lost', detail: 'no in-app notification' });
  }

  // Mails: one per (recipient, subject, video) at most (mails name the video; the poison's failure mail is one).
  const mails = await cluster.services.mails();
  const seen = new Map<string, number>();
  for (const m of mails) {
    const text = m.raw.toString('utf8');
    const to = /^To: (.+)$/m.exec(text)?.[1] ?? '';
    const dedupe = /^X-Arvlite-Dedupe: (.+)$/im.exec(text)?.[1];
    const video = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(text)?.[1];
    const key = `${to}|${dedupe ?? video ?? m.file}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, n] of seen)
    if (n > 1 && !key.endsWith('.eml'))
      problems.push({ item: `mail ${key}`, what: 'duplicated', detail: `${n} mails` });

  // SSE: every client that followed a video saw its final state (after any reconnects).
  let watched = 0;
  for (const w of ledger.watches) {
    w.close();
    const v = byId.get(w.videoId);
    if (!v || (v.status !== 'READY' && v.status !== 'FAILED')) continue;
    if (!w.seen.includes(v.status))
      problems.push({
        item: `status stream of ${w.videoId} (${w.via})`,
        what: 'lost',
        detail: `saw [${w.seen.join(', ')}] after ${w.reconnects} reconnects, never ${v.status}`,
      });
    else watched++;
  }

  // View sessions: each acknowledged start recorded once; each acknowledged end recorded.
  const sessions = await q<{ id: string; ended_at: Date | null }>(
    `select id, ended_at from view_session where id = any($1::uuid[])`,
    [ledger.sessions.map((s) => s.sessionId)],
  );
  const sById = new Map(sessions.map((s) => [s.id, s]));
  let sessionsDone = 0;
  for (const s of ledger.sessions) {
    const row = sById.get(s.sessionId);
    if (!row)
      problems.push({ item: `session ${s.sessionId}`, what: 'lost', detail: 'acknowledged start not recorded' });
    else if (s.ended && !row.ended_at)
      problems.push({ item: `session ${s.sessionId}`, what: 'lost', detail: 'acknowledged end not recorded' });
    else sessionsDone++;
  }

  const count = (what: Problem['what']) => problems.filter((p) => p.what === what).length;
  return {
    uploads: {
      acknowledged: acked.length,
      completed,
      abandonedByClient: ledger.uploads.filter((u) => !u.completed).length,
    },
    sessions: { acknowledged: ledger.sessions.length, completed: sessionsDone },
    streams: {
      followed: ledger.watches.length,
      sawFinal: watched,
      reconnects: ledger.watches.reduce((a, w) => a + w.reconnects, 0),
    },
    webhooks: {
      messages: [...messages.values()].reduce((a, s) => a + s.size, 0),
      redeliveries: deliveries - [...messages.values()].reduce((a, s) => a + s.size, 0),
    },
    notifications: notes.reduce((a, n) => a + Number(n.n), 0),
    mails: mails.length,
    manifestReads: { ok: ledger.manifestReads.ok, failed: ledger.manifestReads.failed },
    lost: count('lost'),
    stuck: count('stuck'),
    duplicated: count('duplicated'),
    problems,
  };
}

/** Null when the video's outputs prefix holds exactly the files its outputs list; else what differs. */
async function exactOutputs(cluster: Cluster, v: VideoRow): Promise<string | null> {
  if (!v.outputs) return 'READY without outputs';
  const prefix = v.output_id ? `pub/${v.output_id}/` : `${v.company_id}/${v.project_id}/videos/${v.id}/out/`;
  const expected = new Set([
    v.outputs.master,
    ...Object.values(v.outputs.renditions).flatMap((r) => r.files),
    v.outputs.poster.jpeg,
    v.outputs.poster.webp,
    v.outputs.storyboard.sprite,
    v.outputs.storyboard.vtt,
  ]);
  const listed = (await cluster.storage.listKeys(prefix)).map((k) => k.slice(prefix.length));
  const extra = listed.filter((k) => !expected.has(k));
  const missing = [...expected].filter((k) => !listed.includes(k));
  if (extra.length === 0 && missing.length === 0) return null;
  return `outputs differ: extra [${extra.join(', ')}] missing [${missing.join(', ')}]`;
}

/** Output prefixes (pub/<id>/) that no video or AR item owns, and upload-attempt objects left behind. */
async function orphanPrefixes(cluster: Cluster): Promise<Problem[]> {
  const owned = new Set(
    (
      await cluster.services.query<{ output_id: string }>(
        `select output_id from video where output_id is not null
         union all select output_id from ar_content where output_id is not null`,
      )
    ).map((r) => r.output_id),
  );
  const problems: Problem[] = [];
  const pub = new Set((await cluster.storage.listKeys('pub/')).map((k) => k.split('/')[1]!));
  for (const id of pub)
    if (!owned.has(id)) problems.push({ item: `pub/${id}/`, what: 'duplicated', detail: 'orphaned outputs prefix' });
  const finals = new Set(
    (await cluster.services.query<{ id: string }>(`select id from video where status in ('READY', 'FAILED')`)).map(
      (r) => r.id,
    ),
  );
  for (const key of await cluster.storage.listKeys('')) {
    const m = /^[^/]+\/[^/]+\/videos\/([^/]+)\/uploads\//.exec(key);
    if (m && finals.has(m[1]!)) problems.push({ item: key, what: 'duplicated', detail: 'upload attempt object left' });
  }
  return problems;
}
