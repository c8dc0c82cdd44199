import { Migration } from '@mikro-orm/migrations';

export class Migration20261122002746 extends Migration {

  override name = 'Migration20261122002746';

  override up(): void | Promise<void> {
    this.addSql(`create table "video" ("id" uuid not null, "company_id" uuid not null, "project_id" uuid not null, "created_by_id" uuid null, "title" varchar(200) not null, "description" varchar(5000) null, "status" text not null default 'AWAITING_UPLOAD', "failure_code" varchar(64) null, "failure_message" varchar(1000) null, "file_name" varchar(255) not null, "content_type" varchar(100) not null, "size_bytes" bigint not null, "stored_bytes" bigint not null default '0', "container" varchar(16) null, "original_key" varchar(512) not null, "media" jsonb null, "outputs" jsonb null, "uploaded_at" timestamptz null, "playable_at" timestamptz null, "ready_at" timestamptz null, "deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "video_project_id_created_at_index" on "video" ("project_id", "created_at");`);
    this.addSql(`create index "video_company_id_status_index" on "video" ("company_id", "status");`);

    this.addSql(`create table "upload_session" ("id" uuid not null, "video_id" uuid not null, "kind" text not null, "s3upload_id" varchar(1024) null, "part_size" bigint null, "part_count" int null, "reserved_bytes" bigint not null, "expires_at" timestamptz not null, "completed_at" timestamptz null, "aborted_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "upload_session" add constraint "upload_session_video_id_unique" unique ("video_id");`);
    this.addSql(`create index "upload_session_expires_at_index" on "upload_session" ("expires_at");`);

    this.addSql(`alter table "video" add constraint "video_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "video" add constraint "video_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
    this.addSql(`alter table "video" add constraint "video_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "video" add constraint "video_status_check" check ("status" in ('AWAITING_UPLOAD', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'));`);

    this.addSql(`alter table "upload_session" add constraint "upload_session_video_id_foreign" foreign key ("video_id") references "video" ("id") on delete cascade;`);
    this.addSql(`alter table "upload_session" add constraint "upload_session_kind_check" check ("kind" in ('single', 'multipart'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "upload_session" drop constraint "upload_session_video_id_foreign";`);

    this.addSql(`drop table if exists "video" cascade;`);
    this.addSql(`drop table if exists "upload_session" cascade;`);
  }

}
