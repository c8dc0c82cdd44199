import { Migration } from '@mikro-orm/migrations';

export class Migration20261206131603 extends Migration {

  override name = 'Migration20261206131603';

  override up(): void | Promise<void> {
    this.addSql(`alter table "company" add "plan" text not null default 'free', add "suspended_at" timestamptz null, add "suspended_reason" varchar(500) null;`);
    this.addSql(`alter table "company" add constraint "company_plan_check" check ("plan" in ('free', 'starter', 'pro', 'business', 'enterprise'));`);

    this.addSql(`alter table "app_user" add "is_platform_admin" boolean not null default false;`);

    this.addSql(`alter table "worker_heartbeat" add "jobs_running" int not null default 0, add "concurrency" int not null default 0, add "task_names" text[] not null default '{}';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "app_user" drop column "is_platform_admin";`);

    this.addSql(`alter table "company" drop constraint "company_plan_check";`);
    this.addSql(`alter table "company" drop column "plan", drop column "suspended_at", drop column "suspended_reason";`);

    this.addSql(`alter table "worker_heartbeat" drop column "jobs_running", drop column "concurrency", drop column "task_names";`);
  }

}
