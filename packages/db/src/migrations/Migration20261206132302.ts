import { Migration } from '@mikro-orm/migrations';

export class Migration20261206132302 extends Migration {

  override name = 'Migration20261206132302';

  override up(): void | Promise<void> {
    this.addSql(`create table "payment_settings" ("company_id" uuid not null, "provider" text not null default 'manual', "yookassa_shop_id" varchar(32) null, "yookassa_secret_key_encrypted" varchar(1024) null, "stripe_secret_key_encrypted" varchar(1024) null, "stripe_webhook_secret_encrypted" varchar(1024) null, "updated_at" timestamptz not null, primary key ("company_id"));`);

    this.addSql(`create table "payment" ("id" uuid not null, "company_id" uuid not null, "order_id" uuid not null, "provider" text not null, "provider_payment_id" varchar(255) not null, "provider_intent_id" varchar(255) null, "amount_minor" bigint not null, "currency" text not null, "status" text not null default 'PENDING', "refunded_minor" bigint not null default '0', "confirmation_url" varchar(2048) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "payment_order_id_created_at_index" on "payment" ("order_id", "created_at");`);
    this.addSql(`create index "payment_provider_provider_intent_id_index" on "payment" ("provider", "provider_intent_id");`);
    this.addSql(`alter table "payment" add constraint "payment_provider_payment_unique" unique ("provider", "provider_payment_id");`);

    this.addSql(`create table "payment_refund" ("id" uuid not null, "company_id" uuid not null, "payment_id" uuid not null, "credit_note_id" uuid not null, "amount_minor" bigint not null, "status" text null, "provider_refund_id" varchar(255) null, "error" varchar(500) null, "attempts" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "payment_refund" add constraint "payment_refund_credit_note_unique" unique ("credit_note_id");`);

    this.addSql(`create table "payment_notification" ("id" uuid not null, "company_id" uuid not null, "provider" text not null, "event_key" varchar(255) not null, "event_type" varchar(64) not null, "payment_id" uuid null, "outcome" text not null, "received_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "payment_notification" add constraint "payment_notification_event_unique" unique ("company_id", "provider", "event_key");`);

    this.addSql(`alter table "payment_settings" add constraint "payment_settings_company_id_foreign" foreign key ("company_id") references "company" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "payment_settings" add constraint "payment_settings_provider_check" check ("provider" in ('manual', 'yookassa', 'stripe'));`);

    this.addSql(`alter table "payment" add constraint "payment_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "payment" add constraint "payment_order_id_foreign" foreign key ("order_id") references "customer_order" ("id") on delete cascade;`);
    this.addSql(`alter table "payment" add constraint "payment_provider_check" check ("provider" in ('manual', 'yookassa', 'stripe'));`);
    this.addSql(`alter table "payment" add constraint "payment_currency_check" check ("currency" in ('RUB', 'USD', 'EUR', 'KZT', 'BYN', 'GBP', 'CNY', 'JPY'));`);
    this.addSql(`alter table "payment" add constraint "payment_status_check" check ("status" in ('PENDING', 'SUCCEEDED', 'CANCELED', 'REFUNDED', 'PARTIALLY_REFUNDED'));`);

    this.addSql(`alter table "payment_refund" add constraint "payment_refund_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "payment_refund" add constraint "payment_refund_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on delete cascade;`);
    this.addSql(`alter table "payment_refund" add constraint "payment_refund_status_check" check ("status" in ('SUCCEEDED', 'PENDING', 'FAILED'));`);

    this.addSql(`alter table "payment_notification" add constraint "payment_notification_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade;`);
    this.addSql(`alter table "payment_notification" add constraint "payment_notification_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on delete set null;`);
    this.addSql(`alter table "payment_notification" add constraint "payment_notification_provider_check" check ("provider" in ('manual', 'yookassa', 'stripe'));`);
    this.addSql(`alter table "payment_notification" add constraint "payment_notification_outcome_check" check ("outcome" in ('APPLIED', 'NO_CHANGE', 'UNKNOWN_PAYMENT', 'IGNORED', 'ORDER_REFUSED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "payment_refund" drop constraint "payment_refund_payment_id_foreign";`);
    this.addSql(`alter table "payment_notification" drop constraint "payment_notification_payment_id_foreign";`);

    this.addSql(`drop table if exists "payment_settings" cascade;`);
    this.addSql(`drop table if exists "payment" cascade;`);
    this.addSql(`drop table if exists "payment_refund" cascade;`);
    this.addSql(`drop table if exists "payment_notification" cascade;`);
  }

}
