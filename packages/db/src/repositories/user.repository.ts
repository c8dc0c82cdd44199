import { EntityRepository } from '@mikro-orm/postgresql';
import { User } from '../entities/user.entity.ts';
import { entityColumns, preparedStatement } from '../prepared.ts';

const byId = preparedStatement(
  'user_by_id',
  (em) => `select ${entityColumns(em, User, 'u').sql} from app_user u where u.id = ?`,
);

// The same row, only while the session (refresh-token family) the access token was issued in is not revoked: a
// reset, a password change or a revoked session ends its access tokens at once, in the same round trip.
const byIdInSession = preparedStatement(
  'user_by_id_in_session',
  (em) =>
    `select ${entityColumns(em, User, 'u').sql} from app_user u where u.id = ?
       and exists (select 1 from refresh_token r where r.family_id = ? and r.user_id = u.id and r.revoked_at is null)`,
);

// The same check as byIdInSession for callers that need no entity (tenant procedures): two columns, no hydration.
const liveInSession = preparedStatement(
  'user_live_in_session',
  () =>
    `select u.id, u.disabled_at from app_user u where u.id = ?
       and exists (select 1 from refresh_token r where r.family_id = ? and r.user_id = u.id and r.revoked_at is null)`,
);

export class UserRepository extends EntityRepository<User> {
  /**
   * findLive's check without loading the user: true while the user exists, is not disabled and the access token's
   * session is not revoked. Nothing enters the EntityManager.
   */
  async isLive(userId: string, sessionId: string): Promise<boolean> {
    const [row] = await liveInSession(this.em).rows<{ id: string; disabled_at: unknown }>(this.em, [userId, sessionId]);
    return !!row && row.disabled_at == null;
  }

  /**
   * The user as stored now (every authenticated call checks it live); a prepared statement, as it runs on every call.
   * With the access token's session id, null as well once that session was revoked.
   */
  async findLive(userId: string, sessionId?: string | null): Promise<User | null> {
    const [row] = sessionId
      ? await byIdInSession(this.em).rows<Record<string, unknown>>(this.em, [userId, sessionId])
      : await byId(this.em).rows<Record<string, unknown>>(this.em, [userId]);
    return row ? entityColumns(this.em, User, 'u').map(this.em, row) : null;
  }
}
