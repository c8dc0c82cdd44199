import { EntityRepository } from '@mikro-orm/postgresql';
import type { ArContent } from '../entities/ar-content.entity.ts';

export class ArContentRepository extends EntityRepository<ArContent> {
  /** A live (not deleted) AR content item only if the caller is a member of its company; never by id alone. */
  findForMember(userId: string, arContentId: string) {
    return this.findOne(
      { id: arContentId, deletedAt: null, company: { memberships: { user: userId } } },
      { populate: ['project', 'company'] },
    );
  }
}
