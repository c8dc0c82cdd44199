import { Migration } from '@mikro-orm/migrations';

export class Migration20261206132639 extends Migration {

  override name = 'Migration20261206132639';

  override up(): void | Promise<void> {
    this.addSql(`create table "document_link" ("id" uuid not null, "company_id" uuid not null, "invoice_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "document_link" add constraint "document_link_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "document_link_invoice_id_index" on "document_link" ("invoice_id");`);

    this.addSql(`create table "print_file" ("id" uuid not null, "company_id" uuid not null, "ar_content_id" uuid null, "order_id" uuid null, "format" text null, "cache_key" varchar(200) not null, "status" text not null default 'PENDING', "pdf_key" varchar(512) null, "pdf_bytes" int null, "warnings" jsonb null, "failure_code" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "print_file_ar_content_id_index" on "print_file" ("ar_content_id");`);
    this.addSql(`create index "print_file_order_id_index" on "print_file" ("order_id");`);
    this.addSql(`alter table "print_file" add constraint "print_file_company_cache_key_unique" unique ("company_id", "cache_key");`);

    this.addSql(`alter table "document_link" add constraint "document_link_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "document_link" add constraint "document_link_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on delete cascade;`);

    this.addSql(`alter table "print_file" add constraint "print_file_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "print_file" add constraint "print_file_ar_content_id_foreign" foreign key ("ar_content_id") references "ar_content" ("id") on delete cascade;`);
    this.addSql(`alter table "print_file" add constraint "print_file_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on delete cascade;`);
    this.addSql(`alter table "print_file" add constraint "print_file_format_check" check ("format" in ('A6', 'A5', 'A4', '10x15', 'CUSTOM'));`);
    this.addSql(`alter table "print_file" add constraint "print_file_status_check" check ("status" in ('PENDING', 'READY', 'FAILED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "document_link" cascade;`);
    this.addSql(`drop table if exists "print_file" cascade;`);
  }

}
