// Generates a migration from the difference between the entities and the migrated schema.
// Without DATABASE_URL it uses a throwaway embedded Postgres, so `pnpm --filter @arvlite/db migration:create` just works.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '@arvlite/config';
import { spawnDevServices } from '@arvlite/dev-services';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../orm.ts';

const config = loadConfig();
let url = config.database.url;
let cleanup = async () => {};
if (!url) {
  const dir = join(import.meta.dirname, '../../../../.data', `migration-${process.pid}`);
  const services = await spawnDevServices({
    dataDir: dir,
    postgresPort: 55_000 + Math.floor(Math.random() * 5000),
    s3Port: 60_100 + Math.floor(Math.random() * 5000),
  });
  url = services.databaseUrl;
  cleanup = async () => {
    await services.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
try {
  const orm = await MikroORM.init(ormConfig({ url, snapshot: true }));
  try {
    await orm.migrator.up();
    const initial = (await orm.migrator.getExecuted()).length === 0;
    const result = await orm.migrator.create(undefined, false, initial);
    console.log(result.fileName ? `created ${result.fileName}` : 'no changes');
  } finally {
    await orm.close(true);
  }
} finally {
  await cleanup();
}
