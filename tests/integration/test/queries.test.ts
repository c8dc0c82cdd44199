// The list queries at the service level (createCaller on a cloned database): every audit.list filter, the
// includeArchived listings (project.list, arContent.list), analytics by month in the company's timezone, and
// pagination (pages never overlap and add up to the whole set).
import { createTestDeps } from '@arvlite/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { markEmailVerified, signUp, type CallerUser } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: CallerUser;
let editor: CallerUser;
let companyId: string;

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return deps.orm.fork().execute<T[]>(text, params);
}

/** Every page of a cursor-paginated list, `limit` at a time; fails on a page that repeats an id. */
async function allPages<T extends { id: string }>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const result = await page(cursor);
    pages++;
    for (const item of result.items) {
      expect(ids, `id ${item.id} on two pages`).not.toContain(item.id);
      ids.push(item.id);
    }
    cursor = result.nextCursor ?? undefined;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { ids, pages };
}

beforeAll(async () => {
  deps = await createTestDeps();
  owner = await signUp(deps, { name: 'Query owner' });
  editor = await signUp(deps, { name: 'Query editor' });
  await markEmailVerified(deps, editor.userId);
  const company = await owner.caller.company.create({ name: 'Query Co', timezone: 'Asia/Vladivostok' });
  companyId = company.id;
  const invite = await owner.caller.member.invite({ companyId, email: editor.email, role: 'editor' });
  await editor.caller.auth.acceptInvite({ token: invite.token });
});

describe('audit.list filters', () => {
  let projectIds: string[];
  let rows: { id: string; action: string; actor_id: string | null; target_type: string; target_id: string | null }[];

  beforeAll(async () => {
    // Owner creates three projects, the editor two; the owner renames one and archives another.
    projectIds = [];
    for (const [who, n] of [
      [owner, 3],
      [editor, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        projectIds.push(
          (await who.caller.project.create({ companyId, name: `Audit ${who.userId.slice(0, 4)} ${i}` })).id,
        );
      }
    }
    await owner.caller.project.update({ id: projectIds[0]!, name: 'Renamed' });
    await owner.caller.project.archive({ id: projectIds[1]! });
    rows = await sql(
      'select id::text as id, action, actor_id, target_type, target_id from audit_log where company_id = ? order by audit_log.id',
      [companyId],
    );
    // Spread the rows over three known days, oldest first.
    await sql(
      `update audit_log set created_at = timestamptz '2026-03-01T00:00:00Z' + (id - (select min(id) from audit_log
         where company_id = ?)) * interval '1 day' where company_id = ?`,
      [companyId, companyId],
    );
  });

  const list = (filter: Record<string, unknown>) =>
    owner.caller.audit.list({ companyId, limit: 100, ...filter }).then((r) => r.items.map((i) => i.id));
  const expected = (keep: (r: (typeof rows)[number], index: number) => boolean) =>
    rows
      .filter(keep)
      .map((r) => r.id)
      .reverse();

  it('lists every row of the company, newest first, without a filter', async () => {
    // member.invite, acceptInvite's membership, five creates, an update, an archive: more than the filters keep.
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(await list({})).toEqual(expected(() => true));
  });

  it('filters by action', async () => {
    const creates = expected((r) => r.action === 'project.create');
    expect(creates).toHaveLength(5);
    expect(await list({ action: 'project.create' })).toEqual(creates);
    expect(await list({ action: 'project.archive' })).toEqual(expected((r) => r.action === 'project.archive'));
    expect(await list({ action: 'project.nothing' })).toEqual([]);
  });

  it('filters by actor', async () => {
    const byEditor = expected((r) => r.actor_id === editor.userId);
    expect(byEditor.length).toBeGreaterThanOrEqual(2);
    expect(await list({ actorId: editor.userId })).toEqual(byEditor);
    const byOwner = expected((r) => r.actor_id === owner.userId);
    expect(await list({ actorId: owner.userId })).toEqual(byOwner);
    expect(byOwner.length + byEditor.length).toBeLessThanOrEqual(rows.length);
  });

  it('filters by target type and target id', async () => {
    const projects = expected((r) => r.target_type === 'project');
    expect(projects.length).toBeGreaterThanOrEqual(7);
    expect(await list({ targetType: 'project' })).toEqual(projects);
    const first = expected((r) => r.target_id === projectIds[0]);
    expect(first).toHaveLength(2); // created, renamed
    expect(await list({ targetId: projectIds[0] })).toEqual(first);
    expect(await list({ targetType: 'project', targetId: projectIds[1] })).toEqual(
      expected((r) => r.target_type === 'project' && r.target_id === projectIds[1]),
    );
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const day = (i: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + i * 86_400_000);
    // Row i sits at day(i) exactly.
    expect(await list({ from: day(2) })).toEqual(expected((_, i) => i >= 2));
    expect(await list({ to: day(2) })).toEqual(expected((_, i) => i < 2));
    expect(await list({ from: day(1), to: day(4) })).toEqual(expected((_, i) => i >= 1 && i < 4));
    expect(await list({ from: day(3), to: day(3) })).toEqual([]);
  });

  it('combines filters', async () => {
    const want = expected((r) => r.action === 'project.create' && r.actor_id === owner.userId);
    expect(want).toHaveLength(3);
    expect(await list({ action: 'project.create', actorId: owner.userId })).toEqual(want);
  });

  it('pages never overlap and add up to the filtered set', async () => {
    for (const limit of [1, 2, 3]) {
      const { ids, pages } = await allPages((cursor) => owner.caller.audit.list({ companyId, limit, cursor }));
      expect(ids).toEqual(expected(() => true));
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(rows.length / limit));
      const creates = await allPages((cursor) =>
        owner.caller.audit.list({ companyId, limit, cursor, action: 'project.create' }),
      );
      expect(creates.ids).toEqual(expected((r) => r.action === 'project.create'));
    }
  });
});

