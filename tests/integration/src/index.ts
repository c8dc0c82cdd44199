// Boots the real server (and optionally a worker) on an ephemeral port for end-to-end tests over HTTP.
import { buildServer } from '@arvlite/server';
import { createTestDeps } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { afterAll } from 'vitest';

export async function startTestPlatform(opts: { worker?: boolean; env?: Record<string, string> } = {}) {
  const deps = await createTestDeps({ WORKER_POLL_INTERVAL_MS: '200', ...opts.env });
  const app = await buildServer(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const worker = opts.worker ? await startWorker(deps, { concurrency: 2 }) : undefined;
  afterAll(async () => {
    await worker?.stop();
    await app.close();
  });
  const client = (getAccessToken?: () => string | null) =>
    createArvliteNodeClient({ url: `${baseUrl}/trpc`, getAccessToken });
  return { deps, app, baseUrl, worker, client };
}
