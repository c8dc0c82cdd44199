import { EntityRepository } from '@mikro-orm/postgresql';
import type { Project } from '../entities/project.entity.ts';

export class ProjectRepository extends EntityRepository<Project> {
  /** A project only if the caller is a member of its company; never by id alone. */
  findForMember(userId: string, projectId: string) {
    return this.findOne({ id: projectId, company: { memberships: { user: userId } } }, { populate: ['company'] });
  }
}
