// Generates a migration from the difference between the entities and the database (run against a migrated database).
import { loadConfig } from '@arvlite/config';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../orm.ts';

const config = loadConfig();
if (!config.database.url) {
  console.error('DATABASE_URL is required');
  process.exit(1);
}
const orm = await MikroORM.init(ormConfig({ url: config.database.url }));
try {
  await orm.migrator.up();
  const initial = (await orm.migrator.getExecuted()).length === 0;
  const result = await orm.migrator.create(undefined, false, initial);
  console.log(result.fileName ? `created ${result.fileName}` : 'no changes');
} finally {
  await orm.close(true);
}
