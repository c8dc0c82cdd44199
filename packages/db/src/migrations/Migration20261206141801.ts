import { Migration } from '@mikro-orm/migrations';

export class Migration20261206141801 extends Migration {

  override name = 'Migration20261206141801';

  override up(): void | Promise<void> {
    this.addSql(`alter table "company" add "logo_key" varchar(200) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "company" drop column "logo_key";`);
  }

}
