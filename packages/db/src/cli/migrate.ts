// Applies pending migrations to DATABASE_URL (used by `pnpm start` before the server and worker start).
import { loadConfig } from '@arvlite/config';
import { migrate } from '../orm.ts';

const config = loadConfig();
if (!config.database.url) {
  console.error('DATABASE_URL is required to migrate');
  process.exit(1);
}
const applied = await migrate(config.database.url);
console.log(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database is up to date');
