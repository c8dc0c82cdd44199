// One role rule for destructive actions (security review, finding 15): deleting or archiving a company's content
// needs an admin, for videos and AR content alike; editors create and edit.
import { TRPCClientError } from '@arvlite/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { listProcedures, registerUser, startTestPlatform, type TestUser } from '../../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let editor: TestUser;
let admin: TestUser;
let projectId: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  [owner, editor, admin] = await Promise.all([
    registerUser(platform.client),
    registerUser(platform.client),
    registerUser(platform.client),
  ]);
  const companyId = (await owner.client.company.create.mutate({ name: 'Roles Co' })).id;
  projectId = (await owner.client.project.create.mutate({ companyId, name: 'Roles' })).id;
  for (const [user, role] of [
    [editor, 'editor'],
    [admin, 'admin'],
  ] as const) {
    await platform.deps.orm.fork().execute(
      `insert into membership (id, company_id, user_id, role, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, now(), now())`,
      [companyId, user.userId, role],
    );
  }
});

async function code(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof TRPCClientError ? String(e.data?.code) : String(e)),
  );
}

async function newVideo(by: TestUser): Promise<string> {
  const created = await by.client.video.createUpload.mutate({
    projectId,
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size: 1000,
  });
  return created.videoId;
}

describe('destructive actions', () => {
  it('every delete and archive procedure needs the same role: admin', () => {
    const destructive = listProcedures().filter((p) => /\.(delete|archive)$/.test(p.path));
    expect(destructive.map((p) => p.path).sort()).toEqual(
      expect.arrayContaining([
        'arContent.archive',
        'arContent.delete',
        'project.archive',
        'video.delete',
        'webhook.delete',
      ]),
    );
    // A procedure's meta may also carry its REST mapping (openapi, restOutput); the rule is about scope and role.
    for (const p of destructive) expect(p.meta, p.path).toMatchObject({ scope: 'tenant', minRole: 'admin' });
  });

  it('an editor can delete neither a video (even their own) nor AR content', async () => {
    const videoId = await newVideo(editor);
    expect(await code(editor.client.video.delete.mutate({ id: videoId }))).toBe('FORBIDDEN');
    const item = await editor.client.arContent.create.mutate({ projectId, title: 'Card' });
    expect(await code(editor.client.arContent.delete.mutate({ id: item.id }))).toBe('FORBIDDEN');
    // Admins can.
    expect(await code(admin.client.video.delete.mutate({ id: videoId }))).toBe('ok');
    expect(await code(admin.client.arContent.delete.mutate({ id: item.id }))).toBe('ok');
  });
});
