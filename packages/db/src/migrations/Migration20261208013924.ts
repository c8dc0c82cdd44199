import { Migration } from '@mikro-orm/migrations';

export class Migration20261208013924 extends Migration {

  override name = 'Migration20261208013924';

  override up(): void | Promise<void> {
    this.addSql(`alter table "video" add "restart_token" varchar(32) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "video" drop column "restart_token";`);
  }

}
