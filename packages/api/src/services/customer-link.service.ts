// Send to the customer: an operator emails an AR content item's customer its viewer link and QR code, in the customer's
// language (the item's, else the company's), and the item records when and to whom.
import type { Language } from '@arvlite/contract';
import { ArContent, Company, type EntityManager } from '@arvlite/db';
import { queueMail } from '@arvlite/jobs';
import { LockMode } from '@mikro-orm/core';
import type { Access, Caller } from '../access.ts';
import { actorOf, audit } from '../audit.ts';
import { ValidationError } from '../errors.ts';

interface Ctx {
  em: EntityManager;
  access: Access;
  caller: Caller;
  requestId?: string;
  ip?: string;
  userAgent?: string;
}

export async function sendToCustomer(
  ctx: Ctx,
  input: { id: string; email?: string | null; language?: Language | null },
) {
  const { arContent } = await ctx.access.arContent(input.id);
  return ctx.em.transactional(async (tem) => {
    const item = await tem.findOneOrFail(
      ArContent,
      { id: arContent.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (item.deletedAt || item.archivedAt) {
      throw new ValidationError('Archived or deleted content cannot be sent', { reason: 'AR_CONTENT_NOT_LIVE' });
    }
    const to = input.email ?? item.customerEmail;
    if (!to) {
      throw new ValidationError('This item has no customer email; enter one', {
        reason: 'NO_CUSTOMER_EMAIL',
        field: 'email',
      });
    }
    const company = await tem.findOneOrFail(Company, { id: item.company.id });
    const language: Language = input.language ?? item.customerLanguage ?? company.language;
    const mail = await queueMail(tem, {
      kind: 'customer-link',
      to,
      language,
      companyId: company.id,
      params: {
        arContentId: item.id,
        publicId: item.publicId,
        title: item.title,
        customerName: item.customerName ?? null,
      },
    });
    const sentAt = new Date();
    tem.assign(item, {
      customerLinkSentAt: sentAt,
      customerLinkSentTo: to.trim().toLowerCase(),
      ...(input.language ? { customerLanguage: input.language } : {}),
    });
    audit(tem, actorOf(ctx), {
      companyId: company.id,
      action: 'ar-content.sent-to-customer',
      targetType: 'ar-content',
      targetId: item.id,
      changes: { emailMessageId: mail.id, language },
    });
    await tem.flush();
    return { emailMessageId: mail.id, sentAt, sentTo: item.customerLinkSentTo, language };
  });
}
