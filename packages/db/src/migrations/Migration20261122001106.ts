import { Migration } from '@mikro-orm/migrations';

export class Migration20261122001106 extends Migration {

  override name = 'Migration20261122001106';

  override up(): void | Promise<void> {
    this.addSql(`create table "worker_heartbeat" ("id" varchar(64) not null, "hostname" varchar(255) not null, "pid" int not null, "graphile_worker_ids" text[] not null default '{}', "started_at" timestamptz not null, "last_seen_at" timestamptz not null, "stopped_at" timestamptz null, "jobs_completed" int not null default 0, "jobs_failed" int not null default 0, primary key ("id"));`);
    this.addSql(`create index "worker_heartbeat_last_seen_at_index" on "worker_heartbeat" ("last_seen_at");`);
  }

}
