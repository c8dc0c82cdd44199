import { Migration } from '@mikro-orm/migrations';

export class Migration20261206112620 extends Migration {
  override name = 'Migration20261206112620';

  override up(): void | Promise<void> {
    this.addSql(`alter table "video" add "output_id" varchar(32) null;`);
    this.addSql(`alter table "video" add constraint "video_output_id_unique" unique ("output_id");`);

    this.addSql(`alter table "ar_content" add "output_id" varchar(32) null;`);
    this.addSql(`alter table "ar_content" add constraint "ar_content_output_id_unique" unique ("output_id");`);

    // Backfill where no published key depends on it: every AR content item (its published marker keys are stored on
    // the row, so only the next revision goes under pub/), and videos with no outputs yet. Videos already processed
    // keep null (outputs under the tenant prefix, served signed) until reprocessed. gen_random_uuid: 122 random bits.
    this.addSql(
      `update "ar_content" set "output_id" = replace(gen_random_uuid()::text, '-', '') where "output_id" is null;`,
    );
    this.addSql(
      `update "video" set "output_id" = replace(gen_random_uuid()::text, '-', '')
        where "output_id" is null and "outputs" is null and "status" in ('AWAITING_UPLOAD', 'UPLOADED');`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ar_content" drop constraint "ar_content_output_id_unique";`);
    this.addSql(`alter table "ar_content" drop column "output_id";`);

    this.addSql(`alter table "video" drop constraint "video_output_id_unique";`);
    this.addSql(`alter table "video" drop column "output_id";`);
  }
}