describe('includeArchived listings', () => {
  let live: string[];
  let archived: string[];

  beforeAll(async () => {
    const company = await owner.caller.company.create({ name: 'Archive Co' });
    live = [];
    archived = [];
    for (let i = 0; i < 5; i++) {
      const project = await owner.caller.project.create({ companyId: company.id, name: `P${i}` });
      if (i % 2) {
        await owner.caller.project.archive({ id: project.id });
        archived.push(project.id);
      } else live.push(project.id);
    }
    companyId2 = company.id;
  });
  let companyId2: string;

  it('project.list leaves archived projects out unless asked, on every page size', async () => {
    expect(live).toHaveLength(3);
    expect(archived).toHaveLength(2);
    for (const limit of [1, 2, 100]) {
      const plain = await allPages((cursor) => owner.caller.project.list({ companyId: companyId2, limit, cursor }));
      expect(plain.ids.toSorted()).toEqual(live.toSorted());
      const all = await allPages((cursor) =>
        owner.caller.project.list({ companyId: companyId2, limit, cursor, includeArchived: true }),
      );
      expect(all.ids.toSorted()).toEqual([...live, ...archived].toSorted());
    }
    const listed = await owner.caller.project.list({ companyId: companyId2, includeArchived: true, limit: 100 });
    expect(
      listed.items
        .filter((p) => p.archivedAt !== null)
        .map((p) => p.id)
        .toSorted(),
    ).toEqual(archived.toSorted());
  });

  it('arContent.list leaves ARCHIVED items out unless asked; a status filter wins over includeArchived', async () => {
    const project = await owner.caller.project.create({ companyId: companyId2, name: 'AR items' });
    const items: string[] = [];
    for (let i = 0; i < 5; i++) {
      items.push((await owner.caller.arContent.create({ projectId: project.id, title: `Item ${i}` })).id);
    }
    const gone = [items[1]!, items[3]!];
    for (const id of gone) await owner.caller.arContent.archive({ id });
    const kept = items.filter((id) => !gone.includes(id));
    for (const limit of [1, 2, 100]) {
      const plain = await allPages((cursor) => owner.caller.arContent.list({ projectId: project.id, limit, cursor }));
      expect(plain.ids.toSorted()).toEqual(kept.toSorted());
      const all = await allPages((cursor) =>
        owner.caller.arContent.list({ projectId: project.id, limit, cursor, includeArchived: true }),
      );
      expect(all.ids.toSorted()).toEqual(items.toSorted());
    }
    const onlyArchived = await owner.caller.arContent.list({ projectId: project.id, status: 'ARCHIVED', limit: 100 });
    expect(onlyArchived.items.map((i) => i.id).toSorted()).toEqual(gone.toSorted());
    const draftsOnly = await owner.caller.arContent.list({
      projectId: project.id,
      status: 'DRAFT',
      includeArchived: true,
      limit: 100,
    });
    expect(draftsOnly.items.map((i) => i.id).toSorted()).toEqual(kept.toSorted());
  });
});

