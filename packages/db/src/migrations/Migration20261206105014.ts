import { Migration } from '@mikro-orm/migrations';

export class Migration20261206105014 extends Migration {

  override name = 'Migration20261206105014';

  override up(): void | Promise<void> {
    this.addSql(`create table "api_key" ("id" uuid not null, "company_id" uuid not null, "name" varchar(100) not null, "role" text not null, "prefix" varchar(17) not null, "key_hash" varchar(64) not null, "created_by_id" uuid null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);
    this.addSql(`create index "api_key_company_id_created_at_index" on "api_key" ("company_id", "created_at");`);

    this.addSql(`alter table "audit_log" add "actor_api_key_id" uuid null;`);

    this.addSql(`alter table "api_key" add constraint "api_key_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "api_key" add constraint "api_key_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "api_key" add constraint "api_key_role_check" check ("role" in ('viewer', 'editor', 'admin'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`alter table "audit_log" drop column "actor_api_key_id";`);
  }

}
