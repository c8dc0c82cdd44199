import { defineEntity, p } from '@mikro-orm/core';

/** Append-only record of every mutation, written in the mutation's own transaction. Ids are plain columns so rows outlive their targets. */
export const AuditLogSchema = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  indexes: [{ properties: ['companyId', 'createdAt'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    companyId: p.uuid().nullable(),
    actorId: p.uuid().nullable(),
    /** Set when the change came through an API key (actorId is then null). */
    actorApiKeyId: p.uuid().nullable(),
    action: p.string().length(64),
    targetType: p.string().length(32),
    targetId: p.string().length(64).nullable(),
    /** Changed fields as { field: { from, to } }; secrets are never included. */
    changes: p.json<Record<string, unknown>>().nullable(),
    requestId: p.string().length(128).nullable(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class AuditLog extends AuditLogSchema.class {}
AuditLogSchema.setClass(AuditLog);
