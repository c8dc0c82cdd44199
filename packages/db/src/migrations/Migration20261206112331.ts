import { Migration } from '@mikro-orm/migrations';

export class Migration20261206112331 extends Migration {

  override name = 'Migration20261206112331';

  override up(): void | Promise<void> {
    this.addSql(`create table "push_delivery" ("id" uuid not null, "event_id" bigint not null, "user_id" uuid not null, "created_at" timestamptz not null, "sent_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "push_delivery" add constraint "push_delivery_event_id_user_id_unique" unique ("event_id", "user_id");`);

    this.addSql(`alter table "push_delivery" add constraint "push_delivery_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "push_delivery" cascade;`);
  }

}
