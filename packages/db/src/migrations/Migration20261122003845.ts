import { Migration } from '@mikro-orm/migrations';

export class Migration20261122003845 extends Migration {

  override name = 'Migration20261122003845';

  override up(): void | Promise<void> {
    this.addSql(`create table "video_step" ("id" uuid not null, "video_id" uuid not null, "name" varchar(32) not null, "status" text not null default 'pending', "progress" int not null default 0, "attempts" int not null default 0, "started_at" timestamptz null, "finished_at" timestamptz null, "error_code" varchar(64) null, "error_message" varchar(1000) null, "position" int not null default 0, primary key ("id"));`);
    this.addSql(`alter table "video_step" add constraint "video_step_video_id_name_unique" unique ("video_id", "name");`);

    this.addSql(`alter table "video" add "analysis" jsonb null;`);

    this.addSql(`alter table "video_step" add constraint "video_step_video_id_foreign" foreign key ("video_id") references "video" ("id") on delete cascade;`);
    this.addSql(`alter table "video_step" add constraint "video_step_status_check" check ("status" in ('pending', 'running', 'retrying', 'done', 'failed', 'skipped'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "video_step" cascade;`);

    this.addSql(`alter table "video" drop column "analysis";`);
  }

}
