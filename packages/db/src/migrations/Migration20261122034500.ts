import { Migration } from '@mikro-orm/migrations';

// Hand-written: MikroORM's schema diff does not see a table's persistence (the snapshot has no field for it), so this
// migration leaves no trace in the snapshot and migration:create produces no change after it.
export class Migration20261122034500 extends Migration {

  override name = 'Migration20261122034500';

  override up(): void | Promise<void> {
    // Rate-limit counters are hit on every viewer call and every sign-in. Unlogged, their updates skip the WAL and
    // the commit's WAL flush; a crash empties the table, which only resets the current windows.
    this.addSql(`alter table "rate_limit" set unlogged;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "rate_limit" set logged;`);
  }

}
