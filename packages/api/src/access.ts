// Tenant scoping: the only way procedures load company-owned objects. Not a member → NOT_FOUND; member below the role → FORBIDDEN.
import { ArContent, Membership, Project, Video, roleRank, type Company, type EntityManager, type Role } from '@arvlite/db';
import { ForbiddenError, NotFoundError } from './errors.ts';

export interface Caller {
  userId: string;
}

export function createAccess(em: EntityManager, caller: Caller, minRole: Role) {
  function check(membership: Membership) {
    if (roleRank(membership.role) < roleRank(minRole)) {
      throw new ForbiddenError(`This needs the ${minRole} role or higher; you are ${membership.role}`);
    }
    return membership;
  }

  return {
    minRole,
    /** The caller's membership in a company at the declared minimum role. */
    async company(companyId: string): Promise<{ company: Company; membership: Membership }> {
      const membership = await em.getRepository(Membership).findForCaller(caller.userId, companyId);
      if (!membership) throw new NotFoundError('Company');
      check(membership);
      return { company: membership.company, membership };
    },

    async project(projectId: string): Promise<{ project: Project; company: Company; membership: Membership }> {
      const project = await em.getRepository(Project).findForMember(caller.userId, projectId);
      if (!project) throw new NotFoundError('Project');
      const membership = await em.getRepository(Membership).findForCaller(caller.userId, project.company.id);
      if (!membership) throw new NotFoundError('Project');
      check(membership);
      return { project, company: project.company, membership };
    },

    /** A live (not deleted) video of a company the caller belongs to. */
    async video(videoId: string): Promise<{ video: Video; company: Company; membership: Membership }> {
      const video = await em.getRepository(Video).findForMember(caller.userId, videoId);
      if (!video) throw new NotFoundError('Video');
      const membership = await em.getRepository(Membership).findForCaller(caller.userId, video.company.id);
      if (!membership) throw new NotFoundError('Video');
      check(membership);
      return { video, company: video.company, membership };
    },

    /** A live (not deleted) AR content item of a company the caller belongs to. */
    async arContent(arContentId: string): Promise<{ arContent: ArContent; company: Company; membership: Membership }> {
      const arContent = await em.getRepository(ArContent).findForMember(caller.userId, arContentId);
      if (!arContent) throw new NotFoundError('AR content');
      const membership = await em.getRepository(Membership).findForCaller(caller.userId, arContent.company.id);
      if (!membership) throw new NotFoundError('AR content');
      check(membership);
      return { arContent, company: arContent.company, membership };
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
