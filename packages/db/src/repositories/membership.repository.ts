import { EntityRepository } from '@mikro-orm/postgresql';
import type { Membership } from '../entities/membership.entity.ts';

export class MembershipRepository extends EntityRepository<Membership> {
  /** The caller's live membership in a company, or null: the root of every tenant check. */
  findForCaller(userId: string, companyId: string) {
    return this.findOne({ user: userId, company: companyId }, { populate: ['company'] });
  }

  listForUser(userId: string) {
    return this.find({ user: userId }, { populate: ['company'], orderBy: { company: { name: 'asc' } } });
  }

  countOwners(companyId: string) {
    return this.count({ company: companyId, role: 'owner' });
  }
}
