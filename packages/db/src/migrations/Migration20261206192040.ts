import { Migration } from '@mikro-orm/migrations';

export class Migration20261206192040 extends Migration {

  override name = 'Migration20261206192040';

  override up(): void | Promise<void> {
    this.addSql(`alter table "view_session" add "from_open" boolean not null default false, add "played" boolean not null default true, add "camera_ms" int null, add "fallback_ms" int null, add "fallback_reason" text null, add "detected_ms" int null, add "playing_ms" int null, add "completed_ms" int null;`);
    this.addSql(`alter table "view_session" add constraint "view_session_fallback_reason_check" check ("fallback_reason" in ('insecure', 'no-camera-api', 'no-webgl', 'denied', 'no-camera', 'busy', 'target', 'failed', 'chosen'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "view_session" drop constraint "view_session_fallback_reason_check";`);
    this.addSql(`alter table "view_session" drop column "from_open", drop column "played", drop column "camera_ms", drop column "fallback_ms", drop column "fallback_reason", drop column "detected_ms", drop column "playing_ms", drop column "completed_ms";`);
  }

}
