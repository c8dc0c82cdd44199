// Scheduled backups: with BACKUP_CRON set the worker has a system:backup cron item; each run writes a whole backup to
// BACKUP_DIR and only the newest BACKUP_KEEP stay.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Company } from '@arvlite/db';
import { cronItemsFor } from '@arvlite/jobs/runtime';
import { createTestDeps, waitFor } from '@arvlite/test-utils';
import { startWorker } from '@arvlite/worker';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'arvlite-backups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backups = () =>
  readdirSync(dir)
    .filter((n) => /^backup-\d{8}T\d{6}Z$/.test(n))
    .sort();

describe('scheduled backups', () => {
  it('runs as a cron item only when BACKUP_CRON is set', async () => {
    const off = cronItemsFor({ backups: { cron: undefined, keep: 7, dir } });
    expect(off.some((i) => i.task === 'system:backup')).toBe(false);
    const on = cronItemsFor({ backups: { cron: '30 3 * * *', keep: 7, dir } });
    expect(on.find((i) => i.task === 'system:backup')).toMatchObject({
      match: '30 3 * * *',
      options: { maxAttempts: 1, jobKey: 'system:backup' },
    });
  });

  it('writes whole backups to BACKUP_DIR and keeps the newest BACKUP_KEEP', { timeout: 180_000 }, async () => {
    // A schedule that does not fire during the test; the runs are queued by hand, as the cron would queue them.
    const deps = await createTestDeps({ BACKUP_CRON: '0 0 1 1 *', BACKUP_DIR: dir, BACKUP_KEEP: '2' });
    const em = deps.orm.fork();
    em.create(Company, { name: 'Scheduled Co', storageQuotaBytes: 1000 });
    await em.flush();
    await deps.storage.put('some/object.txt', 'kept in every backup', 'text/plain');
    const worker = await startWorker(deps, { concurrency: 1 });
    try {
      const seen: string[] = [];
      for (let run = 1; run <= 3; run++) {
        await deps.orm
          .fork()
          .execute(`select graphile_worker.add_job('system:backup', '{}'::json, job_key := 'system:backup')`);
        const deadline = Date.now() + 60_000;
        while (!backups().some((b) => !seen.includes(b))) {
          if (Date.now() > deadline) throw new Error(`backup run ${run} did not appear in ${dir}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        const appearedSecond = Math.floor(Date.now() / 1000);
        seen.push(...backups().filter((b) => !seen.includes(b)));
        // Backups are named by the second they start in: the next run starts in a later second than this one did.
        await waitFor('the next second', () => Math.floor(Date.now() / 1000) > appearedSecond);
      }
      expect(seen).toHaveLength(3);
      expect(backups()).toEqual(seen.slice(1));
      for (const name of backups()) {
        const manifest = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as {
          tables: { name: string; rows: number }[];
          objects: { items: { key: string }[] };
        };
        expect(manifest.tables.find((t) => t.name === 'company')?.rows).toBe(1);
        expect(manifest.objects.items.map((o) => o.key)).toEqual(['some/object.txt']);
        // Owner only: a backup holds every row and object.
        for (const p of [name, `${name}/manifest.json`, `${name}/db/public.company.copy.gz`]) {
          expect(statSync(join(dir, p)).mode & 0o077, p).toBe(0);
        }
      }
      // No half-written directory is left behind.
      expect(readdirSync(dir).filter((n) => n.includes('.partial'))).toEqual([]);
      expect(existsSync(join(dir, seen[0]!))).toBe(false);
    } finally {
      await worker.stop();
    }
  });
});
