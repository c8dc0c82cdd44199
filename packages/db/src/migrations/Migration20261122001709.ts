import { Migration } from '@mikro-orm/migrations';

export class Migration20261122001709 extends Migration {

  override name = 'Migration20261122001709';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_log" ("id" bigserial primary key, "company_id" uuid null, "actor_id" uuid null, "action" varchar(64) not null, "target_type" varchar(32) not null, "target_id" varchar(64) null, "changes" jsonb null, "request_id" varchar(128) null, "ip" varchar(64) null, "user_agent" varchar(512) null, "created_at" timestamptz not null);`);
    this.addSql(`create index "audit_log_company_id_created_at_index" on "audit_log" ("company_id", "created_at");`);

    this.addSql(`create table "company" ("id" uuid not null, "name" varchar(100) not null, "timezone" varchar(64) not null default 'UTC', "storage_quota_bytes" bigint not null, "storage_used_bytes" bigint not null default '0', "storage_reserved_bytes" bigint not null default '0', "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`create table "oidc_login_state" ("state" varchar(128) not null, "provider" varchar(32) not null, "code_verifier" varchar(128) not null, "nonce" varchar(128) not null, "redirect_uri" varchar(2048) not null, "expires_at" timestamptz not null, primary key ("state"));`);
    this.addSql(`create index "oidc_login_state_expires_at_index" on "oidc_login_state" ("expires_at");`);

    this.addSql(`create table "project" ("id" uuid not null, "company_id" uuid not null, "name" varchar(100) not null, "description" varchar(2000) null, "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "project_company_id_created_at_index" on "project" ("company_id", "created_at");`);

    this.addSql(`create table "rate_limit" ("key" varchar(200) not null, "window_started_at" timestamptz not null, "hits" int not null, primary key ("key"));`);

    this.addSql(`create table "app_user" ("id" uuid not null, "email" varchar(254) not null, "name" varchar(100) not null, "password_hash" varchar(255) null, "email_verified" boolean not null default false, "disabled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(`create table "refresh_token" ("id" uuid not null, "user_id" uuid not null, "family_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "rotated_at" timestamptz null, "revoked_at" timestamptz null, "ip" varchar(64) null, "user_agent" varchar(512) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "refresh_token_user_id_index" on "refresh_token" ("user_id");`);
    this.addSql(`create index "refresh_token_family_id_index" on "refresh_token" ("family_id");`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "oidc_identity" ("id" uuid not null, "provider" varchar(32) not null, "subject" varchar(255) not null, "user_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "oidc_identity_user_id_index" on "oidc_identity" ("user_id");`);
    this.addSql(`alter table "oidc_identity" add constraint "oidc_identity_provider_subject_unique" unique ("provider", "subject");`);

    this.addSql(`create table "membership" ("id" uuid not null, "company_id" uuid not null, "user_id" uuid not null, "role" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "membership_user_id_index" on "membership" ("user_id");`);
    this.addSql(`alter table "membership" add constraint "membership_company_id_user_id_unique" unique ("company_id", "user_id");`);

    this.addSql(`create table "invitation" ("id" uuid not null, "company_id" uuid not null, "email" varchar(254) not null, "role" text not null, "token_hash" varchar(64) not null, "invited_by_id" uuid null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "invitation_company_id_index" on "invitation" ("company_id");`);
    this.addSql(`alter table "invitation" add constraint "invitation_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "project" add constraint "project_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);

    this.addSql(`alter table "refresh_token" add constraint "refresh_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);

    this.addSql(`alter table "oidc_identity" add constraint "oidc_identity_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);

    this.addSql(`alter table "membership" add constraint "membership_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_role_check" check ("role" in ('viewer', 'editor', 'admin', 'owner'));`);

    this.addSql(`alter table "invitation" add constraint "invitation_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "invitation" add constraint "invitation_invited_by_id_foreign" foreign key ("invited_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "invitation" add constraint "invitation_role_check" check ("role" in ('viewer', 'editor', 'admin', 'owner'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "project" drop constraint "project_company_id_foreign";`);
    this.addSql(`alter table "membership" drop constraint "membership_company_id_foreign";`);
    this.addSql(`alter table "invitation" drop constraint "invitation_company_id_foreign";`);
    this.addSql(`alter table "refresh_token" drop constraint "refresh_token_user_id_foreign";`);
    this.addSql(`alter table "oidc_identity" drop constraint "oidc_identity_user_id_foreign";`);
    this.addSql(`alter table "membership" drop constraint "membership_user_id_foreign";`);
    this.addSql(`alter table "invitation" drop constraint "invitation_invited_by_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);
    this.addSql(`drop table if exists "company" cascade;`);
    this.addSql(`drop table if exists "oidc_login_state" cascade;`);
    this.addSql(`drop table if exists "project" cascade;`);
    this.addSql(`drop table if exists "rate_limit" cascade;`);
    this.addSql(`drop table if exists "app_user" cascade;`);
    this.addSql(`drop table if exists "refresh_token" cascade;`);
    this.addSql(`drop table if exists "oidc_identity" cascade;`);
    this.addSql(`drop table if exists "membership" cascade;`);
    this.addSql(`drop table if exists "invitation" cascade;`);
  }

}
