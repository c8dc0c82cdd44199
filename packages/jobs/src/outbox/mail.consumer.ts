// Mails that follow from events: the invitation mail when someone is invited. The event carries ids only; the
// address, the company and the inviter are read here, and the accept link's token is derived at send time.
import type { DomainEvent } from '@arvlite/contract';
import { queueMail } from '../mail/queue-mail.ts';
import type { OutboxConsumer } from './consumer.ts';

interface InvitationRow {
  email: string;
  role: string;
  expires_at: Date;
  company_name: string;
  company_language: string;
  inviter_name: string | null;
}

export const mailConsumer: OutboxConsumer = {
  name: 'mail',
  accepts: (event: DomainEvent) => event.type === 'member.invited',
  async deliver(tem, { id, event }, log) {
    if (event.type !== 'member.invited') return;
    const [inv] = await tem.execute<InvitationRow[]>(
      `select i.email, i.role, i.expires_at, c.name as company_name, c.language as company_language,
              u.name as inviter_name
         from invitation i join company c on c.id = i.company_id left join app_user u on u.id = i.invited_by_id
        where i.id = ? and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()`,
      [event.invitationId],
    );
    if (!inv) {
      log.info({ invitationId: event.invitationId }, 'invitation no longer pending; no mail');
      return;
    }
    await queueMail(tem, {
      kind: 'invitation',
      to: inv.email,
      language: inv.company_language === 'ru' ? 'ru' : 'en',
      companyId: event.companyId,
      params: {
        invitationId: event.invitationId,
        companyName: inv.company_name,
        inviterName: inv.inviter_name,
        role: event.role,
        expiresAt: new Date(inv.expires_at).toISOString(),
      },
      // The delivery record already makes this once per event; the key keeps it so if the consumer is renamed.
      dedupeKey: `outbox:${id}:invitation:${inv.email}`,
    });
  },
};
