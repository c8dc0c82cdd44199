import { resolve } from 'node:path';
import { backupName, createBackup, pruneBackups } from '@arvlite/backup';
import { defineTask } from '../define-task.ts';

/**
 * Scheduled backup (BACKUP_CRON): the same backup as `arvlite backup`, into BACKUP_DIR/backup-<UTC time>, then only the
 * newest BACKUP_KEEP backups are kept. The cron item runs it at most once at a time (its job key) and never retries it:
 * a failed backup leaves no directory behind, and the next scheduled run makes a new one.
 */
export const systemBackup = defineTask('system:backup', async ({ deps, log }) => {
  const dir = resolve(deps.config.backups.dir);
  const manifest = await createBackup(
    { databaseUrl: deps.config.database.url, storage: deps.storage },
    resolve(dir, backupName()),
  );
  const removed = await pruneBackups(dir, deps.config.backups.keep);
  log.info(
    {
      dir,
      snapshotAt: manifest.snapshotAt,
      rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
      objects: manifest.objects.count,
      removed,
    },
    'backup written',
  );
});
