import { defineEntity, p } from '@mikro-orm/core';

/** Fixed-window counters kept in Postgres so limits hold across server instances. */
export const RateLimitSchema = defineEntity({
  name: 'RateLimit',
  tableName: 'rate_limit',
  properties: {
    key: p.string().length(200).primary(),
    windowStartedAt: p.datetime(),
    hits: p.integer(),
  },
});
export class RateLimit extends RateLimitSchema.class {}
RateLimitSchema.setClass(RateLimit);
