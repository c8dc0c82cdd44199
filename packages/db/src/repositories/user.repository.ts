import { EntityRepository } from '@mikro-orm/postgresql';
import { User } from '../entities/user.entity.ts';
import { entityColumns, preparedStatement } from '../prepared.ts';

const byId = preparedStatement(
  'user_by_id',
  (em) => `select ${entityColumns(em, User, 'u').sql} from app_user u where u.id = ?`,
);

export class UserRepository extends EntityRepository<User> {
  /** The user as stored now (every authenticated call checks it live); a prepared statement, as it runs on every call. */
  async findLive(userId: string): Promise<User | null> {
    const [row] = await byId(this.em).rows<Record<string, unknown>>(this.em, [userId]);
    return row ? entityColumns(this.em, User, 'u').map(this.em, row) : null;
  }
}
