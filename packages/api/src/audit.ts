import { AuditLog, type EntityManager } from '@arvlite/db';

/** Fields that never reach the audit log, whatever a service passes. */
const SECRET = /password|token|secret|hash|verifier/i;

export interface AuditEntry {
  companyId?: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  changes?: Record<string, unknown>;
}

export interface AuditActor {
  userId?: string | null;
  /** The API key that made the change, when one did. */
  apiKeyId?: string | null;
  requestId?: string;
  ip?: string;
  userAgent?: string;
}

/** Who did it, from a request context: the signed-in caller unless another user is named (sign-up, sign-in). */
export function actorOf(
  ctx: {
    requestId?: string;
    ip?: string;
    userAgent?: string;
    caller?: { userId: string | null; apiKey?: { id: string } };
  },
  userId: string | null = ctx.caller?.userId ?? null,
): AuditActor {
  const apiKeyId = ctx.caller?.apiKey?.id ?? null;
  return { userId, apiKeyId, requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent };
}

/** Records a mutation; call it with the transactional EntityManager so it commits with the change. */
export function audit(em: EntityManager, actor: AuditActor, entry: AuditEntry): void {
  const changes = entry.changes
    ? Object.fromEntries(Object.entries(entry.changes).filter(([k]) => !SECRET.test(k)))
    : null;
  em.create(AuditLog, {
    companyId: entry.companyId ?? null,
    actorId: actor.userId ?? null,
    actorApiKeyId: actor.apiKeyId ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    changes,
    requestId: actor.requestId ?? null,
    ip: actor.ip?.slice(0, 64) ?? null,
    userAgent: actor.userAgent?.slice(0, 512) ?? null,
  });
}

/** { field: { from, to } } for the fields that actually change. */
export function diff<T extends object>(before: T, patch: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, to] of Object.entries(patch)) {
    if (to === undefined) continue;
    const from = (before as Record<string, unknown>)[k];
    if (from !== to) out[k] = { from, to };
  }
  return out;
}
