import { Migration } from '@mikro-orm/migrations';

export class Migration20261206105753 extends Migration {

  override name = 'Migration20261206105753';

  override up(): void | Promise<void> {
    this.addSql(`create table "password_reset_request" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "password_reset_request_user_id_index" on "password_reset_request" ("user_id");`);
    this.addSql(`alter table "password_reset_request" add constraint "password_reset_request_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "app_user" add "language" text not null default 'en';`);
    this.addSql(`alter table "app_user" add constraint "app_user_language_check" check ("language" in ('en', 'ru'));`);

    this.addSql(`alter table "email_verification_token" add "change_email" boolean not null default false;`);

    this.addSql(`alter table "password_reset_request" add constraint "password_reset_request_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "password_reset_request" cascade;`);

    this.addSql(`alter table "app_user" drop constraint "app_user_language_check";`);
    this.addSql(`alter table "app_user" drop column "language";`);

    this.addSql(`alter table "email_verification_token" drop column "change_email";`);
  }

}
