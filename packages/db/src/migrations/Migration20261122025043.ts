import { Migration } from '@mikro-orm/migrations';

export class Migration20261122025043 extends Migration {

  override name = 'Migration20261122025043';

  override up(): void | Promise<void> {
    this.addSql(`drop index "view_session_open_started_at_index";`);
    this.addSql(`alter table "view_session" add "received_at" timestamptz not null default now();`);
    // Sessions recorded so far were received when they started.
    this.addSql(`update "view_session" set "received_at" = "started_at";`);
    this.addSql(`create index "view_session_open_received_at_index" on "view_session" ("received_at") where "ended_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "view_session_open_received_at_index";`);
    this.addSql(`alter table "view_session" drop column "received_at";`);
    this.addSql(`create index "view_session_open_started_at_index" on "view_session" ("started_at") where "ended_at" is null;`);
  }

}
