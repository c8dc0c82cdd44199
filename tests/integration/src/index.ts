// Boots the real server (and optionally a worker) on an ephemeral port for end-to-end tests over HTTP.
import { buildServer } from '@arvlite/server';
import type { ObjectStore } from '@arvlite/storage';
import { createTestDeps, reservePort } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { createArvliteNodeClient } from '@arvlite/client/node';
import { afterAll } from 'vitest';

export async function startTestPlatform(
  opts: {
    worker?: boolean;
    env?: Record<string, string>;
    /** Another store than the file's S3 bucket for server and worker (the Azure or local-disk provider). */
    storage?: ObjectStore;
  } = {},
) {
  // Behind a (simulated) proxy, so each test user can come from its own address and per-IP limits stay per user.
  // The port is held from its bind(0) until the server has bound it beside the holder (see reservePort).
  const reserved = await reservePort();
  const { port } = reserved;
  const baseUrl = `http://127.0.0.1:${port}`;
  const deps = await createTestDeps({
    WORKER_POLL_INTERVAL_MS: '200',
    TRUST_PROXY: '1',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    ...opts.env,
  });
  const platformDeps = opts.storage ? { ...deps, storage: opts.storage } : deps;
  const app = await buildServer(platformDeps);
  await reserved.listen(app);
  const worker = opts.worker ? await startWorker(platformDeps, { concurrency: 2 }) : undefined;
  afterAll(async () => {
    await worker?.stop();
    await app.close();
  });
  const client = (getAccessToken?: () => string | null, ip?: string) =>
    createArvliteNodeClient({
      url: `${baseUrl}/trpc`,
      getAccessToken,
      fetch: ip
        ? (input, init) =>
            fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } })
        : undefined,
    });
  return { deps, app, baseUrl, worker, client };
}
export { registerUser, type TestUser } from './session.ts';
export {
  callerAt,
  issuedVerificationToken,
  markEmailVerified,
  randomIp,
  signUp,
  verifyEmailOf,
  type CallerUser,
} from './accounts.ts';
export { callPath, isIdField, listProcedures, planInput, type ProcedureInfo } from './router-walk.ts';
export { mailLink, mailsTo, type ParsedMail } from './mailbox.ts';
export { startMockOidc } from './oidc-mock.ts';
export { clips, ffprobe, paddedMp4, tinyMp4, tinyPng, type ProbedStream } from './media-fixtures.ts';
export { newProject, uploadClip } from './caller-uploads.ts';
export { busyImage, exifRotatedJpeg, flatImage, lowTextureImage, meanDifference } from '@arvlite/marker/testing';
export { runCli, CLI_MAIN, type CliResult } from './cli.ts';
export { startTestAzurite } from './azurite.ts';
/** The store a configuration names (STORAGE_PROVIDER), for test files outside this package (the dashboard's e2e). */
export { createStorage } from '@arvlite/storage';
