import { Migration } from '@mikro-orm/migrations';

export class Migration20261122012444 extends Migration {

  override name = 'Migration20261122012444';

  override up(): void | Promise<void> {
    this.addSql(`create table "ar_content" ("id" uuid not null, "company_id" uuid not null, "project_id" uuid not null, "created_by_id" uuid null, "title" varchar(200) not null, "description" varchar(2000) null, "public_id" varchar(32) not null, "status" text not null default 'DRAFT', "active_from" timestamptz null, "expires_at" timestamptz null, "expired_at" timestamptz null, "customer_name" varchar(200) null, "customer_email" varchar(254) null, "customer_phone" varchar(40) null, "order_ref" varchar(100) null, "autoplay" boolean not null default true, "loop" boolean not null default true, "muted" boolean not null default false, "default_video_id" uuid null, "version" int not null default 1, "marker_revision" int not null default 0, "marker_upload_key" varchar(512) null, "marker_upload_content_type" varchar(32) null, "marker_upload_bytes" int null, "marker_queued_revision" int null, "marker_published_revision" int null, "marker_image_key" varchar(512) null, "marker_webp_key" varchar(512) null, "marker_thumbnail_key" varchar(512) null, "marker_mind_key" varchar(512) null, "marker_width_px" int null, "marker_height_px" int null, "width_mm" double precision null, "marker_score" int null, "marker_rating" varchar(16) null, "marker_advice" jsonb null, "marker_keypoints" jsonb null, "marker_feature_count" int null, "marker_matching_points" int null, "marker_tracking_points" int null, "marker_compile_ms" int null, "marker_stored_bytes" bigint not null default '0', "marker_failure_code" varchar(64) null, "marker_failure_message" varchar(1000) null, "marker_processed_at" timestamptz null, "archived_at" timestamptz null, "deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_public_id_unique" unique ("public_id");`);
    this.addSql(`create index "ar_content_project_id_created_at_index" on "ar_content" ("project_id", "created_at");`);
    this.addSql(`create index "ar_content_expires_at_index" on "ar_content" ("expires_at");`);

    this.addSql(`create table "ar_playlist_rule" ("id" uuid not null, "ar_content_id" uuid not null, "kind" text not null, "video_id" uuid null, "date" varchar(10) null, "yearly" boolean not null default false, "starts_at" timestamptz null, "ends_at" timestamptz null, "cycle" text null, "video_ids" jsonb null, "anchor_date" varchar(10) null, "position" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "ar_playlist_rule_ar_content_id_position_index" on "ar_playlist_rule" ("ar_content_id", "position");`);

    this.addSql(`create table "ar_playlist_item" ("id" uuid not null, "ar_content_id" uuid not null, "video_id" uuid not null, "position" int not null, primary key ("id"));`);
    this.addSql(`alter table "ar_playlist_item" add constraint "ar_playlist_item_ar_content_id_video_id_unique" unique ("ar_content_id", "video_id");`);

    this.addSql(`create table "view_session" ("id" uuid not null, "ar_content_id" uuid not null, "company_id" uuid not null, "project_id" uuid not null, "video_id" uuid null, "platform" text not null, "device_model" varchar(100) null, "device_os" varchar(64) null, "app_version" varchar(32) null, "device_hash" varchar(64) not null, "ip_hash" varchar(64) not null, "started_at" timestamptz not null, "ended_at" timestamptz null, "end_reason" text null, "watched_ms" int not null default 0, "tracking_lost_count" int not null default 0, "completed" boolean not null default false, primary key ("id"));`);
    this.addSql(`create index "view_session_ar_content_id_started_at_index" on "view_session" ("ar_content_id", "started_at");`);
    this.addSql(`create index "view_session_project_id_started_at_index" on "view_session" ("project_id", "started_at");`);
    this.addSql(`create index "view_session_open_started_at_index" on "view_session" ("started_at") where "ended_at" is null;`);

    this.addSql(`alter table "ar_content" add constraint "ar_content_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_default_video_id_foreign" foreign key ("default_video_id") references "video" ("id") on delete set null;`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_status_check" check ("status" in ('DRAFT', 'MARKER_PROCESSING', 'READY', 'ARCHIVED'));`);

    this.addSql(`alter table "ar_playlist_rule" add constraint "ar_playlist_rule_ar_content_id_foreign" foreign key ("ar_content_id") references "ar_content" ("id") on delete cascade;`);
    this.addSql(`alter table "ar_playlist_rule" add constraint "ar_playlist_rule_video_id_foreign" foreign key ("video_id") references "video" ("id") on delete cascade;`);
    this.addSql(`alter table "ar_playlist_rule" add constraint "ar_playlist_rule_kind_check" check ("kind" in ('date', 'window', 'rotation'));`);
    this.addSql(`alter table "ar_playlist_rule" add constraint "ar_playlist_rule_cycle_check" check ("cycle" in ('daily', 'weekly', 'random-daily'));`);

    this.addSql(`alter table "ar_playlist_item" add constraint "ar_playlist_item_ar_content_id_foreign" foreign key ("ar_content_id") references "ar_content" ("id") on delete cascade;`);
    this.addSql(`alter table "ar_playlist_item" add constraint "ar_playlist_item_video_id_foreign" foreign key ("video_id") references "video" ("id") on delete cascade;`);

    this.addSql(`alter table "view_session" add constraint "view_session_ar_content_id_foreign" foreign key ("ar_content_id") references "ar_content" ("id") on delete cascade;`);
    this.addSql(`alter table "view_session" add constraint "view_session_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "view_session" add constraint "view_session_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
    this.addSql(`alter table "view_session" add constraint "view_session_platform_check" check ("platform" in ('ios', 'android', 'web', 'other'));`);
    this.addSql(`alter table "view_session" add constraint "view_session_end_reason_check" check ("end_reason" in ('client', 'abandoned'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ar_playlist_rule" drop constraint "ar_playlist_rule_ar_content_id_foreign";`);
    this.addSql(`alter table "ar_playlist_item" drop constraint "ar_playlist_item_ar_content_id_foreign";`);
    this.addSql(`alter table "view_session" drop constraint "view_session_ar_content_id_foreign";`);

    this.addSql(`drop table if exists "ar_content" cascade;`);
    this.addSql(`drop table if exists "ar_playlist_rule" cascade;`);
    this.addSql(`drop table if exists "ar_playlist_item" cascade;`);
    this.addSql(`drop table if exists "view_session" cascade;`);
  }

}
