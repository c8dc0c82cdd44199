// Scenario 6: the S3 server stopped for 30 s under load, then started again (same port, same data). Uploads whose
// completion needs S3 (HEAD/copy) answer 503 and the clients complete again later; processing steps fail with
// "storage is unavailable", are retried with backoff past MEDIA_JOB_MAX_ATTEMPTS (MEDIA_JOB_TRANSIENT_ATTEMPTS), and
// nothing ends FAILED for the fault: every upload ends READY with exactly its outputs.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { quick, runFaultScenario } from '../src/scenario.ts';

const DOWN_MS = 30_000;
let retried = 0;
let rerunInAttempt = 0;

runFaultScenario({
  id: '6',
  title: 'S3 stopped 30 s under load',
  test: 'S3 stopped for 30 s under load: uploads and steps retry, nothing FAILED, no 500',
  rounds: quick ? 1 : 2,
  bound: {
    recoveryMs: 90_000,
    why: 'a step that failed during the 30 s outage waits its backoff before it runs again (e^attempts s: 2.7, 7.4, 20, 55 s after its 1st-4th failures); the bound is the longest such wait plus a step',
  },
  // Not expect503: the manifest reads that probe each server need no S3 call (signed URLs are computed), so they
  // answer 200 throughout; a 5xx other than 503 or no answer would still fail. Clients see the 503s on completion.
  async fault({ cluster, probe }) {
    await cluster.services.s3.stop();
    const downUntil = Date.now() + DOWN_MS;
    while (Date.now() < downUntil) {
      await probe();
      await sleep(1_000);
    }
    await cluster.services.s3.start();
  },
  notes: async ({ cluster }) => {
    const [row] = await cluster.services.query<{ n: string }>(
      `select count(*) as n from video_step where attempts > 1`,
    );
    retried = Number(row!.n);
    // A step failing on a passing fault first runs again within its attempt (run-step.ts, after 1, 2, 4, 8 s …),
    // which leaves its attempts at 1: those are counted from the workers' logs.
    rerunInAttempt = 0;
    for (const w of cluster.workers) {
      const log = w.logFile ? await readFile(w.logFile, 'utf8').catch(() => '') : '';
      rerunInAttempt += log.split('\n').filter((line) => line.includes('"processing step retrying"')).length;
    }
    // A TypeError (fetch failed) in the client errors is the client's own PUT to S3 (a presigned URL) finding nobody.
    return [
      `steps that needed more than one attempt: ${retried}`,
      `step runs retried within their attempt: ${rerunInAttempt}`,
    ];
  },
  check: () => {
    // The outage must have hit processing: steps that failed in it and ran again.
    expect(retried + rerunInAttempt, 'steps that ran again after failing in the outage').toBeGreaterThan(0);
  },
});
