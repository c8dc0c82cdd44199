import { Migration } from '@mikro-orm/migrations';

export class Migration20261206131614 extends Migration {

  override name = 'Migration20261206131614';

  override up(): void | Promise<void> {
    this.addSql(`create table "customer_upload_link" ("id" uuid not null, "company_id" uuid not null, "ar_content_id" uuid not null, "token_hash" varchar(64) not null, "max_bytes" bigint not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "video_id" uuid null, "used_at" timestamptz null, "approved_at" timestamptz null, "rejected_at" timestamptz null, "reviewed_by_id" uuid null, "sent_to" varchar(254) null, "language" text null, "created_by_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "customer_upload_link_ar_content_id_created_at_index" on "customer_upload_link" ("ar_content_id", "created_at");`);

    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_ar_content_id_foreign" foreign key ("ar_content_id") references "ar_content" ("id") on delete cascade;`);
    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_video_id_foreign" foreign key ("video_id") references "video" ("id") on delete set null;`);
    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "customer_upload_link" add constraint "customer_upload_link_language_check" check ("language" in ('en', 'ru'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "customer_upload_link" cascade;`);
  }

}
