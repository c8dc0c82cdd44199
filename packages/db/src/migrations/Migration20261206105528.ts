import { Migration } from '@mikro-orm/migrations';

export class Migration20261206105528 extends Migration {

  override name = 'Migration20261206105528';

  override up(): void | Promise<void> {
    this.addSql(`create table "push_token" ("id" uuid not null, "user_id" uuid not null, "token" varchar(255) not null, "platform" varchar(16) null, "created_at" timestamptz not null, "last_used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "push_token_user_id_index" on "push_token" ("user_id");`);
    this.addSql(`alter table "push_token" add constraint "push_token_token_unique" unique ("token");`);

    this.addSql(`create table "notification_preference" ("id" uuid not null, "user_id" uuid not null, "kind" varchar(40) not null, "channel" text not null, "enabled" boolean not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "notification_preference" add constraint "notification_preference_user_id_kind_channel_unique" unique ("user_id", "kind", "channel");`);

    this.addSql(`create table "notification" ("id" uuid not null, "user_id" uuid not null, "company_id" uuid not null, "kind" varchar(40) not null, "params" jsonb not null, "event_id" bigint not null, "read_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "notification_user_id_created_at_index" on "notification" ("user_id", "created_at");`);
    this.addSql(`alter table "notification" add constraint "notification_user_id_event_id_kind_unique" unique ("user_id", "event_id", "kind");`);

    this.addSql(`alter table "company" add "expiry_reminder_days" jsonb null;`);

    this.addSql(`alter table "ar_content" add "customer_language" text null, add "customer_link_sent_at" timestamptz null, add "customer_link_sent_to" varchar(254) null;`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_customer_language_check" check ("customer_language" in ('en', 'ru'));`);

    this.addSql(`alter table "push_token" add constraint "push_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);

    this.addSql(`alter table "notification_preference" add constraint "notification_preference_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
    this.addSql(`alter table "notification_preference" add constraint "notification_preference_channel_check" check ("channel" in ('in-app', 'email', 'push'));`);

    this.addSql(`alter table "notification" add constraint "notification_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
    this.addSql(`alter table "notification" add constraint "notification_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "push_token" cascade;`);
    this.addSql(`drop table if exists "notification_preference" cascade;`);
    this.addSql(`drop table if exists "notification" cascade;`);

    this.addSql(`alter table "ar_content" drop constraint "ar_content_customer_language_check";`);
    this.addSql(`alter table "ar_content" drop column "customer_language", drop column "customer_link_sent_at", drop column "customer_link_sent_to";`);

    this.addSql(`alter table "company" drop column "expiry_reminder_days";`);
  }

}
