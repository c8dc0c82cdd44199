// The email log a company's admins read: what was sent in the company's name, to whom, and what became of it.
import type { MailKind, MailStatus } from '@arvlite/contract';
import { EmailMessage, type EntityManager } from '@arvlite/db';
import type { Access } from '../access.ts';
import { findPage } from '../paginate.ts';

export async function listEmailLog(
  ctx: { access: Access; em: EntityManager },
  input: { companyId: string; cursor?: string; limit: number; status?: MailStatus; kind?: MailKind },
) {
  const { company } = await ctx.access.company(input.companyId);
  const page = await findPage(
    ctx.em,
    EmailMessage,
    {
      company: company.id,
      ...(input.status ? { status: input.status } : {}),
      ...(input.kind ? { kind: input.kind } : {}),
    },
    input,
  );
  return {
    // Parameters stay out: the log says what was sent and what became of it, not more of the mail than needed.
    items: page.items.map((m) => ({
      id: m.id,
      recipient: m.recipient,
      kind: m.kind as MailKind,
      language: m.language,
      subject: m.subject,
      status: m.status as MailStatus,
      attempts: m.attempts,
      lastError: m.lastError ?? null,
      messageId: m.messageId ?? null,
      createdAt: m.createdAt,
      sentAt: m.sentAt ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}
