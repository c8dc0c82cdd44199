import { Migration } from '@mikro-orm/migrations';

export class Migration20261206131803 extends Migration {

  override name = 'Migration20261206131803';

  override up(): void | Promise<void> {
    this.addSql(`create table "company_counter" ("company_id" uuid not null, "name" varchar(40) not null, "value" bigint not null default '0', primary key ("company_id", "name"));`);

    this.addSql(`create table "product" ("id" uuid not null, "company_id" uuid not null, "kind" text not null, "name" varchar(200) not null, "price_minor" bigint not null, "currency" text not null, "tax_rate_bp" int not null default 0, "tax_inclusive" boolean not null default true, "term_months" int null, "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "product_company_id_created_at_index" on "product" ("company_id", "created_at");`);

    this.addSql(`create table "customer_order" ("id" uuid not null, "company_id" uuid not null, "project_id" uuid not null, "created_by_id" uuid null, "number" int not null, "reference" varchar(100) null, "customer_name" varchar(200) not null, "customer_email" varchar(254) null, "customer_phone" varchar(40) null, "customer_language" text null, "currency" text not null, "state" text not null default 'DRAFT', "subtotal_minor" bigint not null default '0', "tax_minor" bigint not null default '0', "total_minor" bigint not null default '0', "paid_minor" bigint not null default '0', "refunded_minor" bigint not null default '0', "payment_provider" text null, "payment_reference" varchar(200) null, "tracking_ref" varchar(200) null, "placed_at" timestamptz null, "paid_at" timestamptz null, "in_production_at" timestamptz null, "shipped_at" timestamptz null, "delivered_at" timestamptz null, "cancelled_at" timestamptz null, "refunded_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "customer_order_company_id_created_at_index" on "customer_order" ("company_id", "created_at");`);
    this.addSql(`create index "customer_order_company_id_customer_email_index" on "customer_order" ("company_id", "customer_email");`);
    this.addSql(`create index "customer_order_company_id_state_created_at_index" on "customer_order" ("company_id", "state", "created_at");`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_company_number_unique" unique ("company_id", "number");`);

    this.addSql(`create table "invoice" ("id" uuid not null, "company_id" uuid not null, "order_id" uuid not null, "kind" text not null, "year" smallint not null, "seq" int not null, "number" varchar(24) not null, "currency" text not null, "subtotal_minor" bigint not null, "tax_minor" bigint not null, "total_minor" bigint not null, "language" text not null, "reason" varchar(500) null, "issued_at" timestamptz not null, "pdf_key" varchar(512) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "invoice_order_id_issued_at_index" on "invoice" ("order_id", "issued_at");`);
    this.addSql(`alter table "invoice" add constraint "invoice_company_kind_year_seq_unique" unique ("company_id", "kind", "year", "seq");`);

    this.addSql(`create table "order_item" ("id" uuid not null, "order_id" uuid not null, "product_id" uuid null, "product_kind" text not null, "product_name" varchar(200) not null, "unit_price_minor" bigint not null, "tax_rate_bp" int not null, "tax_inclusive" boolean not null, "term_months" int null, "quantity" int not null, "ar_content_id" uuid null, "creates_ar_content" boolean not null default false, "title" varchar(200) null, "subtotal_minor" bigint not null, "tax_minor" bigint not null, "total_minor" bigint not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "order_item_order_id_created_at_index" on "order_item" ("order_id", "created_at");`);
    this.addSql(`create index "order_item_ar_content_id_index" on "order_item" ("ar_content_id");`);

    this.addSql(`alter table "company" add "legal_name" varchar(200) null, add "billing_address" varchar(500) null, add "tax_id" varchar(50) null, add "bank_details" varchar(1000) null;`);

    this.addSql(`alter table "company_counter" add constraint "company_counter_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);

    this.addSql(`alter table "product" add constraint "product_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "product" add constraint "product_kind_check" check ("kind" in ('AR_CARD', 'AR_POSTER', 'STORAGE_EXTENSION', 'PRINT'));`);
    this.addSql(`alter table "product" add constraint "product_currency_check" check ("currency" in ('RUB', 'USD', 'EUR', 'KZT', 'BYN', 'GBP', 'CNY', 'JPY'));`);

    this.addSql(`alter table "customer_order" add constraint "customer_order_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_project_id_foreign" foreign key ("project_id") references "project" ("id") on delete cascade;`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_customer_language_check" check ("customer_language" in ('en', 'ru'));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_currency_check" check ("currency" in ('RUB', 'USD', 'EUR', 'KZT', 'BYN', 'GBP', 'CNY', 'JPY'));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_state_check" check ("state" in ('DRAFT', 'PLACED', 'PAID', 'IN_PRODUCTION', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'));`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_payment_provider_check" check ("payment_provider" in ('manual', 'yookassa', 'stripe'));`);

    this.addSql(`alter table "invoice" add constraint "invoice_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "invoice" add constraint "invoice_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on delete cascade;`);
    this.addSql(`alter table "invoice" add constraint "invoice_kind_check" check ("kind" in ('INVOICE', 'CREDIT_NOTE'));`);
    this.addSql(`alter table "invoice" add constraint "invoice_currency_check" check ("currency" in ('RUB', 'USD', 'EUR', 'KZT', 'BYN', 'GBP', 'CNY', 'JPY'));`);
    this.addSql(`alter table "invoice" add constraint "invoice_language_check" check ("language" in ('en', 'ru'));`);

    this.addSql(`alter table "order_item" add constraint "order_item_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on delete cascade;`);
    this.addSql(`alter table "order_item" add constraint "order_item_product_id_foreign" foreign key ("product_id") references "product" ("id") on delete set null;`);
    this.addSql(`alter table "order_item" add constraint "order_item_ar_content_id_foreign" foreign key ("ar_content_id") references "ar_content" ("id") on delete set null;`);
    this.addSql(`alter table "order_item" add constraint "order_item_product_kind_check" check ("product_kind" in ('AR_CARD', 'AR_POSTER', 'STORAGE_EXTENSION', 'PRINT'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "order_item" drop constraint "order_item_product_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_order_id_foreign";`);
    this.addSql(`alter table "order_item" drop constraint "order_item_order_id_foreign";`);

    this.addSql(`drop table if exists "company_counter" cascade;`);
    this.addSql(`drop table if exists "product" cascade;`);
    this.addSql(`drop table if exists "customer_order" cascade;`);
    this.addSql(`drop table if exists "invoice" cascade;`);
    this.addSql(`drop table if exists "order_item" cascade;`);

    this.addSql(`alter table "company" drop column "legal_name", drop column "billing_address", drop column "tax_id", drop column "bank_details";`);
  }

}
