import { Migration } from '@mikro-orm/migrations';

export class Migration20261206105305 extends Migration {

  override name = 'Migration20261206105305';

  override up(): void | Promise<void> {
    this.addSql(`create table "webhook_endpoint" ("id" uuid not null, "company_id" uuid not null, "url" varchar(2048) not null, "description" varchar(500) null, "events" jsonb not null, "enabled" boolean not null default true, "disabled_reason" text null, "disabled_at" timestamptz null, "secret_encrypted" varchar(512) not null, "previous_secret_encrypted" varchar(512) null, "previous_secret_expires_at" timestamptz null, "last_sequence" bigint not null default '0', "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "webhook_endpoint_company_id_created_at_index" on "webhook_endpoint" ("company_id", "created_at");`);

    this.addSql(`create table "webhook_delivery" ("id" uuid not null, "endpoint_id" uuid not null, "company_id" uuid not null, "source" text not null, "event_id" bigint null, "event_type" varchar(64) not null, "message_id" varchar(64) not null, "sequence" bigint not null, "body" text not null, "replay_of" uuid null, "status" text not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_status_code" int null, "last_error" varchar(500) null, "created_at" timestamptz not null, "completed_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "webhook_delivery_endpoint_id_created_at_index" on "webhook_delivery" ("endpoint_id", "created_at");`);
    this.addSql(`create unique index "webhook_delivery_event_unique" on "webhook_delivery" ("endpoint_id", "event_id") where "source" = 'EVENT';`);

    this.addSql(`create table "webhook_attempt" ("id" bigserial primary key, "delivery_id" uuid not null, "attempt" int not null, "started_at" timestamptz not null, "duration_ms" int not null, "status_code" int null, "error" varchar(500) null, "response_excerpt" text null);`);
    this.addSql(`create index "webhook_attempt_delivery_id_attempt_index" on "webhook_attempt" ("delivery_id", "attempt");`);

    this.addSql(`alter table "webhook_endpoint" add constraint "webhook_endpoint_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_endpoint" add constraint "webhook_endpoint_disabled_reason_check" check ("disabled_reason" in ('MANUAL', 'GONE', 'FAILING'));`);

    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_source_check" check ("source" in ('EVENT', 'TEST', 'REPLAY'));`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_status_check" check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`alter table "webhook_attempt" add constraint "webhook_attempt_delivery_id_foreign" foreign key ("delivery_id") references "webhook_delivery" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_endpoint_id_foreign";`);
    this.addSql(`alter table "webhook_attempt" drop constraint "webhook_attempt_delivery_id_foreign";`);

    this.addSql(`drop table if exists "webhook_endpoint" cascade;`);
    this.addSql(`drop table if exists "webhook_delivery" cascade;`);
    this.addSql(`drop table if exists "webhook_attempt" cascade;`);
  }

}
