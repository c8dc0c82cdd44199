import { Migration } from '@mikro-orm/migrations';

export class Migration20261206104715 extends Migration {

  override name = 'Migration20261206104715';

  override up(): void | Promise<void> {
    this.addSql(`create table "upload_attempt" ("id" uuid not null, "company_id" uuid not null, "key" varchar(512) not null, "s3upload_id" varchar(1024) null, "urls_expire_at" timestamptz not null, "closed_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "upload_attempt" add constraint "upload_attempt_key_unique" unique ("key");`);
    this.addSql(`create index "upload_attempt_urls_expire_at_index" on "upload_attempt" ("urls_expire_at");`);

    this.addSql(`alter table "video" add "original_etag" varchar(128) null;`);

    this.addSql(`alter table "upload_session" add "upload_key" varchar(512) null, add "etag" varchar(128) null;`);

    this.addSql(`alter table "ar_content" add "marker_original_etag" varchar(128) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "upload_attempt" cascade;`);

    this.addSql(`alter table "ar_content" drop column "marker_original_etag";`);

    this.addSql(`alter table "upload_session" drop column "upload_key", drop column "etag";`);

    this.addSql(`alter table "video" drop column "original_etag";`);
  }

}
