// What the media-job fault tests (pipeline-faults, pipeline-db-faults, worker-stops) share: deps on the real services
// with ultrafast encodes and a worker polling every 200 ms (plus each file's own settings), one signed-up owner, 1 s
// clips uploaded through the router as the clients do, a worker started on those deps with some of them swapped (a
// proxied ORM or storage), and reads of the video and its video:process job to wait on.
import { createTestDeps, waitUntil, type TestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { signUp, type CallerUser } from './accounts.ts';
import { newProject, uploadClip } from './caller-uploads.ts';

/** A video's video:process job as graphile-worker holds it. */
export interface MediaJobRow {
  id: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
}

type Worker = Awaited<ReturnType<typeof startWorker>>;

export interface MediaJobTest {
  deps: TestDeps;
  owner: CallerUser;
  /** Uploads a 1 s 480×270 clip to a new project of the owner's and completes it: video:process is queued. */
  upload(projectName: string): Promise<string>;
  video(id: string): ReturnType<CallerUser['caller']['video']['byId']>;
  /** The video's video:process job, undefined until it is queued. */
  jobOf(videoId: string): Promise<MediaJobRow | undefined>;
  /** Waits for the video to be READY or FAILED and returns it. */
  settled(videoId: string, ms?: number): ReturnType<MediaJobTest['video']>;
  /** A worker on the deps, with any of them swapped (a proxied ORM or storage); stopWorker() stops it. */
  startWorker(swap?: Partial<TestDeps>, options?: Parameters<typeof startWorker>[1]): Promise<Worker>;
  /** Stops the worker startWorker started, if any (for afterAll). */
  stopWorker(): Promise<void>;
}

/** Deps (ultrafast encodes, 200 ms polling, then `env`) and an owner; for a file's beforeAll. */
export async function setUpMediaJobTest(env: Record<string, string>): Promise<MediaJobTest> {
  const deps = await createTestDeps({ MEDIA_X264_PRESET: 'ultrafast', WORKER_POLL_INTERVAL_MS: '200', ...env });
  const owner = await signUp(deps);
  let worker: Worker | undefined;
  const video = (id: string) => owner.caller.video.byId({ id });
  return {
    deps,
    owner,
    upload: async (projectName) => uploadClip(owner, (await newProject(owner, projectName)).projectId),
    video,
    jobOf: async (videoId) =>
      (
        await deps.orm.fork().execute<MediaJobRow[]>(
          `select id::text as id, attempts, max_attempts, last_error, locked_by from graphile_worker.jobs
            where task_identifier = 'video:process' and key = ?`,
          [`video:process:${videoId}`],
        )
      )[0],
    settled: (videoId, ms = 120_000) =>
      waitUntil(
        `video ${videoId} to be READY`,
        () => video(videoId),
        (v) => v.status === 'READY' || v.status === 'FAILED',
        { timeout: ms },
      ),
    startWorker: async (swap = {}, options = {}) => {
      if (worker) throw new Error('a worker is running already');
      worker = await startWorker({ ...deps, ...swap }, options);
      return worker;
    },
    stopWorker: async () => {
      await worker?.stop();
    },
  };
}
