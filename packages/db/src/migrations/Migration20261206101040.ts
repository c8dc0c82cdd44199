import { Migration } from '@mikro-orm/migrations';

export class Migration20261206101040 extends Migration {

  override name = 'Migration20261206101040';

  override up(): void | Promise<void> {
    this.addSql(`alter table "company" add "language" text not null default 'en';`);
    this.addSql(`alter table "company" add constraint "company_language_check" check ("language" in ('en', 'ru'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "company" drop constraint "company_language_check";`);
    this.addSql(`alter table "company" drop column "language";`);
  }

}
