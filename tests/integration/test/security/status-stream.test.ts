// video.onStatus (security review, finding 14): a stream ends with NOT_FOUND once its subscriber is no longer a member
// of the video's company, instead of running on after the removal.
import { TRPCClientError } from '@arvlite/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestUser } from '../../src/index.ts';

let platform: Awaited<ReturnType<typeof startTestPlatform>>;
let owner: TestUser;
let viewer: TestUser;
let companyId: string;
let videoId: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  owner = await registerUser(platform.client);
  viewer = await registerUser(platform.client);
  companyId = (await owner.client.company.create.mutate({ name: 'Stream Co' })).id;
  const project = await owner.client.project.create.mutate({ companyId, name: 'Stream' });
  // A video that never reaches a final state: its stream stays open until something ends it.
  const created = await owner.client.video.createUpload.mutate({
    projectId: project.id,
    fileName: 'waiting.mp4',
    contentType: 'video/mp4',
    size: 1000,
  });
  videoId = created.videoId;
  await platform.deps.orm.fork().execute(
    `insert into membership (id, company_id, user_id, role, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, 'viewer', now(), now())`,
    [companyId, viewer.userId],
  );
});

describe('video.onStatus', () => {
  it('ends with NOT_FOUND once the member is removed', async () => {
    const events: string[] = [];
    let first!: () => void;
    const started = new Promise<void>((r) => (first = r));
    const ended = new Promise<unknown>((resolve) => {
      const sub = viewer.client.video.onStatus.subscribe(
        { id: videoId },
        {
          onData(data) {
            events.push(data.status);
            first();
          },
          onError(e) {
            sub.unsubscribe();
            resolve(e);
          },
          onComplete: () => resolve('completed'),
        },
      );
      setTimeout(() => {
        resolve('still streaming');
        sub.unsubscribe();
      }, 25_000);
    });
    await started;
    expect(events).toEqual(['AWAITING_UPLOAD']);

    const members = await owner.client.member.list.query({ companyId });
    const membershipId = members.members.find((m) => m.userId === viewer.userId)!.membershipId;
    await owner.client.member.remove.mutate({ companyId, membershipId });

    const outcome = await ended;
    expect(outcome).toBeInstanceOf(TRPCClientError);
    // Ended by the server with NOT_FOUND, not by the test's 25 s give-up ('still streaming'): no assertion on the clock.
    expect((outcome as TRPCClientError<never>).data).toMatchObject({ code: 'NOT_FOUND' });
  }, 30_000);
});
