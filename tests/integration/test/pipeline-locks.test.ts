// A pipeline step locks its video's row, and only that row: the steps of other videos in the same project never wait
// on it. The project used to be joined into the locking select, so FOR UPDATE locked the project's row too and every
// step of every video in one project queued behind the others (chaos scenario "worker scaling" found the waits).
import { createTestDeps } from '@arvlite/test-utils';
import { lockLiveVideo, lockVideo } from '@arvlite/jobs';
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { signUp } from '../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let owner: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  deps = await createTestDeps();
  owner = await signUp(deps);
});

it.each([
  ['lockVideo', lockVideo],
  ['lockLiveVideo', lockLiveVideo],
] as const)('%s holds the video row and leaves the project row free', async (_name, lock) => {
  const companyId = (await owner.caller.company.create({ name: 'Locks' })).id;
  const projectId = (await owner.caller.project.create({ companyId, name: 'Many videos' })).id;
  const { videoId } = await owner.caller.video.createUpload({
    projectId,
    fileName: 'a.mp4',
    contentType: 'video/mp4',
    size: 1000,
  });
  const other = new pg.Client({ connectionString: deps.config.database.url });
  await other.connect();
  try {
    await deps.orm.fork().transactional(async (tem) => {
      const video = await lock(tem, videoId);
      expect(video?.project.id).toBe(projectId);
      // NOWAIT answers at once: 55P03 when another transaction holds the row.
      await expect(
        other.query('select id from video where id = $1 for update nowait', [videoId]),
      ).rejects.toMatchObject({ code: '55P03' });
      const project = await other.query('select id from project where id = $1 for update nowait', [projectId]);
      expect(project.rows).toHaveLength(1);
    });
  } finally {
    await other.end();
  }
});
