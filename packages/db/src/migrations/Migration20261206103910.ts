import { Migration } from '@mikro-orm/migrations';

export class Migration20261206103910 extends Migration {

  override name = 'Migration20261206103910';

  override up(): void | Promise<void> {
    this.addSql(`create table "email_verification_token" ("id" uuid not null, "user_id" uuid not null, "email" varchar(254) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "email_verification_token_user_id_index" on "email_verification_token" ("user_id");`);
    this.addSql(`alter table "email_verification_token" add constraint "email_verification_token_token_hash_unique" unique ("token_hash");`);

    // Sign-ins in progress have no binding: they start again (their rows live ten minutes).
    this.addSql(`delete from "oidc_login_state";`);
    this.addSql(`alter table "oidc_login_state" add "binding_hash" varchar(64) not null;`);

    this.addSql(`alter table "outbox_event" alter column "company_id" drop not null;`);

    this.addSql(`alter table "app_user" add "email_verified_at" timestamptz null;`);
    this.addSql(`update "app_user" set "email_verified_at" = "created_at" where "email_verified";`);
    this.addSql(`alter table "app_user" drop column "email_verified";`);

    // A session started with the oldest token of its family.
    this.addSql(`alter table "refresh_token" add "session_started_at" timestamptz null;`);
    this.addSql(`update "refresh_token" r set "session_started_at" = f."started_at" from (select "family_id", min("created_at") as "started_at" from "refresh_token" group by "family_id") f where r."family_id" = f."family_id";`);
    this.addSql(`alter table "refresh_token" alter column "session_started_at" set not null;`);

    this.addSql(`alter table "email_verification_token" add constraint "email_verification_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "email_verification_token" cascade;`);

    this.addSql(`alter table "app_user" add "email_verified" boolean not null default false;`);
    this.addSql(`update "app_user" set "email_verified" = true where "email_verified_at" is not null;`);
    this.addSql(`alter table "app_user" drop column "email_verified_at";`);

    this.addSql(`alter table "oidc_login_state" drop column "binding_hash";`);

    this.addSql(`delete from "outbox_event" where "company_id" is null;`);
    this.addSql(`alter table "outbox_event" alter column "company_id" set not null;`);

    this.addSql(`alter table "refresh_token" drop column "session_started_at";`);
  }

}
