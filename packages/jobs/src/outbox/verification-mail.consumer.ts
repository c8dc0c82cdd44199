// The verify-email mail, on user.verification-requested (sign-up, a resend, an email change). The event carries ids
// only: the address comes from the token row (for a change, the new address), the language from the account, and the
// link's token is derived from the row's id at send time.
import type { DomainEvent } from '@arvlite/contract';
import { queueMail } from '../mail/queue-mail.ts';
import type { OutboxConsumer } from './consumer.ts';

interface TokenRow {
  email: string;
  user_name: string;
  language: string;
}

export const verificationMailConsumer: OutboxConsumer = {
  name: 'verification-mail',
  accepts: (event: DomainEvent) => event.type === 'user.verification-requested',
  async deliver(tem, { id, event }, log) {
    if (event.type !== 'user.verification-requested') return;
    const [row] = await tem.execute<TokenRow[]>(
      `select t.email, u.name as user_name, u.language
         from email_verification_token t join app_user u on u.id = t.user_id
        where t.id = ? and t.user_id = ? and t.used_at is null and t.expires_at > now() and u.disabled_at is null`,
      [event.tokenId, event.userId],
    );
    if (!row) {
      log.info({ tokenId: event.tokenId }, 'verification no longer pending; no mail');
      return;
    }
    await queueMail(tem, {
      kind: 'verify-email',
      to: row.email,
      language: row.language === 'ru' ? 'ru' : 'en',
      params: { tokenId: event.tokenId, userName: row.user_name },
      dedupeKey: `outbox:${id}:verify-email`,
    });
  },
};
