import { Migration } from '@mikro-orm/migrations';

export class Migration20261206104048 extends Migration {

  override name = 'Migration20261206104048';

  override up(): void | Promise<void> {
    this.addSql(`create table "email_message" ("id" uuid not null, "company_id" uuid null, "recipient" varchar(254) not null, "kind" varchar(32) not null, "language" varchar(8) not null, "subject" varchar(300) not null, "params" jsonb not null, "status" text not null default 'QUEUED', "attempts" int not null default 0, "last_error" varchar(500) null, "message_id" varchar(255) null, "dedupe_key" varchar(300) null, "created_at" timestamptz not null, "last_attempt_at" timestamptz null, "sent_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "email_message" add constraint "email_message_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "email_message_company_id_created_at_index" on "email_message" ("company_id", "created_at");`);
    this.addSql(`create index "email_message_recipient_last_attempt_at_index" on "email_message" ("recipient", "last_attempt_at");`);

    this.addSql(`alter table "email_message" add constraint "email_message_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "email_message" add constraint "email_message_status_check" check ("status" in ('QUEUED', 'SENT', 'FAILED', 'SUPPRESSED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "email_message" cascade;`);
  }

}
