import { EntityRepository } from '@mikro-orm/postgresql';
import { Company } from '../entities/company.entity.ts';
import type { Role } from '@arvlite/contract';
import { Project } from '../entities/project.entity.ts';
import { entityColumns, preparedStatement } from '../prepared.ts';

const forMember = preparedStatement('project_for_member', (em) => {
  const [p, c] = [entityColumns(em, Project, 'p'), entityColumns(em, Company, 'c')];
  return `select ${p.sql}, ${c.sql}, m.role as member_role
    from project p join company c on c.id = p.company_id
      join membership m on m.company_id = p.company_id and m.user_id = ?
    where p.id = ?`;
});

export class ProjectRepository extends EntityRepository<Project> {
  /** A project with its company, and the caller's role, only if the caller is a member of its company; never by id alone. */
  async findForMember(userId: string, projectId: string): Promise<{ project: Project; role: Role } | null> {
    const [row] = await forMember(this.em).rows<Record<string, unknown>>(this.em, [userId, projectId]);
    if (!row) return null;
    entityColumns(this.em, Company, 'c').map(this.em, row);
    return { project: entityColumns(this.em, Project, 'p').map(this.em, row), role: row.member_role as Role };
  }
}
