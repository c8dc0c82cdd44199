import { AuditLog, type EntityManager } from '@arvlite/db';
import type { Access } from '../access.ts';

export async function listAudit(
  ctx: { access: Access; em: EntityManager },
  input: {
    companyId: string;
    cursor?: string;
    limit: number;
    action?: string;
    actorId?: string;
    targetType?: string;
    targetId?: string;
    from?: Date;
    to?: Date;
  },
) {
  const { company } = await ctx.access.company(input.companyId);
  const before = input.cursor && /^\d{1,20}$/.test(input.cursor) ? input.cursor : undefined;
  const rows = await ctx.em.find(
    AuditLog,
    {
      companyId: company.id,
      ...(input.action ? { action: input.action } : {}),
      ...(input.actorId ? { actorId: input.actorId } : {}),
      ...(input.targetType ? { targetType: input.targetType } : {}),
      ...(input.targetId ? { targetId: input.targetId } : {}),
      ...(input.from || input.to
        ? { createdAt: { ...(input.from ? { $gte: input.from } : {}), ...(input.to ? { $lt: input.to } : {}) } }
        : {}),
      ...(before ? { id: { $lt: before } } : {}),
    },
    { orderBy: { id: 'desc' }, limit: input.limit + 1 },
  );
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actorId: r.actorId ?? null,
      targetType: r.targetType,
      targetId: r.targetId ?? null,
      changes: r.changes ?? null,
      requestId: r.requestId ?? null,
      ip: r.ip ?? null,
      userAgent: r.userAgent ?? null,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