describe('analytics by month', () => {
  it('buckets views by calendar month in the company timezone, empty months included', async () => {
    // Asia/Vladivostok is UTC+10 all year.
    const project = await owner.caller.project.create({ companyId, name: 'Monthly' });
    const item = await owner.caller.arContent.create({ projectId: project.id, title: 'Monthly item' });
    const other = await owner.caller.arContent.create({ projectId: project.id, title: 'Other item' });
    const add = (contentId: string, at: string, device: string, watchedMs: number, completed: boolean) =>
      sql(
        `insert into view_session (id, ar_content_id, company_id, project_id, platform, device_hash, ip_hash,
           started_at, ended_at, end_reason, watched_ms, completed)
         values (gen_random_uuid(), ?, ?, ?, 'web', ?, 'x', ?, ?::timestamptz + interval '1 minute', 'client', ?, ?)`,
        [contentId, companyId, project.id, device, at, at, watchedMs, completed],
      );
    await add(item.id, '2026-01-31T13:59:00Z', 'd1', 1000, true); // 23:59 on 31 January in Vladivostok
    await add(item.id, '2026-01-31T14:00:00Z', 'd1', 3000, false); // 00:00 on 1 February there
    await add(item.id, '2026-02-20T08:00:00Z', 'd2', 5000, true);
    // March: nothing. April:
    await add(item.id, '2026-04-10T08:00:00Z', 'd3', 2000, true);
    await add(other.id, '2026-02-10T08:00:00Z', 'd4', 4000, true);
    // Outside the range: before its start and at its (exclusive) end.
    await add(item.id, '2025-12-31T13:59:00Z', 'd5', 1000, true);
    await add(item.id, '2026-04-30T14:00:00Z', 'd6', 1000, true);

    const from = new Date('2025-12-31T14:00:00Z'); // 1 January, local midnight
    const to = new Date('2026-04-30T14:00:00Z'); // 1 May, local midnight
    const summary = await owner.caller.analytics.summary({ arContentId: item.id, from, to, granularity: 'month' });
    expect(summary.timezone).toBe('Asia/Vladivostok');
    expect(summary.granularity).toBe('month');
    expect(summary.series.map((s) => [s.start.toISOString(), s.views, s.uniqueDevices, s.completionRate])).toEqual([
      ['2025-12-31T14:00:00.000Z', 1, 1, 1], // January
      ['2026-01-31T14:00:00.000Z', 2, 2, 0.5], // February
      ['2026-02-28T14:00:00.000Z', 0, 0, null], // March
      ['2026-03-31T14:00:00.000Z', 1, 1, 1], // April
    ]);
    expect(summary.totals).toMatchObject({ views: 4, uniqueDevices: 3, reportedSessions: 4, completionRate: 0.75 });

    const whole = await owner.caller.analytics.summary({ projectId: project.id, from, to, granularity: 'month' });
    expect(whole.series.map((s) => s.views)).toEqual([1, 3, 0, 1]);
    expect(whole.totals.views).toBe(5);
  });
});
