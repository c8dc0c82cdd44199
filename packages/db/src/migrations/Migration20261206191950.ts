import { Migration } from '@mikro-orm/migrations';

export class Migration20261206191950 extends Migration {

  override name = 'Migration20261206191950';

  override up(): void | Promise<void> {
    this.addSql(`alter table "video" add "chroma_key" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "video" drop column "chroma_key";`);
  }

}
