import { Migration } from '@mikro-orm/migrations';

export class Migration20261206192123 extends Migration {

  override name = 'Migration20261206192123';

  override up(): void | Promise<void> {
    this.addSql(`alter table "ar_content" add "marker_awaiting_revision" int null, add "marker_awaiting" jsonb null, add "marker_awaiting_report" jsonb null, add "marker_report" jsonb null, add "marker_report_revision" int null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ar_content" drop column "marker_awaiting_revision", drop column "marker_awaiting", drop column "marker_awaiting_report", drop column "marker_report", drop column "marker_report_revision";`);
  }

}
