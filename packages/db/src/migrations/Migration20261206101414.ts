import { Migration } from '@mikro-orm/migrations';

export class Migration20261206101414 extends Migration {

  override name = 'Migration20261206101414';

  override up(): void | Promise<void> {
    this.addSql(`create table "outbox_event" ("id" bigserial primary key, "type" varchar(64) not null, "company_id" uuid not null, "aggregate_type" varchar(32) not null, "aggregate_id" varchar(64) not null, "payload" jsonb not null, "dedupe_key" varchar(200) null, "attempts" int not null default 0, "last_error" varchar(1000) null, "created_at" timestamptz not null default now(), "delivered_at" timestamptz null);`);
    this.addSql(`alter table "outbox_event" add constraint "outbox_event_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "outbox_event_pending_index" on "outbox_event" ("id") where "delivered_at" is null;`);
    this.addSql(`create index "outbox_event_company_id_created_at_index" on "outbox_event" ("company_id", "created_at");`);

    this.addSql(`create table "outbox_delivery" ("event_id" bigint not null, "consumer" varchar(64) not null, "delivered_at" timestamptz not null default now(), primary key ("event_id", "consumer"));`);

    this.addSql(`alter table "company" add "quota_warning_percent" smallint not null default 0;`);

    this.addSql(`alter table "outbox_delivery" add constraint "outbox_delivery_event_id_foreign" foreign key ("event_id") references "outbox_event" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "outbox_delivery" drop constraint "outbox_delivery_event_id_foreign";`);

    this.addSql(`drop table if exists "outbox_event" cascade;`);
    this.addSql(`drop table if exists "outbox_delivery" cascade;`);

    this.addSql(`alter table "company" drop column "quota_warning_percent";`);
  }

}
